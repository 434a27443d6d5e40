import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

/** Where attachment bytes live. Local disk by default; an S3 implementation fits the same shape. */
export interface FileStore {
  put(data: Buffer): Promise<{ sha256: string; size: number }>;
  open(sha256: string): Readable;
  has(sha256: string): boolean;
}

export function localFileStore(root: string): FileStore {
  const pathOf = (sha: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('bad file key');
    return join(root, sha.slice(0, 2), sha.slice(2, 4), sha);
  };
  return {
    async put(data) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      const path = pathOf(sha256);
      if (!existsSync(path)) {
        await mkdir(dirname(path), { recursive: true });
        // Write then rename, so a crash never leaves a half file under the final name.
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, data);
        await rename(tmp, path);
      }
      return { sha256, size: data.length };
    },
    open: (sha) => createReadStream(pathOf(sha)),
    has: (sha) => existsSync(pathOf(sha)),
  };
}
