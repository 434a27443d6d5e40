/**
 * The words of surveys, follow-ups and "we changed it" messages, in every language the help center's
 * interface speaks (helpcenter/portal-i18n.ts: en, de, fr, es, nl). A shop's own question and labels
 * (settings.csat.texts[locale]) replace the built-in ones. `{name}` placeholders are filled by `fill`.
 */
const en = {
  pickOne: 'Please choose a rating.',
  csatQuestion: 'How would you rate the help you received?',
  five: ['Very bad', 'Bad', 'OK', 'Good', 'Excellent'],
  three: ['Bad', 'OK', 'Good'],
  thumbs: ['Not good', 'Good'],
  commentPrompt: 'Anything you would like to tell us? (optional)',
  reasonPrompt: 'What went wrong?',
  submit: 'Send my rating',
  update: 'Change my rating',
  thanks: 'Thank you! Your rating is saved.',
  canChange: 'You can change it until {date}.',
  invalid: 'This link is not valid or has expired.',
  closed: 'This survey is closed. Thank you anyway!',
  npsQuestion: 'How likely are you to recommend {shop} to a friend?',
  npsLow: 'Not at all likely',
  npsHigh: 'Extremely likely',
  npsFollow: 'What is the main reason for your score? (optional)',
  followQuestion: 'Did our answer fix your problem?',
  yes: 'Yes, it is fixed',
  no: 'No, I still need help',
  confirm: 'Confirm',
  followThanksYes: 'Great, thanks for letting us know!',
  followThanksNo: 'Sorry about that. We reopened your request and will get back to you.',
  followClosed: 'This question is closed. If you still need help, just reply to our last e-mail.',
  optOutTitle: 'Stop these messages',
  optOutText: 'No more surveys and "we changed it" messages from {shop}?',
  optOutDone: 'Done: you will not get these messages any more.',
  surveySubject: 'How did we do? (request #{ticket})',
  surveyIntro:
    'Hi {name},\n\nyour request "{subject}" was solved. How would you rate the help you received? Choose one:',
  surveyFooter: 'Your answer can be changed until {date}.',
  npsSubject: 'A quick question from {shop}',
  npsIntro: 'Hi {name},\n\nhow likely are you to recommend {shop} to a friend? Choose a number from 0 to 10:',
  followText:
    'Hi {name},\n\nwe solved your request "{subject}" a little while ago. Did that fix your problem?\n\nYes, it is fixed: {yes}\nNo, I still need help: {no}\n\nIf we do not hear from you, we will close the request.',
  improvementSubject: 'You told us, we changed it',
  improvementText:
    'Hi {name},\n\nyou told us: "{said}"\n\nWe changed it: {change}\n\nThank you for taking the time to tell us.',
  stopLink: 'No more of these messages: {url}',
  hi: 'there',
};
export type FeedbackWords = typeof en;

const de: FeedbackWords = {
  pickOne: 'Bitte wählen Sie eine Bewertung.',
  csatQuestion: 'Wie bewerten Sie die Hilfe, die Sie erhalten haben?',
  five: ['Sehr schlecht', 'Schlecht', 'In Ordnung', 'Gut', 'Ausgezeichnet'],
  three: ['Schlecht', 'In Ordnung', 'Gut'],
  thumbs: ['Nicht gut', 'Gut'],
  commentPrompt: 'Möchten Sie uns noch etwas sagen? (optional)',
  reasonPrompt: 'Was lief schief?',
  submit: 'Bewertung senden',
  update: 'Bewertung ändern',
  thanks: 'Danke! Ihre Bewertung ist gespeichert.',
  canChange: 'Sie können sie bis {date} ändern.',
  invalid: 'Dieser Link ist ungültig oder abgelaufen.',
  closed: 'Diese Umfrage ist beendet. Trotzdem danke!',
  npsQuestion: 'Wie wahrscheinlich ist es, dass Sie {shop} einem Freund empfehlen?',
  npsLow: 'Sehr unwahrscheinlich',
  npsHigh: 'Sehr wahrscheinlich',
  npsFollow: 'Was ist der wichtigste Grund für Ihre Bewertung? (optional)',
  followQuestion: 'Hat unsere Antwort Ihr Problem gelöst?',
  yes: 'Ja, es ist gelöst',
  no: 'Nein, ich brauche noch Hilfe',
  confirm: 'Bestätigen',
  followThanksYes: 'Prima, danke für die Rückmeldung!',
  followThanksNo: 'Das tut uns leid. Wir haben Ihre Anfrage wieder geöffnet und melden uns.',
  followClosed:
    'Diese Frage ist geschlossen. Wenn Sie noch Hilfe brauchen, antworten Sie einfach auf unsere letzte E-Mail.',
  optOutTitle: 'Diese Nachrichten abbestellen',
  optOutText: 'Keine Umfragen und „Wir haben es geändert“-Nachrichten mehr von {shop}?',
  optOutDone: 'Erledigt: Sie erhalten diese Nachrichten nicht mehr.',
  surveySubject: 'Wie waren wir? (Anfrage #{ticket})',
  surveyIntro:
    'Hallo {name},\n\nIhre Anfrage „{subject}“ wurde gelöst. Wie bewerten Sie die Hilfe? Wählen Sie:',
  surveyFooter: 'Sie können Ihre Antwort bis {date} ändern.',
  npsSubject: 'Eine kurze Frage von {shop}',
  npsIntro:
    'Hallo {name},\n\nwie wahrscheinlich ist es, dass Sie {shop} einem Freund empfehlen? Wählen Sie eine Zahl von 0 bis 10:',
  followText:
    'Hallo {name},\n\nwir haben Ihre Anfrage „{subject}“ vor Kurzem gelöst. Ist Ihr Problem damit behoben?\n\nJa, es ist gelöst: {yes}\nNein, ich brauche noch Hilfe: {no}\n\nWenn wir nichts von Ihnen hören, schließen wir die Anfrage.',
  improvementSubject: 'Sie haben es uns gesagt, wir haben es geändert',
  improvementText:
    'Hallo {name},\n\nSie schrieben uns: „{said}“\n\nDas haben wir geändert: {change}\n\nDanke, dass Sie sich die Zeit genommen haben.',
  stopLink: 'Keine solchen Nachrichten mehr: {url}',
  hi: 'zusammen',
};

const fr: FeedbackWords = {
  pickOne: 'Veuillez choisir une note.',
  csatQuestion: "Comment évaluez-vous l'aide que vous avez reçue ?",
  five: ['Très mauvaise', 'Mauvaise', 'Correcte', 'Bonne', 'Excellente'],
  three: ['Mauvaise', 'Correcte', 'Bonne'],
  thumbs: ['Pas bien', 'Bien'],
  commentPrompt: 'Souhaitez-vous nous dire quelque chose ? (facultatif)',
  reasonPrompt: "Qu'est-ce qui n'a pas fonctionné ?",
  submit: 'Envoyer ma note',
  update: 'Modifier ma note',
  thanks: 'Merci ! Votre note est enregistrée.',
  canChange: "Vous pouvez la modifier jusqu'au {date}.",
  invalid: "Ce lien n'est pas valide ou a expiré.",
  closed: 'Ce questionnaire est clos. Merci quand même !',
  npsQuestion: 'Quelle est la probabilité que vous recommandiez {shop} à un ami ?',
  npsLow: 'Pas du tout probable',
  npsHigh: 'Très probable',
  npsFollow: 'Quelle est la raison principale de votre note ? (facultatif)',
  followQuestion: 'Notre réponse a-t-elle résolu votre problème ?',
  yes: "Oui, c'est résolu",
  no: "Non, j'ai encore besoin d'aide",
  confirm: 'Confirmer',
  followThanksYes: 'Parfait, merci de nous avoir répondu !',
  followThanksNo: 'Désolés. Nous avons rouvert votre demande et revenons vers vous.',
  followClosed:
    "Cette question est close. Si vous avez encore besoin d'aide, répondez à notre dernier e-mail.",
  optOutTitle: 'Ne plus recevoir ces messages',
  optOutText: 'Ne plus recevoir de questionnaires ni de messages « nous l’avons changé » de {shop} ?',
  optOutDone: 'C’est fait : vous ne recevrez plus ces messages.',
  surveySubject: 'Comment avons-nous fait ? (demande n°{ticket})',
  surveyIntro:
    'Bonjour {name},\n\nvotre demande « {subject} » est résolue. Comment évaluez-vous notre aide ? Choisissez :',
  surveyFooter: "Vous pouvez modifier votre réponse jusqu'au {date}.",
  npsSubject: 'Une petite question de {shop}',
  npsIntro:
    'Bonjour {name},\n\nquelle est la probabilité que vous recommandiez {shop} à un ami ? Choisissez de 0 à 10 :',
  followText:
    'Bonjour {name},\n\nnous avons résolu votre demande « {subject} ». Cela a-t-il réglé votre problème ?\n\nOui, c’est résolu : {yes}\nNon, j’ai encore besoin d’aide : {no}\n\nSans réponse de votre part, nous fermerons la demande.',
  improvementSubject: 'Vous nous l’avez dit, nous l’avons changé',
  improvementText:
    'Bonjour {name},\n\nvous nous avez dit : « {said} »\n\nNous avons changé : {change}\n\nMerci d’avoir pris le temps de nous le dire.',
  stopLink: 'Ne plus recevoir ces messages : {url}',
  hi: 'à vous',
};

const es: FeedbackWords = {
  pickOne: 'Elija una valoración.',
  csatQuestion: '¿Cómo valora la ayuda que recibió?',
  five: ['Muy mala', 'Mala', 'Correcta', 'Buena', 'Excelente'],
  three: ['Mala', 'Correcta', 'Buena'],
  thumbs: ['No bien', 'Bien'],
  commentPrompt: '¿Quiere contarnos algo más? (opcional)',
  reasonPrompt: '¿Qué salió mal?',
  submit: 'Enviar mi valoración',
  update: 'Cambiar mi valoración',
  thanks: '¡Gracias! Su valoración se ha guardado.',
  canChange: 'Puede cambiarla hasta el {date}.',
  invalid: 'Este enlace no es válido o ha caducado.',
  closed: 'Esta encuesta está cerrada. ¡Gracias de todos modos!',
  npsQuestion: '¿Qué probabilidad hay de que recomiende {shop} a un amigo?',
  npsLow: 'Nada probable',
  npsHigh: 'Muy probable',
  npsFollow: '¿Cuál es el motivo principal de su puntuación? (opcional)',
  followQuestion: '¿Nuestra respuesta resolvió su problema?',
  yes: 'Sí, está resuelto',
  no: 'No, todavía necesito ayuda',
  confirm: 'Confirmar',
  followThanksYes: '¡Estupendo, gracias por decírnoslo!',
  followThanksNo: 'Lo sentimos. Hemos reabierto su solicitud y le responderemos.',
  followClosed: 'Esta pregunta está cerrada. Si aún necesita ayuda, responda a nuestro último correo.',
  optOutTitle: 'Dejar de recibir estos mensajes',
  optOutText: '¿No recibir más encuestas ni mensajes de «lo hemos cambiado» de {shop}?',
  optOutDone: 'Hecho: ya no recibirá estos mensajes.',
  surveySubject: '¿Qué tal lo hicimos? (solicitud n.º {ticket})',
  surveyIntro:
    'Hola {name}:\n\nsu solicitud «{subject}» está resuelta. ¿Cómo valora la ayuda recibida? Elija:',
  surveyFooter: 'Puede cambiar su respuesta hasta el {date}.',
  npsSubject: 'Una pregunta rápida de {shop}',
  npsIntro:
    'Hola {name}:\n\n¿qué probabilidad hay de que recomiende {shop} a un amigo? Elija un número del 0 al 10:',
  followText:
    'Hola {name}:\n\nhace poco resolvimos su solicitud «{subject}». ¿Se solucionó su problema?\n\nSí, está resuelto: {yes}\nNo, todavía necesito ayuda: {no}\n\nSi no sabemos nada de usted, cerraremos la solicitud.',
  improvementSubject: 'Nos lo dijo y lo hemos cambiado',
  improvementText:
    'Hola {name}:\n\nnos dijo: «{said}»\n\nLo hemos cambiado: {change}\n\nGracias por tomarse el tiempo de decírnoslo.',
  stopLink: 'No recibir más estos mensajes: {url}',
  hi: 'de nuevo',
};

const nl: FeedbackWords = {
  pickOne: 'Kies een beoordeling.',
  csatQuestion: 'Hoe beoordeelt u de hulp die u kreeg?',
  five: ['Zeer slecht', 'Slecht', 'Redelijk', 'Goed', 'Uitstekend'],
  three: ['Slecht', 'Redelijk', 'Goed'],
  thumbs: ['Niet goed', 'Goed'],
  commentPrompt: 'Wilt u ons nog iets vertellen? (optioneel)',
  reasonPrompt: 'Wat ging er mis?',
  submit: 'Beoordeling versturen',
  update: 'Beoordeling wijzigen',
  thanks: 'Bedankt! Uw beoordeling is opgeslagen.',
  canChange: 'U kunt deze wijzigen tot {date}.',
  invalid: 'Deze link is ongeldig of verlopen.',
  closed: 'Deze enquête is gesloten. Toch bedankt!',
  npsQuestion: 'Hoe waarschijnlijk is het dat u {shop} aanbeveelt aan een vriend?',
  npsLow: 'Zeer onwaarschijnlijk',
  npsHigh: 'Zeer waarschijnlijk',
  npsFollow: 'Wat is de belangrijkste reden voor uw score? (optioneel)',
  followQuestion: 'Heeft ons antwoord uw probleem opgelost?',
  yes: 'Ja, het is opgelost',
  no: 'Nee, ik heb nog hulp nodig',
  confirm: 'Bevestigen',
  followThanksYes: 'Fijn, bedankt voor het laten weten!',
  followThanksNo: 'Dat spijt ons. We hebben uw vraag heropend en komen bij u terug.',
  followClosed: 'Deze vraag is gesloten. Heeft u nog hulp nodig, antwoord dan op onze laatste e-mail.',
  optOutTitle: 'Deze berichten stoppen',
  optOutText: 'Geen enquêtes en "we hebben het aangepast"-berichten meer van {shop}?',
  optOutDone: 'Klaar: u ontvangt deze berichten niet meer.',
  surveySubject: 'Hoe deden we het? (vraag #{ticket})',
  surveyIntro: 'Hallo {name},\n\nuw vraag "{subject}" is opgelost. Hoe beoordeelt u de hulp? Kies:',
  surveyFooter: 'U kunt uw antwoord wijzigen tot {date}.',
  npsSubject: 'Een korte vraag van {shop}',
  npsIntro:
    'Hallo {name},\n\nhoe waarschijnlijk is het dat u {shop} aanbeveelt aan een vriend? Kies een getal van 0 tot 10:',
  followText:
    'Hallo {name},\n\nwe hebben uw vraag "{subject}" onlangs opgelost. Is uw probleem daarmee verholpen?\n\nJa, het is opgelost: {yes}\nNee, ik heb nog hulp nodig: {no}\n\nAls we niets van u horen, sluiten we de vraag.',
  improvementSubject: 'U zei het ons, wij hebben het aangepast',
  improvementText:
    'Hallo {name},\n\nu schreef ons: "{said}"\n\nDit hebben we aangepast: {change}\n\nBedankt dat u de tijd nam om het ons te laten weten.',
  stopLink: 'Geen berichten meer zoals deze: {url}',
  hi: 'daar',
};

const CATALOGUES: Record<string, FeedbackWords> = { en, de, fr, es, nl };
export const FEEDBACK_LOCALES = Object.keys(CATALOGUES);

export function wordsFor(locale: string): FeedbackWords {
  const l = locale.toLowerCase();
  return CATALOGUES[l] ?? CATALOGUES[l.split('-')[0]!] ?? en;
}

export const fill = (message: string, vars: Record<string, string | number>) =>
  message.replace(/\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));

export function formatDate(locale: string, d: Date): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
  } catch {
    return d.toISOString().slice(0, 10);
  }
}

/** The notice kinds' built-in wording (customer notices templates) in every language above. */
export function noticeTemplates(kind: 'survey' | 'follow-up') {
  const out: Record<string, { subject: string; body: string }> = {};
  for (const [l, w] of Object.entries(CATALOGUES)) {
    const name = `{{customer.first_name | ${w.hi}}}`;
    if (kind === 'survey')
      out[l] = {
        subject: fill(w.surveySubject, { ticket: '{{ticket.id}}' }),
        body: `${fill(w.surveyIntro, { name, subject: '{{survey.subject}}' })}\n\n{{survey.choices}}\n\n${fill(w.surveyFooter, { date: '{{survey.closes}}' })}\n\n{{shop.name}}`,
      };
    else
      out[l] = {
        subject: w.followQuestion,
        body: `${fill(w.followText, { name, subject: '{{followup.subject}}', yes: '{{followup.yes_url}}', no: '{{followup.no_url}}' })}\n\n{{shop.name}}`,
      };
  }
  return out;
}
