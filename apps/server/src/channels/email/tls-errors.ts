/** Node's codes for a peer certificate that did not verify (self-signed, expired, wrong name, unknown CA). */
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * What an admin should read when a mail server's certificate was refused: the reason, and the two ways
 * out. null when the error has nothing to do with the certificate.
 */
export function certificateError(err: unknown, server: string): string | null {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  const code = [e?.code, e?.cause?.code].find((c) => typeof c === 'string' && CERT_CODES.has(c));
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (!code && !/certificate|self[- ]signed/i.test(message)) return null;
  return `TLS certificate of ${server} was not accepted (${message}). Give the server a certificate from a public authority, or turn on "Accept self-signed / invalid certificates" for this inbox (unsafe: the connection can then be intercepted).`;
}
