import pg from 'pg';
import type { Logger } from '../logger.js';

export type NotificationHandlers = {
  /** A notification on the channel, with its payload. */
  onNotify: (payload: string) => void;
  /**
   * The channel is (again) being listened to. Called after every (re)connection, since
   * notifications sent while no connection listened are lost: reload what they would have said.
   */
  onListening?: () => void;
};

const RECONNECT_DELAYS_MS = [100, 500, 1000, 2000, 5000];

/**
 * One dedicated connection (outside the pool: a pooled connection is not kept) doing
 * `LISTEN` on one channel, reconnecting with backoff after the database goes away.
 */
export class ChannelListener {
  private client: pg.Client | undefined;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      connectionString: string;
      connectTimeoutMs: number;
      channel: string;
      logger: Logger;
      handlers: NotificationHandlers;
    },
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`bad channel name: ${options.channel}`);
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      keepAlive: true,
      application_name: 'usermeta-listen',
    });
    this.client = client;
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.logger.warn(
        { channel: this.options.channel, err: err ? { message: err.message } : undefined },
        'notification connection lost; reconnecting',
      );
      this.retry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.handlers.onNotify(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`listen ${this.options.channel}`);
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.attempt = 0;
    this.options.handlers.onListening?.();
  }

  private retry(): void {
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt, RECONNECT_DELAYS_MS.length - 1)] ?? 5000;
    this.attempt++;
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
