/**
 * `--fail-on error|warning|info|never`: the lowest severity that makes a run fail (exit 1). The default is
 * `error`: warnings and info findings are reported but do not fail a CI job.
 */
import type { Finding, Severity } from '../finding';
import { compareSeverity } from '../finding';

export type FailOn = Severity | 'never';
export const FAIL_ON_CHOICES: readonly FailOn[] = ['error', 'warning', 'info', 'never'];
export const DEFAULT_FAIL_ON: FailOn = 'error';

export function isFailOn(v: string): v is FailOn {
  return (FAIL_ON_CHOICES as readonly string[]).includes(v);
}

/** True when a finding at least as severe as the threshold is present. */
export function failsThreshold(findings: Iterable<Pick<Finding, 'severity'>>, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  for (const f of findings) if (compareSeverity(f.severity, failOn) <= 0) return true;
  return false;
}
