import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when nothing is set, then the defaults apply and the database and keys are left to the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8001,
      host: '127.0.0.1',
      databaseUrl: undefined,
      adminApiKeys: undefined,
      logLevel: 'info',
      db: {
        poolMax: 10,
        connectTimeoutMs: 3000,
        statementTimeoutMs: 5000,
        lockTimeoutMs: 3000,
        preparedStatements: 'named',
        listenConnectionString: undefined,
      },
      shutdownTimeoutMs: 8000,
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000 },
      webConcurrency: 1,
    });
    expect(config.dataDir).toMatch(/\/\.data$/);
  });

  it('when values are given, then they are parsed, and keys are split on commas and trimmed', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/usermeta',
      ADMIN_API_KEYS: ' key-one-0123456789abcdef , key-two-0123456789abcdef,',
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: '20',
      WEB_CONCURRENCY: '4',
    });
    expect(config.port).toBe(9000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/usermeta');
    expect(config.adminApiKeys).toEqual(['key-one-0123456789abcdef', 'key-two-0123456789abcdef']);
    expect(config.logLevel).toBe('warn');
    expect(config.db.poolMax).toBe(20);
    expect(config.webConcurrency).toBe(4);
  });

  it('when a variable is empty, then it counts as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', ADMIN_API_KEYS: '' })).toMatchObject({
      databaseUrl: undefined,
      adminApiKeys: undefined,
    });
    // Every one of them, numbers, flags, enums and durations included: '' is never 0 or an error.
    expect(
      loadConfig({
        PORT: '',
        HOST: '',
        LOG_LEVEL: '',
        DB_POOL_MAX: '',
        EMBEDDED_DATABASE: '',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: '',
        WEBHOOK_TIMEOUT: '',
        WEBHOOK_CONCURRENCY: '',
        DB_PREPARED_STATEMENTS: '',
      }),
    ).toEqual(loadConfig({}));
    // …but for the one whose empty value is documented: no retries.
    expect(loadConfig({ WEBHOOK_RETRY_DELAYS: '' }).webhooks.retryDelaysMs).toEqual([]);
  });

  it('when several values are wrong, then one error lists every problem', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        ADMIN_API_KEYS: 'short',
        DATABASE_URL: 'not a url',
        DB_POOL_MAX: '0',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'LOG_LEVEL', 'ADMIN_API_KEYS', 'DATABASE_URL', 'DB_POOL_MAX']) {
      expect(problems).toContain(name);
    }
    expect(problems).toContain('at least 16 characters');
    expect((error as ConfigError).message).toMatch(/^invalid configuration:\n {2}- /);
  });

  it('when a key has a space or the list has only commas, then it is refused', () => {
    expect(() => loadConfig({ ADMIN_API_KEYS: 'has a space in it 0123456789' })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_API_KEYS: ' , ,' })).toThrow(/at least one key/);
  });

  describe('in production', () => {
    it('when NODE_ENV=production and no DATABASE_URL, then it refuses, naming DATABASE_URL and the way out', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL: required when NODE_ENV=production/);
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/EMBEDDED_DATABASE=true/);
    });

    it('when the embedded database is asked for explicitly, then production may use it', () => {
      const config = loadConfig({ NODE_ENV: 'production', EMBEDDED_DATABASE: 'true' });
      expect(config).toMatchObject({ production: true, databaseUrl: undefined });
    });

    it('when a DATABASE_URL is given, then production starts with it', () => {
      const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db:5432/usermeta' });
      expect(config).toMatchObject({ production: true, databaseUrl: 'postgres://u:p@db:5432/usermeta' });
    });

    it('when both DATABASE_URL and EMBEDDED_DATABASE=true are set, then it refuses the ambiguity', () => {
      expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/usermeta', EMBEDDED_DATABASE: 'true' })).toThrow(
        /not both/,
      );
    });

    it('when EMBEDDED_DATABASE is not true or false, then it says so', () => {
      expect(() => loadConfig({ EMBEDDED_DATABASE: 'yes' })).toThrow(/EMBEDDED_DATABASE/);
    });
  });

  it('when DB_PREPARED_STATEMENTS is unnamed, then the pool is set up for a transaction pooler; anything else is refused', () => {
    expect(loadConfig({ DB_PREPARED_STATEMENTS: 'unnamed' }).db.preparedStatements).toBe('unnamed');
    expect(() => loadConfig({ DB_PREPARED_STATEMENTS: 'sometimes' })).toThrow(/DB_PREPARED_STATEMENTS/);
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT is set, then tracing is on under OTEL_SERVICE_NAME (default usermeta); unset or empty, off', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      endpoint: 'http://collector:4318',
      serviceName: 'usermeta',
    });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'usermeta-eu' }).tracing
        ?.serviceName,
    ).toBe('usermeta-eu');
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('when DATABASE_READ_URL is set, then reads may use that replica; unset or empty, there is none; not a URL, refused', () => {
    const url = 'postgres://reader:secret@replica.internal:5432/usermeta';
    expect(loadConfig({ DATABASE_READ_URL: url }).databaseReadUrl).toBe(url);
    expect(loadConfig({}).databaseReadUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_READ_URL: '' }).databaseReadUrl).toBeUndefined();
    expect(() => loadConfig({ DATABASE_READ_URL: 'replica' })).toThrow(/DATABASE_READ_URL/);
  });
});
