import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** What TurnBatchedStdout writes into: pino's stdout stream (sonic-boom), or anything shaped like it. */
type Sink = Pick<ReturnType<typeof pino.destination>, 'write' | 'flush' | 'flushSync'>;

/**
 * stdout for pino, with the lines logged in one turn of the event loop written together: one
 * synchronous write at the end of the turn instead of one per line. Under load the access log's
 * line per request was a write each, handed to libuv's thread pool (sonic-boom's `sync: false`),
 * which cost more CPU in thread wake-ups than the write itself (docs/benchmarks.md). A line
 * waits for no timer, only for the code of the current turn to finish; what is pending when the
 * process exits is written first. Like pino's default destination, a full pipe makes the write
 * wait rather than lose lines or buffer them without bound.
 */
export class TurnBatchedStdout {
  private pending = '';
  private scheduled = false;

  constructor(private readonly sink: Sink = pino.destination({ sync: true })) {
    process.once('exit', () => {
      this.writePending();
      sink.flushSync();
    });
  }

  write(line: string): boolean {
    this.pending += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writePending);
    }
    return true;
  }

  /** pino's `logger.flush(cb)`: what is pending, then the stream's own buffer. */
  flush(cb?: (error?: Error) => void): void {
    this.writePending();
    this.sink.flush(cb);
  }

  private readonly writePending = (): void => {
    this.scheduled = false;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.sink.write(text);
  };
}

/** One per process: every logger writing to stdout shares its stream and its exit hook. */
let stdout: TurnBatchedStdout | undefined;

function sharedStdout(): TurnBatchedStdout {
  stdout ??= new TurnBatchedStdout();
  return stdout;
}

/** JSON lines to stdout; secrets never reach a line, whatever a caller passes in. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'usermeta' },
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'req.headers.authorization',
          '*.apiKey',
          'apiKey',
          'adminApiKeys',
          'databaseUrl',
          'password',
          'secret',
          '*.secret',
          '*.secretsKey',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? sharedStdout(),
  );
}
