import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * A local server speaking Zendesk's documented REST API, as much as the importer uses: the cursor-based
 * incremental ticket export (`after_cursor`, `end_of_stream`), ticket comments, users and organizations
 * by `show_many`, Basic auth with `<email>/token:<token>`, 429 with Retry-After on request. The data
 * is either hand-written (always-run tests) or the recorded payloads in ../shared/fixtures/apis/zendesk.
 */
export interface ZendeskData {
  tickets: Record<string, unknown>[];
  /** Comments per ticket id; `defaultComments` for tickets not listed. */
  comments: Map<string, Record<string, unknown>[]>;
  defaultComments?: Record<string, unknown>[];
  users: Record<string, unknown>[];
  organizations: Record<string, unknown>[];
}

export interface FakeZendesk {
  url: string;
  hits: string[];
  /** Paths (prefix match) answered 429 Retry-After: 1 this many more times. */
  throttle: Map<string, number>;
  /** Paths (prefix match) answered 401 until removed. */
  refuse: Set<string>;
  close(): Promise<void>;
}

export const ZENDESK_EMAIL = 'admin@shop.example';
export const ZENDESK_TOKEN = 'zd-token-0123456789';

export async function startFakeZendesk(data: ZendeskData): Promise<FakeZendesk> {
  const hits: string[] = [];
  const throttle = new Map<string, number>();
  const refuse = new Set<string>();
  const auth = `Basic ${Buffer.from(`${ZENDESK_EMAIL}/token:${ZENDESK_TOKEN}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.push(u.pathname + u.search);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      void res
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-rate-limit': '700',
          'x-rate-limit-remaining': '650',
          ...headers,
        })
        .end(JSON.stringify(body));
    if (req.headers.authorization !== auth) return json(401, { error: "Couldn't authenticate you" });
    for (const p of refuse) if (u.pathname.startsWith(p)) return json(401, { error: 'Forbidden' });
    for (const [p, n] of throttle)
      if (u.pathname.startsWith(p) && n > 0) {
        throttle.set(p, n - 1);
        return json(429, { error: 'APIRateLimitExceeded' }, { 'retry-after': '1' });
      }
    if (u.pathname === '/api/v2/incremental/tickets/cursor.json') {
      const per = Math.min(1000, Number(u.searchParams.get('per_page') ?? 1000));
      const cursor = u.searchParams.get('cursor');
      const start = cursor ? Number(Buffer.from(cursor, 'base64').toString()) : 0;
      const slice = data.tickets.slice(start, start + per);
      const next = Buffer.from(String(start + slice.length)).toString('base64');
      const end = start + slice.length >= data.tickets.length;
      return json(200, {
        tickets: slice,
        after_url: `${u.origin}/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(next)}&per_page=${per}`,
        before_url: null,
        after_cursor: next,
        before_cursor: null,
        end_of_stream: end,
      });
    }
    const comments = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(u.pathname);
    if (comments) {
      const list = data.comments.get(comments[1]!) ?? data.defaultComments ?? [];
      return json(200, { comments: list, next_page: null, previous_page: null, count: list.length });
    }
    const many = /^\/api\/v2\/(users|organizations)\/show_many\.json$/.exec(u.pathname);
    if (many) {
      const ids = new Set((u.searchParams.get('ids') ?? '').split(','));
      const pool = many[1] === 'users' ? data.users : data.organizations;
      return json(200, { [many[1]!]: pool.filter((x) => ids.has(String(x.id))) });
    }
    json(404, { error: 'InvalidEndpoint' });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    throttle,
    refuse,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

export const ZENDESK_FIXTURES = join(process.cwd(), '../shared/fixtures/apis/zendesk');
export const hasZendeskFixtures = existsSync(ZENDESK_FIXTURES);

/** The recorded bodies of a Betamax cassette, by request URI (base64 → gunzip → JSON). */
function cassette(file: string): Map<string, unknown> {
  const c = JSON.parse(readFileSync(join(ZENDESK_FIXTURES, file), 'utf8')) as {
    http_interactions: {
      request: { uri: string };
      response: { body: { base64_string?: string; string?: string } };
    }[];
  };
  const out = new Map<string, unknown>();
  for (const i of c.http_interactions) {
    const b = i.response.body;
    const text = b.base64_string
      ? gunzipSync(Buffer.from(b.base64_string, 'base64')).toString('utf8')
      : b.string;
    out.set(i.request.uri, JSON.parse(text ?? 'null'));
  }
  return out;
}

/**
 * The recorded export (87 tickets of a real account, one of them deleted) and the recorded comments
 * (ticket 4634 of another account, served for every ticket). The recordings hold no users: requesters
 * and the comment's author are written here with the ids the recordings use.
 */
export function recordedZendesk(): ZendeskData {
  const exp = cassette('incremental-tickets-export.zenpy-betamax.json');
  const page = [...exp.entries()].find(([uri]) =>
    uri.endsWith('/incremental/tickets/cursor.json?start_time=0'),
  );
  const tickets = (page![1] as { tickets: Record<string, unknown>[] }).tickets;
  const com = [...cassette('ticket-comments.zenpy-betamax.json').values()][0] as {
    comments: Record<string, unknown>[];
  };
  const userIds = new Set<string>();
  for (const t of tickets) if (t.requester_id) userIds.add(String(t.requester_id));
  const users: Record<string, unknown>[] = [...userIds].map((id) => ({
    id: Number(id),
    name: `Customer ${id.slice(-4)}`,
    email: `customer${id.slice(-4)}@example.com`,
    role: 'end-user',
  }));
  for (const c of com.comments)
    users.push({ id: c.author_id, name: 'Agent Zed', email: 'agent@shop.example', role: 'agent' });
  const orgIds = new Set(tickets.map((t) => t.organization_id).filter((x) => x != null));
  return {
    tickets,
    comments: new Map(),
    defaultComments: com.comments,
    users,
    organizations: [...orgIds].map((id) => ({ id, name: `Org ${String(id).slice(-3)}` })),
  };
}
