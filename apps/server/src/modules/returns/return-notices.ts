import { formatMoney } from '@shopdesk/contracts';

/**
 * What the shopper is told at each stage of a return, per language. Until the customer-notices module
 * exists on main, these go out as a system reply on the return's ticket (the ticket's own channel, the
 * existing outbound e-mail path); the texts and variables stay here and move to notice templates then.
 */
export type NoticeStage =
  | 'requested'
  | 'approved'
  | 'declined'
  | 'received'
  | 'refunded'
  | 'credited'
  | 'exchanged';

type Catalogue = Record<NoticeStage, string> & { link: string };

const en: Catalogue = {
  requested: 'We received your return {rma} for order {order}. We will check it and let you know shortly.',
  approved:
    'Your return {rma} for order {order} is approved. Please send the items back with the return slip (RMA {rma}).',
  declined: 'We are sorry: your return {rma} for order {order} was declined. Reason: {reason}',
  received: 'We received the items of your return {rma}. We are processing it now.',
  refunded: 'Your refund of {amount} for return {rma} is on its way to your original payment method.',
  credited: 'Store credit of {amount} for return {rma} has been added for you.',
  exchanged: 'Your exchange for return {rma} is on its way.',
  link: 'Follow your return here: {url}',
};
const de: Catalogue = {
  requested: 'Wir haben Ihre Retoure {rma} zur Bestellung {order} erhalten und melden uns in Kürze.',
  approved:
    'Ihre Retoure {rma} zur Bestellung {order} ist genehmigt. Bitte senden Sie die Artikel mit dem Rücksendeschein (RMA {rma}) zurück.',
  declined: 'Leider wurde Ihre Retoure {rma} zur Bestellung {order} abgelehnt. Grund: {reason}',
  received: 'Wir haben die Artikel Ihrer Retoure {rma} erhalten und bearbeiten sie jetzt.',
  refunded: 'Ihre Erstattung von {amount} für die Retoure {rma} ist unterwegs zu Ihrer Zahlungsart.',
  credited: 'Ein Guthaben von {amount} für die Retoure {rma} wurde Ihnen gutgeschrieben.',
  exchanged: 'Ihr Umtausch für die Retoure {rma} ist unterwegs.',
  link: 'Hier verfolgen Sie Ihre Retoure: {url}',
};
const fr: Catalogue = {
  requested:
    'Nous avons bien reçu votre retour {rma} pour la commande {order}. Nous revenons vers vous rapidement.',
  approved:
    'Votre retour {rma} pour la commande {order} est accepté. Renvoyez les articles avec le bon de retour (RMA {rma}).',
  declined:
    'Nous sommes désolés : votre retour {rma} pour la commande {order} a été refusé. Motif : {reason}',
  received: 'Nous avons reçu les articles de votre retour {rma} et le traitons maintenant.',
  refunded: 'Votre remboursement de {amount} pour le retour {rma} est en route vers votre moyen de paiement.',
  credited: 'Un avoir de {amount} pour le retour {rma} a été ajouté à votre compte.',
  exchanged: "Votre échange pour le retour {rma} est en cours d'expédition.",
  link: 'Suivez votre retour ici : {url}',
};
const es: Catalogue = {
  requested: 'Hemos recibido tu devolución {rma} del pedido {order}. Te avisaremos pronto.',
  approved:
    'Tu devolución {rma} del pedido {order} está aprobada. Envía los artículos con la hoja de devolución (RMA {rma}).',
  declined: 'Lo sentimos: tu devolución {rma} del pedido {order} ha sido rechazada. Motivo: {reason}',
  received: 'Hemos recibido los artículos de tu devolución {rma} y la estamos procesando.',
  refunded: 'Tu reembolso de {amount} por la devolución {rma} está en camino a tu método de pago.',
  credited: 'Se ha añadido un saldo de {amount} por la devolución {rma}.',
  exchanged: 'Tu cambio de la devolución {rma} está en camino.',
  link: 'Sigue tu devolución aquí: {url}',
};
const nl: Catalogue = {
  requested: 'We hebben je retour {rma} voor bestelling {order} ontvangen. We laten snel van ons horen.',
  approved:
    'Je retour {rma} voor bestelling {order} is goedgekeurd. Stuur de artikelen terug met de retourbon (RMA {rma}).',
  declined: 'Helaas is je retour {rma} voor bestelling {order} afgewezen. Reden: {reason}',
  received: 'We hebben de artikelen van je retour {rma} ontvangen en verwerken deze nu.',
  refunded: 'Je terugbetaling van {amount} voor retour {rma} is onderweg naar je betaalmethode.',
  credited: 'Er is {amount} tegoed voor retour {rma} voor je toegevoegd.',
  exchanged: 'Je omruiling voor retour {rma} is onderweg.',
  link: 'Volg je retour hier: {url}',
};
const CATALOGUES: Record<string, Catalogue> = { en, de, fr, es, nl };

export function noticeText(
  stage: NoticeStage,
  locale: string,
  v: {
    rma: string;
    order: string;
    amount: number;
    currency: string;
    reason?: string | null;
    url?: string | null;
  },
): string {
  const c = CATALOGUES[locale] ?? CATALOGUES[locale.split('-')[0]!] ?? en;
  const vars: Record<string, string> = {
    rma: v.rma,
    order: v.order,
    amount: formatMoney(v.amount, v.currency, locale),
    reason: v.reason ?? '—',
    url: v.url ?? '',
  };
  const fill = (t: string) => t.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
  return [fill(c[stage]), ...(v.url ? ['', fill(c.link)] : [])].join('\n');
}
