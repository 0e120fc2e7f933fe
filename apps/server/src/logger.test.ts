import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, TurnBatchedStdout } from './logger.js';

/** A sink that records each write it gets, as pino's stdout stream would receive them. */
function recordingSink() {
  const writes: string[] = [];
  return {
    writes,
    write: (text: string) => {
      writes.push(text);
      return true;
    },
    flush: (cb?: (error?: Error) => void) => cb?.(),
    flushSync: () => undefined,
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatchedStdout', () => {
  it('writes the lines of one event-loop turn as one write, in order, at the end of the turn', async () => {
    const sink = recordingSink();
    const logger = createLogger('info', new TurnBatchedStdout(sink));
    logger.info('first');
    logger.info('second');
    logger.info('third');
    expect(sink.writes).toEqual([]);
    await nextTurn();
    expect(sink.writes).toHaveLength(1);
    const lines = (sink.writes[0] ?? '').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['first', 'second', 'third']);

    logger.info('later');
    await nextTurn();
    expect(sink.writes).toHaveLength(2);
    expect(JSON.parse(sink.writes[1] ?? '').msg).toBe('later');
  });

  it('writes what is pending when flushed (the shutdown path calls logger.flush before exiting)', () => {
    const sink = recordingSink();
    const logger = createLogger('info', new TurnBatchedStdout(sink));
    logger.info('before exit');
    logger.flush();
    expect(sink.writes).toHaveLength(1);
    expect(JSON.parse(sink.writes[0] ?? '').msg).toBe('before exit');
  });

  it('loses no line when the process exits in the turn that logged it', () => {
    const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
    const script = `
      import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger('info');
      for (let i = 0; i < 3; i++) log.info({ i }, 'line');
      process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(
      out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).i),
    ).toEqual([0, 1, 2]);
  });

  it('keeps redacting secrets in ordinary lines', async () => {
    const sink = recordingSink();
    const logger = createLogger('info', new TurnBatchedStdout(sink));
    logger.info({ apiKey: 'um_secret', headers: { authorization: 'Bearer x' } }, 'with secrets');
    await nextTurn();
    expect(sink.writes.join('')).not.toContain('um_secret');
    expect(sink.writes.join('')).not.toContain('Bearer x');
  });
});
