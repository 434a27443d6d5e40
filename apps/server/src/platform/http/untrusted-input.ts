import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/** Deeper than any payload of ours; stops recursion in validators, JSON.stringify and jsonb. */
export const MAX_INPUT_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cleanString(s: string, path: string): string {
  // PostgreSQL text cannot hold U+0000 (the statement fails): refuse it here, with a clear message.
  if (s.includes('\0'))
    throw new AppError('validation_failed', `Invalid ${path}: contains a NUL character (U+0000)`, [
      { path, message: 'NUL characters (U+0000) are not allowed', code: 'nul_character' },
    ]);
  // A lone surrogate is not text (jsonb refuses its escape; drivers turn it into U+FFFD anyway).
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

function clean(value: unknown, path: string, depth: number): unknown {
  if (typeof value === 'string') return cleanString(value, path);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (depth >= MAX_INPUT_DEPTH)
    throw new AppError(
      'validation_failed',
      `Invalid ${path}: nested more than ${MAX_INPUT_DEPTH} levels deep`,
      [{ path, message: `at most ${MAX_INPUT_DEPTH} levels of nesting`, code: 'too_deep' }],
    );
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = clean(value[i], `${path}.${i}`, depth + 1);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const k = cleanString(key, `${path} key`);
    const v = clean(obj[key], `${path}.${k}`, depth + 1);
    if (k === key && v === obj[key]) continue;
    if (k !== key) delete obj[key];
    // defineProperty, not assignment: a form field named __proto__ must stay a plain own property.
    Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return obj;
}

/**
 * The one check every piece of untrusted structured input passes (request query, params and parsed
 * bodies, form fields, socket frames) before it reaches a validator or the database: NUL characters
 * are refused with a validation error, lone surrogates become U+FFFD, nesting is capped.
 * Objects and arrays are cleaned in place; the (possibly replaced) value is returned.
 */
export function cleanUntrustedInput<T>(value: T, where: string): T {
  return clean(value, where, 0) as T;
}

/** Every route, whoever registered it: query, params and parsed (non-raw) bodies are cleaned first. */
export function installInputGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    req.query = cleanUntrustedInput(req.query, 'query');
    req.params = cleanUntrustedInput(req.params, 'params');
    if (req.body !== undefined && !Buffer.isBuffer(req.body))
      req.body = cleanUntrustedInput(req.body, 'body');
  });
}
