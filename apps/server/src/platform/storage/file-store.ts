import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../../config.ts';
import { type Db, sql } from '../db/db.ts';
import type { FileStore } from './file-store-type.ts';
import { s3FileStore } from './s3-file-store.ts';

export type { FileStore } from './file-store-type.ts';

const hashOf = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const checked = (sha: string) => {
  if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('bad file key');
  return sha;
};

export function localFileStore(root: string): FileStore {
  const pathOf = (sha: string) => join(root, sha.slice(0, 2), sha.slice(2, 4), checked(sha));
  return {
    kind: 'local',
    async put(data) {
      const sha256 = hashOf(data);
      const path = pathOf(sha256);
      if (!existsSync(path)) {
        await mkdir(dirname(path), { recursive: true });
        // Write then rename, so a crash never leaves a half file under the final name. The temporary
        // name is unique per write: two requests storing the same bytes at once (the same attachment
        // sent twice) must not write into, and rename away, one shared temporary file.
        const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
        await writeFile(tmp, data);
        await rename(tmp, path);
      }
      return { sha256, size: data.length };
    },
    open: (sha) => createReadStream(pathOf(sha)),
    has: async (sha) => existsSync(pathOf(sha)),
  };
}

/**
 * Chunks of 512 KiB: a download holds one chunk in memory at a time, and no row comes near the
 * 1 GB bytea limit or makes one huge TOAST value to rewrite.
 */
export const FILE_CHUNK_BYTES = 512 * 1024;

/** Files in PostgreSQL (tables `stored_files` and `stored_file_chunks`, migration 0860). */
export function postgresFileStore(db: Db, chunkBytes = FILE_CHUNK_BYTES): FileStore {
  return {
    kind: 'postgres',
    async put(data) {
      const sha256 = hashOf(data);
      const chunks = Math.max(1, Math.ceil(data.length / chunkBytes));
      // The header row and its chunks commit together, so a reader never sees half a file. Two nodes
      // storing the same bytes at once: the second insert waits for the first's commit and does nothing.
      await db.tx(async (tx) => {
        const fresh = await tx.one(
          sql`INSERT INTO stored_files (sha256, size, chunks) VALUES (${sha256}, ${data.length}, ${chunks})
              ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
        );
        if (!fresh) return;
        for (let n = 0; n < chunks; n++)
          await tx.query(
            sql`INSERT INTO stored_file_chunks (sha256, n, data)
                VALUES (${sha256}, ${n}, ${data.subarray(n * chunkBytes, (n + 1) * chunkBytes)})`,
          );
      });
      return { sha256, size: data.length };
    },
    open(sha) {
      checked(sha);
      async function* chunks() {
        const head = await db.one<{ chunks: number }>(
          sql`SELECT chunks FROM stored_files WHERE sha256 = ${sha}`,
        );
        if (!head) throw Object.assign(new Error(`file ${sha} not found`), { code: 'ENOENT' });
        for (let n = 0; n < head.chunks; n++) {
          const row = await db.one<{ data: Uint8Array }>(
            sql`SELECT data FROM stored_file_chunks WHERE sha256 = ${sha} AND n = ${n}`,
          );
          if (!row) throw new Error(`file ${sha} is missing chunk ${n}`);
          yield Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },
    async has(sha) {
      return !!(await db.one(sql`SELECT 1 AS x FROM stored_files WHERE sha256 = ${checked(sha)}`));
    },
  };
}

/** `auto`: PostgreSQL when the app runs on PostgreSQL, the data dir's `files/` on the embedded database. */
export function createFileStore(config: Config, db: Db): FileStore {
  const setting = config.FILE_STORE;
  const kind = setting === 'auto' ? (db.kind === 'postgres' ? 'postgres' : 'local') : setting;
  if (kind === 's3')
    return s3FileStore({
      bucket: config.S3_BUCKET!,
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
      prefix: config.S3_PREFIX,
    });
  return kind === 'postgres' ? postgresFileStore(db) : localFileStore(join(config.dataDir, 'files'));
}
