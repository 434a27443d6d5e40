import type { IncomingMessage, RequestListener } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TracingSettings } from '../config.ts';
import type { Tracer } from './tracer.ts';

/**
 * The official SDK, wired by hand instead of through auto-instrumentation: the server is one esbuild
 * bundle (require hooks would not see its imports) and it already has one seam per kind — the request
 * listener, the Db wrapper and the job runner. The exporter, batch processor and sampler read the
 * standard OTEL_* variables themselves (endpoint, headers, timeout, OTEL_BSP_*, OTEL_TRACES_SAMPLER[_ARG]);
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the resource below.
 */
export async function createOtelTracer(
  settings: TracingSettings,
  log: Pick<Logger, 'warn'>,
  serviceVersion: string,
): Promise<Tracer> {
  // Imported here, not at the top: the server bundle keeps dependencies external, and a static import
  // would be hoisted into it and load the SDK on every start.
  const { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } = await import(
    '@opentelemetry/api'
  );
  const { OTLPTraceExporter: JsonExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { OTLPTraceExporter: ProtobufExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = await import(
    '@opentelemetry/resources'
  );
  const { BatchSpanProcessor, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const exporter = settings.protocol === 'http/json' ? new JsonExporter() : new ProtobufExporter();
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'shopdesk', 'service.version': serviceVersion }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  // Registers the AsyncLocalStorage context manager (a statement finds the request or job it runs in)
  // and the W3C trace-context propagator (a proxy's `traceparent` continues its trace).
  provider.register();
  const otel = provider.getTracer('shopdesk', serviceVersion);
  const requestSpans = new WeakMap<IncomingMessage, Span>();

  const fail = (span: Span, err: unknown) => {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  };

  return {
    http(listener: RequestListener): RequestListener {
      return (req, res) => {
        const parent = propagation.extract(ROOT_CONTEXT, req.headers);
        const method = req.method ?? 'GET';
        const span = otel.startSpan(
          method,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
          parent,
        );
        requestSpans.set(req, span);
        const ctx = trace.setSpan(parent, span);
        // Body chunks and 'close' are emitted from the socket, outside this call: bind them to the span.
        context.bind(ctx, req);
        context.bind(ctx, res);
        res.once('close', () => {
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          if (!res.writableFinished) span.setAttribute('shopdesk.aborted', true);
          span.end();
        });
        context.with(ctx, () => listener(req, res));
      };
    },
    route(req, route) {
      const span = requestSpans.get(req);
      if (!span || !route) return;
      span.setAttribute('http.route', route);
      span.updateName(`${req.method ?? 'GET'} ${route}`);
    },
    async db(text, kind, run) {
      if (!trace.getSpan(context.active())) return run();
      const operation =
        text
          .trimStart()
          .split(/[\s(;]/, 1)[0]
          ?.toUpperCase() || 'QUERY';
      return otel.startActiveSpan(
        operation,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'db.system.name': 'postgresql',
            'db.operation.name': operation,
            // Parameterised text only: values are sent apart and never recorded.
            'db.query.text': text.length > 2000 ? `${text.slice(0, 2000)}…` : text,
            ...(kind === 'pglite' ? { 'shopdesk.db.embedded': true } : {}),
          },
        },
        async (span) => {
          try {
            return await run();
          } catch (err) {
            fail(span, err);
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
    async job(name, attributes, run) {
      return otel.startActiveSpan(
        `job ${name}`,
        { kind: SpanKind.CONSUMER, root: true, attributes: { 'shopdesk.job.name': name, ...attributes } },
        ROOT_CONTEXT,
        async (span) => {
          try {
            return await run();
          } catch (err) {
            fail(span, err);
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
    async shutdown() {
      await provider.shutdown().catch((err: unknown) => log.warn({ err }, 'flushing the last spans failed'));
      // Unregister the globals too, so a later start (tests) can register afresh.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
