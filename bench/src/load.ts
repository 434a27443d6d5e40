import { Worker } from 'node:worker_threads';
import type { LatencySummary } from './stats.ts';

export interface PlainRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export type LoadJob =
  | {
      /** autocannon, cycling through `requests` on each connection. */
      kind: 'cannon';
      url: string;
      connections: number;
      seconds: number;
      warmupSeconds: number;
      requests: PlainRequest[];
      /** Replace `[<id>]` in bodies with a fresh id per request. */
      idReplacement?: boolean;
    }
  | {
      /** Node's http client: each step's requests run together; latency is per step. */
      kind: 'steps';
      url: string;
      concurrency: number;
      seconds: number;
      warmupSeconds: number;
      steps: PlainRequest[][];
    };

export type LoadOutcome =
  | { ok: true; count: number; seconds: number; rate: number; latency: LatencySummary }
  | { ok: false; error: string };

export class ScenarioError extends Error {}

/** Runs one load job in a worker thread; any error or non-2xx answer fails the scenario. */
export function runLoad(job: LoadJob): Promise<Extract<LoadOutcome, { ok: true }>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: job });
    let settled = false;
    worker.once('message', (out: LoadOutcome) => {
      settled = true;
      void worker.terminate();
      if (out.ok) resolve(out);
      else reject(new ScenarioError(out.error));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load worker exited with code ${code}`));
    });
  });
}
