import WebSocket from 'ws';

export type Frame = {
  type: string;
  event?: string;
  ticketId?: number;
  agents?: { agentId: number; state: string }[];
  room?: string;
};

/** A socket that records frames and can wait for one matching a predicate. */
export async function connectRealtime(base: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime`, { headers });
  const frames: Frame[] = [];
  const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as Frame;
    frames.push(f);
    for (const w of [...waiters])
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
  });
  const waitFor = (pred: (f: Frame) => boolean, ms = 10_000) =>
    new Promise<Frame>((resolve, reject) => {
      const hit = frames.find(pred);
      if (hit) return resolve(hit);
      const timer = setTimeout(
        () => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames)}`)),
        ms,
      );
      waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitFor((f) => f.type === 'ready');
  return { ws, frames, waitFor, send: (f: unknown) => ws.send(JSON.stringify(f)), close: () => ws.close() };
}
