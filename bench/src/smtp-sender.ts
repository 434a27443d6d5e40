import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';

/**
 * The sending MTAs of the smtp-ingest scenario, in their own thread so they never share the server's
 * event loop (they still share the machine's two cores). `rate` paces the deliveries evenly across the
 * connections (a steady stream of mail); null sends back to back as fast as the server answers.
 */
export interface SmtpSendJob {
  port: number;
  connections: number;
  seconds: number;
  rate: number | null;
  /** The raw message with `{{n}}` where each delivery's number goes. */
  template: string;
  to: string;
}
export interface SmtpSendOutcome {
  accepted: number;
  refused: number;
  /** Milliseconds the sending took, first delivery to last answer. */
  ms: number;
}

async function send(job: SmtpSendJob): Promise<SmtpSendOutcome> {
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const started = performance.now();
  const stopAt = started + job.seconds * 1000;
  const gap = job.rate ? 1000 / job.rate : 0;
  const transports: ReturnType<typeof nodemailer.createTransport>[] = [];
  const sender = async () => {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: job.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    transports.push(t);
    for (;;) {
      const n = next++;
      // Paced: delivery n is due at n × gap; a connection that fell behind sends at once.
      const due = started + n * gap;
      if (due >= stopAt || performance.now() >= stopAt) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = String(n + 1).padStart(6, '0');
      try {
        const info = await t.sendMail({
          envelope: { from: `shopper-${id}@customer.example`, to: [job.to] },
          raw: job.template.replaceAll('{{n}}', id),
        });
        if (/^250/.test(String(info.response))) accepted++;
        else refused++;
      } catch {
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: job.connections }, sender));
  for (const t of transports) t.close();
  return { accepted, refused, ms: performance.now() - started };
}

if (parentPort) {
  const out = await send(workerData as SmtpSendJob);
  parentPort.postMessage(out);
}
