import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionError } from '../db/db.ts';
import { AppError } from '../errors.ts';

/** What a client is told to wait before retrying while the database is unreachable. */
const DB_RETRY_AFTER_SECONDS = 5;

const fastifyCodes: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'Request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Unsupported content type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'Invalid content length'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'validation_failed', 'Request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request', 'Request body is not valid JSON'],
};

/** Every error leaves as {error:{code,message,details}}; never a stack trace, never a 500 for bad input. */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((caught: FastifyError | AppError, req, reply) => {
    let err = caught;
    // The database restarting or unreachable is not the request's fault nor a bug: 503 + Retry-After.
    if (isConnectionError(err)) {
      req.log.warn({ err }, 'database unreachable');
      err = new AppError('unavailable', 'The service is briefly unavailable; try again shortly', {
        retryAfterSeconds: DB_RETRY_AFTER_SECONDS,
      });
    }
    if (err instanceof AppError) {
      if (err.code === 'rate_limited' || err.code === 'unavailable') {
        const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (retry) reply.header('retry-after', retry);
      }
      return reply
        .code(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    const known = err.code ? fastifyCodes[err.code] : undefined;
    if (known) return reply.code(known[0]).send({ error: { code: known[1], message: known[2] } });
    if (err instanceof SyntaxError || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
      return reply.code(err.statusCode ?? 400).send({ error: { code: 'bad_request', message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({
      error: {
        code: 'internal',
        message: 'Something went wrong; the error was logged',
        details: { requestId: req.id },
      },
    });
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
  });
}

/**
 * Router errors that Fastify answers before any route or error handler runs (a malformed URL, a path
 * segment over 100 characters): same error shape as everything else, without Fastify's internal code.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply.code(tooLong ? 414 : 400).send({
    error: {
      code: 'bad_request',
      message: tooLong ? 'A part of the URL path is too long' : 'The URL is not valid',
    },
  });
}
