/**
 * Caps the connections a probe run opens: at most `perHost` at once to one address (mail servers count
 * concurrent connections per client and answer 421 beyond a few), at most `global` overall, and none to a host
 * that just answered 421 until its back-off has passed.
 */
export interface LimiterOptions {
  perHost?: number;
  global?: number;
  /** How long to leave a host alone after it said "too many connections"; default 30 s. */
  backoffMs?: number;
}

type Waiter = { host: string; grant: () => void };

export class ConnectionLimiter {
  readonly perHost: number;
  readonly global: number;
  readonly backoffMs: number;
  private readonly active = new Map<string, number>();
  private total = 0;
  private readonly queue: Waiter[] = [];
  private readonly backoffUntil = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: LimiterOptions = {}) {
    this.perHost = Math.max(1, opts.perHost ?? 2);
    this.global = Math.max(1, opts.global ?? 64);
    this.backoffMs = Math.max(0, opts.backoffMs ?? 30_000);
  }

  /** Waits for a slot; resolves to the release function (idempotent). Rejects when the signal aborts. */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const key = host.toLowerCase();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      let granted = false;
      const waiter: Waiter = {
        host: key,
        grant: () => {
          granted = true;
          signal?.removeEventListener('abort', onAbort);
          this.active.set(key, (this.active.get(key) ?? 0) + 1);
          this.total++;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.active.set(key, (this.active.get(key) ?? 1) - 1);
            if (this.active.get(key) === 0) this.active.delete(key);
            this.total--;
            this.pump();
          });
        },
      };
      const onAbort = () => {
        if (granted) return;
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Records that `host` refused us for load (421): no new connection to it for `ms`. */
  backOff(host: string, ms = this.backoffMs): void {
    const key = host.toLowerCase();
    const until = Date.now() + ms;
    if ((this.backoffUntil.get(key) ?? 0) < until) this.backoffUntil.set(key, until);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.pump();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Milliseconds until `host` may be contacted again (0 when it may now). */
  backoffRemaining(host: string): number {
    const until = this.backoffUntil.get(host.toLowerCase()) ?? 0;
    return Math.max(0, until - Date.now());
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && this.total < this.global; ) {
      const w = this.queue[i];
      if ((this.active.get(w.host) ?? 0) < this.perHost && this.backoffRemaining(w.host) === 0) {
        this.queue.splice(i, 1);
        w.grant();
      } else {
        i++;
      }
    }
  }
}

export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('the probe was cancelled');
  e.name = 'AbortError';
  return e;
}
