import type { IncomingMessage, RequestListener } from 'node:http';

/**
 * Optional OpenTelemetry tracing (docs/operations.md "Tracing"). Off unless OTEL_* variables ask for it;
 * then `startTracing` loads the SDK (tracing-otel.ts) on demand, so a node without tracing never imports
 * it and pays one null check per request, statement and job.
 */
export interface Tracer {
  /** Wraps the HTTP server's request listener: one SERVER span per request, current while it is handled. */
  http(listener: RequestListener): RequestListener;
  /** Names a request's span after the route Fastify matched (never the raw path: it can hold tokens). */
  route(req: IncomingMessage, route: string | undefined): void;
  /** A CLIENT span for one statement, only inside a request or job span (the job poller is not traced). */
  db<T>(text: string, kind: 'postgres' | 'pglite', run: () => Promise<T>): Promise<T>;
  /** A root CONSUMER span around one job run. */
  job<T>(name: string, attributes: Record<string, string | number>, run: () => Promise<T>): Promise<T>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}
