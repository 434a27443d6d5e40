import type { BotLang } from './intents.ts';

/**
 * What the bot says, in the five languages it detects. Order facts (status lines, the team's reply
 * time) come from elsewhere and stay as they are; these are the bot's own sentences. `{name}` fills in.
 */
const TEXTS = {
  greeting: {
    en: 'Hi! I\'m the shop assistant. Ask me anything, tell me your order number to see where your order is, or type "agent" to talk to a person.',
    de: 'Hallo! Ich bin der Shop-Assistent. Frag mich etwas, nenne mir deine Bestellnummer, um zu sehen, wo deine Bestellung ist, oder schreib „Mitarbeiter“, um mit einem Menschen zu sprechen.',
    fr: 'Bonjour ! Je suis l’assistant de la boutique. Posez-moi une question, donnez-moi votre numéro de commande, ou écrivez « conseiller » pour parler à une personne.',
    es: '¡Hola! Soy el asistente de la tienda. Pregúntame lo que quieras, dame tu número de pedido o escribe «agente» para hablar con una persona.',
    nl: 'Hallo! Ik ben de winkelassistent. Stel me een vraag, geef me je bestelnummer, of typ "medewerker" om met iemand te praten.',
  },
  hi: {
    en: 'Hi! How can I help you today? Ask me a question, give me your order number, or type "agent" to talk to a person.',
    de: 'Hallo! Wie kann ich dir helfen? Stell mir eine Frage, nenne mir deine Bestellnummer oder schreib „Mitarbeiter“, um mit einem Menschen zu sprechen.',
    fr: 'Bonjour ! Comment puis-je vous aider ? Posez une question, donnez votre numéro de commande, ou écrivez « conseiller ».',
    es: '¡Hola! ¿En qué puedo ayudarte? Hazme una pregunta, dame tu número de pedido o escribe «agente».',
    nl: 'Hallo! Waarmee kan ik je helpen? Stel een vraag, geef je bestelnummer, of typ "medewerker".',
  },
  welcome: {
    en: "You're welcome! Anything else I can help with?",
    de: 'Gern geschehen! Kann ich sonst noch helfen?',
    fr: 'Avec plaisir ! Puis-je vous aider pour autre chose ?',
    es: '¡De nada! ¿Puedo ayudarte en algo más?',
    nl: 'Graag gedaan! Kan ik nog ergens mee helpen?',
  },
  howHelp: {
    en: 'How can I help? You can ask a question or give me your order number.',
    de: 'Wie kann ich helfen? Stell eine Frage oder nenne mir deine Bestellnummer.',
    fr: 'Comment puis-je aider ? Posez une question ou donnez-moi votre numéro de commande.',
    es: '¿Cómo puedo ayudarte? Haz una pregunta o dame tu número de pedido.',
    nl: 'Hoe kan ik helpen? Stel een vraag of geef me je bestelnummer.',
  },
  handover: {
    en: "I'm handing you over to a colleague, who will see everything we talked about.",
    de: 'Ich gebe dich an eine Kollegin oder einen Kollegen weiter, die unser ganzes Gespräch sehen.',
    fr: 'Je vous passe à un collègue, qui verra toute notre conversation.',
    es: 'Te paso con un compañero, que verá toda nuestra conversación.',
    nl: 'Ik geef je door aan een collega, die ons hele gesprek kan zien.',
  },
  askContact: {
    en: "I'll pass this to our team. What's your e-mail address, so they can reply to you?",
    de: 'Ich gebe das an unser Team weiter. Wie lautet deine E-Mail-Adresse, damit sie dir antworten können?',
    fr: 'Je transmets à notre équipe. Quelle est votre adresse e-mail, pour qu’elle puisse vous répondre ?',
    es: 'Se lo paso a nuestro equipo. ¿Cuál es tu correo electrónico para que puedan responderte?',
    nl: 'Ik geef dit door aan ons team. Wat is je e-mailadres, zodat ze je kunnen antwoorden?',
  },
  contactThanks: {
    en: 'Thanks! Our team will reply to {email}.',
    de: 'Danke! Unser Team antwortet dir an {email}.',
    fr: 'Merci ! Notre équipe vous répondra à {email}.',
    es: '¡Gracias! Nuestro equipo te responderá a {email}.',
    nl: 'Bedankt! Ons team antwoordt je op {email}.',
  },
  typeEmail: {
    en: 'Please type the e-mail address where our team can reach you.',
    de: 'Bitte schreib die E-Mail-Adresse, unter der unser Team dich erreicht.',
    fr: 'Veuillez écrire l’adresse e-mail où notre équipe peut vous joindre.',
    es: 'Escribe el correo electrónico donde nuestro equipo puede contactarte.',
    nl: 'Typ het e-mailadres waarop ons team je kan bereiken.',
  },
  okElse: {
    en: 'All right. Ask me anything else, or give me your order number.',
    de: 'In Ordnung. Frag mich gern etwas anderes oder nenne mir deine Bestellnummer.',
    fr: 'D’accord. Posez-moi une autre question ou donnez-moi votre numéro de commande.',
    es: 'De acuerdo. Pregúntame otra cosa o dame tu número de pedido.',
    nl: 'Oké. Vraag me iets anders of geef me je bestelnummer.',
  },
  tooMany: {
    en: 'There have been too many attempts to verify this order, so I can\'t look it up right now. Please try again in about {duration}, or type "agent" to talk to a person.',
    de: 'Es gab zu viele Versuche, diese Bestellung zu bestätigen, daher kann ich sie gerade nicht abrufen. Bitte versuch es in etwa {duration} noch einmal oder schreib „Mitarbeiter“.',
    fr: 'Il y a eu trop de tentatives de vérification pour cette commande. Réessayez dans environ {duration}, ou écrivez « conseiller ».',
    es: 'Ha habido demasiados intentos de verificar este pedido. Inténtalo de nuevo en unos {duration} o escribe «agente».',
    nl: 'Er zijn te veel pogingen gedaan om deze bestelling te verifiëren. Probeer het over ongeveer {duration} opnieuw, of typ "medewerker".',
  },
  askOrder: {
    en: 'Sure — what is your order number? You find it in your order confirmation e-mail (for example #1042).',
    de: 'Gern — wie lautet deine Bestellnummer? Du findest sie in deiner Bestellbestätigung (zum Beispiel #1042).',
    fr: 'Bien sûr — quel est votre numéro de commande ? Il figure dans l’e-mail de confirmation (par exemple #1042).',
    es: 'Claro — ¿cuál es tu número de pedido? Lo encuentras en el correo de confirmación (por ejemplo #1042).',
    nl: 'Zeker — wat is je bestelnummer? Je vindt het in je bevestigingsmail (bijvoorbeeld #1042).',
  },
  askProof: {
    en: 'To keep your order private, please tell me the e-mail address you ordered with (or the shipping postcode) for order {number}.',
    de: 'Zum Schutz deiner Bestellung: Bitte nenne mir die E-Mail-Adresse, mit der du bestellt hast (oder die Postleitzahl der Lieferadresse) für Bestellung {number}.',
    fr: 'Pour protéger votre commande, indiquez l’adresse e-mail utilisée (ou le code postal de livraison) pour la commande {number}.',
    es: 'Para proteger tu pedido, dime el correo electrónico con el que compraste (o el código postal de envío) del pedido {number}.',
    nl: 'Om je bestelling te beschermen: wat is het e-mailadres waarmee je bestelde (of de postcode van het bezorgadres) voor bestelling {number}?',
  },
  proofMismatch: {
    en: "That doesn't match the order number I have. Please check the e-mail address or postcode you used for the order, or the order number.",
    de: 'Das passt nicht zu der Bestellnummer. Bitte prüfe die E-Mail-Adresse oder Postleitzahl der Bestellung oder die Bestellnummer.',
    fr: 'Cela ne correspond pas au numéro de commande. Vérifiez l’adresse e-mail ou le code postal utilisés, ou le numéro de commande.',
    es: 'Eso no coincide con el número de pedido. Revisa el correo o el código postal del pedido, o el número de pedido.',
    nl: 'Dat past niet bij het bestelnummer. Controleer het e-mailadres of de postcode van de bestelling, of het bestelnummer.',
  },
  typeProof: {
    en: 'Please type the e-mail address or shipping postcode of the order.',
    de: 'Bitte schreib die E-Mail-Adresse oder die Postleitzahl der Lieferadresse.',
    fr: 'Veuillez écrire l’adresse e-mail ou le code postal de livraison de la commande.',
    es: 'Escribe el correo electrónico o el código postal de envío del pedido.',
    nl: 'Typ het e-mailadres of de postcode van het bezorgadres van de bestelling.',
  },
  thatIsOrderNumber: {
    en: 'That is the order number ({number}). To check it is your order, I need the e-mail address you ordered with or the shipping postcode.',
    de: 'Das ist die Bestellnummer ({number}). Um zu prüfen, dass es deine Bestellung ist, brauche ich die E-Mail-Adresse der Bestellung oder die Postleitzahl der Lieferadresse.',
    fr: 'C’est le numéro de commande ({number}). Pour vérifier qu’il s’agit de votre commande, j’ai besoin de l’adresse e-mail ou du code postal de livraison.',
    es: 'Ese es el número de pedido ({number}). Para comprobar que es tu pedido necesito el correo electrónico o el código postal de envío.',
    nl: 'Dat is het bestelnummer ({number}). Om te controleren dat het jouw bestelling is, heb ik het e-mailadres of de postcode nodig.',
  },
  needOrder: {
    en: 'I need the order number to look it up — it starts with # in your confirmation e-mail.',
    de: 'Ich brauche die Bestellnummer — sie beginnt in deiner Bestätigungs-E-Mail mit #.',
    fr: 'J’ai besoin du numéro de commande — il commence par # dans l’e-mail de confirmation.',
    es: 'Necesito el número de pedido — empieza por # en tu correo de confirmación.',
    nl: 'Ik heb het bestelnummer nodig — het begint met # in je bevestigingsmail.',
  },
  glad: {
    en: 'Great, glad I could help! Anything else?',
    de: 'Super, freut mich, dass ich helfen konnte! Noch etwas?',
    fr: 'Parfait, ravi d’avoir pu aider ! Autre chose ?',
    es: '¡Genial, me alegra haber ayudado! ¿Algo más?',
    nl: 'Fijn dat ik kon helpen! Nog iets?',
  },
  sorryMore: {
    en: 'Sorry about that. Could you tell me a bit more, in other words? Or type "agent" to talk to a person.',
    de: 'Das tut mir leid. Kannst du es mit anderen Worten beschreiben? Oder schreib „Mitarbeiter“.',
    fr: 'Désolé. Pouvez-vous reformuler ? Ou écrivez « conseiller » pour parler à une personne.',
    es: 'Lo siento. ¿Puedes explicarlo con otras palabras? O escribe «agente».',
    nl: 'Sorry. Kun je het anders verwoorden? Of typ "medewerker".',
  },
  didAnswer: {
    en: 'Did that answer your question? Reply yes or no.',
    de: 'Hat das deine Frage beantwortet? Antworte mit ja oder nein.',
    fr: 'Cela répond-il à votre question ? Répondez oui ou non.',
    es: '¿Responde esto a tu pregunta? Contesta sí o no.',
    nl: 'Beantwoordt dit je vraag? Antwoord ja of nee.',
  },
  policyFirst: {
    en: 'How this works: "{title}": {url}',
    de: 'So funktioniert es: „{title}“: {url}',
    fr: 'Comment ça marche : « {title} » : {url}',
    es: 'Cómo funciona: «{title}»: {url}',
    nl: 'Zo werkt het: "{title}": {url}',
  },
  moreIn: {
    en: 'More in "{title}": {url}',
    de: 'Mehr dazu in „{title}“: {url}',
    fr: 'Plus de détails dans « {title} » : {url}',
    es: 'Más en «{title}»: {url}',
    nl: 'Meer in "{title}": {url}',
  },
  onlyOriginal: {
    en: 'This article is not available in English; here is the original ({language}).',
    de: 'Diesen Artikel gibt es noch nicht auf Deutsch; hier ist das Original ({language}).',
    fr: 'Cet article n’existe pas encore en français ; voici l’original ({language}).',
    es: 'Este artículo aún no está disponible en español; aquí tienes el original ({language}).',
    nl: 'Dit artikel is nog niet in het Nederlands beschikbaar; hier is het origineel ({language}).',
  },
  dontKnow: {
    en: "I'm sorry, I don't know the answer to that. Shall I pass you to a colleague? Reply yes or no — or ask me again in other words.",
    de: 'Das weiß ich leider nicht. Soll ich dich an eine Kollegin oder einen Kollegen weitergeben? Antworte mit ja oder nein — oder frag mich mit anderen Worten.',
    fr: 'Désolé, je ne connais pas la réponse. Voulez-vous que je vous passe un collègue ? Répondez oui ou non — ou reformulez votre question.',
    es: 'Lo siento, no sé la respuesta. ¿Quieres que te pase con un compañero? Contesta sí o no, o pregúntame con otras palabras.',
    nl: 'Sorry, dat weet ik niet. Zal ik je doorverbinden met een collega? Antwoord ja of nee — of stel je vraag anders.',
  },
  sorry: {
    en: "I'm sorry about that.",
    de: 'Das tut mir leid.',
    fr: 'Je suis désolé.',
    es: 'Lo siento mucho.',
    nl: 'Wat vervelend.',
  },
  photoAsk: {
    en: "If you can, send a photo of the item here (use the paperclip) — I'll pass it to our team.",
    de: 'Wenn du kannst, schick hier ein Foto des Artikels (Büroklammer) — ich gebe es an unser Team weiter.',
    fr: 'Si possible, envoyez ici une photo de l’article (trombone) — je la transmets à notre équipe.',
    es: 'Si puedes, envía aquí una foto del artículo (clip) y se la paso a nuestro equipo.',
    nl: 'Stuur als het kan hier een foto van het artikel (paperclip) — ik geef hem door aan ons team.',
  },
  photoForReturn: {
    en: "If the item is damaged or not what you ordered, send a photo of it here (use the paperclip) and I'll add it to your request.",
    de: 'Ist der Artikel beschädigt oder falsch, schick hier ein Foto (Büroklammer) — ich füge es deiner Anfrage hinzu.',
    fr: 'Si l’article est endommagé ou erroné, envoyez-en une photo ici (trombone) et je l’ajoute à votre demande.',
    es: 'Si el artículo está dañado o no es el que pediste, envía una foto aquí (clip) y la añado a tu solicitud.',
    nl: 'Is het artikel beschadigd of verkeerd, stuur dan hier een foto (paperclip), dan voeg ik die toe aan je aanvraag.',
  },
  returnPassed: {
    en: "I've passed your return request for order {number} to our team. You'll get the return label and instructions by e-mail, usually within one business day.",
    de: 'Ich habe deine Rücksendung für Bestellung {number} an unser Team weitergegeben. Das Rücksendeetikett und die Anleitung bekommst du per E-Mail, meist innerhalb eines Werktags.',
    fr: 'J’ai transmis votre demande de retour pour la commande {number} à notre équipe. Vous recevrez l’étiquette de retour par e-mail, en général sous un jour ouvré.',
    es: 'He pasado tu solicitud de devolución del pedido {number} a nuestro equipo. Recibirás la etiqueta y las instrucciones por correo, normalmente en un día laborable.',
    nl: 'Ik heb je retouraanvraag voor bestelling {number} doorgegeven aan ons team. Je krijgt het retourlabel per e-mail, meestal binnen één werkdag.',
  },
  returnPortal: {
    en: 'You can also choose the items and an exchange or refund yourself on our returns page: {url}',
    de: 'Du kannst die Artikel und Umtausch oder Erstattung auch selbst auf unserer Rücksendeseite wählen: {url}',
    fr: 'Vous pouvez aussi choisir les articles, un échange ou un remboursement sur notre page de retours : {url}',
    es: 'También puedes elegir los artículos y el cambio o reembolso en nuestra página de devoluciones: {url}',
    nl: 'Je kunt de artikelen en ruilen of terugbetaling ook zelf kiezen op onze retourpagina: {url}',
  },
  cancelAsked: {
    en: "I've asked our team to cancel order {number}. If it has not been packed yet it will be cancelled and fully refunded; you'll get an e-mail either way.",
    de: 'Ich habe unser Team gebeten, Bestellung {number} zu stornieren. Ist sie noch nicht verpackt, wird sie storniert und voll erstattet; du bekommst in jedem Fall eine E-Mail.',
    fr: 'J’ai demandé à notre équipe d’annuler la commande {number}. Si elle n’est pas encore emballée, elle sera annulée et remboursée ; vous recevrez un e-mail dans tous les cas.',
    es: 'He pedido a nuestro equipo que cancele el pedido {number}. Si aún no se ha empaquetado, se cancelará y reembolsará; recibirás un correo en cualquier caso.',
    nl: 'Ik heb ons team gevraagd bestelling {number} te annuleren. Is ze nog niet ingepakt, dan wordt ze geannuleerd en volledig terugbetaald; je krijgt hoe dan ook een e-mail.',
  },
  changePassed: {
    en: "I've passed your change for order {number} to our team; it has not shipped yet, so they can still change it. You'll get an e-mail when it is done.",
    de: 'Ich habe deine Änderung für Bestellung {number} an unser Team gegeben; sie ist noch nicht versandt, also kann sie noch geändert werden. Du bekommst eine E-Mail, sobald es erledigt ist.',
    fr: 'J’ai transmis votre modification de la commande {number} à notre équipe ; elle n’est pas encore expédiée, elle peut donc encore être modifiée. Vous recevrez un e-mail une fois fait.',
    es: 'He pasado tu cambio del pedido {number} a nuestro equipo; aún no se ha enviado, así que todavía se puede cambiar. Recibirás un correo cuando esté hecho.',
    nl: 'Ik heb je wijziging voor bestelling {number} doorgegeven aan ons team; ze is nog niet verzonden, dus kan nog worden aangepast. Je krijgt een e-mail zodra het gedaan is.',
  },
  changeShipped: {
    en: "Order {number} has already shipped, so we can no longer change it ourselves. I've passed your request to a colleague, who can ask the carrier to redirect the parcel.",
    de: 'Bestellung {number} ist bereits versandt, deshalb können wir sie selbst nicht mehr ändern. Ich habe deine Anfrage an eine Kollegin oder einen Kollegen gegeben, die den Versanddienst um eine Umleitung bitten können.',
    fr: 'La commande {number} est déjà expédiée, nous ne pouvons donc plus la modifier nous-mêmes. J’ai transmis votre demande à un collègue, qui peut demander au transporteur de réacheminer le colis.',
    es: 'El pedido {number} ya se ha enviado, así que no podemos cambiarlo nosotros. He pasado tu solicitud a un compañero, que puede pedir al transportista que redirija el paquete.',
    nl: 'Bestelling {number} is al verzonden, dus we kunnen haar zelf niet meer wijzigen. Ik heb je verzoek doorgegeven aan een collega, die de vervoerder kan vragen het pakket om te leiden.',
  },
  photoAdded: {
    en: "Thanks, I've added the photo to your return request. Anything else?",
    de: 'Danke, ich habe das Foto zu deiner Rücksendung hinzugefügt. Noch etwas?',
    fr: 'Merci, j’ai ajouté la photo à votre demande de retour. Autre chose ?',
    es: 'Gracias, he añadido la foto a tu solicitud de devolución. ¿Algo más?',
    nl: 'Bedankt, ik heb de foto aan je retouraanvraag toegevoegd. Nog iets?',
  },
  fileKept: {
    en: "Thanks, I've kept your file for our team. How can I help?",
    de: 'Danke, ich habe deine Datei für unser Team gespeichert. Wie kann ich helfen?',
    fr: 'Merci, j’ai gardé votre fichier pour notre équipe. Comment puis-je aider ?',
    es: 'Gracias, he guardado tu archivo para nuestro equipo. ¿En qué puedo ayudarte?',
    nl: 'Bedankt, ik heb je bestand bewaard voor ons team. Waarmee kan ik helpen?',
  },
  orderStatusFooter: {
    en: 'Anything else? Type "agent" if you would like to talk to a person.',
    de: 'Noch etwas? Schreib „Mitarbeiter“, wenn du mit einem Menschen sprechen möchtest.',
    fr: 'Autre chose ? Écrivez « conseiller » pour parler à une personne.',
    es: '¿Algo más? Escribe «agente» si quieres hablar con una persona.',
    nl: 'Nog iets? Typ "medewerker" als je met iemand wilt praten.',
  },
  yes: { en: 'Yes', de: 'Ja', fr: 'Oui', es: 'Sí', nl: 'Ja' },
  no: { en: 'No', de: 'Nein', fr: 'Non', es: 'No', nl: 'Nee' },
  talkPerson: {
    en: 'Talk to a person',
    de: 'Mit einem Menschen sprechen',
    fr: 'Parler à une personne',
    es: 'Hablar con una persona',
    nl: 'Met iemand praten',
  },
  whereOrder: {
    en: 'Where is my order?',
    de: 'Wo ist meine Bestellung?',
    fr: 'Où est ma commande ?',
    es: '¿Dónde está mi pedido?',
    nl: 'Waar is mijn bestelling?',
  },
  returnItem: {
    en: 'Return an item',
    de: 'Artikel zurücksenden',
    fr: 'Retourner un article',
    es: 'Devolver un artículo',
    nl: 'Artikel retourneren',
  },
  shippingCosts: {
    en: 'Shipping costs',
    de: 'Versandkosten',
    fr: 'Frais de livraison',
    es: 'Gastos de envío',
    nl: 'Verzendkosten',
  },
  thanksQr: { en: 'Thanks!', de: 'Danke!', fr: 'Merci !', es: '¡Gracias!', nl: 'Bedankt!' },
} satisfies Record<string, Record<BotLang, string>>;

export type TextKey = keyof typeof TEXTS;

export function tr(lang: BotLang, key: TextKey, vars: Record<string, string | number> = {}): string {
  const s: string = TEXTS[key][lang] ?? TEXTS[key].en;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** "10 minutes" in the shopper's language. */
export function minutesText(lang: BotLang, m: number): string {
  const one = m === 1;
  const word = {
    en: one ? 'minute' : 'minutes',
    de: one ? 'Minute' : 'Minuten',
    fr: one ? 'minute' : 'minutes',
    es: one ? 'minuto' : 'minutos',
    nl: one ? 'minuut' : 'minuten',
  }[lang];
  return `${m} ${word}`;
}

/** A language's name in another language ("Englisch" for en in de). */
export function languageName(code: string, inLang: BotLang): string {
  try {
    return new Intl.DisplayNames([inLang], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}
