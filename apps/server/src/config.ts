import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads process.env. Every setting has a description, a sensitivity flag and a
 * local default, so `npm start` works with no configuration at all.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const settings = {
  PORT: { schema: z.coerce.number().int().min(0).max(65535), default: '3000', description: 'HTTP port' },
  HOST: { schema: z.string().min(1), default: '0.0.0.0', description: 'Interface to listen on' },
  PUBLIC_URL: {
    schema: z.url().optional(),
    default: undefined,
    description: 'Public base URL used in emails and links (defaults to http://localhost:PORT)',
  },
  SHOPDESK_DATA_DIR: {
    schema: z.string().min(1),
    default: './data',
    description: 'Directory for the embedded database, attachments and the generated secret key',
  },
  DATABASE_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    default: undefined,
    description:
      'PostgreSQL connection string; when unset the embedded PGlite database in the data dir is used',
    sensitive: true,
  },
  DATABASE_POOL_SIZE: {
    schema: z.coerce.number().int().min(1).max(200),
    // Below WORKER_CONCURRENCY on purpose: workers and requests queue for it in turn, and a 2-core
    // database runs 20 statements at once faster than 32 (the ingest bench, docs/email.md).
    default: '20',
    description: 'PostgreSQL pool size per node',
  },
  PGLITE_SHARED_BUFFERS: {
    schema: z.string().regex(/^\d+(kB|MB|GB)$/, 'must look like 16MB'),
    default: '16MB',
    description: 'shared_buffers for the embedded database (memory vs. cache hit rate)',
  },
  FILE_STORE: {
    schema: z.enum(['auto', 'local', 'postgres', 's3']),
    default: 'auto',
    description:
      'Where attachments, avatars and help-center images are stored: auto = in PostgreSQL when DATABASE_URL is set (every node serves every file), else the data dir; local = the data dir (one node only); postgres = the database; s3 = an S3-compatible bucket (S3_* settings)',
  },
  S3_BUCKET: {
    schema: z.string().min(3).optional(),
    default: undefined,
    description: 'Bucket for FILE_STORE=s3 (required then)',
  },
  S3_ENDPOINT: {
    schema: z.url().optional(),
    default: undefined,
    description: 'Endpoint of an S3-compatible service (MinIO, Cloudflare R2, Ceph …); unset = AWS S3',
  },
  S3_REGION: { schema: z.string().min(1), default: 'us-east-1', description: 'Region of the bucket' },
  S3_FORCE_PATH_STYLE: {
    schema: bool,
    default: 'false',
    description:
      'Address the bucket as ENDPOINT/BUCKET (MinIO and most self-hosted services) instead of BUCKET.ENDPOINT',
  },
  S3_ACCESS_KEY_ID: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'Access key for the bucket; unset = the AWS SDK default chain (instance role …)',
  },
  S3_SECRET_ACCESS_KEY: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'Secret key for S3_ACCESS_KEY_ID',
    sensitive: true,
  },
  S3_PREFIX: {
    schema: z.string().regex(/^([\w.-]+\/)*$/, 'must be empty or end with /, e.g. shopdesk/'),
    default: '',
    description: 'Key prefix inside the bucket',
  },
  SECRET_KEY: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    default: undefined,
    description:
      'Master key: per-purpose keys for signing links and encrypting stored credentials are derived from it (HKDF); generated into the data dir when unset',
    sensitive: true,
  },
  SECRET_KEYS_PREVIOUS: {
    schema: z.string().optional(),
    default: undefined,
    description:
      'Comma-separated earlier master keys, kept during a key rotation so what they signed or encrypted still verifies and decrypts (see docs/operations.md)',
    sensitive: true,
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'pino log level',
  },
  RUN_WORKERS: { schema: bool, default: 'true', description: 'Run the job worker in this process' },
  RETAIN_FINISHED_JOBS_DAYS: {
    schema: z.coerce.number().min(0),
    default: '7',
    description:
      'Finished (done) jobs are deleted after this many days, with their unique keys; 0 keeps them',
  },
  RETAIN_WEBHOOK_DELIVERIES_DAYS: {
    schema: z.coerce.number().min(0),
    default: '30',
    description:
      'Delivered automation webhooks (their job rows) are deleted after this many days; 0 keeps them',
  },
  WEBHOOK_DISABLE_AFTER_FAILURES: {
    schema: z.coerce.number().int().min(1),
    default: '10',
    description:
      'An outgoing webhook subscription is switched off after this many deliveries in a row failed (each after all its retries) …',
  },
  WEBHOOK_DISABLE_AFTER_HOURS: {
    schema: z.coerce.number().min(0),
    default: '24',
    description: '… and only once it has been failing for at least this many hours (docs/integrations.md)',
  },
  RETAIN_INBOUND_DAYS: {
    schema: z.coerce.number().min(0),
    default: '30',
    description:
      'Processed inbound payloads (raw email, store webhooks) and their ingest log rows are deleted after this many days; 0 keeps them',
  },
  RETAIN_SENT_MAIL_DAYS: {
    schema: z.coerce.number().min(0),
    default: '30',
    description:
      'The raw MIME of sent mail is dropped after this many days (the row stays for threading); 0 keeps it',
  },
  EVENT_REPLAY_AFTER_SECONDS: {
    schema: z.coerce.number().min(0.1).max(3600),
    default: '60',
    description:
      'Age after which an event still in the outbox is taken to belong to a dead node and is replayed (PostgreSQL)',
  },
  REACTIONS: {
    schema: z.enum(['after-response', 'inline']),
    default: 'after-response',
    description:
      'When the reactions to a ticket created through the API (SLA clocks, routing, automations, urgency) run: after the response, from the outbox, a few at a time (after-response), or before it (inline)',
  },
  WORKER_CONCURRENCY: {
    schema: z.coerce.number().int().min(1).max(64),
    default: '32',
    description: 'Jobs run at once per node',
  },
  JOB_LEASE_SECONDS: {
    schema: z.coerce.number().int().min(2).max(3600),
    default: '60',
    description:
      "How long a job's claim holds before another node may take the job over (a running handler renews it every third of it): the longest a dead node's jobs wait",
  },
  SEED_DEMO: {
    schema: bool.optional(),
    default: undefined,
    description:
      'Seed the "Demo Outfitters" workspace on an empty database at start and serve its shop page at /demo/shop; unset = true for the embedded database, false with DATABASE_URL',
  },
  BODY_LIMIT_BYTES: {
    schema: z.coerce.number().int().min(1024),
    default: String(10 * 1024 * 1024),
    description: 'Largest accepted request body',
  },
  SESSION_TTL_HOURS: {
    schema: z.coerce.number().int().min(1),
    default: '336',
    description: 'Session lifetime',
  },
  PRESENCE_GRACE_SECONDS: {
    schema: z.coerce.number().min(0.5).max(86_400),
    default: '120',
    description:
      'An agent with no live dashboard connection on any node for this long is treated as offline by routing (their chats are re-routed) until they reconnect',
  },
  PRESENCE_HEARTBEAT_SECONDS: {
    schema: z.coerce.number().min(0.1).max(3600),
    default: '30',
    description: 'How often each node records its agents’ live connections (kept below the grace period)',
  },
  COOKIE_SECURE: {
    schema: bool.optional(),
    default: undefined,
    description:
      'Mark cookies Secure (sent over HTTPS only); unset = true when PUBLIC_URL starts with https://, and false with an https PUBLIC_URL is refused',
  },
  TRUST_PROXY: {
    // A client can write any X-Forwarded-For; believing it unconditionally let anyone dodge the per-IP
    // limits (order-number guessing, chat floods). Trust only the proxies the operator names.
    schema: z
      .string()
      .regex(
        /^(true|false|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
        'must be true, false or a list of proxy addresses/CIDRs',
      )
      .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v)),
    default: 'false',
    description:
      'Which proxies may set X-Forwarded-For (the client IP used by rate limits): false, true (any), or addresses/CIDRs such as 127.0.0.1,10.0.0.0/8',
  },
  RATE_LIMIT_PER_MINUTE: {
    schema: z.coerce.number().int().min(1),
    default: '600',
    description: 'API requests per minute per token or signed-in agent before 429',
  },
  RATE_LIMIT_PUBLIC_PER_MINUTE: {
    schema: z.coerce.number().int().min(1),
    default: '600',
    description:
      'Anonymous API requests (widget, avatars, sign-in page calls) per minute per client network (IPv4 address or IPv6 /64) before 429; each public route also has its own policy (docs/security.md)',
  },
  LOGIN_ATTEMPTS_PER_15_MIN: {
    schema: z.coerce.number().int().min(1),
    default: '10',
    description: 'Failed logins per email+IP before throttling',
  },
  METRICS_TOKEN: {
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    default: undefined,
    description:
      'Bearer token Prometheus sends to scrape GET /metrics on the main port (Authorization: Bearer …); with neither this nor METRICS_LISTEN set, /metrics is off',
    sensitive: true,
  },
  METRICS_REFRESH_SECONDS: {
    schema: z.coerce.number().min(0.1).max(3600),
    default: '15',
    description:
      'How often the gauges read from the database (queue depth and lag, outbox, intake backlog) are refreshed; a scrape itself runs no query',
  },
  METRICS_LISTEN: {
    schema: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464')
      .optional(),
    default: undefined,
    description:
      'Serve /metrics on this separate host:port (e.g. 127.0.0.1:9464, a private interface) instead of the public port; no token is asked there',
  },
  DASHBOARD_DIR: {
    schema: z.string().optional(),
    default: undefined,
    description: 'Built dashboard to serve at / (defaults to apps/dashboard/dist)',
  },
  EMAIL_SMTP_ENABLED: {
    schema: bool,
    default: 'true',
    description: 'Run the built-in SMTP server that receives mail for the email inboxes',
  },
  EMAIL_SMTP_PORT: {
    schema: z.coerce.number().int().min(0).max(65535),
    default: '2525',
    description: 'Port of the built-in SMTP server (25 behind a firewall rule or port forward in production)',
  },
  EMAIL_SMTP_HOST: {
    schema: z.string().min(1),
    default: '0.0.0.0',
    description: 'Interface the SMTP server listens on',
  },
  EMAIL_SMTP_HOSTNAME: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'Name the SMTP server greets with (defaults to the machine hostname)',
  },
  EMAIL_TLS_CERT_PATH: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'PEM certificate for STARTTLS on the SMTP server (STARTTLS is offered only when set)',
  },
  EMAIL_TLS_KEY_PATH: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'PEM private key for EMAIL_TLS_CERT_PATH',
    sensitive: true,
  },
  EMAIL_MAX_BYTES: {
    schema: z.coerce.number().int().min(1024),
    default: String(25 * 1024 * 1024),
    description: 'Largest inbound email accepted (SMTP answers 552 above it)',
  },
  EMAIL_PARSE_BUDGET_BYTES: {
    schema: z.coerce.number().int().min(1024),
    default: String(32 * 1024 * 1024),
    description:
      'Raw inbound email bytes parsed at once per node (a larger email is parsed alone); bounds the memory of a burst of big emails',
  },
  EMAIL_RELAY_URL: {
    schema: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    default: undefined,
    description:
      'Outbound SMTP relay, e.g. smtp://user:pass@smtp.example.com:587; unset (and no relay on the inbox) = local dev mailbox',
    sensitive: true,
  },
  EMAIL_DKIM_DOMAIN: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'Sign outbound mail with DKIM for this domain (needs selector and key too)',
  },
  EMAIL_DKIM_SELECTOR: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'DKIM selector',
  },
  EMAIL_DKIM_KEY_PATH: {
    schema: z.string().min(1).optional(),
    default: undefined,
    description: 'PEM private key for DKIM signing',
    sensitive: true,
  },
  EMAIL_SENDER_LIMIT_PER_HOUR: {
    schema: z.coerce.number().int().min(1),
    default: '60',
    description:
      'Emails one sender may open or add to tickets per hour; more are recorded and rejected (floods, loops)',
  },
  EMAIL_VERIFY_SENDERS: {
    schema: bool,
    default: 'true',
    description:
      'Check SPF, DKIM, DMARC and ARC of inbound mail (mailauth); unverified mail cannot thread by [#id] alone or add followers',
  },
  EMAIL_TRUSTED_AUTHSERV_IDS: {
    schema: z.string(),
    default: '',
    description:
      'Comma-separated authserv-ids (e.g. mx.google.com) whose Authentication-Results header is trusted for IMAP/webhook mail; empty trusts none',
  },
  EMAIL_IMAP_POLL_SECONDS: {
    schema: z.coerce.number().int().min(5),
    default: '60',
    description: 'Safety-net IMAP poll interval (new mail normally arrives at once through IDLE)',
  },
  TWILIO_API_URL: {
    schema: z.url(),
    default: 'https://api.twilio.com',
    description:
      "Base URL of Twilio's REST API for SMS and voice (docs/sms-voice.md); change only for a test double or a regional edge",
  },
  META_GRAPH_URL: {
    schema: z.url(),
    default: 'https://graph.facebook.com',
    description:
      "Base URL of Meta's Graph API for WhatsApp, Messenger and Instagram (docs/messaging-apps.md); change only for a test double",
  },
  AFTERSHIP_API_URL: {
    schema: z.url(),
    default: 'https://api.aftership.com',
    description:
      "Base URL of AfterShip's tracking API for polling (docs/tracking.md); change only for a test double",
  },
  EASYPOST_API_URL: {
    schema: z.url(),
    default: 'https://api.easypost.com',
    description:
      "Base URL of EasyPost's API for tracker polling (docs/tracking.md); change only for a test double",
  },
  SHIPPO_API_URL: {
    schema: z.url(),
    default: 'https://api.goshippo.com',
    description:
      "Base URL of Shippo's API for tracking polling (docs/tracking.md); change only for a test double",
  },
  OUTBOUND_ALLOW_CIDRS: {
    schema: z.string().optional(),
    default: undefined,
    description:
      'Comma-separated private ranges (e.g. 10.1.0.0/16) that store APIs, webhooks, SMTP relays and IMAP servers of every workspace may reach; for development and tests — prefer the per-workspace allow-list',
  },
} satisfies Record<
  string,
  { schema: z.ZodType; default: string | undefined; description: string; sensitive?: boolean }
>;

type Settings = typeof settings;
type Derived = 'SEED_DEMO' | 'COOKIE_SECURE';
export type Config = { [K in Exclude<keyof Settings, Derived>]: z.output<Settings[K]['schema']> } & {
  /** Resolved at load: unset means true for the embedded database only. */
  SEED_DEMO: boolean;
  /** Resolved at load: unset means true for an https PUBLIC_URL. */
  COOKIE_SECURE: boolean;
  /** TRUST_PROXY was set by the operator (false by choice, not by default): no forwarded-header warning. */
  trustProxySet: boolean;
  dataDir: string;
  secretKey: string;
  /** Earlier master keys: they only decrypt and verify (SECRET_KEYS_PREVIOUS, or the data dir's file). */
  previousSecretKeys: string[];
  publicUrl: string;
};

export class ConfigError extends Error {}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, def] of Object.entries(settings)) {
    const raw = env[key] === '' ? undefined : (env[key] ?? def.default);
    const parsed = (def.schema as z.ZodType).safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(`${key}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (out.FILE_STORE === 's3' && !out.S3_BUCKET) problems.push('FILE_STORE=s3 needs S3_BUCKET');
  const https = typeof out.PUBLIC_URL === 'string' && out.PUBLIC_URL.startsWith('https:');
  if (out.COOKIE_SECURE === false && https)
    // Browsers would send the session cookie over plain http too; an https desk never needs that.
    problems.push(
      `COOKIE_SECURE=false with PUBLIC_URL=${out.PUBLIC_URL}: session cookies would travel unencrypted; remove COOKIE_SECURE (it follows PUBLIC_URL) or set it to true`,
    );
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const cfg = { ...out, ...overrides } as Config;
  cfg.SEED_DEMO ??= !cfg.DATABASE_URL;
  cfg.COOKIE_SECURE ??= https;
  cfg.trustProxySet ??= Boolean(env.TRUST_PROXY);
  cfg.dataDir = resolve(cfg.SHOPDESK_DATA_DIR);
  cfg.secretKey = cfg.SECRET_KEY ?? '';
  cfg.previousSecretKeys = (cfg.SECRET_KEYS_PREVIOUS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  cfg.publicUrl = (cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/$/, '');
  return cfg;
}

/**
 * Mistakes that are only mistakes for a serving node (the CLI's one-off commands may run without them):
 * checked by `start` before it touches the database.
 */
export function refuseUnsafeStart(cfg: Config): void {
  if (cfg.DATABASE_URL && !cfg.SECRET_KEY)
    throw new ConfigError(
      'DATABASE_URL is set but SECRET_KEY is not: each node would generate its own master key, and links, ' +
        'tokens and stored credentials made by one would fail on the others. Set the same SECRET_KEY on every ' +
        'node (`npx shopdesk rotate-secret --new-key` prints one; keep an existing data dir key with ' +
        'SECRET_KEY=$(cat data/secret.key)).',
    );
}

/** Test and CLI helpers read these without touching process.env elsewhere. */
export function envValue(
  name:
    | 'TEST_DATABASE_URL'
    | 'BENCH_DATABASE_URL'
    | 'SHOPDESK_TEST_DB'
    | 'SHOPDESK_SCREENSHOTS_DIR'
    | 'CI'
    | 'FUZZ_SEED'
    | 'FUZZ_RUNS'
    | 'FUZZ_ONLY',
): string | undefined {
  return process.env[name] || undefined;
}

export function readEnvFile(path = '.env'): void {
  if (!existsSync(path)) return;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m?.[1] && process.env[m[1]] === undefined) process.env[m[1]] = m[2]!.replace(/^['"]|['"]$/g, '');
  }
}

export type TracingSettings = { protocol: 'http/protobuf' | 'http/json' };

/**
 * OpenTelemetry tracing is off unless the standard OTEL_* variables ask for it: an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER=otlp.
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none keep it off. The exporter itself reads the rest
 * (headers, timeout, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER …) from the environment.
 */
export function tracingSettings(
  env: Record<string, string | undefined> = process.env,
): TracingSettings | null {
  const exporter = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true' || exporter === 'none') return null;
  if (exporter && exporter !== 'otlp')
    throw new ConfigError(
      `OTEL_TRACES_EXPORTER=${exporter}: Shopdesk exports traces over OTLP only; set OTEL_TRACES_EXPORTER=otlp (or leave it unset), or none to turn tracing off`,
    );
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && exporter !== 'otlp') return null;
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  )
    .trim()
    .toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json')
    throw new ConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: Shopdesk exports traces over OTLP/HTTP only; set http/protobuf (the default) or http/json and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port (4318)`,
    );
  return { protocol };
}
