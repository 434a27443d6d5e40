/**
 * Second held-out set (issue #23): written before the classifier, the language path and the relevance
 * threshold were built, and never trained or tuned on. It covers questions with and without a matching
 * help-center article, the five intent-model languages, typos, several requests in one message and
 * product questions against the demo catalogue. `article: null` marks a question no demo article
 * answers: the bot must say honestly that it does not know and offer a colleague. `product` names the
 * demo product a catalogue question is about. Labels follow the intents in intents.ts.
 */
export type EvalIntent =
  | 'greeting'
  | 'thanks'
  | 'affirm'
  | 'deny'
  | 'human'
  | 'order_status'
  | 'return_request'
  | 'cancel_request'
  | 'change_order'
  | 'product_question'
  | 'complaint'
  | 'question';
export type EvalLang = 'en' | 'de' | 'fr' | 'es' | 'nl';

export interface HeldOutMessage {
  text: string;
  intent: EvalIntent;
  lang: EvalLang;
  /** Slug of the article that answers it; null: no article does (honest "don't know"). */
  article?: string | null;
  /** Demo product a catalogue question is about. */
  product?: string;
}

const m = (lang: EvalLang, intent: EvalIntent, text: string, extra: Partial<HeldOutMessage> = {}) => ({
  lang,
  intent,
  text,
  ...extra,
});
const a = (lang: EvalLang, text: string, article: string | null): HeldOutMessage =>
  m(lang, 'question', text, { article });
const p = (lang: EvalLang, text: string, product: string): HeldOutMessage =>
  m(lang, 'product_question', text, { product });

export const heldOut2: HeldOutMessage[] = [
  // questions with an article (en)
  a('en', 'how much does standard shipping to germany cost', 'shipping-times-and-costs'),
  a('en', 'whats the price for express delivery', 'shipping-times-and-costs'),
  a('en', 'do u ship to the netherlands and how long does it take', 'shipping-times-and-costs'),
  a('en', 'do you deliver to norway?', 'international-shipping'),
  a('en', 'can you ship to the US', 'international-shipping'),
  a('en', 'will i pay import duties in the uk', 'international-shipping'),
  a('en', 'the tracking link says label created for 6 days now', 'track-your-order'),
  a('en', 'dhl says delivered but there is nothing at my door', 'track-your-order'),
  a('en', 'how long do i have to return stuff', 'returns-policy'),
  a('en', 'are returns from austria free?', 'returns-policy'),
  a('en', 'can underwear be returned', 'returns-policy'),
  a('en', 'how do i get a retrun label', 'how-to-return'),
  a('en', 'where can I drop off the return parcel', 'how-to-return'),
  a('en', 'how long until i see my refund on paypal', 'refund-timing'),
  a('en', 'do I get the shipping costs back if I return everything', 'refund-timing'),
  a('en', 'how do exchanges work at your shop', 'exchanges'),
  a('en', 'is exchanging a size free of charge', 'exchanges'),
  a('en', 'i wear 43 in most brands, which size for your hiking boots', 'sizing-guide'),
  a('en', 'do the jackets run slim', 'sizing-guide'),
  a('en', 'how do i wash a down jacket', 'product-care'),
  a('en', 'can merino go in the dryer', 'product-care'),
  a('en', 'is there a warranty on your products', 'damaged-or-wrong-item'),
  a('en', 'can i pay with klarna in 3 installments', 'payment-methods'),
  a('en', 'do you accept mastercard', 'payment-methods'),
  a('en', 'my discount code is expired can i still use it', 'discount-codes'),
  a('en', 'can I combine two promo codes', 'discount-codes'),
  a('en', 'i cant sign in, forgot my pasword', 'account-and-password'),
  a('en', 'do i need to make an account to buy something', 'account-and-password'),
  a('en', 'can i still change the address on an order i placed 10 minutes ago', 'change-or-cancel-order'),
  // questions with an article (de, fr, es, nl)
  a('de', 'Was kostet der Versand nach Deutschland?', 'shipping-times-and-costs'),
  a('de', 'wie lange brauch die lieferung', 'shipping-times-and-costs'),
  a('de', 'Welche Zahlungsarten gibt es?', 'payment-methods'),
  a('de', 'Kann ich mit PayPal bezahlen?', 'payment-methods'),
  a('de', 'Wie lange habe ich Zeit, etwas zurückzugeben?', 'returns-policy'),
  a('de', 'Sind Rücksendungen kostenlos?', 'returns-policy'),
  a('de', 'Wie kann ich meine Sendung verfolgen?', 'track-your-order'),
  a('fr', 'Combien coûte la livraison en France ?', 'shipping-times-and-costs'),
  a('fr', 'Quels moyens de paiement acceptez-vous ?', 'payment-methods'),
  a('fr', 'Quel est le délai pour retourner un article ?', 'returns-policy'),
  a('es', '¿Cuánto cuesta el envío a España?', 'shipping-times-and-costs'),
  a('es', '¿Puedo pagar con PayPal?', 'payment-methods'),
  a('es', '¿Cuántos días tengo para devolver un producto?', 'returns-policy'),
  a('nl', 'Hoe lang duurt de verzending naar Nederland?', 'shipping-times-and-costs'),
  a('nl', 'Kan ik betalen met PayPal?', 'payment-methods'),
  a('nl', 'Hoeveel dagen heb ik om iets terug te sturen?', 'returns-policy'),

  // questions no article answers: honest "don't know" and the offer of a colleague
  a('en', 'do you sell gift cards?', null),
  a('en', 'can i buy a gift voucher for my brother', null),
  a('en', 'do you price match if another shop is cheaper', null),
  a('en', 'will you match amazons price on the down jacket', null),
  a('en', 'do you have a physical store in berlin', null),
  a('en', 'where is your shop, can i come and try things on', null),
  a('en', 'are you hiring?', null),
  a('en', 'do you have a student discount', null),
  a('en', 'is your packaging plastic free', null),
  a('en', 'do you offer repairs for old jackets', null),
  a('en', 'can i rent hiking gear from you', null),
  a('en', 'do you have an affiliate program', null),
  a('en', 'whats your company phone number', null),
  a('en', 'do you do corporate bulk orders with our logo', null),
  a('en', 'are your products vegan', null),
  a('en', 'is there a loyalty points program', null),
  a('de', 'Habt ihr einen Laden in München?', null),
  a('de', 'Verkauft ihr Gutscheine zum Verschenken?', null),
  a('fr', 'Avez-vous un magasin physique à Paris ?', null),
  a('es', '¿Tienen tienda física en Madrid?', null),
  a('nl', 'Hebben jullie een winkel in Amsterdam?', null),
  a('en', 'what is the meaning of life', null),

  // product questions against the demo catalogue
  p('en', 'is the summit 45l waterproof?', 'Summit 45L Backpack'),
  p('en', 'do you have the fleece midlayer in large', 'Fleece Midlayer'),
  p('en', 'when will the alpine down jacket be back in stock', 'Alpine Down Jacket'),
  p('en', 'how much is the wool beanie', 'Wool Beanie'),
  p('en', 'are the trailrunner gtx shoes gore-tex', 'Trailrunner GTX Shoes'),
  p('en', 'does the insulated bottle keep drinks hot', 'Insulated Bottle 1L'),
  p('en', 'what colours does the merino base layer come in', 'Merino Base Layer'),
  p('en', 'rain shell pants in size S available?', 'Rain Shell Pants'),
  p('de', 'Ist der Summit 45L Rucksack wasserdicht?', 'Summit 45L Backpack'),
  p('de', 'Gibt es die Fleece Midlayer Jacke in Größe M?', 'Fleece Midlayer'),
  p('fr', 'Le sac Summit 45L est-il imperméable ?', 'Summit 45L Backpack'),
  p('es', '¿La chaqueta Alpine Down está disponible en talla L?', 'Alpine Down Jacket'),
  p('nl', 'Is de Summit 45L rugzak waterdicht?', 'Summit 45L Backpack'),

  // order status
  m('en', 'order_status', 'yo where is my stuff, order 1042'),
  m('en', 'order_status', 'has #1042 left the warehouse'),
  m('en', 'order_status', 'my parcel still hasnt come and its been a week'),
  m('en', 'order_status', 'when does my order get here'),
  m('en', 'order_status', 'could you check the delivery status for 1042 please'),
  m('en', 'order_status', 'hi, i ordered a jacket last week, has it been shipped?'),
  m('de', 'order_status', 'Wann kommt meine Bestellung an?'),
  m('de', 'order_status', 'Ist mein Paket schon unterwegs? Bestellnummer 1042'),
  m('fr', 'order_status', 'Quand est-ce que je vais recevoir ma commande ?'),
  m('es', 'order_status', '¿Dónde está mi pedido 1042?'),
  m('nl', 'order_status', 'Waar is mijn bestelling? Ik heb nog niks ontvangen'),

  // return and exchange requests
  m('en', 'return_request', 'i want to exchange the jacket for a size L'),
  m('en', 'return_request', 'can i swap my boots for one size bigger, order 1042'),
  m('en', 'return_request', 'I would like to exchange these shoes for another colour'),
  m('en', 'return_request', 'the pants are too long, i want to send them back and get my money back'),
  m('en', 'return_request', 'my backpack arrived with a broken buckle, I want a refund'),
  m('en', 'return_request', 'the jacket came ripped, please refund me'),
  m('en', 'return_request', 'zip is broken on arrival, i want my money back not a replacement'),
  m('en', 'return_request', 'need to return 2 items from order 1042'),
  m('en', 'return_request', 'please set up a retrun for my last order'),
  m('de', 'return_request', 'Ich möchte die Jacke gegen eine Größe L umtauschen'),
  m('de', 'return_request', 'Der Rucksack ist kaputt angekommen, ich will mein Geld zurück'),
  m('fr', 'return_request', 'Je voudrais échanger ma veste contre une taille plus grande'),
  m('fr', 'return_request', 'Je veux retourner les chaussures, commande 1042'),
  m('es', 'return_request', 'Quiero devolver la chaqueta, pedido 1042'),
  m('es', 'return_request', 'Quiero cambiar las botas por una talla más grande'),
  m('nl', 'return_request', 'Ik wil de jas ruilen voor een maat groter'),
  m('nl', 'return_request', 'Ik wil mijn bestelling 1042 retourneren'),

  // cancellations
  m('en', 'cancel_request', 'pls cancel 1042 i ordered the wrong thing'),
  m('en', 'cancel_request', 'i need to cancel my order right now'),
  m('de', 'cancel_request', 'Ich möchte meine Bestellung stornieren'),
  m('fr', 'cancel_request', 'Je veux annuler ma commande 1042'),
  m('es', 'cancel_request', 'Quiero cancelar mi pedido'),
  m('nl', 'cancel_request', 'Ik wil mijn bestelling annuleren'),

  // order changes (address, size, item)
  m('en', 'change_order', 'my order already shipped but i moved, can you change the delivery address'),
  m('en', 'change_order', 'I need to change the shipping address on order 1042'),
  m('en', 'change_order', 'can you update the address, I typed the wrong street'),
  m('en', 'change_order', 'please change the size on my order from M to L, I ordered an hour ago'),
  m('en', 'change_order', 'can you add a beanie to my order 1042'),
  m('en', 'change_order', 'the parcel is on its way but I wont be home, please send it to my office instead'),
  m('de', 'change_order', 'Bitte ändern Sie die Lieferadresse für meine Bestellung 1042'),
  m('fr', 'change_order', "Je voudrais changer l'adresse de livraison de ma commande"),
  m('es', 'change_order', 'Necesito cambiar la dirección de envío de mi pedido'),
  m('nl', 'change_order', 'Kan ik het afleveradres van mijn bestelling wijzigen?'),

  // complaints about a damaged, defective or wrong item (no request for money back)
  m('en', 'complaint', 'the buckle on my backpack snapped on day one', { article: 'damaged-or-wrong-item' }),
  m('en', 'complaint', 'you sent me the green one, I ordered blue', { article: 'damaged-or-wrong-item' }),
  m('en', 'complaint', 'the bottle leaks', { article: 'damaged-or-wrong-item' }),
  m('de', 'complaint', 'Der Reißverschluss ist nach einer Woche kaputt', {
    article: 'damaged-or-wrong-item',
  }),
  m('fr', 'complaint', "J'ai reçu un article abîmé", { article: 'damaged-or-wrong-item' }),

  // asks for a person
  m('en', 'human', 'get me a real person pls'),
  m('en', 'human', 'i dont want to talk to a bot'),
  m('de', 'human', 'Ich möchte mit einem Menschen sprechen'),
  m('fr', 'human', 'Je voudrais parler à un conseiller'),
  m('es', 'human', 'Quiero hablar con una persona'),
  m('nl', 'human', 'Ik wil iemand van de klantenservice spreken'),

  // thanks and goodbyes
  m('en', 'thanks', 'thank you for your help'),
  m('en', 'thanks', 'ok thanks, bye'),
  m('en', 'thanks', 'that was helpful, thanks a lot'),
  m('en', 'thanks', 'many thanks!'),
  m('en', 'thanks', 'thx a lot 👍'),
  m('en', 'thanks', 'appreciate it'),
  m('de', 'thanks', 'Danke für die Hilfe!'),
  m('de', 'thanks', 'super, danke dir'),
  m('fr', 'thanks', 'Merci pour votre aide'),
  m('es', 'thanks', 'Muchas gracias por la ayuda'),
  m('nl', 'thanks', 'Bedankt voor de hulp!'),
  m('nl', 'thanks', 'dank je wel'),

  // greetings, yes and no
  m('en', 'greeting', 'hello, anyone there?'),
  m('en', 'greeting', 'hey'),
  m('de', 'greeting', 'Guten Morgen'),
  m('fr', 'greeting', 'Bonjour !'),
  m('es', 'greeting', 'Hola, buenas tardes'),
  m('nl', 'greeting', 'Goedemiddag'),
  m('en', 'affirm', 'yes please'),
  m('en', 'affirm', 'yeah sure'),
  m('de', 'affirm', 'ja gerne'),
  m('en', 'deny', 'no, that did not help'),
  m('en', 'deny', 'nah thats not it'),
  m('de', 'deny', 'nein danke'),

  // several requests in one message: the action wins over the small talk
  m('en', 'order_status', 'hi there! thanks for the quick reply earlier, where is my order 1042 now?'),
  m('en', 'return_request', 'hello, love your shop but I need to return the jacket from order 1042'),
  m('en', 'cancel_request', 'good morning, please cancel order 1042 and tell me when I get the refund'),
  m('en', 'change_order', 'hi, quick one: can you change the address for 1042 to 5 Mill Lane? thanks'),
  a('en', 'thanks! also, do you ship to switzerland?', 'international-shipping'),
];
