import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { FileStore } from './file-store-type.ts';

export interface S3Options {
  bucket: string;
  /** Any S3-compatible service (MinIO, R2, Ceph …); unset = AWS S3 in `region`. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Unset: the AWS SDK's default chain (environment of the SDK, instance role …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Key prefix inside the bucket, e.g. `shopdesk/`. */
  prefix: string;
}

type Sdk = typeof import('@aws-sdk/client-s3');

const isMissing = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
};

/**
 * Files in an S3-compatible bucket (`FILE_STORE=s3`), content-addressed like the other stores. The
 * SDK (@aws-sdk/client-s3) is loaded on first use, so installs that never use S3 never load it.
 */
export function s3FileStore(o: S3Options): FileStore {
  let ready: Promise<{ sdk: Sdk; client: InstanceType<Sdk['S3Client']> }> | undefined;
  const s3 = () =>
    (ready ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: o.region,
        forcePathStyle: o.forcePathStyle,
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        ...(o.credentials ? { credentials: o.credentials } : {}),
      }),
    })));
  const keyOf = (sha: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('bad file key');
    return `${o.prefix}${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`;
  };
  async function has(sha: string) {
    const { sdk, client } = await s3();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: o.bucket, Key: keyOf(sha) }));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }
  return {
    kind: 's3',
    async put(data) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      // Same key, same bytes: an object that is there already is not sent again.
      if (!(await has(sha256))) {
        const { sdk, client } = await s3();
        await client.send(
          new sdk.PutObjectCommand({
            Bucket: o.bucket,
            Key: keyOf(sha256),
            Body: data,
            ContentLength: data.length,
          }),
        );
      }
      return { sha256, size: data.length };
    },
    open(sha) {
      const key = keyOf(sha);
      async function* body() {
        const { sdk, client } = await s3();
        let res: GetObjectCommandOutput;
        try {
          res = await client.send(new sdk.GetObjectCommand({ Bucket: o.bucket, Key: key }));
        } catch (e) {
          if (isMissing(e)) throw Object.assign(new Error(`file ${sha} not found`), { code: 'ENOENT' });
          throw e;
        }
        // In Node the body is the HTTP response stream: passed on chunk by chunk, never buffered whole.
        yield* res.Body as Readable;
      }
      return Readable.from(body(), { objectMode: false });
    },
    has,
  };
}
