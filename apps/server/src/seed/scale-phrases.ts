/*
 * The phrase lists the scale seed writes its tickets from: topics (subjects, customer lines, agent
 * answers, follow-ups), greetings and closings, and the fillers for the placeholders; plus the
 * message-count pattern. Kept apart from scale-seed.ts, which only turns them into rows.
 */

/** One customer-service topic: what customers write, what agents answer, how threads go on. */
interface Topic {
  tag: string;
  team: 'Support' | 'Returns' | 'Shipping' | 'Billing';
  subjects: string[];
  customer: string[];
  agent: string[];
  followUp: string[];
}

// {product} {order} {name} {agent} {days} {carrier} {city} {size} {color} {code} {tracking} are
// filled in per message; every topic has the same number of lines of each kind (arrays are strided).
export const topics: Topic[] = [
  {
    tag: 'wismo',
    team: 'Shipping',
    subjects: [
      'Where is my order {order}?',
      'Order {order} still not here',
      'Tracking not updating for {order}',
    ],
    customer: [
      'I ordered the {product} {days} days ago and the tracking page has not changed since Monday.',
      'The {carrier} tracking number {tracking} shows no movement at all.',
      'Can you tell me when order {order} will arrive? I need it for a trip to {city} this weekend.',
      'Your website said delivery in two to three days, it has been more than a week now.',
      'I paid for express shipping so I really expected the parcel by now.',
      'Could you check with {carrier} what is going on with my parcel?',
    ],
    agent: [
      'I checked with {carrier}: your parcel was held at the regional depot in {city} and is out for delivery again.',
      'It should reach you within {days} business days; I will keep an eye on the tracking for you.',
      'Sorry for the wait! The warehouse shipped order {order} a day late because of a stock transfer.',
      'I have refunded the express shipping fee since we did not deliver on time.',
    ],
    followUp: [
      'Great, thank you for checking. I will let you know if it does not show up.',
      'Still nothing today, the tracking for {tracking} is stuck again.',
      'It arrived this morning, thanks for the help!',
    ],
  },
  {
    tag: 'exchange',
    team: 'Returns',
    subjects: [
      'Wrong size, exchange please',
      'Exchange {product} for size {size}',
      'Size swap for order {order}',
    ],
    customer: [
      'The {product} from order {order} fits too small, I usually wear {size} but it feels a size smaller.',
      'Can I exchange it for a larger size? It is unworn with all the tags still on.',
      'I would prefer the {color} one if you have it in stock in my size.',
      'The sleeves are way too long for me, is there a petite version of the {product}?',
      'I bought it as a gift and my brother needs a different size.',
      'Do I have to pay for the return shipping on an exchange?',
    ],
    agent: [
      'No problem at all, I have started an exchange for size {size} in {color}.',
      'You will get a prepaid return label by email within the hour.',
      'The new {product} ships as soon as {carrier} scans your return parcel.',
      'Exchanges are always free for you, including the return label.',
    ],
    followUp: [
      'Perfect, I sent the old one back today.',
      'The label link says expired, could you send a new one?',
      'The new size fits great, thank you!',
    ],
  },
  {
    tag: 'refund',
    team: 'Returns',
    subjects: [
      'Refund for damaged item',
      'Refund request order {order}',
      'Broken {product}, I want my money back',
    ],
    customer: [
      'The zipper on my {product} broke the second time I used it.',
      'The seam on the left shoulder came apart after one hike, this is really disappointing for the price.',
      'I would like a full refund to my credit card please.',
      'I sent the item back {days} days ago and I still have not received my refund.',
      'Attached are photos of the damage, the fabric tore right next to the pocket.',
      'I have been a customer for years and never had a quality problem like this.',
    ],
    agent: [
      'I am sorry, that should not happen. I have issued a full refund to your original payment method.',
      'You will see the refund on your statement in three to five business days.',
      'No need to send the damaged {product} back, please recycle it.',
      'I forwarded your photos to our quality team so they can check the batch.',
    ],
    followUp: [
      'Thank you, that was quick!',
      'The refund still does not show on my bank statement.',
      'I got the money back today, much appreciated.',
    ],
  },
  {
    tag: 'discount',
    team: 'Billing',
    subjects: ['Discount code not working', 'Code {code} invalid at checkout', 'Newsletter voucher problem'],
    customer: [
      'The code {code} from your newsletter says it is invalid at checkout.',
      'I am trying to buy the {product} and the discount is not applied.',
      'My friend got a referral voucher but it does not work for me either.',
      'The banner on the homepage says twenty percent off everything, the cart shows full price.',
      'Can you apply the discount manually to order {order}? I already paid.',
      'Is the student discount combinable with the winter sale?',
    ],
    agent: [
      'The welcome code only works on full-price items and the {product} is on sale this week.',
      'I have created a one-time code {code} you can use on anything instead.',
      'I refunded the difference to your card, so you got the discount after all.',
      'Discount codes cannot be combined, the checkout keeps the better of the two.',
    ],
    followUp: [
      'That worked, thanks a lot!',
      'The new code also fails, sorry.',
      'Thanks for refunding the difference.',
    ],
  },
  {
    tag: 'address-change',
    team: 'Shipping',
    subjects: [
      'Please change my delivery address',
      'Wrong address on order {order}',
      'Ship order {order} to {city} instead',
    ],
    customer: [
      'I just placed order {order} but I entered my old address in {city}.',
      'Can you change it to 14 Harbour Street, apartment 3, before it ships?',
      'I will be away next week, could you hold the parcel or send it to my office instead?',
      'The postcode on the order is wrong, there is a typo in the last digit.',
      'Please do not ship it to the packstation, my account is locked there.',
      'My name is missing from the label field, will the courier still deliver it?',
    ],
    agent: [
      'Done! Order {order} will now go to the new address in {city}.',
      'It has not shipped yet, so there is nothing else to do on your side.',
      'The parcel already left our warehouse, so I asked {carrier} to redirect it.',
      'I corrected the postcode; the label will print with the right one.',
    ],
    followUp: [
      'Thank you so much!',
      'The tracking still shows the old city.',
      'It arrived at the right address, thanks.',
    ],
  },
  {
    tag: 'cancellation',
    team: 'Support',
    subjects: ['Cancel order {order}', 'Ordered twice by mistake', 'Please cancel my order'],
    customer: [
      'I ordered by mistake twice, please cancel order {order} and refund it.',
      'I found the {product} cheaper in a local store, can I still cancel?',
      'The delivery estimate of {days} days is too long for me, please cancel.',
      'I changed my mind about the {color} colour, cancel it please and I will reorder.',
      'My card was charged even though the checkout showed an error.',
      'Please confirm the cancellation by email so I have it for my records.',
    ],
    agent: [
      'Order {order} is cancelled and the refund is on its way.',
      'The other order ships today as planned.',
      'The order was already handed to {carrier}, so I have set up a free return instead.',
      'You will get the cancellation confirmation by email in a few minutes.',
    ],
    followUp: [
      'Thanks, received the confirmation.',
      'I still see two charges on my card.',
      'Great, appreciated.',
    ],
  },
  {
    tag: 'product-question',
    team: 'Support',
    subjects: ['Is the {product} waterproof?', 'Question about the {product}', 'Sizing advice for {product}'],
    customer: [
      'Before I buy: is the {product} fully waterproof or only water resistant?',
      'I hike a lot in the Highlands and need something that survives heavy rain.',
      'I am 182 cm tall and weigh 80 kg, which size of the {product} should I take?',
      'Is the {color} version made from recycled materials like the others?',
      'How warm is it compared to the previous model? I get cold easily.',
      'Can it be machine washed or does it need special care?',
    ],
    agent: [
      'It has a 20k mm membrane with taped seams, so it is fully waterproof.',
      'For your height and weight size {size} is the usual pick, especially if you like to layer underneath.',
      'Yes, the {color} version uses the same recycled polyester shell.',
      'Wash it at 30 degrees with a technical detergent and tumble dry low to reactivate the coating.',
    ],
    followUp: [
      'Perfect, thanks! Ordering now.',
      'And what about the hood, is it adjustable?',
      'Thanks for the quick answer.',
    ],
  },
  {
    tag: 'lost-parcel',
    team: 'Shipping',
    subjects: [
      'Package marked delivered but not received',
      'Parcel {tracking} lost',
      'Never received order {order}',
    ],
    customer: [
      'The tracking for order {order} says delivered yesterday at 14:02 but nothing is here.',
      'I checked with all my neighbours and the building reception, nobody has it.',
      '{carrier} says I have to contact the sender, so here I am.',
      'There is no photo proof of delivery in the tracking, only a signature that is not mine.',
      'This was a birthday present and the party is on Saturday.',
      'Can you send a replacement {product} with express shipping?',
    ],
    agent: [
      'I am sorry about this. I have opened an investigation with {carrier} for tracking {tracking}.',
      'I am sending a replacement {product} with express shipping today, no need to wait for the investigation.',
      'If the original parcel turns up, just refuse it or keep it for a friend.',
      'You will get the new tracking number by email this afternoon.',
    ],
    followUp: [
      'Thank you, that saves the birthday!',
      'The replacement tracking is not working yet.',
      'Received the replacement, thanks.',
    ],
  },
  {
    tag: 'payment',
    team: 'Billing',
    subjects: ['Payment failed twice', 'Charged twice for order {order}', 'Card declined at checkout'],
    customer: [
      'My card keeps getting declined at checkout but the bank says everything is fine.',
      'I was charged twice for order {order}, I can see two identical amounts on my statement.',
      'PayPal shows the payment as pending for {days} days now.',
      'Can I pay by invoice or bank transfer instead?',
      'The checkout page froze after I entered my card details.',
      'Please make sure I am not charged again if I retry.',
    ],
    agent: [
      'The second charge was only an authorisation; it will drop off your statement within {days} days.',
      'Our payment provider had a short outage this morning, please try again now.',
      'Invoice payment is available for orders above fifty euros in the payment step.',
      'I can see one successful payment for order {order}, so you will not be charged again.',
    ],
    followUp: ['It worked now, thank you.', 'The double charge is still there.', 'Thanks for clarifying.'],
  },
  {
    tag: 'billing',
    team: 'Billing',
    subjects: ['Invoice for my company', 'VAT invoice for order {order}', 'Wrong billing address on invoice'],
    customer: [
      'Could you send me an invoice with our VAT number DE123456789 for order {order}?',
      'The invoice shows my private address, I need the company address in {city}.',
      'Our accounting needs the invoice as PDF, the email only had a link.',
      'Can you split the invoice between two cost centres?',
      'The VAT rate on the invoice looks wrong for a delivery to {city}.',
      'Please add the purchase order number {code} to the invoice.',
    ],
    agent: [
      'I have attached a corrected invoice with your VAT number and company address.',
      'The invoice PDF is now also in your account under order history.',
      'The VAT rate is correct because the goods ship from our warehouse in {city}.',
      'I added the purchase order number and resent the invoice.',
    ],
    followUp: ['Received, thank you.', 'The VAT number is still missing.', 'All good now.'],
  },
  {
    tag: 'account',
    team: 'Support',
    subjects: ['Cannot log in to my account', 'Password reset email not arriving', 'Delete my account'],
    customer: [
      'I cannot log in, it says my password is wrong even after a reset.',
      'The password reset email never arrives, I checked the spam folder too.',
      'Please delete my account and all my personal data.',
      'I want to change the email address on my account to a new one.',
      'My order history is empty although I ordered the {product} last month.',
      'I get logged out every time I add something to the cart.',
    ],
    agent: [
      'I have reset your login; you can now set a new password from the link I just sent.',
      'Your account and personal data are deleted; you will get a confirmation email.',
      'The order was placed as a guest, I have linked it to your account now.',
      'Please clear your browser cookies once, that fixes the logout loop.',
    ],
    followUp: ['I am in, thanks!', 'The link says it expired already.', 'Thank you for the quick help.'],
  },
  {
    tag: 'quality',
    team: 'Returns',
    subjects: ['Colour faded after washing', 'Quality problem with {product}', 'Pilling after two weeks'],
    customer: [
      'The {color} {product} faded badly after the first wash at 30 degrees.',
      'After two weeks of wearing there is pilling everywhere under the arms.',
      'The waterproofing stopped working, water soaks through at the shoulders.',
      'The sole of my shoes started to come off after a month.',
      'I followed the care instructions exactly as written on the label.',
      'I expected much better quality for the price.',
    ],
    agent: [
      'That is covered by our two-year warranty; I have sent a free return label.',
      'We will repair or replace the {product}, whichever you prefer.',
      'I added a voucher {code} for the trouble.',
      'Thanks for the detailed description, it helps our product team.',
    ],
    followUp: [
      'Replacement please.',
      'The voucher does not work in the app.',
      'Thanks, sending it back today.',
    ],
  },
];

export const greetings = [
  'Hi',
  'Hello',
  'Hey',
  'Good morning',
  'Good afternoon',
  'Dear support team',
  'Hi there',
  'Hello team',
];
export const closings = [
  'Thanks',
  'Thank you',
  'Best regards',
  'Cheers',
  'Kind regards',
  'Many thanks',
  'Regards',
  'Best',
];
export const asides = [
  'I have been a happy customer for years.',
  'This is the second time I am writing about this.',
  'My phone number is in the order if that is easier.',
  'I am travelling next week so a quick answer would be great.',
  'The chat on your website was offline, so I am writing here.',
  'I already tried calling but nobody picked up.',
  'My partner ordered from you last year and loved it.',
  'Please reply in English or German.',
  'Sorry for the long message.',
  'I attached a screenshot of the confirmation page.',
  'Looking forward to hearing from you.',
  'I saw your ad on Instagram.',
];
export const carriers = ['DHL', 'UPS', 'DPD', 'GLS', 'Hermes', 'PostNL', 'Royal Mail', 'Colissimo'];
export const cities = [
  'Berlin',
  'Hamburg',
  'Munich',
  'Vienna',
  'Zurich',
  'Amsterdam',
  'Copenhagen',
  'Lyon',
  'Milan',
  'Dublin',
  'Leeds',
  'Krakow',
];
export const sizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
export const colors = ['black', 'navy', 'forest green', 'rust', 'sand', 'grey', 'red', 'olive'];
export const codes = [
  'WELCOME10',
  'SPRING20',
  'THANKS15',
  'VIPSALE',
  'STUDENT10',
  'FREESHIP',
  'WINTER25',
  'LOYAL5',
];
export const statuses = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed'];

/** 50-ticket pattern of message counts summing to 150: 3 messages per ticket on average, one 20-message thread in 50. */
export const messagePattern = (() => {
  const p: number[] = [];
  for (let i = 0; i < 49; i++) p.push(i % 3 === 1 ? 2 : 3 + (i % 3 === 2 ? 1 : 0) - (i % 7 === 0 ? 1 : 0));
  p.push(20);
  // Nudge to exactly 150 without touching the long thread.
  let sum = p.reduce((a, b) => a + b, 0);
  for (let i = 0; sum !== 150; i = (i + 1) % 49) {
    if (sum > 150 && p[i]! > 1) {
      p[i]!--;
      sum--;
    } else if (sum < 150 && p[i]! < 6) {
      p[i]!++;
      sum++;
    }
  }
  return p;
})();

const TOPIC_STRIDE = { subjects: 3, customer: 6, agent: 4, followUp: 3 } as const;
for (const t of topics)
  for (const [k, n] of Object.entries(TOPIC_STRIDE))
    if (t[k as keyof typeof TOPIC_STRIDE].length !== n)
      throw new Error(`scale topic ${t.tag}: ${k} needs ${n} lines`);

export const flat = (k: keyof typeof TOPIC_STRIDE) => topics.flatMap((t) => t[k]);
