import type { Logger } from 'pino';
import type { TracingSettings } from '../config.ts';
import type { Tracer } from './tracer.ts';

export type { Tracer };

let active: Tracer | null = null;

/** The running tracer, or null when tracing is off (the common case). */
export const tracer = (): Tracer | null => active;

export async function startTracing(
  settings: TracingSettings | null,
  log: Pick<Logger, 'info' | 'warn'>,
  serviceVersion: string,
): Promise<Tracer | null> {
  if (!settings || active) return active;
  const { createOtelTracer } = await import('./tracing-otel.ts');
  active = await createOtelTracer(settings, log, serviceVersion);
  log.info({ protocol: settings.protocol }, 'OpenTelemetry tracing on: exporting spans over OTLP/HTTP');
  return active;
}

export async function stopTracing(): Promise<void> {
  const t = active;
  active = null;
  await t?.shutdown();
}
