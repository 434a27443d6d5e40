import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresFileStore } from '../src/platform/storage/file-store.ts';
import { startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.stop());

describe('the database file store', () => {
  it('stores content-addressed bytes in chunks, once, and streams them back in order', async () => {
    const store = postgresFileStore(t.db, 1000);
    const data = randomBytes(3500);
    const [first, again] = await Promise.all([store.put(data), store.put(Buffer.from(data))]);
    expect(first).toEqual(again);
    expect(first.size).toBe(3500);
    expect(await store.has(first.sha256)).toBe(true);
    expect((await buffer(store.open(first.sha256))).equals(data)).toBe(true);
    const empty = await store.put(Buffer.alloc(0));
    expect((await buffer(store.open(empty.sha256))).length).toBe(0);
  });

  it('a missing file fails the stream instead of answering empty bytes', async () => {
    const store = postgresFileStore(t.db);
    const sha = 'ab'.repeat(32);
    expect(await store.has(sha)).toBe(false);
    await expect(buffer(store.open(sha))).rejects.toThrow(/not found/);
    expect(() => store.open('../etc/passwd')).toThrow(/bad file key/);
  });
});
