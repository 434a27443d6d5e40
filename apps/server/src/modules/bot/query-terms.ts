/**
 * Query preparation for the bot's retrieval, beyond the help center's own (search-text.ts):
 * filler words of the five languages that say nothing about the topic, and a glossary of shop words
 * from German, French, Spanish and Dutch into English, so a question in a language the help center
 * has no translation for still finds the (English) original — the bot then says it is the original.
 */

const FILLER = new Set(
  // en
  (
    'stuff thing things u ur pls plz thx lol hey yo guys quick question one ones anything something someone ' +
    'really actually maybe like would should shall might must may via per etc ok okay yes no not ' +
    'at all every each other another more most very much many lot lots bit little way sure ' +
    // de
    'ich du sie er wir ihr mir mich dich uns euch kann können könnt koennen habe hast hat haben ' +
    'bin bist sind sein war wird werden wurde muss müssen soll sollte gibt es etwas noch schon auch nur ' +
    'bitte danke hallo ja nein doch mal denn dann aber oder wenn ob auf aus an im am zum zur vom ' +
    'einem einer eines meinen meinem meiner euer eure euren ihre ihren welche welcher welches ' +
    // fr
    'je tu il elle nous vous ils elles le la les un une des du de au aux et ou est sont suis ai as avez ' +
    'pour par sur dans avec mon ma mes votre vos ce cette ces qui que quoi quel quelle quels quelles ' +
    'comment combien quand où ou puis peux pouvez faut il y a ne pas plus svp merci bonjour ' +
    // es
    'yo tu él ella nosotros vosotros ellos el los las una unos unas del al y o es son soy tengo tiene ' +
    'tienen para por en con mi mis su sus este esta estos qué que cuál cuáles cómo cuánto cuánta ' +
    'cuántos cuántas cuándo dónde puedo puede pueden hay hola gracias favor ' +
    // nl
    'ik jij je hij zij wij we jullie u het een de en of is zijn ben heb heeft hebben kan kunnen ' +
    'moet moeten voor met op in aan van naar mijn jouw uw wat welke hoe hoeveel wanneer waar er ' +
    'nog al ook niet geen graag bedankt dank hallo hoi'
  ).split(/\s+/),
);

export const isFiller = (w: string) => FILLER.has(w);

/** Shop words of de, fr, es and nl → the English words articles use (prefix match on the stem). */
const GLOSSARY: [RegExp, string][] = [
  [
    /^(versand|lieferung|liefer|livraison|livr|expedi|envio|envío|entrega|verzend|levering|bezorg)/,
    'shipping delivery',
  ],
  [/^(kost|kosten|preis|prix|coût|cout|tarif|precio|cuesta|cuanto|cuánto|kosten|prijs|kost)/, 'cost price'],
  [/^(dauer|dauert|lange|wie lange|délai|delai|temps|tarda|tiempo|plazo|duurt|lang)$/, 'how long days'],
  [/^(tag|tage|jours?|días?|dias?|dagen?)$/, 'days'],
  [/^(kostenlos|gratis|gratuit|gratuite|gratuito|gratuita|kosteloos)$/, 'free'],
  [/^(zurück|rücksend|rückgabe|retour|retourn|renvoy|devol|retourne|terugstu|terug)/, 'return'],
  [/^(erstatt|rückerstatt|geld|rembours|argent|reembols|dinero|terugbetal|geld)/, 'refund money'],
  [/^(umtausch|tausch|échang|echang|cambi|ruil|omruil)/, 'exchange'],
  [/^(größe|grosse|groesse|taille|talla|maat)/, 'size'],
  [/^(zahl|bezahl|zahlung|paiement|payer|pago|pagar|betal|betaling)/, 'payment pay'],
  [/^(rechnung|facture|factura|factuur)$/, 'invoice'],
  [/^(kreditkarte|karte|carte|tarjeta|kaart|creditcard)/, 'credit card'],
  [/^(sendungsverfolgung|verfolg|suivi|suivre|seguimiento|rastre|volg|track)/, 'tracking track'],
  [/^(paket|colis|paquete|pakket)/, 'parcel package'],
  [/^(bestellung|bestell|commande|pedido|bestelling|order)/, 'order'],
  [/^(stornier|annul|cancel|anul)/, 'cancel'],
  [/^(änder|aender|modifi|changer|cambiar|wijzig|aanpas)/, 'change'],
  [/^(adresse|address|dirección|direccion|adres)/, 'address'],
  [
    /^(beschädigt|beschaedigt|kaputt|defekt|endommag|abîm|abim|cass|dañad|danad|roto|rota|beschadigd|kapot|defect)/,
    'damaged broken defective',
  ],
  [/^(falsch|mauvais|erron|equivocad|incorrect|verkeerd)/, 'wrong'],
  [/^(fehlt|manque|falta|ontbreek)/, 'missing'],
  [/^(passwort|mot|contraseña|contrasena|wachtwoord)/, 'password'],
  [/^(konto|compte|cuenta|account)/, 'account'],
  [
    /^(gutschein|rabatt|code|réduction|reduction|descuento|cupón|cupon|kortingscode|korting)/,
    'discount code voucher',
  ],
  [/^(wasch|waschen|laver|lavage|lavar|wassen|pflege|entretien|cuidado|onderhoud)/, 'wash care'],
  [/^(zoll|douane|aduana|invoer)/, 'customs duties'],
  [
    /^(ausland|international|internacional|internationaal|étranger|etranger|extranjero|buitenland)/,
    'international',
  ],
  [/^(deutschland|allemagne|alemania|duitsland)$/, 'germany'],
  [/^(österreich|oesterreich|autriche|austria|oostenrijk)$/, 'austria eu'],
  [/^(schweiz|suisse|suiza|zwitserland)$/, 'switzerland'],
  [/^(frankreich|france|francia|frankrijk)$/, 'france eu'],
  [/^(spanien|espagne|españa|espana|spanje)$/, 'spain eu'],
  [/^(niederlande|pays-bas|holanda|nederland|países|paises)$/, 'netherlands eu'],
  [/^(belgien|belgique|bélgica|belgica|belgië|belgie)$/, 'belgium eu'],
  [/^(garantie|garantía|garantia)$/, 'warranty'],
  [/^(wasserdicht|imperméable|impermeable|waterdicht)$/, 'waterproof'],
  [/^(schuhe|chaussures|zapatos|zapatillas|schoenen)$/, 'shoes'],
  [/^(jacke|veste|chaqueta|jas)$/, 'jacket'],
  [/^(etikett|étiquette|etiquette|etiqueta|label)$/, 'label'],
];

/** The question's shop words in English ("Wie lange dauert der Versand?" → "how long days shipping delivery"). */
export function toEnglishTerms(question: string): string {
  const words = question
    .toLowerCase()
    .normalize('NFC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !FILLER.has(w));
  const out: string[] = [];
  for (const w of words) {
    const hit = GLOSSARY.find(([re]) => re.test(w));
    if (hit) out.push(hit[1]);
    else if (/^[a-z0-9]+$/.test(w) && w.length > 2) out.push(w);
  }
  return [...new Set(out.join(' ').split(' '))].join(' ');
}
