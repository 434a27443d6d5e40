import type { Intent } from '../intents.ts';

/**
 * Labelled shopper messages for the demo store's help center (seed/demo-articles.ts), written the way
 * shoppers write: typos, no punctuation, several questions in one. `article` is the slug that should
 * answer a question; `handover` marks messages a human must take. Run by `npm run bench -- bot-eval`.
 */
export interface LabelledMessage {
  text: string;
  intent: Intent;
  article?: string;
  handover?: boolean;
}

const q = (text: string, article: string): LabelledMessage => ({ text, intent: 'question', article });
const i = (text: string, intent: Intent, handover = false): LabelledMessage => ({ text, intent, handover });
/** A damaged, defective, wrong or missing item (the damage article answers it; the bot asks for a photo). */
const c = (text: string): LabelledMessage => ({
  text,
  intent: 'complaint',
  article: 'damaged-or-wrong-item',
});

export const evalMessages: LabelledMessage[] = [
  // shipping times and costs
  q('How long does shipping take?', 'shipping-times-and-costs'),
  q('how long does delivery take to germany', 'shipping-times-and-costs'),
  q('What are your shipping costs?', 'shipping-times-and-costs'),
  q('is shipping free?', 'shipping-times-and-costs'),
  q('do you offer free shipping over a certain amount', 'shipping-times-and-costs'),
  q('how much is shiping to austria', 'shipping-times-and-costs'),
  q('Do you have express delivery?', 'shipping-times-and-costs'),
  q('when do orders get dispatched', 'shipping-times-and-costs'),
  q('how many days for delivery in the EU', 'shipping-times-and-costs'),
  q('whats the delivery time', 'shipping-times-and-costs'),
  q('If I order today before 2pm does it ship today?', 'shipping-times-and-costs'),
  q('how fast do you ship', 'shipping-times-and-costs'),
  q('next day delivery possible?', 'shipping-times-and-costs'),
  q('What does postage cost to the UK', 'shipping-times-and-costs'),
  // international
  q('Do you ship internationally?', 'international-shipping'),
  q('do you deliver to the USA', 'international-shipping'),
  q('can i order from switzerland', 'international-shipping'),
  q('Will I have to pay customs duties in the UK?', 'international-shipping'),
  q('do you ship to canada or australia', 'international-shipping'),
  q('import tax for norway?', 'international-shipping'),
  q('which countries do you ship to', 'international-shipping'),
  q('do you send overseas', 'international-shipping'),
  // tracking (questions about how tracking works, not a specific order)
  q('How can I track my parcel?', 'track-your-order'),
  q('where do i find my tracking number', 'track-your-order'),
  q('tracking hasnt updated in days', 'track-your-order'),
  q('it says delivered but nothing arrived', 'track-your-order'),
  q('the tracking link in the email doesnt work', 'track-your-order'),
  q('how do tracking updates work', 'track-your-order'),
  q('carrier says delivered but i have no package', 'track-your-order'),
  // change / cancel (policy)
  q('Can I change my delivery address after ordering?', 'change-or-cancel-order'),
  q('how do I cancel an order', 'change-or-cancel-order'),
  q('is it possible to change the size on an order i just placed', 'change-or-cancel-order'),
  q('can orders be cancelled after shipping', 'change-or-cancel-order'),
  q('I ordered the wrong colour, can I modify the order', 'change-or-cancel-order'),
  q('how long do i have to change my order', 'change-or-cancel-order'),
  // returns policy
  q('What is your return policy?', 'returns-policy'),
  q('how many days do i have to return something', 'returns-policy'),
  q('are returns free', 'returns-policy'),
  q('can I return sale items?', 'returns-policy'),
  q('can i return worn shoes', 'returns-policy'),
  q('do i have to pay for the return label from france', 'returns-policy'),
  q('Return window?', 'returns-policy'),
  q('can i return underwear', 'returns-policy'),
  q('what items cant be returned', 'returns-policy'),
  q('retrun policy', 'returns-policy'),
  // how to return
  q('How do I send a return?', 'how-to-return'),
  q('how to get a return label', 'how-to-return'),
  q('where do i drop off my return parcel', 'how-to-return'),
  q('what do I put in the return package', 'how-to-return'),
  q('how does the return process work', 'how-to-return'),
  q('do I need the packing slip for returns', 'how-to-return'),
  q('how do i start a return', 'how-to-return'),
  // refunds
  q('When will I get my refund?', 'refund-timing'),
  q('how long do refunds take', 'refund-timing'),
  q('I sent my return last week, when do i get my money back', 'refund-timing'),
  q('refund to paypal how long', 'refund-timing'),
  q('still waiting on my refund', 'refund-timing'),
  q('can i get store credit instead of a refund', 'refund-timing'),
  q('do you refund the shipping costs', 'refund-timing'),
  q('how is my klarna invoice refunded', 'refund-timing'),
  q('where is my refund', 'refund-timing'),
  q('refnd time for credit card', 'refund-timing'),
  // exchanges
  q('Can I exchange for a different size?', 'exchanges'),
  q('how do exchanges work', 'exchanges'),
  q('the jacket is too small can i swap it for a bigger one', 'exchanges'),
  q('can i exchange the colour', 'exchanges'),
  q('is an exchange free', 'exchanges'),
  q('what if the size i want for exchange is sold out', 'exchanges'),
  // sizing
  q('What size should I order?', 'sizing-guide'),
  q('do your shoes fit true to size', 'sizing-guide'),
  q("I'm between two sizes which one should I take", 'sizing-guide'),
  q('size chart for running shoes', 'sizing-guide'),
  q('how do jackets fit, slim?', 'sizing-guide'),
  q('EU 42 in UK size', 'sizing-guide'),
  q('sizing guide', 'sizing-guide'),
  q('do the hiking boots run small', 'sizing-guide'),
  q('what is the foot length for size 40', 'sizing-guide'),
  q('sizng for jackets with a fleece under', 'sizing-guide'),
  // care
  q('How do I wash merino?', 'product-care'),
  q('can I put the down jacket in the dryer', 'product-care'),
  q('how to reproof a rain jacket', 'product-care'),
  q('how should i clean my shoes', 'product-care'),
  q('washing instructions for wool', 'product-care'),
  q('can i use fabric softener', 'product-care'),
  // damaged / wrong
  c('My item arrived damaged'),
  c('I received the wrong item'),
  c('the zipper broke after two weeks'),
  c('one item is missing from my package'),
  c('the shoes have a defect'),
  c('jacket came torn what do i do'),
  q('do you have a warranty', 'damaged-or-wrong-item'),
  c('faulty product'),
  // payment
  q('What payment methods do you accept?', 'payment-methods'),
  q('can I pay with PayPal', 'payment-methods'),
  q('do you take apple pay', 'payment-methods'),
  q('can i pay in installments', 'payment-methods'),
  q('Klarna available?', 'payment-methods'),
  q('my payment failed', 'payment-methods'),
  q('do you accept amex', 'payment-methods'),
  q('when is my card charged', 'payment-methods'),
  q('pay by invoice possible?', 'payment-methods'),
  q('paymnt options', 'payment-methods'),
  // discounts
  q('How do I use a discount code?', 'discount-codes'),
  q('my promo code is not working', 'discount-codes'),
  q('can i use two vouchers on one order', 'discount-codes'),
  q('I forgot to enter my coupon', 'discount-codes'),
  q('where do i enter a gift card', 'discount-codes'),
  q('does the discount work on sale items', 'discount-codes'),
  // account
  q('I forgot my password', 'account-and-password'),
  q("can't log in to my account", 'account-and-password'),
  q('do I need an account to order', 'account-and-password'),
  q('how do i delete my account', 'account-and-password'),
  q('reset password email never came', 'account-and-password'),

  // order status (needs the order and a verified shopper)
  i('where is my order 1042', 'order_status'),
  i('Where is my order?', 'order_status'),
  i('my package hasnt arrived yet', 'order_status'),
  i('order #1042 status', 'order_status'),
  i('has my order shipped yet', 'order_status'),
  i('when will my order arrive', 'order_status'),
  i('I ordered 2 weeks ago and still nothing', 'order_status'),
  i('tracking for order 1055', 'order_status'),
  i('wheres my parcel', 'order_status'),
  i('any update on my order #1042?', 'order_status'),
  i('1042', 'order_status'),
  i('my order never arrived', 'order_status'),
  i('is my order on its way', 'order_status'),
  i('status of my delivery please', 'order_status'),
  i('wo ist meine bestellung 1042', 'order_status'),
  // return / cancel requests
  i('I want to return my order 1042', 'return_request'),
  i('i would like to return the jacket', 'return_request'),
  i('please start a return for #1042', 'return_request'),
  i('I need to send back these shoes, they are too big', 'return_request'),
  i('i want a refund for my order', 'return_request'),
  i('I want to exchange my shoes for a bigger size', 'return_request'),
  i('return order 1055 please', 'return_request'),
  i('can you process a return for my order', 'return_request'),
  i('Please cancel my order', 'cancel_request'),
  i('cancel order 1042', 'cancel_request'),
  i('i want to cancel my order, ordered by mistake', 'cancel_request'),
  i('I need to cancel order #1061 asap', 'cancel_request'),
  i('stop my order please', 'cancel_request'),

  // handover
  i('I want to talk to a human', 'human', true),
  i('agent please', 'human', true),
  i('can I speak to a real person', 'human', true),
  i('talk to someone', 'human', true),
  i('connect me with customer service', 'human', true),
  i('representative', 'human', true),
  i('can someone call me', 'human', true),
  i('I want to speak to a manager', 'human', true),
  i('This is ridiculous, I have been waiting for weeks!!!', 'order_status', true),
  i('WHERE IS MY ORDER I PAID TWO WEEKS AGO', 'order_status', true),
  i('worst service ever, my refund still has not arrived', 'question', true),

  // small talk
  i('hi', 'greeting'),
  i('Hello there', 'greeting'),
  i('good morning', 'greeting'),
  i('thanks!', 'thanks'),
  i('thank you so much', 'thanks'),
  i('perfect, thanks', 'thanks'),
  i('yes', 'affirm'),
  i('yes it did', 'affirm'),
  i('no', 'deny'),
  i('not really', 'deny'),
];
