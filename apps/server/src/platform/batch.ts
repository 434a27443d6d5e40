/**
 * Calls made in the same turn of the event loop share one `run` over all their inputs. The job worker
 * runs many jobs (and their event listeners) at once, so per-item reads and writes that would each be a
 * round trip become one statement for the lot — each statement costs the ingest path ~0.15 ms of Node
 * and ~0.1 ms of database CPU no matter how small it is.
 *
 * `run` must return one output per input, in input order. A failure fails every call of that batch.
 */
export function batcher<I, O>(run: (inputs: I[]) => Promise<O[]>, maxSize = 200): (input: I) => Promise<O> {
  const pending: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const mine = pending.splice(0, maxSize);
    if (pending.length) setImmediate(flush);
    run(mine.map((p) => p.input))
      .then((out) => {
        if (out.length !== mine.length) throw new Error(`batch returned ${out.length} of ${mine.length}`);
        for (const [i, p] of mine.entries()) p.resolve(out[i]!);
      })
      .catch((err: unknown) => {
        for (const p of mine) p.reject(err);
      });
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}
