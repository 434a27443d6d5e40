import fc from 'fast-check';
import WebSocket from 'ws';
import type { TestApp, TestWorkspace } from '../harness.ts';
import {
  contentTypes,
  fromSchema,
  hostileId,
  hostileJson,
  hostileString,
  mutateAt,
  rawBody,
} from './hostile.ts';

/**
 * The fuzz suite: every operation of the OpenAPI document and every public endpoint that is not in it
 * (help-center pages and forms, the widget and agent sockets), driven with generated malformed input.
 * A request fails the run when it gets a 5xx, shows a stack trace or internal text, or takes longer
 * than 2 s; an uncaught exception (which would end the process) fails it too.
 */

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzFailure {
  target: string;
  seed: number;
  problem: string;
  request: unknown;
}

interface Target {
  name: string;
  property: (env: Env) => fc.IAsyncPropertyWithHooks<[never]> | fc.IAsyncProperty<[never]>;
}

interface Env {
  t: TestApp;
  ws: TestWorkspace;
  baseUrl: string;
  widgetToken: () => Promise<string>;
  /** Responses by status code, for the summary (a run of only 400s reached no handler). */
  statuses: Map<number, number>;
}

export const SLOW_MS = 2_000;

/** Text that only a crash or a leaked internal error would put in a response body. */
const INTERNAL =
  /\n\s+at .+:\d+:\d+|node:internal|file:\/\/\/|\/apps\/server\/|(TypeError|RangeError|ReferenceError): |Cannot read propert|is not a function|is not iterable|Maximum call stack|violates .*constraint|syntax error at or near|invalid input syntax for|out of range for type|duplicate key value|null value in column|unsupported Unicode escape|invalid byte sequence|ERR_[A-Z_]{4,}/;

export function problemWith(status: number, body: string, ms: number): string | null {
  if (status >= 500) return `${status} ${body.slice(0, 400)}`;
  const leak = status >= 400 ? INTERNAL.exec(body) : null;
  if (leak) return `internal text in a ${status} body ("${leak[0]}"): ${body.slice(0, 400)}`;
  if (ms > SLOW_MS) return `took ${Math.round(ms)} ms (limit ${SLOW_MS})`;
  return null;
}

/** Percent-encodes everything but unreserved characters; never throws on lone surrogates. */
const enc = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const asText = (v: unknown) =>
  typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A request that gets no answer at all is the worst kind of slow: give up on it after this. */
const HANG_MS = 10_000;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);

async function send(env: Env, r: FuzzRequest): Promise<string | null> {
  const started = performance.now();
  const res = await withTimeout(
    env.t.app.inject({
      method: r.method as 'GET',
      url: r.url,
      headers: r.headers,
      ...(r.payload !== undefined ? { payload: r.payload } : {}),
    }),
    HANG_MS,
  );
  if (res === 'timeout') return `no response within ${HANG_MS} ms`;
  env.statuses.set(res.statusCode, (env.statuses.get(res.statusCode) ?? 0) + 1);
  return problemWith(res.statusCode, res.body, performance.now() - started);
}

const authHeader = (env: Env, who: string): Record<string, string> => {
  switch (who) {
    case 'admin':
      return env.ws.admin.headers;
    case 'agent':
      return env.ws.agent.headers;
    case 'readonly':
      return env.ws.readonly.headers;
    case 'garbage':
      return { authorization: 'Bearer sdk_1_not-a-real-token' };
    case 'huge':
      return { authorization: `Bearer sdk_${'9'.repeat(40)}_x` };
    default:
      return {};
  }
};
const who = fc.constantFrom('admin', 'admin', 'admin', 'agent', 'readonly', 'none', 'garbage', 'huge');
const idemKey = fc.option(
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-_:.'.split('')), maxLength: 300 }),
  {
    freq: 4,
  },
);

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema?: Record<string, unknown> }> };
}

function operationTarget(path: string, method: string, op: OpenApiOperation): Target {
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
  const content = op.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const rawType = Object.keys(content).find((c) => c !== 'application/json');
  const body: fc.Arbitrary<string | Buffer | undefined> = jsonSchema
    ? fc.oneof(
        {
          weight: 5,
          arbitrary: fc
            .tuple(fromSchema(jsonSchema), fc.nat(), hostileJson, hostileString)
            .map(([v, n, h, text]) => JSON.stringify(mutateAt(v, n, h, text)) ?? 'null'),
        },
        { weight: 2, arbitrary: fromSchema(jsonSchema).map((v) => JSON.stringify(v) ?? 'null') },
        { weight: 1, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
        { weight: 2, arbitrary: rawBody },
      )
    : fc.option(rawBody, { nil: undefined });
  const named = queryParams.length
    ? [
        fc
          .constantFrom(...queryParams)
          .chain((p) =>
            fc.tuple(fc.constant(p.name), fc.oneof(fromSchema(p.schema).map(asText), hostileString)),
          ),
      ]
    : [];
  const query = fc.array(
    fc.oneof(
      ...named,
      fc.tuple(fc.constantFrom('__proto__[x]', 'constructor', 'limit', 'cursor', 'q', 'id'), hostileString),
    ),
    { maxLength: 4 },
  );
  const gen = fc.record({
    ids: fc.array(hostileId, { minLength: pathParams.length, maxLength: pathParams.length }),
    query,
    body,
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant(rawType ?? 'application/json') },
      { weight: 2, arbitrary: contentTypes },
    ),
    who,
    idem: idemKey,
  });
  return {
    name: `${method.toUpperCase()} ${path}`,
    property: (env) =>
      fc.asyncProperty(gen, async (g) => {
        let i = 0;
        const url = path.replace(/\{\w+\}/g, () => enc(g.ids[i++] ?? ''));
        const qs = g.query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        const headers: Record<string, string> = { ...authHeader(env, g.who) };
        if (g.body !== undefined) headers['content-type'] = g.contentType;
        if (g.idem !== null) headers['idempotency-key'] = g.idem;
        const r: FuzzRequest = {
          method: method.toUpperCase(),
          url: qs ? `${url}?${qs}` : url,
          headers,
          ...(g.body !== undefined ? { payload: g.body } : {}),
        };
        const problem = await send(env, r);
        if (problem) throw new FuzzProblem(problem, r);
      }) as never,
  };
}

class FuzzProblem extends Error {
  constructor(
    message: string,
    readonly request: unknown,
  ) {
    super(message);
  }
}

const portalWords = fc.constantFrom(
  'en',
  'de',
  'xx',
  'articles',
  'categories',
  'sections',
  'search',
  'contact',
  'sent',
  'track',
  'ask',
  'suggest',
  'language',
  'images',
  'vote',
  'sitemap.xml',
  'robots.txt',
  'track-link',
  '1',
  '1-sizing-guide',
);
const formNames = fc.constantFrom(
  'email',
  'name',
  'subject',
  'message',
  'text',
  'order',
  'orderNumber',
  'helpful',
  'comment',
  'formKey',
  'q',
  'to',
  'ref',
  'sq',
  '__proto__',
);

function multipart(fields: [string, string][], boundary: string, file: boolean): string {
  const parts = fields.map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  if (file)
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="../../x\u0000.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n`,
    );
  return `${parts.join('')}--${boundary}--\r\n`;
}

const portalTarget: Target = {
  name: 'help center pages and forms (/help/…)',
  property: (env) =>
    fc.asyncProperty(
      fc.record({
        segments: fc.array(
          fc.oneof({ weight: 3, arbitrary: portalWords }, { weight: 1, arbitrary: hostileString }),
          {
            maxLength: 4,
          },
        ),
        method: fc.constantFrom('GET', 'POST', 'GET'),
        query: fc.array(fc.tuple(formNames, hostileString), { maxLength: 3 }),
        fields: fc.array(
          fc.tuple(formNames, fc.oneof(hostileString, fc.constantFrom('a@example.com', 'Hi', '1042'))),
          {
            maxLength: 5,
          },
        ),
        encoding: fc.constantFrom('urlencoded', 'multipart', 'multipart-bad', 'json', 'raw'),
        boundary: fc.oneof(
          fc.constant('xyz'),
          fc.string({ unit: fc.constantFrom(...'ab-_=;" '.split('')), maxLength: 80 }),
        ),
        file: fc.boolean(),
        raw: rawBody,
        slug: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: hostileString }),
      }),
      async (g) => {
        const slug = g.slug ? enc(g.slug) : env.ws.slug;
        const url = `/help/${slug}${g.segments.map((s) => `/${enc(s)}`).join('')}`;
        const qs = g.query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        const r: FuzzRequest = { method: g.method, url: qs ? `${url}?${qs}` : url, headers: {} };
        if (g.method === 'POST') {
          if (g.encoding === 'urlencoded') {
            r.headers['content-type'] = 'application/x-www-form-urlencoded';
            r.payload = g.fields.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
          } else if (g.encoding.startsWith('multipart')) {
            r.headers['content-type'] =
              `multipart/form-data; boundary=${g.encoding === 'multipart' ? 'xyz' : g.boundary}`;
            r.payload = multipart(g.fields, 'xyz', g.file);
          } else if (g.encoding === 'json') {
            r.headers['content-type'] = 'application/json';
            r.payload = JSON.stringify(Object.fromEntries(g.fields));
          } else {
            r.headers['content-type'] = 'application/x-www-form-urlencoded';
            r.payload = g.raw;
          }
        }
        const problem = await send(env, r);
        if (problem) throw new FuzzProblem(problem, r);
      },
    ) as never,
};

/** Frames for a socket: plausible ones with one hostile field, any JSON, broken text, binary. */
function frames(valid: fc.Arbitrary<unknown>) {
  return fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(valid, fc.nat(), hostileJson)
          .map(([v, n, h]) => JSON.stringify(mutateAt(v, n, h))),
      },
      { weight: 2, arbitrary: valid.map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: rawBody },
    ),
    { minLength: 1, maxLength: 5 },
  );
}

/** Sends frames on a fresh socket; fails on an internal error frame, a 1011 close, or no answer to a ping. */
async function socketRun(
  url: string,
  headers: Record<string, string>,
  first: string[],
  sent: (string | Buffer)[],
  waitReady = false,
): Promise<string | null> {
  const socket = new WebSocket(url, { headers });
  const received: string[] = [];
  let closeCode = 0;
  socket.on('message', (d) => received.push(String(d)));
  socket.on('close', (code) => {
    closeCode = code;
  });
  socket.on('error', () => {});
  await withTimeout(
    new Promise<void>((resolve) => {
      socket.once('open', () => resolve());
      socket.once('close', () => resolve());
    }),
    HANG_MS,
  );
  if (socket.readyState !== WebSocket.OPEN) return `socket did not open (close ${closeCode})`;
  // The agent socket authenticates after the upgrade and says `ready`; clients send nothing before it.
  if (waitReady) {
    const since = performance.now();
    while (!received.some((m) => m.includes('"ready"')) && performance.now() - since < SLOW_MS)
      await new Promise((r) => setTimeout(r, 10));
    if (!received.some((m) => m.includes('"ready"'))) return `no ready frame within ${SLOW_MS} ms`;
  }
  for (const f of first) socket.send(f);
  for (const f of sent) socket.send(f);
  const started = performance.now();
  socket.send(JSON.stringify({ type: 'ping' }));
  // The ping is answered after the frames before it: a pong (or a close for a bad hello) within 2 s.
  while (performance.now() - started < SLOW_MS + 500) {
    // Without a valid hello the widget answers the ping with 'unauthorized', which is an answer too.
    if (received.some((m) => /"pong"|"unauthorized"/.test(m)) || socket.readyState !== WebSocket.OPEN) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - started;
  socket.terminate();
  const internal = received.find((m) => /"code":"internal"|Something went wrong/.test(m) || INTERNAL.test(m));
  if (internal) return `internal error frame: ${internal.slice(0, 300)}`;
  if (closeCode === 1011) return 'socket closed with 1011 (internal error)';
  if (ms > SLOW_MS) return `no answer to a ping within ${SLOW_MS} ms`;
  return null;
}

const visitorFrame = fc.oneof(
  fc.record({
    type: fc.constant('message'),
    clientId: fc.constant('client-0001'),
    text: fc.string({ maxLength: 30 }),
  }),
  fc.record({ type: fc.constant('typing'), typing: fc.boolean() }),
  fc.record({ type: fc.constant('read'), upTo: fc.nat() }),
  fc.record({
    type: fc.constant('page'),
    url: fc.constant('https://shop.example/p'),
    title: fc.string({ maxLength: 10 }),
  }),
  fc.record({ type: fc.constant('locale'), locale: fc.constantFrom('en', 'de-DE') }),
  fc.record({ type: fc.constant('hello'), token: fc.string({ maxLength: 20 }) }),
);

const widgetSocketTarget: Target = {
  name: 'widget socket (/api/v1/widget/:workspace/socket)',
  property: (env) =>
    fc.asyncProperty(frames(visitorFrame), fc.boolean(), async (sent, hello) => {
      const first = hello ? [JSON.stringify({ type: 'hello', token: await env.widgetToken() })] : [];
      const url = `${env.baseUrl.replace('http', 'ws')}/api/v1/widget/${env.ws.slug}/socket`;
      const problem = await socketRun(url, { origin: env.baseUrl }, first, sent);
      if (problem) throw new FuzzProblem(problem, { first, sent });
    }) as never,
};

const agentFrame = fc.oneof(
  fc.record({ type: fc.constant('subscribe'), room: fc.constantFrom('workspace', 'ticket:1', 'view:1') }),
  fc.record({ type: fc.constant('unsubscribe'), room: fc.constantFrom('workspace', 'ticket:1') }),
  fc.record({
    type: fc.constant('presence'),
    ticketId: fc.integer({ min: 1, max: 50 }),
    state: fc.constantFrom('viewing', 'typing', 'left'),
  }),
);

const agentSocketTarget: Target = {
  name: 'agent socket (/api/v1/realtime)',
  property: (env) =>
    fc.asyncProperty(frames(agentFrame), async (sent) => {
      const url = `${env.baseUrl.replace('http', 'ws')}/api/v1/realtime`;
      const problem = await socketRun(url, env.ws.agent.headers, [], sent, true);
      if (problem) throw new FuzzProblem(problem, { sent });
    }) as never,
};

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Only targets whose name contains this text. */
  only?: string;
  log?: (line: string) => void;
  /** Called before each target (the CLI shows where a slow run is). */
  progress?: (line: string) => void;
}

/** Runs every target; returns the failures (empty when the server took everything in its stride). */
export async function runFuzz(
  t: TestApp,
  o: FuzzOptions,
): Promise<{ failures: FuzzFailure[]; targets: number; requests: number; statuses: Map<number, number> }> {
  const log = o.log ?? (() => {});
  let ws = await t.workspace('Fuzz Shop');
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const env: Env = {
    t,
    ws,
    baseUrl: address,
    widgetToken: async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/widget/${env.ws.slug}/session`,
        payload: {},
      });
      return (r.json() as { token: string }).token;
    },
    statuses: new Map(),
  };

  const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const targets: Target[] = [];
  for (const [path, ops] of Object.entries(spec.paths))
    for (const [method, op] of Object.entries(ops)) targets.push(operationTarget(path, method, op));
  targets.push(portalTarget, widgetSocketTarget, agentSocketTarget);
  const chosen = targets.filter((x) => !o.only || x.name.includes(o.only));
  const failures: FuzzFailure[] = [];
  let requests = 0;
  const crashes: string[] = [];
  const onCrash = (err: unknown) =>
    crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    for (const [i, target] of chosen.entries()) {
      const seed = (o.seed + i) | 0;
      o.progress?.(`${i + 1}/${chosen.length} ${target.name}`);
      const out = await fc.check(target.property(env), { numRuns: o.runs, seed, endOnFailure: false });
      requests += out.numRuns;
      if (out.failed) {
        const err = out.errorInstance as FuzzProblem | undefined;
        failures.push({
          target: target.name,
          seed,
          problem: err?.message ?? String(out.errorInstance),
          request: err?.request ?? out.counterexample,
        });
        log(`FAIL ${target.name} (seed ${seed}): ${err?.message?.slice(0, 300)}`);
      }
      for (const c of crashes.splice(0))
        failures.push({
          target: target.name,
          seed,
          problem: `uncaught (the process would exit): ${c}`,
          request: null,
        });
      // The server must still answer, and the fuzzing admin must still be signed in (a fuzzed DELETE
      // may have removed its token or agent: then carry on with a new workspace).
      const health = await t.app.inject({ method: 'GET', url: '/api/health' });
      if (health.statusCode !== 200)
        failures.push({
          target: target.name,
          seed,
          problem: `health ${health.statusCode} after this target`,
          request: null,
        });
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: env.ws.admin.headers });
      const agent = await t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: env.ws.agent.headers,
      });
      if (me.statusCode !== 200 || agent.statusCode !== 200) {
        ws = await t.workspace('Fuzz Shop');
        env.ws = ws;
      }
    }
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return { failures, targets: chosen.length, requests, statuses: env.statuses };
}
