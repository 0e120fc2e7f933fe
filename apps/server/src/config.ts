import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseDuration, parseDurationList } from './durations.js';

/** The repository root, two levels above this package (apps/server). */
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const apiKeyList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .min(16, 'each key must have at least 16 characters')
          .regex(/^[\x21-\x7e]+$/, 'keys are visible ASCII without spaces'),
      )
      .min(1, 'list at least one key'),
  );

const duration = (units: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: `must be a number with unit ${units}` });
    return ms ?? 0;
  });

const durationList = z.string().transform((text, ctx) => {
  const list = parseDurationList(text);
  if (list === undefined) ctx.addIssue({ code: 'custom', message: 'must be comma-separated durations (ms, s, m, h)' });
  return list ?? [];
});

const secretsKey = z.string().transform((text, ctx) => {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64-encoded' });
  return key;
});

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

const ConfigSchema = z.object({
  NODE_ENV: z.string().default('development'),
  EMBEDDED_DATABASE: flag,
  PORT: int(0, 65535).default(8001),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
  ADMIN_API_KEYS: apiKeyList.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  DB_POOL_MAX: int(1, 1000).default(10),
  DB_CONNECT_TIMEOUT_MS: int(100, 600_000).default(3000),
  DB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
  DB_LOCK_TIMEOUT_MS: int(100, 600_000).default(3000),
  DB_PREPARED_STATEMENTS: z.enum(['named', 'unnamed']).default('named'),
  DATABASE_READ_URL: z.string().url('must be a postgres:// URL').optional(),
  DATABASE_LISTEN_URL: z.string().url('must be a postgres:// URL').optional(),
  SHUTDOWN_TIMEOUT_MS: int(100, 60_000).default(8000),
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  WEB_CONCURRENCY: int(1, 64).default(1),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.enum(['true', 'false']).default('false'),
  WEBHOOK_RETRY_DELAYS: durationList.default('5s,5m,30m,2h,5h,10h,10h'),
  WEBHOOK_TIMEOUT: duration('ms, s, m or h').default('10s'),
  WEBHOOK_SECRETS_KEY: secretsKey.optional(),
  WEBHOOK_CONCURRENCY: int(0, 100).default(8),
  EVENT_RETENTION: duration('ms, s, m, h or d').default('90d'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url('must be an http(s):// URL').optional(),
  OTEL_SERVICE_NAME: z.string().default('usermeta'),
});

export type Config = {
  /** NODE_ENV=production: no silent development defaults (see loadConfig). */
  production: boolean;
  port: number;
  host: string;
  /** Unset: start the embedded PostgreSQL with its data in `dataDir`. */
  databaseUrl: string | undefined;
  /** A read replica (or a pooler in front of one) for reads; unset: everything reads the primary. */
  databaseReadUrl: string | undefined;
  /** Unset: generate one key and keep it in `dataDir`. */
  adminApiKeys: string[] | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  dataDir: string;
  db: {
    poolMax: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    /** `unnamed` for a transaction-mode pooler (PgBouncer < 1.21). */
    preparedStatements: 'named' | 'unnamed';
    /** A direct (not pooled) URL for LISTEN; unset: DATABASE_URL. */
    listenConnectionString: string | undefined;
  };
  shutdownTimeoutMs: number;
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  webConcurrency: number;
  webhooks: WebhookConfig;
  /** How long change events (and so history) are kept. */
  eventRetentionMs: number;
  /** Set when OTEL_EXPORTER_OTLP_ENDPOINT is: OpenTelemetry traces are exported there; unset, none are made. */
  tracing: TracingConfig | undefined;
};

export type TracingConfig = {
  /** The collector's base URL; spans go to `<endpoint>/v1/traces` (OTLP/HTTP, JSON). */
  endpoint: string;
  /** OTEL_SERVICE_NAME [usermeta]. */
  serviceName: string;
};

export type WebhookConfig = {
  allowPrivateNetworks: boolean;
  retryDelaysMs: number[];
  timeoutMs: number;
  /** Unset: generated once and kept in `dataDir`. */
  secretsKey: Buffer | undefined;
  /** Deliveries in flight per process; 0: this process only queues them (others deliver). */
  concurrency: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose empty value means something: `WEBHOOK_RETRY_DELAYS=` is no retries at all. */
const EMPTY_IS_A_VALUE = new Set(['WEBHOOK_RETRY_DELAYS']);

/** The only reader of the environment: validates everything at once and says all that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A variable set to '' is unset (`PORT=` in an env file): its default, never '' read as 0 or
  // a value; but where '' is a documented value of its own (no retries), it is kept.
  const given = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => value !== '' || EMPTY_IS_A_VALUE.has(name)),
  );
  const parsed = ConfigSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  if (c.EMBEDDED_DATABASE && c.DATABASE_URL) {
    throw new ConfigError(['EMBEDDED_DATABASE: set either DATABASE_URL or EMBEDDED_DATABASE=true, not both']);
  }
  if (production && !c.DATABASE_URL && !c.EMBEDDED_DATABASE) {
    throw new ConfigError([
      'DATABASE_URL: required when NODE_ENV=production. Without it the server would start a private ' +
        'embedded PostgreSQL in a local folder, whose data a redeploy loses. Set DATABASE_URL, or ' +
        'EMBEDDED_DATABASE=true to run the embedded database on purpose.',
    ]);
  }
  return {
    production,
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    databaseReadUrl: c.DATABASE_READ_URL,
    adminApiKeys: c.ADMIN_API_KEYS,
    logLevel: c.LOG_LEVEL,
    dataDir: c.DATA_DIR,
    db: {
      poolMax: c.DB_POOL_MAX,
      connectTimeoutMs: c.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: c.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: c.DB_LOCK_TIMEOUT_MS,
      preparedStatements: c.DB_PREPARED_STATEMENTS,
      listenConnectionString: c.DATABASE_LISTEN_URL,
    },
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    http: {
      headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: c.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    webConcurrency: c.WEB_CONCURRENCY,
    webhooks: {
      allowPrivateNetworks: c.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
      retryDelaysMs: c.WEBHOOK_RETRY_DELAYS,
      timeoutMs: c.WEBHOOK_TIMEOUT,
      secretsKey: c.WEBHOOK_SECRETS_KEY,
      concurrency: c.WEBHOOK_CONCURRENCY,
    },
    eventRetentionMs: c.EVENT_RETENTION,
    tracing: c.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: c.OTEL_SERVICE_NAME }
      : undefined,
  };
}
