/**
 * Who may see an order (pure): the shopper must give the order's number AND its e-mail address or
 * its shipping postcode. Anything else is "no match" — the same answer whether the number exists or
 * not, so the page cannot be used to discover order numbers.
 */
export interface VerifiableOrder {
  number: string;
  email: string | null;
  shippingAddress?: { zip?: string | null } | null;
  billingZip?: string | null;
}

export const normalizeOrderNumber = (n: string) =>
  n
    .trim()
    .toLowerCase()
    .replace(/^(order|bestellung|no\.?|nr\.?)\s*/i, '')
    .replace(/^#/, '')
    .trim();
const normEmail = (e: string) => e.trim().toLowerCase();
const normZip = (z: string) => z.replace(/[\s-]/g, '').toUpperCase();

export function shopperMatchesOrder(
  order: VerifiableOrder,
  proof: { email?: string | null; zip?: string | null },
): boolean {
  const email = proof.email?.trim();
  if (email && order.email && normEmail(order.email) === normEmail(email)) return true;
  const zip = proof.zip?.trim();
  const orderZip = order.shippingAddress?.zip;
  if (zip && orderZip && normZip(zip).length >= 3 && normZip(orderZip) === normZip(zip)) return true;
  return false;
}
