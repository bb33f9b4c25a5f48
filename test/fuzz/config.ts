/**
 * How hard to fuzz. `npm test` runs a bounded pass (a few seconds); `npm run fuzz` sets FUZZ_RUNS high. A failure
 * prints its seed: FUZZ_SEED=... reproduces it.
 */
import type { Parameters as FcParameters } from 'fast-check';

export function fuzzRuns(bounded: number): number {
  const env = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(env) && env > 0 ? env : bounded;
}

export function isLongRun(): boolean {
  return Number(process.env.FUZZ_RUNS) > 0;
}

export function fcParams<T>(bounded: number): FcParameters<T> {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(bounded), ...(Number.isFinite(seed) && process.env.FUZZ_SEED ? { seed } : {}) };
}
