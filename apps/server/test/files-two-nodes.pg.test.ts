import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FILE_CHUNK_BYTES } from '../src/platform/storage/file-store.ts';
import { freshDatabaseUrl, startTestApp, ticketBody } from './harness.ts';

// Each test node has its own data dir, as two servers behind a load balancer have their own disks:
// a file must be served by a node that did not receive the upload.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('files across two nodes on one PostgreSQL', () => {
  it('an attachment, an avatar and a help-center image uploaded through node A download through node B', async () => {
    const fresh = await freshDatabaseUrl();
    const a = await startTestApp({}, { databaseUrl: fresh.url });
    const b = await startTestApp({}, { databaseUrl: fresh.url });
    try {
      expect(a.deps.files.kind).toBe('postgres');
      const w = await a.workspace('Files shop');

      // Larger than two chunks, so the download streams several rows in order.
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2 * FILE_CHUNK_BYTES + 12_345)]);
      const created = await a.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: w.agent.headers,
        payload: ticketBody({
          message: {
            body: 'invoice attached',
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
      expect(created.statusCode).toBe(201);
      const att = created.json().messages[0].attachments[0];
      const dl = await b.app.inject({ method: 'GET', url: att.url, headers: w.agent.headers });
      expect(dl.statusCode).toBe(200);
      expect(dl.rawPayload.equals(pdf)).toBe(true);

      const avatar = await a.app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${w.agent.agentId}/avatar`,
        headers: w.agent.headers,
        payload: { contentType: 'image/png', contentBase64: PNG.toString('base64') },
      });
      expect(avatar.statusCode).toBe(200);
      const avatarPath = new URL(avatar.json().avatarUrl).pathname;
      const img = await b.app.inject({ method: 'GET', url: avatarPath });
      expect(img.statusCode).toBe(200);
      expect(img.rawPayload.equals(PNG)).toBe(true);

      const up = await a.app.inject({
        method: 'POST',
        url: '/api/v1/helpcenter/images',
        headers: w.agent.headers,
        payload: { filename: 'box.png', contentType: 'image/png', contentBase64: PNG.toString('base64') },
      });
      expect(up.statusCode).toBe(201);
      const hcImg = await b.app.inject({ method: 'GET', url: new URL(up.json().url, 'http://x').pathname });
      expect(hcImg.statusCode).toBe(200);
      expect(hcImg.rawPayload.equals(PNG)).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
      await fresh.drop();
    }
  });
});
