/**
 * Watch mode's decisions, free of the editor: what changed between two rounds of probes (pass -> fail, fail ->
 * pass, a certificate crossing the expiry-warning threshold), the soonest certificate expiry, whether failures
 * over the last rounds are persistent or intermittent, and the interval and pause rules.
 */
import { endpointLabel, type Endpoint } from '../endpoint';
import { dayTime, expiresWithin, timeLeft } from '../cert/wording';
import type { ProbeResult } from '../probe/types';

export const MIN_WATCH_MINUTES = 5;

/** 0 = off; anything else is at least MIN_WATCH_MINUTES. */
export function watchIntervalMs(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0) return 0;
  return Math.max(MIN_WATCH_MINUTES, minutes) * 60_000;
}

/** Paused once the window has been without focus for this long (and at least one interval). */
export const PAUSE_AFTER_UNFOCUSED_MS = 15 * 60_000;

export function shouldPause(focused: boolean, unfocusedSince: number | undefined, now: number, intervalMs: number): boolean {
  if (focused || unfocusedSince === undefined) return false;
  return now - unfocusedSince >= Math.max(PAUSE_AFTER_UNFOCUSED_MS, intervalMs);
}

export interface EndpointSnapshot {
  endpoint: Endpoint;
  failing: boolean;
  /** Error-level finding ids. */
  errorIds: string[];
  /** The leaf certificate that expires first among the addresses, when any was seen. */
  notAfter?: string;
}

export function snapshotOf(endpoint: Endpoint, results: readonly ProbeResult[]): EndpointSnapshot {
  const errorIds = [...new Set(results.flatMap((r) => r.findings.filter((f) => f.severity === 'error').map((f) => f.id)))].sort();
  const leaves = results.map((r) => r.certificates[0]?.notAfter).filter((x): x is string => !!x && !Number.isNaN(Date.parse(x)));
  leaves.sort((a, b) => Date.parse(a) - Date.parse(b));
  return { endpoint, failing: errorIds.length > 0, errorIds, ...(leaves.length ? { notAfter: leaves[0] } : {}) };
}

export type TransitionKind = 'pass-to-fail' | 'fail-to-pass' | 'expiry-warning';

export interface Transition {
  kind: TransitionKind;
  endpoint: Endpoint;
  /** One sentence for the log and the notification. */
  text: string;
}

/**
 * What changed from `prev` to `next` (keyed alike). An endpoint seen for the first time is a baseline, not a
 * transition. Crossing the warning threshold counts once, when the days left go from above it to at or below it.
 */
export function diffSnapshots(
  prev: ReadonlyMap<string, EndpointSnapshot>,
  next: ReadonlyMap<string, EndpointSnapshot>,
  warningDays: number,
  now: Date,
): Transition[] {
  const out: Transition[] = [];
  for (const [key, n] of next) {
    const p = prev.get(key);
    if (!p) continue;
    const label = endpointLabel(n.endpoint);
    if (!p.failing && n.failing)
      out.push({ kind: 'pass-to-fail', endpoint: n.endpoint, text: `${label} now fails (${n.errorIds.join(', ')}); it passed before.` });
    else if (p.failing && !n.failing)
      out.push({ kind: 'fail-to-pass', endpoint: n.endpoint, text: `${label} passes again (it failed with ${p.errorIds.join(', ')}).` });
    if (n.notAfter && p.notAfter) {
      // The probe's and the lint's rule (cert.expires-soon), so the warning comes with that finding, not a day before.
      if (!expiresWithin(p.notAfter, now, warningDays) && expiresWithin(n.notAfter, now, warningDays)) {
        out.push({
          kind: 'expiry-warning',
          endpoint: n.endpoint,
          text: `${label}: its certificate ${expiryPhrase(n.notAfter, now)} (warning at ${warningDays} days; valid until ${dayTime(n.notAfter)}).`,
        });
      }
    }
  }
  return out;
}

/** "expires in 4 d 23 h", "expires in 12 d", "expired 3 d 2 h ago": the certificates' wording (timeLeft), short. */
export function expiryPhrase(notAfter: string, now: Date): string {
  const ms = Date.parse(notAfter) - now.getTime();
  return ms > 0 ? `expires in ${timeLeft(ms, true)}` : `expired ${timeLeft(ms, true)} ago`;
}

export interface SoonestExpiry {
  endpoint: Endpoint;
  notAfter: string;
  /** `ok` beyond the warning threshold, `warning` within it, `expired` after it passed. */
  level: 'ok' | 'warning' | 'expired';
}

export function soonestExpiry(snapshots: Iterable<EndpointSnapshot>, warningDays: number, now: Date): SoonestExpiry | undefined {
  let best: EndpointSnapshot | undefined;
  for (const s of snapshots) if (s.notAfter && (!best || Date.parse(s.notAfter) < Date.parse(best.notAfter!))) best = s;
  if (!best) return undefined;
  return {
    endpoint: best.endpoint,
    notAfter: best.notAfter!,
    level: Date.parse(best.notAfter!) <= now.getTime() ? 'expired' : expiresWithin(best.notAfter!, now, warningDays) ? 'warning' : 'ok',
  };
}

/**
 * The last rounds of one endpoint. Failing in every round since it first failed is persistent (a fault that
 * started and stays, like an expired certificate); failures mixed with successes are intermittent (a glitch,
 * one bad address behind a name), with their rate over the rounds kept.
 */
export interface Persistence {
  rounds: number;
  failed: number;
  rate: number;
  /** Consecutive failing rounds up to the latest (0 when the latest passed). */
  streak: number;
  verdict: 'ok' | 'persistent' | 'intermittent';
}

export class OutcomeHistory {
  private readonly byKey = new Map<string, boolean[]>();
  constructor(private readonly window = 10) {}

  record(key: string, failed: boolean): void {
    const h = this.byKey.get(key) ?? [];
    h.push(failed);
    if (h.length > this.window) h.shift();
    this.byKey.set(key, h);
  }

  of(key: string): Persistence | undefined {
    const h = this.byKey.get(key);
    if (!h?.length) return undefined;
    const failed = h.filter(Boolean).length;
    let streak = 0;
    for (let i = h.length - 1; i >= 0 && h[i]; i--) streak++;
    const first = h.indexOf(true);
    const verdict = failed === 0 ? 'ok' : h.slice(first).every(Boolean) ? 'persistent' : 'intermittent';
    return { rounds: h.length, failed, rate: failed / h.length, streak, verdict };
  }
}

export function describePersistence(p: Persistence): string {
  if (p.verdict === 'ok') return `no failure in the last ${p.rounds} watch probe${p.rounds === 1 ? '' : 's'}`;
  if (p.verdict === 'persistent') return `persistent: failing in the last ${p.streak} watch probe${p.streak === 1 ? '' : 's'}`;
  return `intermittent: failed ${p.failed} of the last ${p.rounds} watch probes (${Math.round(p.rate * 100)}%)`;
}
