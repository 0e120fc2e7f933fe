import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON lines to stdout; secrets never reach a line, whatever a caller passes in. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
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
    destination ?? pino.destination({ sync: false }),
  );
}
