import { rebuildSearchTerms, renderMarkdown } from '../modules/helpcenter/index.ts';
import { type Db, sql } from '../platform/db/db.ts';

/**
 * The demo store's help center: realistic, published articles the bot answers from and the bot
 * evaluation set (modules/bot/eval) is labelled against. Slugs are stable: the labels name them.
 */
export interface DemoArticle {
  slug: string;
  section: string;
  title: string;
  summary: string;
  keywords: string;
  body: string;
  faq?: boolean;
  internal?: boolean;
  de?: { title: string; summary: string; body: string };
}

export const demoCategories = [
  {
    slug: 'orders-shipping',
    names: {
      en: { name: 'Orders & shipping', description: 'Delivery times, tracking and changes to an order' },
      de: { name: 'Bestellung & Versand', description: 'Lieferzeiten, Sendungsverfolgung und Änderungen' },
    },
    sections: [
      {
        slug: 'shipping',
        names: {
          en: { name: 'Shipping & delivery', description: '' },
          de: { name: 'Versand & Lieferung', description: '' },
        },
      },
      {
        slug: 'orders',
        names: {
          en: { name: 'Managing your order', description: '' },
          de: { name: 'Deine Bestellung', description: '' },
        },
      },
    ],
  },
  {
    slug: 'returns-refunds',
    names: {
      en: { name: 'Returns & refunds', description: 'Send something back, exchanges and refunds' },
      de: { name: 'Rücksendung & Erstattung', description: '' },
    },
    sections: [
      {
        slug: 'returns',
        names: {
          en: { name: 'Returns & exchanges', description: '' },
          de: { name: 'Rücksendungen', description: '' },
        },
      },
    ],
  },
  {
    slug: 'products-payment',
    names: {
      en: { name: 'Products & payment', description: 'Sizing, care, payment methods and discounts' },
      de: { name: 'Produkte & Zahlung', description: '' },
    },
    sections: [
      {
        slug: 'products',
        names: {
          en: { name: 'Products & sizing', description: '' },
          de: { name: 'Produkte & Größen', description: '' },
        },
      },
      {
        slug: 'payment',
        names: {
          en: { name: 'Payment & account', description: '' },
          de: { name: 'Zahlung & Konto', description: '' },
        },
      },
      { slug: 'team', names: { en: { name: 'Team handbook (internal)', description: '' } } },
    ],
  },
];

export const demoArticles: DemoArticle[] = [
  {
    slug: 'shipping-times-and-costs',
    section: 'shipping',
    title: 'How long does delivery take and what does shipping cost?',
    summary:
      'Standard delivery takes 2–4 business days in Germany and 3–7 in the EU; shipping is free from €50.',
    keywords:
      'delivery time how long arrive when will my order arrive days dispatch costs free shipping express',
    faq: true,
    body: `Orders placed before **2 pm (CET)** on a business day leave our warehouse the same day.

| Destination | Standard | Express | Cost |
| --- | --- | --- | --- |
| Germany | 2–4 business days | next business day | €4.95, free from €50 |
| EU | 3–7 business days | 2–3 business days | €9.95, free from €120 |
| UK, Switzerland, Norway | 5–9 business days | 3–4 business days | €14.95 |

Express delivery costs €9.95 extra in Germany. During sales and holidays, please allow one or two extra days.

You get an e-mail with the tracking link as soon as your parcel has been handed to the carrier.`,
    de: {
      title: 'Wie lange dauert der Versand und was kostet er?',
      summary: 'Standardversand dauert in Deutschland 2–4 Werktage; ab 50 € versandkostenfrei.',
      body: `Bestellungen, die werktags bis **14 Uhr** eingehen, verlassen unser Lager am selben Tag.

| Ziel | Standard | Kosten |
| --- | --- | --- |
| Deutschland | 2–4 Werktage | 4,95 €, ab 50 € kostenlos |
| EU | 3–7 Werktage | 9,95 €, ab 120 € kostenlos |

Sobald dein Paket beim Versanddienstleister ist, bekommst du eine E-Mail mit dem Tracking-Link.`,
    },
  },
  {
    slug: 'international-shipping',
    section: 'shipping',
    title: 'Do you ship internationally?',
    summary:
      'We ship to the EU, the UK, Switzerland and Norway; customs duties for non-EU countries are paid on delivery.',
    keywords:
      'international abroad overseas countries worldwide customs duties import tax usa canada uk switzerland',
    body: `We ship to every EU country, the United Kingdom, Switzerland and Norway. We do not ship to the USA, Canada or Australia yet.

For deliveries outside the EU, **customs duties and import VAT** may be charged by the carrier on delivery. We declare the full value of the goods, as the law requires.

Delivery times and prices are listed in [How long does delivery take?](/help/demo-outfitters/en/articles/shipping-times-and-costs).`,
  },
  {
    slug: 'track-your-order',
    section: 'shipping',
    title: 'Where is my order? Tracking your parcel',
    summary:
      'Track your order with the link in the shipping e-mail, or with your order number and e-mail on our tracking page.',
    keywords:
      'where is my order tracking track parcel package status not arrived shipped dispatch tracking number carrier dhl',
    faq: true,
    body: `As soon as your order ships you get an e-mail with the carrier and a **tracking link**.

You can also look your order up any time on our [order tracking page](/help/demo-outfitters/en/track): enter the order number (for example **#1042**) and the e-mail address you ordered with.

## My tracking has not changed for days

Carriers sometimes scan a parcel only when it reaches the local depot. If the tracking has not moved for **5 business days**, contact us with your order number and we will open an investigation with the carrier.

## The tracking says delivered, but I have no parcel

Check with neighbours and your building's mailroom first. If it has not turned up after 48 hours, contact us — we will file a claim and send a replacement or refund.`,
    de: {
      title: 'Wo ist meine Bestellung? Sendungsverfolgung',
      summary:
        'Verfolge deine Bestellung mit dem Link aus der Versand-E-Mail oder mit Bestellnummer und E-Mail.',
      body: `Sobald deine Bestellung versendet ist, bekommst du eine E-Mail mit dem **Tracking-Link**.

Du kannst deine Bestellung auch auf unserer Seite zur Sendungsverfolgung mit Bestellnummer und E-Mail-Adresse abrufen.`,
    },
  },
  {
    slug: 'change-or-cancel-order',
    section: 'orders',
    title: 'Can I change or cancel my order?',
    summary:
      'Orders can be changed or cancelled within one hour of ordering, as long as they have not shipped.',
    keywords: 'cancel cancellation change address modify order wrong size ordered mistake stop order',
    body: `We start packing quickly, so changes are possible only for about **one hour** after you order.

- **Cancel**: write to us or ask our assistant with your order number. If the order has not been packed yet we cancel it and refund the full amount.
- **Change the size, colour or shipping address**: contact us right away with the order number and the change.

Once an order has shipped it can no longer be cancelled — but you can [return it for free](/help/demo-outfitters/en/articles/returns-policy) within 30 days.`,
  },
  {
    slug: 'returns-policy',
    section: 'returns',
    title: 'What is your returns policy?',
    summary:
      'Return unworn items within 30 days of delivery for a full refund; returns within Germany are free.',
    keywords:
      'return policy send back 30 days free returns worn unworn sale items final sale refund conditions',
    faq: true,
    body: `You can return any item within **30 days of delivery**, as long as it is unworn, unwashed and has its tags.

- Returns from Germany are **free**; from other countries the return label costs €6.95.
- **Final-sale items** (marked in the shop) and underwear cannot be returned for hygiene reasons.
- Shoes must come back in their original box.

Start a return on our returns page or ask our assistant — you will get a return label by e-mail. Refunds are described in [When will I get my refund?](/help/demo-outfitters/en/articles/refund-timing).`,
    de: {
      title: 'Wie sind eure Rückgabebedingungen?',
      summary: 'Ungetragene Artikel kannst du innerhalb von 30 Tagen nach Lieferung zurückgeben.',
      body: `Du kannst jeden Artikel innerhalb von **30 Tagen nach Lieferung** zurückgeben, solange er ungetragen und ungewaschen ist und die Etiketten noch dran sind.

Rücksendungen aus Deutschland sind **kostenlos**.`,
    },
  },
  {
    slug: 'how-to-return',
    section: 'returns',
    title: 'How do I send a return?',
    summary:
      'Request a return label, pack the items with the return slip and drop the parcel at any DHL point.',
    keywords: 'how to return send back label return label drop off packing slip process start a return',
    body: `1. Request your return with your order number and e-mail (or ask our assistant to start it).
2. You receive a **return label** by e-mail within a few minutes.
3. Pack the items, put the return slip in the parcel and stick the label on the outside.
4. Drop the parcel at any DHL Packstation or post office and keep the receipt.

We e-mail you as soon as your return arrives at our warehouse (usually 3–5 business days).`,
  },
  {
    slug: 'refund-timing',
    section: 'returns',
    title: 'When will I get my refund?',
    summary:
      'Refunds are issued within 3 business days after your return arrives, to the original payment method.',
    keywords:
      'refund money back when how long refunded credit card paypal klarna store credit not received refund status',
    body: `We check your return within **3 business days** of it arriving at our warehouse and then refund the original payment method.

| Payment method | Money back on your account |
| --- | --- |
| PayPal | within 24 hours |
| Credit card | 3–5 business days |
| Klarna invoice | the invoice is reduced immediately |

Shipping costs are refunded if you return the whole order. Prefer **store credit**? Tell us and you get 10% extra.`,
  },
  {
    slug: 'exchanges',
    section: 'returns',
    title: 'Can I exchange an item for a different size or colour?',
    summary: 'Exchanges for another size or colour are free: start a return and choose “exchange”.',
    keywords: 'exchange swap different size colour too small too big bigger smaller replace',
    body: `Yes — exchanges are free within 30 days. Start a return, choose **exchange** and pick the new size or colour.

We reserve the new item for you and ship it as soon as your return has been scanned by the carrier, so you do not wait for it to reach our warehouse.

If the size you want is sold out, we refund you instead.`,
  },
  {
    slug: 'sizing-guide',
    section: 'products',
    title: 'Sizing guide: which size should I order?',
    summary: 'Our shoes fit true to size; jackets are cut slim — size up if you wear thick layers.',
    keywords:
      'size sizing fit chart measurements shoe size true to size small large between sizes length width',
    faq: true,
    body: `Our **shoes fit true to size**. If you are between two sizes, take the larger one for hiking boots and the smaller one for running shoes.

| EU | UK | US men | US women | Foot length |
| --- | --- | --- | --- | --- |
| 38 | 5 | 6 | 7.5 | 24.0 cm |
| 40 | 6.5 | 7.5 | 9 | 25.3 cm |
| 42 | 8 | 9 | 10.5 | 26.7 cm |
| 44 | 9.5 | 10.5 | 12 | 28.0 cm |

**Jackets** are cut slim: size up if you want to wear a thick fleece underneath. Every product page has a size chart with measurements.`,
  },
  {
    slug: 'product-care',
    section: 'products',
    title: 'How do I wash and care for my gear?',
    summary:
      'Wash merino cold on a wool cycle, re-proof rain jackets every few washes, never tumble-dry down.',
    keywords: 'wash washing care clean dryer tumble merino wool waterproof jacket reproof down',
    body: `- **Merino**: wash at 30 °C on the wool cycle, lay flat to dry. No fabric softener.
- **Rain jackets**: wash with a technical detergent, then re-proof every 3–4 washes.
- **Down**: wash rarely, dry on low heat with two tennis balls — never dry-clean.
- **Shoes**: brush off dirt, let them dry at room temperature, away from radiators.`,
  },
  {
    slug: 'damaged-or-wrong-item',
    section: 'products',
    title: 'My item arrived damaged, defective or wrong',
    summary:
      'Send us your order number and a photo within 14 days and we send a replacement or refund right away.',
    keywords:
      'damaged broken defective faulty wrong item missing item incorrect torn stain photo replacement warranty',
    body: `Sorry about that! Contact us within **14 days** of delivery with:

- your order number,
- a photo of the item (and the label, if it is the wrong item).

We send a replacement or refund straight away — you don't need to send the item back first. Items that fail after normal use are covered by our **2-year warranty**.`,
  },
  {
    slug: 'payment-methods',
    section: 'payment',
    title: 'Which payment methods do you accept?',
    summary: 'We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay and Klarna.',
    keywords:
      'payment pay methods credit card visa mastercard amex paypal apple pay google pay klarna invoice instalments installments',
    faq: true,
    body: `We accept:

- **Credit and debit cards**: Visa, Mastercard, American Express
- **PayPal**, **Apple Pay** and **Google Pay**
- **Klarna**: pay in 30 days or in 3 interest-free instalments

Your card is charged when you place the order. Payment with Klarna is subject to a credit check by Klarna.

If a payment fails, check the card details and your bank's 3-D Secure confirmation, then try again.`,
    de: {
      title: 'Welche Zahlungsarten akzeptiert ihr?',
      summary: 'Wir akzeptieren Kreditkarte, PayPal, Apple Pay, Google Pay und Klarna.',
      body: 'Wir akzeptieren Visa, Mastercard, American Express, **PayPal**, Apple Pay, Google Pay und **Klarna** (Rechnung oder 3 Raten).',
    },
  },
  {
    slug: 'discount-codes',
    section: 'payment',
    title: 'How do I use a discount code?',
    summary: 'Enter the code at checkout in the “Discount code” field; one code per order.',
    keywords: 'discount code voucher coupon promo code gift card not working expired apply code',
    body: `Enter your code in the **Discount code** field at checkout and select *Apply*.

- One discount code per order; codes cannot be combined.
- Codes don't apply to items that are already reduced, unless the code says so.
- Forgot to enter a code? Contact us within 14 days of ordering and we refund the difference.

Gift cards are not discount codes: enter them in the **Gift card** field.`,
  },
  {
    slug: 'account-and-password',
    section: 'payment',
    title: 'I forgot my password or cannot log in',
    summary: 'Reset your password from the login page; guest orders can be tracked without an account.',
    keywords: 'password forgot reset login log in account sign in email change delete account',
    body: `Choose **Forgot password?** on the login page and we e-mail you a reset link (check your spam folder).

You don't need an account to order or to track an order. To delete your account and your data, contact us from the e-mail address of the account.`,
  },
  {
    slug: 'agent-damaged-item-claims',
    section: 'team',
    title: 'Handling damaged-item claims (agent guide)',
    summary: 'Internal: approve replacements under €150 without a return; above, ask a lead.',
    keywords: 'claim damaged replacement approval limit agent process',
    internal: true,
    body: `Internal — do not share with customers.

1. Check the photo shows the damage.
2. Under €150: reship or refund right away, tag the ticket \`damaged\`.
3. Above €150: request approval from a lead in the order panel.
4. File a carrier claim for transport damage within 7 days.`,
  },
];

/** Writes the help center of a workspace directly (a data loader, like the rest of the demo seed). */
export async function seedDemoArticles(db: Db, workspaceId: number): Promise<void> {
  await db.query(
    sql`INSERT INTO hc_settings (workspace_id, title, locales, default_locale, primary_color)
        VALUES (${workspaceId}, 'Demo Outfitters Help Center', ${['en', 'de']}, 'en', '#1f6f5c')
        ON CONFLICT (workspace_id) DO NOTHING`,
  );
  const sections = new Map<string, number>();
  let pos = 0;
  for (const c of demoCategories) {
    const cat = await db.one<{ id: number }>(
      sql`INSERT INTO hc_categories (workspace_id, slug, position, names)
          VALUES (${workspaceId}, ${c.slug}, ${pos++}, ${JSON.stringify(c.names)}::jsonb) RETURNING id`,
    );
    let spos = 0;
    for (const s of c.sections) {
      const sec = await db.one<{ id: number }>(
        sql`INSERT INTO hc_sections (workspace_id, category_id, slug, position, names)
            VALUES (${workspaceId}, ${cat!.id}, ${s.slug}, ${spos++}, ${JSON.stringify(s.names)}::jsonb) RETURNING id`,
      );
      sections.set(s.slug, sec!.id);
    }
  }
  let apos = 0;
  for (const a of demoArticles) {
    const row = await db.one<{ id: number }>(
      sql`INSERT INTO hc_articles (workspace_id, section_id, slug, visibility, faq, position)
          VALUES (${workspaceId}, ${sections.get(a.section) ?? null}, ${a.slug}, ${a.internal ? 'internal' : 'public'},
                  ${a.faq ?? false}, ${apos++}) RETURNING id`,
    );
    const versions: [string, { title: string; summary: string; body: string }, string][] = [
      ['en', a, a.keywords],
    ];
    if (a.de) versions.push(['de', a.de, '']);
    for (const [locale, v, keywords] of versions) {
      const r = renderMarkdown(v.body);
      await db.query(
        sql`INSERT INTO hc_article_translations (workspace_id, article_id, locale, title, body_md, summary, keywords,
              published_title, published_body_md, published_body_html, published_body_text, published_summary,
              published_keywords, published_version, published_at)
            VALUES (${workspaceId}, ${row!.id}, ${locale}, ${v.title}, ${v.body}, ${v.summary}, ${keywords},
              ${v.title}, ${v.body}, ${r.html}, ${r.text}, ${v.summary}, ${keywords}, 1, now())`,
      );
      await db.query(
        sql`INSERT INTO hc_article_versions (workspace_id, article_id, locale, version, action, title, body_md, summary, keywords)
            VALUES (${workspaceId}, ${row!.id}, ${locale}, 1, 'published', ${v.title}, ${v.body}, ${v.summary}, ${keywords})`,
      );
    }
  }
  await rebuildSearchTerms(db, workspaceId, 'en');
  await rebuildSearchTerms(db, workspaceId, 'de');
}
