import * as os from 'node:os';

/**
 * How many times over this machine's cores are booked right now (1 when it is idle or merely busy, at most 4).
 * Bounds that prove "ends, never hangs" scale their slack by it: a CI machine shared with other jobs delays every
 * timer and every parse, and a bound that only holds on an idle machine fails for the wrong reason. A real hang
 * still fails: the bound stays finite.
 */
export function loadFactor(): number {
  const perCore = os.loadavg()[0] / Math.max(1, os.cpus().length);
  return Math.min(4, Math.max(1, perCore));
}
