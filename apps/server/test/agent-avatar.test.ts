import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestActor, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let base: string;

const PUBLIC = 'https://desk.example';
// A 1×1 PNG and a 1×1 WebP, as an image editor writes them.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL: PUBLIC }, { workers: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  ws = await t.workspace('Avatar Shop');
  other = await t.workspace('Other Avatar Shop');
});
afterAll(() => t?.stop());

const upload = (as: TestActor, agentId: number, contentType: string, data: Buffer | string) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/agents/${agentId}/avatar`,
    headers: as.headers,
    payload: { contentType, contentBase64: typeof data === 'string' ? data : data.toString('base64') },
  });

async function avatarOf(a: TestActor): Promise<string | null> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/agents/${a.agentId}`, headers: a.headers });
  return res.json().avatarUrl;
}

describe('agent avatars', () => {
  it('an agent uploads their own avatar; it is served publicly, cross-origin, from its own URL', async () => {
    const res = await upload(ws.agent, ws.agent.agentId, 'image/png', PNG);
    expect(res.statusCode).toBe(200);
    const url = res.json().avatarUrl as string;
    expect(url).toMatch(
      new RegExp(`^${PUBLIC}/api/v1/agent-avatars/${ws.agent.agentId}/[0-9a-f]{64}\\.png$`),
    );
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: ws.agent.headers });
    expect(me.json().agent.avatarUrl).toBe(url);

    // No session or token needed: shoppers load it in the widget on the shop's site.
    const img = await t.app.inject({
      method: 'GET',
      url: url.slice(PUBLIC.length),
      headers: { origin: 'https://shop.example' },
    });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(img.headers['x-content-type-options']).toBe('nosniff');
    expect(img.rawPayload.equals(PNG)).toBe(true);

    // A WebP replaces it; the old URL stops serving (only an agent's current avatar is public).
    const next = await upload(ws.agent, ws.agent.agentId, 'image/webp', WEBP);
    expect(next.statusCode).toBe(200);
    expect(next.json().avatarUrl).toMatch(/\.webp$/);
    const old = await t.app.inject({ method: 'GET', url: url.slice(PUBLIC.length) });
    expect(old.statusCode).toBe(404);
    const served = await t.app.inject({ method: 'GET', url: next.json().avatarUrl.slice(PUBLIC.length) });
    expect(served.headers['content-type']).toBe('image/webp');
  });

  it('refuses other types, disguised files and oversized images with a clear 4xx, changing nothing', async () => {
    const a = ws.lead;
    const ok = await upload(a, a.agentId, 'image/png', PNG);
    const before = ok.json().avatarUrl as string;

    const gif = await upload(a, a.agentId, 'image/gif', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
    expect(gif.statusCode).toBe(415);
    expect(gif.json().error.message).toMatch(/PNG, JPEG or WebP/);

    const svg = await upload(a, a.agentId, 'image/png', Buffer.from('<svg onload="alert(1)"/>'));
    expect(svg.statusCode).toBe(415);
    expect(svg.json().error.message).toMatch(/not a PNG image/);

    const huge = Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]);
    const big = await upload(a, a.agentId, 'image/png', huge);
    expect(big.statusCode).toBe(413);
    expect(big.json().error.message).toMatch(/at most 1024 KB/);

    const garbled = await upload(a, a.agentId, 'image/png', 'not base64!');
    expect(garbled.statusCode).toBe(400);

    expect(await avatarOf(a)).toBe(before);
    // A file of the store that is nobody's avatar is not served under an agent's name.
    const guess = await t.app.inject({
      method: 'GET',
      url: `/api/v1/agent-avatars/${a.agentId}/${'0'.repeat(64)}.png`,
    });
    expect(guess.statusCode).toBe(404);
  });

  it("only the agent themselves or an admin of the workspace can change or remove an agent's avatar", async () => {
    const target = ws.readonly;
    const mine = await upload(target, target.agentId, 'image/png', PNG);
    expect(mine.statusCode).toBe(200);
    const url = mine.json().avatarUrl;

    const byColleague = await upload(ws.lead, target.agentId, 'image/webp', WEBP);
    expect(byColleague.statusCode).toBe(403);
    const removeByColleague = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/agents/${target.agentId}/avatar`,
      headers: ws.agent.headers,
    });
    expect(removeByColleague.statusCode).toBe(403);
    const byOtherWorkspaceAdmin = await upload(other.admin, target.agentId, 'image/webp', WEBP);
    expect(byOtherWorkspaceAdmin.statusCode).toBe(404);
    expect(await avatarOf(target)).toBe(url);

    const byAdmin = await upload(ws.admin, target.agentId, 'image/webp', WEBP);
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json().avatarUrl).toMatch(/\.webp$/);

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/agents/${target.agentId}/avatar`,
      headers: target.headers,
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().avatarUrl).toBeNull();
    expect(await avatarOf(target)).toBeNull();

    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: ws.admin.headers });
    const actions = (audit.json().items as { action: string; targetId: string }[])
      .filter((e) => String(e.targetId) === String(target.agentId))
      .map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.avatar_changed', 'agent.avatar_removed']));
  });

  it("the shopper's widget receives the replying agent's avatar with the reply", async () => {
    const agent = ws.admin;
    const up = await upload(agent, agent.agentId, 'image/png', PNG);
    const avatarUrl = up.json().avatarUrl as string;

    const session = await t.app.inject({
      method: 'POST',
      url: `/api/v1/widget/${ws.slug}/session`,
      payload: {},
    });
    const { token } = session.json() as { token: string };
    const sock = new WebSocket(`${base.replace('http', 'ws')}/api/v1/widget/${ws.slug}/socket`, {
      headers: { origin: 'https://shop.example' },
    });
    const frames: { type: string; message?: { text: string; author: unknown } }[] = [];
    sock.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
    await new Promise((resolve, reject) => {
      sock.once('open', resolve);
      sock.once('error', reject);
    });
    sock.send(JSON.stringify({ type: 'hello', token }));
    await expect.poll(() => frames.some((f) => f.type === 'ready'), { timeout: 10_000 }).toBe(true);
    sock.send(JSON.stringify({ type: 'message', clientId: 'client-avatar1', text: 'who am I talking to?' }));
    await expect.poll(() => frames.some((f) => f.type === 'ack'), { timeout: 10_000 }).toBe(true);

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?channel=chat',
      headers: agent.headers,
    });
    // The subject is the first line (the preview may already be a chat bot's answer).
    const ticketId = (list.json().items as { id: number; subject: string }[]).find((x) =>
      x.subject.includes('who am I talking to'),
    )!.id;
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: agent.headers,
      payload: { body: 'You are talking to me, with my picture' },
    });
    expect(reply.statusCode).toBeLessThan(300);
    const pushed = () =>
      frames.find((f) => f.type === 'message' && f.message?.text.includes('with my picture'));
    await expect.poll(pushed, { timeout: 15_000 }).toBeTruthy();
    expect(pushed()!.message!.author).toEqual({ name: 'admin of Avatar Shop', avatarUrl });
    sock.close();

    // And the history a reloaded widget gets carries it too.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/widget/${ws.slug}/session`,
      payload: { token },
    });
    const fromAgent = (again.json().messages as { text: string; author: { avatarUrl: string } }[]).find((m) =>
      m.text.includes('with my picture'),
    );
    expect(fromAgent?.author.avatarUrl).toBe(avatarUrl);
  });
});
