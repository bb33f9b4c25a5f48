import { worstSeverity, type Finding } from '../finding';
import type { ProbeResult } from '../probe/types';

/** The one-word outcome of a probe, as the tree icon, the status bar and the report show it. */
export type Verdict = 'pass' | 'warn' | 'fail';

export function verdictOf(findings: readonly Finding[]): Verdict {
  const worst = worstSeverity(findings);
  return worst === 'error' ? 'fail' : worst === 'warning' ? 'warn' : 'pass';
}

export function resultVerdict(result: Pick<ProbeResult, 'findings'>): Verdict {
  return verdictOf(result.findings);
}

export interface VerdictCounts {
  pass: number;
  warn: number;
  fail: number;
}

export function countVerdicts(results: Iterable<Pick<ProbeResult, 'findings'>>): VerdictCounts {
  const c: VerdictCounts = { pass: 0, warn: 0, fail: 0 };
  for (const r of results) c[resultVerdict(r)]++;
  return c;
}
