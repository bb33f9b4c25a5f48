/**
 * Name lookups through the system (getaddrinfo, what dns.lookup calls) run on libuv's thread pool: 4 threads unless
 * UV_THREADPOOL_SIZE says otherwise. A lookup started beyond that waits in libuv's queue, and its timeout runs
 * while it waits: with many names probed at once and a slow resolver, the last ones were reported as "no answer
 * from the resolver" without having been asked. So lookups take a turn here, and each timeout starts with its turn.
 */
import { abortError } from './limiter';

export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  /** Waits for a turn (first come, first served); the returned function ends it. Rejects if `signal` aborts first. */
  enter(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener('abort', onAbort);
        this.running++;
        let ended = false;
        resolve(() => {
          if (ended) return;
          ended = true;
          this.running--;
          this.waiting.shift()?.();
        });
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(start);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal!));
      };
      if (this.running < this.size) return start();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(start);
    });
  }
}

/** The turns of the system resolver, one per thread libuv has for it. */
export const systemLookups = new Gate(Math.max(1, Math.floor(Number(process.env.UV_THREADPOOL_SIZE)) || 4));
