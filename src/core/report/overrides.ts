import type { Finding, Severity } from '../finding';

/** A user's choice for one finding id: another severity, or `off` to hide it. */
export type SeverityOverride = Severity | 'off';
export type SeverityOverrides = Readonly<Record<string, SeverityOverride>>;

const CHOICES: readonly string[] = ['error', 'warning', 'info', 'off'];

export function isSeverityOverride(v: unknown): v is SeverityOverride {
  return typeof v === 'string' && CHOICES.includes(v);
}

/**
 * Applies per-id overrides. A key may end in `.*` to cover a family (`cert.*`); the exact id wins over a family,
 * a longer family over a shorter one. Findings set to `off` are dropped.
 */
export function applySeverityOverrides(findings: readonly Finding[], overrides: SeverityOverrides): Finding[] {
  const keys = Object.keys(overrides);
  if (keys.length === 0) return [...findings];
  const out: Finding[] = [];
  for (const f of findings) {
    const o = overrideFor(f.id, overrides);
    if (o === 'off') continue;
    out.push(o && o !== f.severity ? { ...f, severity: o } : f);
  }
  return out;
}

export function overrideFor(id: string, overrides: SeverityOverrides): SeverityOverride | undefined {
  if (Object.prototype.hasOwnProperty.call(overrides, id)) return overrides[id];
  let best: { len: number; value: SeverityOverride } | undefined;
  for (const [key, value] of Object.entries(overrides)) {
    if (!key.endsWith('.*')) continue;
    const prefix = key.slice(0, -1); // keep the dot: `cert.*` covers `cert.expired`, not `certx`
    if (id.startsWith(prefix) && (!best || prefix.length > best.len)) best = { len: prefix.length, value };
  }
  return best?.value;
}
