import type { Logger } from '../logger.js';

type Cleanup = { what: string; release: () => Promise<void> };

/**
 * How the process stops, from its very first moment: SIGTERM/SIGINT handlers are installed
 * before anything starts, and every resource registers how to release itself as soon as it
 * exists (or is being created). A signal during start-up therefore stops the embedded
 * PostgreSQL too, instead of leaving an orphaned postmaster behind.
 *
 * On stop: `onBegin` hooks run at once (readiness turns 503), then the resources are released
 * newest first (HTTP drain → pool → database), then the process exits. Past `timeoutMs` it
 * exits 1 anyway.
 */
export class Lifecycle {
  private readonly cleanups: Cleanup[] = [];
  private readonly beginHooks: Array<() => void> = [];
  private stopping = false;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Call first thing: from here on a signal stops the process in order. */
  installSignalHandlers(): this {
    process.on('SIGTERM', (signal) => void this.stop(`${signal} received`));
    process.on('SIGINT', (signal) => void this.stop(`${signal} received`));
    return this;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Runs synchronously when stopping begins. */
  onBegin(hook: () => void): void {
    this.beginHooks.push(hook);
  }

  /** Registers a resource to release on stop; released in the reverse order of registration. */
  defer(what: string, release: () => Promise<void>): void {
    this.cleanups.push({ what, release });
  }

  /** Stops once (later calls are ignored): begin hooks, every release newest first, then exit. */
  async stop(reason: string, exitCode = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      this.logger.error('shutdown timed out; exiting');
      this.logger.flush();
      process.exit(1);
    }, this.timeoutMs).unref();
    for (const hook of this.beginHooks) hook();
    let failed = false;
    for (const { what, release } of this.cleanups.reverse()) {
      try {
        await release();
      } catch (error) {
        failed = true;
        this.logger.error({ err: error, what }, 'shutdown step failed');
      }
    }
    this.logger.info('shut down');
    this.logger.flush();
    process.exit(failed && exitCode === 0 ? 1 : exitCode);
  }
}
