import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { s3FileStore } from '../src/platform/storage/s3-file-store.ts';
import { startTestApp, type TestApp, ticketBody } from './harness.ts';

// A local S3-compatible server (s3rver, in this process) stands in for S3, MinIO or R2.
let s3: S3rver;
let dir: string;
let endpoint: string;
let t: TestApp;
const BUCKET = 'shopdesk-files';
const creds = { S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  t = await startTestApp({
    FILE_STORE: 's3',
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_PREFIX: 'desk/',
    ...creds,
  });
});
afterAll(async () => {
  await t?.stop();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = () =>
  s3FileStore({
    bucket: BUCKET,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    prefix: 'unit/',
  });

describe('the S3 file store', () => {
  it('stores content-addressed objects and streams them back; a missing one fails the stream', async () => {
    const s = store();
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const { sha256, size } = await s.put(data);
    expect(size).toBe(data.length);
    expect(await s.put(Buffer.from(data))).toEqual({ sha256, size });
    expect(await s.has(sha256)).toBe(true);
    expect((await buffer(s.open(sha256))).equals(data)).toBe(true);
    const missing = 'cd'.repeat(32);
    expect(await s.has(missing)).toBe(false);
    await expect(buffer(s.open(missing))).rejects.toThrow(/not found/);
  });

  it('an attachment uploaded through the API lands in the bucket, not on the node, and downloads', async () => {
    expect(t.deps.files.kind).toBe('s3');
    const w = await t.workspace('S3 shop');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(200_000)]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: w.agent.headers,
      payload: ticketBody({
        message: {
          body: 'invoice',
          attachments: [
            {
              filename: 'invoice.pdf',
              contentType: 'application/pdf',
              contentBase64: pdf.toString('base64'),
            },
          ],
        },
      }),
    });
    expect(res.statusCode).toBe(201);
    const att = res.json().messages[0].attachments[0];
    const dl = await t.app.inject({ method: 'GET', url: att.url, headers: w.agent.headers });
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(pdf)).toBe(true);
    expect(existsSync(join(t.config.dataDir, 'files'))).toBe(false);
    expect(
      readdirSync(join(dir, BUCKET), { recursive: true }).some((p) => String(p).startsWith('desk')),
    ).toBe(true);
  });

  it('refuses FILE_STORE=s3 without a bucket at start', async () => {
    expect(() => loadConfig({ FILE_STORE: 's3' })).toThrow(/S3_BUCKET/);
  });
});
