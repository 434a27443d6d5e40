import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { LoadJob, LoadOutcome, PlainRequest } from './load.ts';
import { summarize } from './stats.ts';

/**
 * Runs in its own thread so the load generator never shares an event loop with the server it
 * measures (both still share the machine's cores, as they would with any local load generator).
 */

async function runCannon(job: Extract<LoadJob, { kind: 'cannon' }>, seconds: number, record: boolean) {
  const latencies: number[] = [];
  let firstBad: string | undefined;
  const started = process.hrtime.bigint();
  let finish: (err: Error | null, r: autocannon.Result) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, r) => (err ? reject(err) : resolve(r));
  });
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      duration: seconds,
      idReplacement: job.idReplacement ?? false,
      requests: job.requests.map((r) => ({
        method: r.method as 'GET',
        path: r.path,
        headers: r.headers,
        body: r.body,
        onResponse: (status: number, body: string) => {
          if ((status < 200 || status >= 300) && !firstBad)
            firstBad = `${status} ${r.method} ${r.path}: ${body.slice(0, 300)}`;
        },
      })),
    },
    (err, r) => finish(err, r),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    if (record) latencies.push(ms);
  });
  const result = await done;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    requests: latencies.length,
    seconds: elapsed,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    firstBad,
    latencies,
  };
}

function send(agent: http.Agent, base: URL, r: PlainRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path: r.path, method: r.method, headers: r.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Each lane repeats "open a page": the step's requests go out together and the step ends with the last answer. */
async function runSteps(job: Extract<LoadJob, { kind: 'steps' }>, seconds: number, record: boolean) {
  const base = new URL(job.url);
  const width = Math.max(...job.steps.map((s) => s.length));
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency * width });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let firstBad: string | undefined;
  let next = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (Date.now() < deadline) {
        const step = job.steps[next++ % job.steps.length]!;
        const t0 = process.hrtime.bigint();
        try {
          const answers = await Promise.all(step.map((r) => send(agent, base, r)));
          for (const [i, a] of answers.entries())
            if (a.status < 200 || a.status >= 300) {
              non2xx++;
              firstBad ??= `${a.status} ${step[i]!.method} ${step[i]!.path}: ${a.body.slice(0, 300)}`;
            }
        } catch (err) {
          errors++;
          firstBad ??= String(err);
        }
        if (record) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  agent.destroy();
  return {
    requests: latencies.length,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    errors,
    non2xx,
    firstBad,
    latencies,
  };
}

async function main(job: LoadJob): Promise<LoadOutcome> {
  const run = job.kind === 'cannon' ? runCannon : runSteps;
  if (job.warmupSeconds > 0) {
    const w = await run(job as never, job.warmupSeconds, false);
    if (w.errors || w.non2xx)
      return {
        ok: false,
        error: `warm-up failed: ${w.errors} errors, ${w.non2xx} non-2xx (${w.firstBad ?? 'no detail'})`,
      };
  }
  const r = await run(job as never, job.seconds, true);
  if (r.errors || r.non2xx)
    return {
      ok: false,
      error: `${r.errors} errors, ${r.non2xx} non-2xx responses (${r.firstBad ?? 'no detail'})`,
    };
  if (!r.latencies.length) return { ok: false, error: 'no request completed' };
  return {
    ok: true,
    count: r.requests,
    seconds: r.seconds,
    rate: r.requests / r.seconds,
    latency: summarize(r.latencies),
  };
}

main(workerData as LoadJob).then(
  (out) => parentPort!.postMessage(out),
  (err: unknown) => parentPort!.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) }),
);
