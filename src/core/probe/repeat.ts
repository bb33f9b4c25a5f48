/**
 * `--repeat N`: the same endpoints probed N times. A fault in every run is persistent (fix the server); a fault
 * in some runs only is intermittent, and when it sticks to one address of several, that address is the culprit
 * (the classic "SSL_connect error ... lost connection" that comes and goes).
 */
import { endpointLabel } from '../endpoint';
import type { ProbeResult } from './types';

export interface RepeatVerdict {
  target: string;
  address?: string;
  runs: number;
  failedRuns: number;
  /** failedRuns / runs, from 0 to 1. */
  failureRate: number;
  /** Error-level finding ids with the number of runs they appeared in. */
  errors: { id: string; runs: number }[];
  verdict: 'ok' | 'persistent' | 'intermittent';
}

export function summarizeRepeats(runs: ProbeResult[][]): RepeatVerdict[] {
  const groups = new Map<string, { target: string; address?: string; results: ProbeResult[] }>();
  for (const run of runs) {
    for (const r of run) {
      const target = endpointLabel(r.endpoint);
      const key = `${target}|${r.address ?? ''}`;
      const g = groups.get(key) ?? { target, address: r.address, results: [] };
      g.results.push(r);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => {
    const counts = new Map<string, number>();
    let failed = 0;
    for (const r of g.results) {
      const ids = new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.id));
      if (ids.size) failed++;
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const n = g.results.length;
    return {
      target: g.target,
      address: g.address,
      runs: n,
      failedRuns: failed,
      failureRate: n ? failed / n : 0,
      errors: [...counts].map(([id, c]) => ({ id, runs: c })),
      verdict: failed === 0 ? 'ok' : failed === n ? 'persistent' : 'intermittent',
    };
  });
}

/** One sentence per target, naming the failing address when the others of the same name are fine. */
export function describeRepeats(verdicts: RepeatVerdict[]): string[] {
  const byTarget = new Map<string, RepeatVerdict[]>();
  for (const v of verdicts) byTarget.set(v.target, [...(byTarget.get(v.target) ?? []), v]);
  const out: string[] = [];
  for (const [target, vs] of byTarget) {
    for (const v of vs) {
      const at = v.address ? ` at ${v.address}` : '';
      const ids = v.errors.map((e) => `${e.id} ${e.runs}/${v.runs}`).join(', ');
      if (v.verdict === 'ok') out.push(`${target}${at}: no error in ${v.runs} runs.`);
      else if (v.verdict === 'persistent') out.push(`${target}${at}: fails in every run (${ids}): a persistent fault, not a glitch.`);
      else
        out.push(
          `${target}${at}: fails in ${v.failedRuns} of ${v.runs} runs (${percent(v.failureRate)}; ${ids}): intermittent, a glitch rather than a configuration fault.`,
        );
    }
    const bad = vs.filter((v) => v.verdict !== 'ok');
    if (vs.length > 1 && bad.length > 0 && bad.length < vs.length) {
      out.push(
        `${target}: only ${bad.map((v) => v.address).join(', ')} fail${bad.length === 1 ? 's' : ''}; the other addresses are fine. Fix or remove ${bad.length === 1 ? 'that host' : 'those hosts'} (DNS A/AAAA records, load balancer pool).`,
      );
    }
  }
  return out;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}
