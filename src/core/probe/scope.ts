/**
 * Everything one probe opens (sockets, timers) is registered here, so cancelling the probe destroys it all at
 * once and nothing outlives the probe.
 */
import type { Socket } from 'node:net';
import { deadline } from './deadline';
import { abortError } from './limiter';

export class TimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(
    readonly step: string,
    readonly ms: number,
  ) {
    super(`${step}: no answer within ${ms} ms`);
  }
}

export class Scope {
  private readonly sockets = new Set<Socket>();
  private readonly aborters = new Set<(err: Error) => void>();
  private readonly onAbort = () => this.abortAll();

  constructor(readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get aborted(): boolean {
    return this.signal?.aborted === true;
  }

  track<S extends Socket>(socket: S): S {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (this.aborted) socket.destroy();
    return socket;
  }

  /**
   * Runs `start` with a deadline: rejects with TimeoutError after `ms` (not counting a stall of this process:
   * see deadline.ts), or with an AbortError as soon as the probe is cancelled. `start` gets the reject-free settle functions; cleanup runs however it ends.
   */
  step<T>(name: string, ms: number, start: (resolve: (v: T) => void, reject: (e: Error) => void) => (() => void) | void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.aborted) return reject(abortError(this.signal!));
      let cleanup: (() => void) | void = undefined;
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        cancelTimer();
        this.aborters.delete(onAbort);
        try {
          cleanup?.();
        } catch {
          // cleanup is best effort
        }
        fn();
      };
      const onAbort = (err: Error) => finish(() => reject(err));
      const cancelTimer = deadline(ms, () => finish(() => reject(new TimeoutError(name, ms))));
      this.aborters.add(onAbort);
      try {
        cleanup = start(
          (v) => finish(() => resolve(v)),
          (e) => finish(() => reject(e)),
        );
      } catch (e) {
        finish(() => reject(e as Error));
      }
      if (done && cleanup) {
        try {
          cleanup();
        } catch {
          // best effort
        }
      }
    });
  }

  /** Destroys every socket still open (the end of a probe, or its cancellation). */
  closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.closeAll();
  }

  private abortAll(): void {
    const err = abortError(this.signal!);
    for (const a of [...this.aborters]) a(err);
    this.closeAll();
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
