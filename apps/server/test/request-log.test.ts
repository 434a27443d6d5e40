import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './harness.ts';

/** docs/operations.md "Logs": at info only failed (5xx) and slow requests; LOG_LEVEL=debug logs all. */
type Line = { msg: string; level: number; res?: { statusCode: number } };
function captured(level: string) {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const requestLines = (lines: Line[]) =>
  lines.filter((l) =>
    ['incoming request', 'request completed', 'request failed', 'slow request'].includes(l.msg),
  );

describe('request logging', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('logs nothing per request at info unless the request failed with a 5xx', async () => {
    const { logger, lines } = captured('info');
    t = await startTestApp({}, { logger });
    t.app.get('/test/boom', async () => {
      throw new Error('boom');
    });
    expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/tickets' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/no/such/page.json' })).statusCode).toBe(404);
    expect(requestLines(lines)).toEqual([]);
    expect((await t.app.inject({ url: '/test/boom' })).statusCode).toBe(500);
    const failed = requestLines(lines);
    expect(failed.map((l) => l.msg)).toEqual(['request failed']);
    expect(failed[0]!.res?.statusCode).toBe(500);
  });

  it('logs every request at debug', async () => {
    const { logger, lines } = captured('debug');
    t = await startTestApp({}, { logger });
    await t.app.inject({ url: '/api/health' });
    await t.app.inject({ url: '/api/v1/tickets' });
    expect(requestLines(lines).map((l) => l.msg)).toEqual([
      'incoming request',
      'request completed',
      'incoming request',
      'request completed',
    ]);
  });
});
