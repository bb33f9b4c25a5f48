/**
 * The parts of the engine that activation does not need, each loaded on the first command that uses it: the
 * network part (probe, certificate judge, domain check, DNS client) and the reports part (Markdown report, the
 * TLS report's model and HTML). scripts/build.mjs turns each `require('./parts/NAME')` below into a bundle of its
 * own, dist/ext-NAME.js, so dist/extension.js holds only what activation needs (lints, diagnostics, the tree,
 * the commands' registration) and the editor does not evaluate the probe engine on startup. From the
 * TypeScript sources (tests, tsx) nothing changes.
 *
 * A part imports src/core only, never an extension module: a module with state (the notifications, the settings,
 * the idle trackers) in two bundles would be two copies. The build refuses a core module that looks stateful
 * (a top-level `let` or an empty Map/Set) in both dist/extension.js and a part.
 */
import type * as Network from './parts/network';
import type * as Reports from './parts/reports';
import { cpuMs } from './timings';

/** How long loading a part took (wall and CPU), for the editor bench. */
export interface PartLoad {
  part: string;
  ms: number;
  cpuMs: number;
}

const loads: PartLoad[] = [];
let network: typeof Network | undefined;
let reports: typeof Reports | undefined;

function timed<T>(part: string, load: () => T): T {
  const start = performance.now();
  const cpu = cpuMs();
  const loaded = load();
  loads.push({ part, ms: performance.now() - start, cpuMs: cpuMs() - cpu });
  return loaded;
}

/** Probe Host, Probe Workspace, watch rounds, Check Mail Domain, Check Workspace Mail Domains. */
export function networkPart(): typeof Network {
  return (network ??= timed('network', () => require('./parts/network') as typeof Network));
}

/** Export Report, Explain Mail TLS Error, Show Mail TLS Report. */
export function reportsPart(): typeof Reports {
  return (reports ??= timed('reports', () => require('./parts/reports') as typeof Reports));
}

export function partLoads(): readonly PartLoad[] {
  return loads;
}
