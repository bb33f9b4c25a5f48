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

export interface AcquireOptions {
  /** Refuse (reject with BackoffError) rather than wait longer than this for a back-off; default: wait. */
  maxBackoffMs?: number;
  /** Told once when this request is held back by a back-off, with how long is left. */
  onBackoff?: (remainingMs: number) => void;
}

/** The host is backing off for longer than the caller agreed to wait. */
export class BackoffError extends Error {
  override name = 'BackoffError';
  constructor(readonly remainingMs: number) {
    super(`the server said it was busy; no new connection to it for ${Math.ceil(remainingMs / 1000)} s`);
  }
}

type Waiter = { host: string; grant: () => void; refuse: (remainingMs: number) => void; maxBackoffMs: number; onBackoff?: (ms: number) => void; told: boolean };

export class ConnectionLimiter {
  readonly perHost: number;
  readonly global: number;
  readonly backoffMs: number;
  private readonly active = new Map<string, number>();
  private total = 0;
  private readonly queue: Waiter[] = [];
  private readonly backoffUntil = new Map<string, number>();

  constructor(opts: LimiterOptions = {}) {
    this.perHost = Math.max(1, opts.perHost ?? 2);
    // Two per endpoint of probeMany's default pool (DEFAULT_CONCURRENCY): the per-host cap each endpoint may use.
    this.global = Math.max(1, opts.global ?? 128);
    this.backoffMs = Math.max(0, opts.backoffMs ?? 30_000);
  }

  /**
   * Waits for a slot; resolves to the release function (idempotent). Rejects when the signal aborts, and with
   * a BackoffError when the host backs off for longer than `maxBackoffMs` (checked again whenever a back-off
   * starts while this request waits in the queue).
   */
  acquire(host: string, signal?: AbortSignal, opts: AcquireOptions = {}): Promise<() => void> {
    const key = host.toLowerCase();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      let granted = false;
      const waiter: Waiter = {
        host: key,
        maxBackoffMs: opts.maxBackoffMs ?? Infinity,
        onBackoff: opts.onBackoff,
        told: false,
        refuse: (ms) => {
          signal?.removeEventListener('abort', onAbort);
          reject(new BackoffError(ms));
        },
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
    // A timer may fire a moment before Date.now() reaches `until` (timers run on another clock): then it waits
    // the rest, or a waiter for this host would stay queued with nothing left to wake it.
    const wake = () => {
      const left = this.backoffRemaining(key);
      if (left > 0) setTimeout(wake, left).unref();
      else this.pump();
    };
    setTimeout(wake, ms).unref();
    // Waiters already queued for this host learn of the back-off now, not once they would have been granted.
    this.pump();
  }

  /** Milliseconds until `host` may be contacted again (0 when it may now). */
  backoffRemaining(host: string): number {
    const until = this.backoffUntil.get(host.toLowerCase()) ?? 0;
    return Math.max(0, until - Date.now());
  }

  private pump(): void {
    const now = Date.now();
    for (const [host, until] of this.backoffUntil) if (until <= now) this.backoffUntil.delete(host);
    for (let i = 0; i < this.queue.length;) {
      const w = this.queue[i];
      const wait = this.backoffRemaining(w.host);
      if (wait > w.maxBackoffMs) {
        this.queue.splice(i, 1);
        w.refuse(wait);
      } else if (wait === 0 && this.total < this.global && (this.active.get(w.host) ?? 0) < this.perHost) {
        this.queue.splice(i, 1);
        w.grant();
      } else {
        if (wait > 0 && !w.told) {
          w.told = true;
          w.onBackoff?.(wait);
        }
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
