// No `vscode` import: the effective value of a main.cf parameter, for the hover.
import { expand } from '../../core/lint/postfix/expand';
import { parseMainCf } from '../../core/lint/postfix/main-parser';
import { postfixDefault } from '../../core/lint/postfix/params';
import { redact } from '../../core/lint/postfix/context';

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
