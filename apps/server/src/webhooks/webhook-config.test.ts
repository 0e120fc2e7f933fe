import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('webhook and event settings', () => {
  it('when nothing is set, then the spec defaults apply: private networks refused, 5s…10h retries, 10 s timeout, 90 days', () => {
    const config = loadConfig({});
    expect(config.webhooks).toMatchObject({
      allowPrivateNetworks: false,
      retryDelaysMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      timeoutMs: 10_000,
      secretsKey: undefined,
      concurrency: 8,
    });
    expect(config.eventRetentionMs).toBe(90 * 86_400_000);
  });

  it('when the fixed-name settings are given, then they are read with their units', () => {
    const key = Buffer.alloc(32, 7);
    const config = loadConfig({
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_DELAYS: '250ms,1s',
      WEBHOOK_TIMEOUT: '2s',
      WEBHOOK_SECRETS_KEY: key.toString('base64'),
      WEBHOOK_CONCURRENCY: '0',
      EVENT_RETENTION: '7d',
    });
    expect(config.webhooks).toEqual({
      allowPrivateNetworks: true,
      retryDelaysMs: [250, 1000],
      timeoutMs: 2000,
      secretsKey: key,
      concurrency: 0,
    });
    expect(config.eventRetentionMs).toBe(7 * 86_400_000);
  });

  it('when a setting is malformed, then start-up fails naming each one', () => {
    let error: unknown;
    try {
      loadConfig({
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes',
        WEBHOOK_RETRY_DELAYS: '5s,later',
        WEBHOOK_TIMEOUT: '10',
        WEBHOOK_SECRETS_KEY: 'c2hvcnQ=',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
      'WEBHOOK_RETRY_DELAYS',
      'WEBHOOK_TIMEOUT',
      'WEBHOOK_SECRETS_KEY',
    ]) {
      expect(problems).toContain(name);
    }
  });
});
