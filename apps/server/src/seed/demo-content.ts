/** Realistic demo conversations for "Demo Outfitters", an outdoor-clothing shop. */
export const firstNames = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Lucas',
  'Mia',
  'Ethan',
  'Sofia',
  'Mateo',
  'Chloe',
  'Leo',
  'Hannah',
  'Jonas',
  'Amara',
  'Kenji',
  'Priya',
  'Omar',
  'Zoe',
  'Felix',
  'Ines',
  'Hugo',
  'Maya',
  'Tariq',
  'Freya',
  'Diego',
  'Nora',
  'Arjun',
  'Elif',
  'Max',
];
export const lastNames = [
  'Schmidt',
  'Garcia',
  'Nguyen',
  'Okafor',
  'Rossi',
  'Kowalski',
  'Tanaka',
  'Dubois',
  'Andersson',
  'Patel',
  'Murphy',
  'Silva',
  'Novak',
  'Haddad',
  'Jensen',
  'Moreau',
  'Fischer',
  'Costa',
  'Yilmaz',
  'Larsen',
];
export const products = [
  { name: 'Alpine Down Jacket', price: 24900 },
  { name: 'Trailrunner GTX Shoes', price: 15900 },
  { name: 'Merino Base Layer', price: 7900 },
  { name: 'Summit 45L Backpack', price: 18900 },
  { name: 'Rain Shell Pants', price: 11900 },
  { name: 'Wool Beanie', price: 2900 },
  { name: 'Insulated Bottle 1L', price: 3900 },
  { name: 'Fleece Midlayer', price: 8900 },
];

export interface Scenario {
  subject: string;
  customer: string;
  agent?: string;
  followUp?: string;
  tags: string[];
  priority?: 'low' | 'normal' | 'high' | 'urgent';
}

/** {order} {product} {name} {agent} are filled in per ticket. */
export const scenarios: Scenario[] = [
  {
    subject: 'Where is my order {order}?',
    customer:
      'Hi,\n\nI ordered the {product} ten days ago (order {order}) and the tracking page has not changed since Monday. Can you tell me when it will arrive? I need it for a trip this weekend.\n\nThanks,\n{name}',
    agent:
      'Hi {name},\n\nsorry for the wait! I checked with the carrier: your parcel was held at the regional depot and is out for delivery again. It should reach you by Friday. I will keep an eye on it.\n\nBest,\n{agent}',
    followUp: 'Great, thank you for checking. I will let you know if it does not show up.',
    tags: ['shipping', 'wismo'],
  },
  {
    subject: 'Wrong size — exchange please',
    customer:
      'Hello, the {product} from order {order} fits too small. I usually wear M but it feels like an S. Can I exchange it for an L? It is unworn with tags on.\n\n{name}',
    agent:
      'Hi {name}, no problem at all. I have started an exchange for size L. You will get a prepaid return label by email within the hour; the new jacket ships as soon as the carrier scans your parcel.\n\n{agent}',
    tags: ['returns', 'exchange'],
  },
  {
    subject: 'Refund for damaged item',
    customer:
      'The zipper on my {product} broke the second time I used it. Order {order}. I would like a refund please, this is really disappointing for the price.\n\n{name}',
    agent:
      'Hi {name}, I am sorry, that should not happen. I have issued a full refund to your original payment method; you will see it in 3–5 business days. No need to send the item back.\n\n{agent}',
    followUp: 'Thank you, that was quick!',
    tags: ['refund', 'quality'],
    priority: 'high',
  },
  {
    subject: 'Discount code not working',
    customer:
      'Hi, the code WELCOME10 from your newsletter says it is invalid at checkout. I am trying to buy the {product}.',
    agent:
      'Hi {name}, the welcome code only works on full-price items and the {product} is on sale this week. I have created a one-time code THANKS10-{order} you can use on anything instead.\n\n{agent}',
    tags: ['discount'],
    priority: 'low',
  },
  {
    subject: 'Please change my delivery address',
    customer:
      'I just placed order {order} but I entered my old address. Can you change it to: 14 Harbour Street, Apt 3, before it ships? Thanks, {name}',
    agent:
      'Done! Order {order} will now go to 14 Harbour Street, Apt 3. It has not shipped yet, so nothing else to do on your side.\n\n{agent}',
    tags: ['address-change'],
    priority: 'high',
  },
  {
    subject: 'Cancel order {order}',
    customer: 'Hello, I ordered by mistake twice. Please cancel order {order} and refund it.\n\n{name}',
    agent:
      'Hi {name}, order {order} is cancelled and the refund is on its way. The other order ships today.\n\n{agent}',
    tags: ['cancellation'],
  },
  {
    subject: 'Is the {product} waterproof?',
    customer:
      'Hi! Before I buy: is the {product} fully waterproof or only water resistant? I hike in Scotland a lot :)',
    agent:
      'Hi {name}, it has a 20k mm membrane with taped seams, so it is fully waterproof — Scotland approved by our own team. Let me know if you want sizing advice!\n\n{agent}',
    tags: ['product-question'],
    priority: 'low',
  },
  {
    subject: 'Package marked delivered but not received',
    customer:
      'The tracking for {order} says delivered yesterday at 14:02 but nothing is here, I checked with neighbours. What now?\n\n{name}',
    tags: ['shipping', 'lost-parcel'],
    priority: 'urgent',
  },
  {
    subject: 'Return label not received',
    customer:
      'I requested a return for the {product} (order {order}) three days ago but never got the label. Could you resend it?',
    agent:
      'Hi {name}, I have resent the label to this address; it is also attached here. Sorry about that!\n\n{agent}',
    followUp: 'Got it now, thanks.',
    tags: ['returns'],
  },
  {
    subject: 'Invoice for my company',
    customer:
      'Hello, could you send me an invoice with our VAT number DE123456789 for order {order}? Thank you, {name}',
    tags: ['billing'],
    priority: 'low',
  },
];

export const chatScenarios: Scenario[] = [
  {
    subject: 'Chat: size advice for {product}',
    customer: 'hi, im 182cm and 80kg, which size of the {product} should i take?',
    agent:
      'Hi {name}! For your height and weight an L is the usual pick; if you like to layer underneath, L is definitely right.',
    followUp: 'perfect thanks!',
    tags: ['product-question', 'sizing'],
  },
  {
    subject: 'Chat: order status {order}',
    customer: 'hey, any news on order {order}? it said processing for 3 days',
    agent: 'Hi {name}, it shipped this morning — you should get the tracking email any minute.',
    tags: ['wismo'],
  },
  {
    subject: 'Chat: payment failed twice',
    customer: 'my card keeps getting declined at checkout but the bank says everything is fine??',
    tags: ['payment'],
    priority: 'high',
  },
];
