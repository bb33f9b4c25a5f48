/**
 * The value Postfix uses for a parameter at a place: main.cf, then a master.cf service's `-o` in every form
 * (`-o name=value`, `-oname=value`, `-o { name = value }`), as the lint parser reads them. Serves the hovers.
 */
import { redact } from './context';
import { expand } from './expand';
import { parseMainCf } from './mainParser';
import { parseMasterCf } from './masterParser';
import { postfixDefault } from './params';

export interface EffectiveValue {
  /** The value as the file (or Postfix's default) gives it, secrets hidden. */
  raw: string;
  /** After `$name` expansion, secrets hidden; undefined when identical to raw. */
  expanded?: string;
  from: 'file' | 'default' | 'machine-dependent';
  /** False when expansion hit something it could not resolve. */
  complete: boolean;
}

/**
 * The value Postfix would use for `name` given this main.cf: the last assignment wins, otherwise the built-in
 * default, with `$references` expanded against the same file. `overrides` are master.cf `-o` values, which win.
 */
export function effectiveValue(mainCfText: string, name: string, overrides: Record<string, string> = {}): EffectiveValue | undefined {
  const values = new Map<string, string>();
  for (const s of parseMainCf(mainCfText).settings) values.set(s.name, s.value);
  for (const [k, v] of Object.entries(overrides)) values.set(k, v);
  const lookup = (n: string): string | undefined | null => (values.has(n) ? values.get(n) : postfixDefault(n));
  let raw: string | undefined;
  let from: EffectiveValue['from'];
  if (values.has(name)) {
    raw = values.get(name)!;
    from = 'file';
  } else {
    const d = postfixDefault(name);
    if (d === undefined) return undefined;
    if (d === null) return { raw: '(depends on the machine)', from: 'machine-dependent', complete: false };
    raw = d;
    from = 'default';
  }
  const e = expand(raw, lookup);
  const shownRaw = redact(name, raw);
  const shownExpanded = redact(name, e.value);
  return { raw: shownRaw, expanded: shownExpanded !== shownRaw ? shownExpanded : undefined, from, complete: e.complete };
}

/** The `-o` overrides of the master.cf service whose entry spans `line` (0-based), by name; the last one wins. */
export function serviceOverridesAt(masterCfText: string, line: number): Record<string, string> {
  const service = parseMasterCf(masterCfText).services.find((s) => s.firstLine <= line && line <= s.lastLine);
  const out: Record<string, string> = {};
  for (const o of service?.overrides ?? []) out[o.name] = o.value;
  return out;
}
