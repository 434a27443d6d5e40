import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, tracingSettings } from '../src/config.ts';
import { sql } from '../src/platform/db/db.ts';
import { defineJob, enqueue, type JobDefinition } from '../src/platform/jobs/queue.ts';
import { startTracing, stopTracing, tracer } from '../src/platform/tracing.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

/** A span as both OTLP encodings carry it (ids in hex, kind as OTLP numbers it: SERVER 2, CLIENT 3, CONSUMER 5). */
interface Got {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  service: string;
}

// --- a tiny protobuf reader: enough of opentelemetry/proto/collector/trace/v1 to check an export ---
type Fields = Map<number, (bigint | Buffer)[]>;
function readProto(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const [field, wire] = [key >> 3, key & 7];
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      value = buf.subarray(i, i + 8);
      i += 8;
    } else if (wire === 5) {
      value = buf.subarray(i, i + 4);
      i += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}
const msgs = (f: Fields, n: number) => (f.get(n) ?? []).map((b) => readProto(b as Buffer));
const str = (f: Fields, n: number) => ((f.get(n)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)).toString();
const hex = (f: Fields, n: number) =>
  ((f.get(n)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)).toString('hex');
function protoAttributes(list: Fields[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const any = msgs(kv, 2)[0];
    if (!any) continue;
    // AnyValue: 1 string, 2 bool, 3 int
    out[str(kv, 1)] = any.has(1)
      ? str(any, 1)
      : any.has(3)
        ? Number(any.get(3)![0])
        : Boolean(any.get(2)?.[0]);
  }
  return out;
}
function decodeProtobuf(body: Buffer): Got[] {
  const spans: Got[] = [];
  for (const rs of msgs(readProto(body), 1)) {
    const resource = protoAttributes(msgs(msgs(rs, 1)[0] ?? new Map(), 1));
    for (const ss of msgs(rs, 2))
      for (const s of msgs(ss, 2))
        spans.push({
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: str(s, 5),
          kind: Number(s.get(6)?.[0] ?? 0),
          attributes: protoAttributes(msgs(s, 9)),
          service: String(resource['service.name']),
        });
  }
  return spans;
}

type JsonValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type JsonKv = { key: string; value: JsonValue };
const jsonAttributes = (list: JsonKv[] = []) =>
  Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue),
    ]),
  );
function decodeJson(body: Buffer): Got[] {
  const doc = JSON.parse(body.toString()) as {
    resourceSpans: {
      resource: { attributes: JsonKv[] };
      scopeSpans: {
        spans: {
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind: number;
          attributes: JsonKv[];
        }[];
      }[];
    }[];
  };
  return doc.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        attributes: jsonAttributes(s.attributes),
        service: String(jsonAttributes(rs.resource.attributes)['service.name']),
      })),
    ),
  );
}

/** A local OTLP/HTTP collector: POST /v1/traces in either encoding, every span kept. */
async function startCollector() {
  const spans: Got[] = [];
  const contentTypes = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const type = req.headers['content-type'] ?? '';
      contentTypes.add(type);
      if (req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      spans.push(...(type.includes('json') ? decodeJson(body) : decodeProtobuf(body)));
      res.writeHead(200, { 'content-type': type }).end(type.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, contentTypes, server };
}

const OTLP = { SERVER: 2, CLIENT: 3, CONSUMER: 5 };

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  describe(`OpenTelemetry tracing over OTLP (${protocol})`, () => {
    let collector: Awaited<ReturnType<typeof startCollector>>;
    let t: TestApp;
    let ws: TestWorkspace;
    let base: string;
    const env = {
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: 'desk-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    };

    beforeAll(async () => {
      collector = await startCollector();
      // The SDK's exporter and batch processor read the standard variables from the environment.
      Object.assign(process.env, env, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      await startTracing(tracingSettings(process.env), pino({ level: 'silent' }), 'test');
      t = await startTestApp();
      ws = await t.workspace();
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await t?.stop();
      await stopTracing();
      for (const k of [...Object.keys(env), 'OTEL_EXPORTER_OTLP_ENDPOINT']) delete process.env[k];
      collector?.server.close();
    });

    it('a request makes a SERVER span named by its route, with its statements as child CLIENT spans', async () => {
      const res = await fetch(`${base}/api/v1/tickets?limit=5`, { headers: ws.agent.headers });
      expect(res.status).toBe(200);
      const span = await expect
        .poll(() => collector.spans.find((s) => s.name === 'GET /api/v1/tickets'))
        .toBeDefined()
        .then(() => collector.spans.find((s) => s.name === 'GET /api/v1/tickets')!);
      expect(span.kind).toBe(OTLP.SERVER);
      expect(span.service).toBe('desk-under-test');
      expect(span.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.route': '/api/v1/tickets',
        'http.response.status_code': 200,
      });
      // The raw path and query (which can carry tokens) are never recorded.
      expect(JSON.stringify(span.attributes)).not.toContain('limit=5');
      await expect
        .poll(() =>
          collector.spans.filter((s) => s.parentSpanId === span.spanId && s.traceId === span.traceId),
        )
        .not.toHaveLength(0);
      const children = collector.spans.filter((s) => s.parentSpanId === span.spanId);
      expect(children.every((c) => c.kind === OTLP.CLIENT)).toBe(true);
      expect(children[0]!.attributes['db.system.name']).toBe('postgresql');
      expect(children.some((c) => String(c.attributes['db.query.text']).includes('tickets'))).toBe(true);
      // Bound values are not in the recorded text: the agent's token never shows up.
      expect(JSON.stringify(children)).not.toContain(ws.agent.token);
    });

    it("continues a caller's trace from its traceparent header", async () => {
      const traceId = 'a'.repeat(31) + (protocol === 'http/json' ? '1' : '2');
      const parent = 'b'.repeat(16);
      const res = await fetch(`${base}/api/health`, {
        headers: { traceparent: `00-${traceId}-${parent}-01` },
      });
      expect(res.status).toBe(200);
      await expect.poll(() => collector.spans.find((s) => s.traceId === traceId)?.parentSpanId).toBe(parent);
    });

    it('a job run makes a root CONSUMER span with its statements as children', async () => {
      t.jobs.register(
        defineJob({
          name: 'trace-probe',
          schema: z.object({ n: z.number() }),
          handler: async ({ n }) => {
            await t.db.query(sql`SELECT ${n}::int AS n`);
          },
        }) as JobDefinition,
      );
      await enqueue(t.db, 'trace-probe', { n: 7 });
      await t.jobs.drain();
      await expect.poll(() => collector.spans.find((s) => s.name === 'job trace-probe')).toBeDefined();
      const job = collector.spans.find((s) => s.name === 'job trace-probe')!;
      expect(job.kind).toBe(OTLP.CONSUMER);
      expect(job.parentSpanId).toBe('');
      expect(job.attributes['shopdesk.job.name']).toBe('trace-probe');
      await expect
        .poll(() => collector.spans.some((s) => s.parentSpanId === job.spanId && s.kind === OTLP.CLIENT))
        .toBe(true);
    });

    it('exports in the configured encoding', () => {
      expect([...collector.contentTypes]).toEqual([
        protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      ]);
    });
  });
}

describe('tracing settings', () => {
  it('are off unless OTEL_* variables ask for them, and no tracer runs then', () => {
    expect(tracingSettings({})).toBeNull();
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'desk' })).toBeNull();
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBeNull();
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBeNull();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toEqual({
      protocol: 'http/protobuf',
    });
    expect(
      tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    ).toEqual({
      protocol: 'http/json',
    });
    expect(tracer()).toBeNull();
  });

  it('refuse what Shopdesk cannot export, naming the setting', () => {
    expect(() =>
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(ConfigError);
    expect(() =>
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc.*http\/protobuf/);
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER=zipkin/);
  });
});
