import type { Role } from '@shopdesk/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { idempotencyKeyOf, requestHash, runIdempotent } from './idempotency.ts';
import { clientKey, type RateLimits, type RatePolicyName } from './rate-limit.ts';

export interface Auth {
  workspaceId: number;
  agentId: number;
  role: Role;
  name: string;
  via: 'session' | 'token';
  /** Set for cookie sessions: writes must echo it in X-CSRF-Token. */
  csrfToken?: string;
  sessionId?: string;
  tokenId?: number;
  /** Password accepted, second factor not yet given: only session-partial routes are open. */
  mfaPending?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Auth;
  }
}

export type Access = 'public' | 'session-partial' | Role;
/** Whether the caller holds at least this role; the ranking is business, so app.ts hands it in (agents). */
export type RoleCheck = (auth: Auth, min: Role) => boolean;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  auth: Auth;
  req: FastifyRequest;
  reply: FastifyReply;
  /** The Idempotency-Key header of an idempotent route, when the client sent one. */
  idempotencyKey?: string;
}

export interface RouteDef<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  status?: number;
  /** Raw bodies (e.g. MIME) are passed through untouched; the OpenAPI doc shows this content type. */
  rawContentType?: string;
  /** Largest request body for this route, when it differs from the server-wide BODY_LIMIT_BYTES. */
  bodyLimit?: number;
  /**
   * The per-IP policy counting anonymous calls of a public route (default `public`); signed-in callers
   * are always counted by `api` per token or agent.
   */
  rateLimit?: RatePolicyName;
  /**
   * Creating routes: an `Idempotency-Key` header makes a retry return the first response instead of
   * creating again (platform/http/idempotency.ts). `recover` finds what a request that died after
   * its commit created, by the key the handler stored with it.
   */
  idempotent?:
    | boolean
    | { recover: (ctx: RouteContext<z.output<B>, z.output<Q>, z.output<P>>) => Promise<unknown> };
  handler: (ctx: RouteContext<z.output<B>, z.output<Q>, z.output<P>>) => Promise<unknown>;
}

export interface Authenticator {
  /** Resolve the caller from cookie or bearer token; null when anonymous. */
  authenticate(req: FastifyRequest): Promise<Auth | null>;
}

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  throw new AppError(
    'validation_failed',
    `Invalid ${where}: ${r.error.issues[0]?.path.join('.') || where} ${r.error.issues[0]?.message ?? ''}`.trim(),
    r.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message, code: i.code })),
  );
}

const IdParams = z.object({ id: z.coerce.number().int().positive() });

export { IdParams };

type AnyRoute = RouteDef<z.ZodType, z.ZodType, z.ZodType>;

export class Router {
  readonly routes: AnyRoute[] = [];

  constructor(
    private app: FastifyInstance,
    private authn: Authenticator,
    private limits: RateLimits,
    private hasRole: RoleCheck,
    /** Where Idempotency-Keys are kept; without it the header is ignored (routers of webhook scopes). */
    private db?: Db,
  ) {}

  /** A router for an encapsulated plugin scope (its own body parsers), sharing this one's limits. */
  forScope(scope: FastifyInstance, authn: Authenticator = this.authn) {
    return new Router(scope, authn, this.limits, this.hasRole, this.db);
  }

  /** Resolves and checks the caller exactly as a route with this access would. */
  async authorize(
    req: FastifyRequest,
    access: Access,
    method: string,
    publicPolicy: RatePolicyName = 'public',
  ): Promise<Auth | null> {
    if (access === 'public') {
      await this.limits.consume(publicPolicy, clientKey(req.ip));
      return null;
    }
    const auth = await this.authn.authenticate(req);
    if (!auth) throw new AppError('unauthorized', 'Sign in or send a valid API token');
    if (auth.mfaPending && access !== 'session-partial')
      throw new AppError('mfa_required', 'Two-factor verification required');
    if (access !== 'session-partial' && !this.hasRole(auth, access))
      throw new AppError('forbidden', `Requires the ${access} role`);
    if (auth.via === 'session' && method !== 'GET' && method !== 'HEAD') {
      const sent = req.headers['x-csrf-token'];
      if (sent !== auth.csrfToken) throw new AppError('csrf_failed', 'Missing or wrong X-CSRF-Token header');
    }
    await this.limits.consume('api', auth.tokenId ? `t${auth.tokenId}` : `a${auth.agentId}`);
    req.auth = auth;
    return auth;
  }

  add<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(def: RouteDef<B, Q, P>) {
    this.routes.push(def as unknown as AnyRoute);
    this.app.route({
      method: def.method,
      url: def.url,
      ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
      handler: async (req, reply) => {
        const auth = await this.authorize(req, def.access, def.method, def.rateLimit);
        const params = def.params ? parseInput(def.params, req.params, 'params') : req.params;
        const query = def.query ? parseInput(def.query, req.query, 'query') : req.query;
        const body = def.body ? parseInput(def.body, req.body, 'body') : req.body;
        const key = def.idempotent && auth && this.db ? idempotencyKeyOf(req) : undefined;
        const ctx = { body, query, params, auth: auth as Auth, req, reply, idempotencyKey: key } as never;
        const statusOf = (result: unknown) => def.status ?? (result === undefined ? 204 : 200);
        if (key && auth && this.db) {
          const recover = typeof def.idempotent === 'object' ? def.idempotent.recover : undefined;
          const out = await runIdempotent(
            this.db,
            {
              workspaceId: auth.workspaceId,
              caller: auth.tokenId ? `t${auth.tokenId}` : `a${auth.agentId}`,
              key,
            },
            requestHash([def.method, def.url, params, query, body]),
            async () => {
              const result = await def.handler(ctx);
              return { status: statusOf(result), body: result };
            },
            recover &&
              (async () => {
                const found = await recover(ctx);
                return found == null ? null : { status: statusOf(found), body: found };
              }),
          );
          if (out.replayed) reply.header('idempotent-replayed', 'true');
          reply.code(out.status);
          return out.body === undefined || out.body === null ? reply.send() : out.body;
        }
        const result = await def.handler(ctx);
        if (reply.sent) return reply;
        reply.code(statusOf(result));
        return result === undefined ? reply.send() : result;
      },
    });
  }
}

const toSchema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

/** OpenAPI 3.1 built from the same zod schemas the routes validate with. */
export function buildOpenApi(routes: AnyRoute[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: '#/components/schemas/Error' };
  for (const r of routes) {
    const path = r.url.replace(/:([a-zA-Z]+)/g, '{$1}');
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
      security: r.access === 'public' ? [] : [{ bearer: [] }, { cookie: [] }],
      responses: {
        [String(r.status ?? (r.response ? 200 : 204))]: r.response
          ? { description: 'OK', content: { 'application/json': { schema: toSchema(r.response, 'output') } } }
          : { description: 'OK' },
        '400': { description: 'Invalid input', content: { 'application/json': { schema: errorRef } } },
        ...(r.access === 'public'
          ? {}
          : {
              '401': { description: 'Not signed in', content: { 'application/json': { schema: errorRef } } },
              '403': { description: 'Not allowed', content: { 'application/json': { schema: errorRef } } },
            }),
        '404': {
          description: 'Not found (also for other workspaces’ ids)',
          content: { 'application/json': { schema: errorRef } },
        },
        '429': {
          description: 'Rate limited (see the Retry-After header)',
          content: { 'application/json': { schema: errorRef } },
        },
      },
    };
    const parameters: unknown[] = [];
    for (const m of path.matchAll(/\{(\w+)\}/g))
      parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (r.query) {
      const js = toSchema(r.query, 'input') as {
        properties?: Record<string, Record<string, unknown>>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: 'query',
          required: js.required?.includes(name) ?? false,
          schema,
          description: schema.description,
        });
      }
    }
    if (r.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', minLength: 1, maxLength: 255 },
        description:
          'Send a new unique value (e.g. a UUID) per request: a retry with the same key within 24 h returns the first response (header Idempotent-Replayed: true) and creates nothing new; the same key with a different request is a 422; while the first is still running, a duplicate waits for it (409 after 10 s).',
      });
      (op.responses as Record<string, unknown>)['422'] = {
        description: 'Idempotency-Key already used for a different request',
        content: { 'application/json': { schema: errorRef } },
      };
    }
    if (parameters.length) op.parameters = parameters;
    if (r.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(r.body, 'input') } },
      };
    if (r.rawContentType)
      op.requestBody = { required: true, content: { [r.rawContentType]: { schema: { type: 'string' } } } };
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shopdesk API',
      version: info.version,
      description:
        'REST API of Shopdesk. Authenticate with `Authorization: Bearer <token>` (create tokens in Settings or with `npx shopdesk create-token`). Errors are `{ "error": { "code", "message", "details" } }`.',
    },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'sd_session' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
      },
    },
    paths,
  };
}
