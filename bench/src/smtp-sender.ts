import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

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

/**
 * One SMTP client connection with what a sending MTA does and nothing more: EHLO once, then per message
 * MAIL FROM, RCPT TO and DATA pipelined (the server offers PIPELINING), the dot-stuffed message, and the
 * server's answer. A full client library composing each message cost the shared machine ~0.4 ms of CPU
 * per email, which the server under test would otherwise lose.
 */
function connect(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  let buffered = '';
  let waiting: { need: number; resolve: (codes: string[]) => void; reject: (err: Error) => void } | null =
    null;
  const replies: string[] = [];
  const flush = () => {
    while (waiting && replies.length >= waiting.need) {
      const w = waiting;
      waiting = null;
      w.resolve(replies.splice(0, w.need));
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let i = buffered.indexOf('\r\n');
    while (i >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 2);
      // "250-…" continues a multi-line reply; "250 …" ends it.
      if (line[3] !== '-') replies.push(line);
      i = buffered.indexOf('\r\n');
    }
    flush();
  });
  socket.on('error', (err) => waiting?.reject(err));
  socket.on('close', () => waiting?.reject(new Error('the server closed the connection')));
  /** The next `need` replies (their last lines). */
  const read = (need: number) =>
    new Promise<string[]>((resolve, reject) => {
      waiting = { need, resolve, reject };
      flush();
    });
  return {
    socket,
    read,
    write: (data: string) => socket.write(data),
    ready: new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    }),
  };
}

/** Lines starting with a dot get a second one (RFC 5321 §4.5.2); the body ends with CRLF.CRLF. */
const dotStuff = (raw: string) => `${raw.replace(/\r\n\./g, '\r\n..').replace(/(\r\n)?$/, '\r\n')}.\r\n`;

async function send(job: SmtpSendJob): Promise<SmtpSendOutcome> {
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const body = dotStuff(job.template);
  const started = performance.now();
  const stopAt = started + job.seconds * 1000;
  const gap = job.rate ? 1000 / job.rate : 0;
  const sender = async () => {
    const c = connect(job.port);
    await c.ready;
    await c.read(1); // 220 greeting
    c.write('EHLO bench.example\r\n');
    await c.read(1);
    for (;;) {
      const n = next++;
      // Paced: delivery n is due at n × gap; a connection that fell behind sends at once.
      const due = started + n * gap;
      if (due >= stopAt || performance.now() >= stopAt) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = String(n + 1).padStart(6, '0');
      c.write(`MAIL FROM:<shopper-${id}@customer.example>\r\nRCPT TO:<${job.to}>\r\nDATA\r\n`);
      const [mail, rcpt, data] = await c.read(3);
      if (!mail?.startsWith('250') || !rcpt?.startsWith('250') || !data?.startsWith('354')) {
        refused++;
        // Whatever was accepted of this transaction is dropped before the next one.
        if (data?.startsWith('354')) {
          c.write('.\r\n');
          await c.read(1);
        }
        c.write('RSET\r\n');
        await c.read(1);
        continue;
      }
      c.write(body.replaceAll('{{n}}', id));
      const [done] = await c.read(1);
      if (done?.startsWith('250')) accepted++;
      else refused++;
    }
    c.write('QUIT\r\n');
    await c.read(1).catch(() => []);
    c.socket.end();
  };
  await Promise.all(Array.from({ length: job.connections }, sender));
  return { accepted, refused, ms: performance.now() - started };
}

if (parentPort) {
  const out = await send(workerData as SmtpSendJob);
  parentPort.postMessage(out);
}
