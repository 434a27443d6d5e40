import type { Readable } from 'node:stream';

/**
 * Where attachment, avatar and help-center image bytes live, content-addressed by SHA-256.
 * Local disk serves the embedded database (one process by design); with PostgreSQL the bytes live in
 * the database, so every node serves every file (a file written on one node's disk was a 404 on the
 * others); or in an S3-compatible bucket (s3-file-store.ts).
 */
export interface FileStore {
  readonly kind: 'local' | 'postgres' | 's3';
  put(data: Buffer): Promise<{ sha256: string; size: number }>;
  /** The bytes as a stream; a missing file fails the stream (the callers checked the metadata row). */
  open(sha256: string): Readable;
  has(sha256: string): Promise<boolean>;
}
