import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localFileStore } from '../src/platform/storage/file-store.ts';

const root = mkdtempSync(join(tmpdir(), 'shopdesk-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('local file store', () => {
  it('stores the same bytes written by several requests at once, whole, under one name', async () => {
    const store = localFileStore(root);
    const data = randomBytes(4 * 1024 * 1024);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.put(data)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('fulfilled'));
    const { sha256 } = (results[0] as PromiseFulfilledResult<{ sha256: string }>).value;
    const dir = join(root, sha256.slice(0, 2), sha256.slice(2, 4));
    expect(readFileSync(join(dir, sha256)).equals(data)).toBe(true);
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual([sha256]);
  });
});
