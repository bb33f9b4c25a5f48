// Imported first by src/extension.ts, so its top level runs before any other module of the bundle: the time from
// here to `markLoaded()` (the entry's last line) is the evaluation of the bundle's modules, for the editor bench.
import { cpuMs } from './timings';

const started = performance.now();
const startedCpu = cpuMs();
let loaded: { loadMs: number; loadCpuMs: number } | undefined;

export function markLoaded(): void {
  loaded ??= { loadMs: performance.now() - started, loadCpuMs: cpuMs() - startedCpu };
}

/** How long the bundle's modules took to evaluate (wall and CPU), once the entry has run. */
export function loadTimes(): { loadMs: number; loadCpuMs: number } {
  return loaded ?? { loadMs: NaN, loadCpuMs: NaN };
}
