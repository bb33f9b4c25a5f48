/**
 * Postfix's `$name` expansion (mac_expand) for the forms main.cf uses: `$name`, `${name}`, `$(name)`,
 * `${name?value}`, `${name:value}`, `${name?{a}:{b}}`. Relational forms (`${{a} == {b}?...}`) are left
 * unresolved. Depth and output size are bounded so a hostile file (`a = $b$b$b`, `b = $c$c$c`...) cannot blow up.
 */
interface St {
  complete: boolean;
  size: number;
  steps: number;
}

export type Lookup = (name: string) => string | undefined | null;

export interface Expanded {
  value: string;
  /** False when something could not be resolved (unknown default, relational form, loop, size limit). */
  complete: boolean;
}

const MAX_DEPTH = 40;
const MAX_OUTPUT = 64 * 1024;
/** References followed in one expansion: a reference tree can be exponential even when its output is empty. */
const MAX_STEPS = 20_000;
const NAME = /[A-Za-z0-9_]/;

export function expand(text: string, lookup: Lookup): Expanded {
  const state: St = { complete: true, size: 0, steps: 0 };
  const value = run(text, lookup, 0, new Set(), state);
  return { value, complete: state.complete };
}

function run(text: string, lookup: Lookup, depth: number, active: Set<string>, st: St): string {
  if (depth > MAX_DEPTH || st.steps > MAX_STEPS) {
    st.complete = false;
    st.steps = MAX_STEPS + 1;
    return '';
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (st.size + out.length > MAX_OUTPUT || st.steps > MAX_STEPS) {
      st.complete = false;
      break;
    }
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const c = text[dollar + 1];
    if (c === '{' || c === '(') {
      const close = matching(text, dollar + 1);
      if (close < 0) {
        st.complete = false;
        out += text.slice(dollar);
        break;
      }
      out += braced(text.slice(dollar + 2, close), lookup, depth, active, st);
      i = close + 1;
    } else if (c !== undefined && NAME.test(c)) {
      let j = dollar + 1;
      while (j < text.length && NAME.test(text[j])) j++;
      out += resolve(text.slice(dollar + 1, j), lookup, depth, active, st);
      i = j;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  st.size += out.length;
  return out;
}

function braced(inner: string, lookup: Lookup, depth: number, active: Set<string>, st: St): string {
  let j = 0;
  while (j < inner.length && NAME.test(inner[j])) j++;
  const name = inner.slice(0, j);
  if (name.length === 0) {
    st.complete = false;
    return '';
  }
  if (j === inner.length) return resolve(name, lookup, depth, active, st);
  const op = inner[j];
  if (op !== '?' && op !== ':') {
    st.complete = false;
    return '';
  }
  const value = resolve(name, lookup, depth, active, st);
  const rest = inner.slice(j + 1);
  const [whenSet, whenEmpty] = op === '?' ? splitAlternatives(rest) : [undefined, unbrace(rest)];
  const chosen = value.length > 0 ? whenSet : whenEmpty;
  return chosen === undefined ? '' : run(chosen, lookup, depth + 1, active, st);
}

/** `{a}:{b}` or `{a}` or `a` after `?`. */
function splitAlternatives(rest: string): [string, string | undefined] {
  if (rest.startsWith('{')) {
    const close = matching(rest, 0);
    if (close > 0) {
      const after = rest.slice(close + 1).trimStart();
      if (after.startsWith(':')) return [rest.slice(1, close), unbrace(after.slice(1).trim())];
      return [rest.slice(1, close), undefined];
    }
  }
  return [rest, undefined];
}

function unbrace(s: string): string {
  const t = s.trim();
  return t.startsWith('{') && matching(t, 0) === t.length - 1 ? t.slice(1, -1) : s;
}

function resolve(name: string, lookup: Lookup, depth: number, active: Set<string>, st: St): string {
  st.steps++;
  if (active.has(name)) {
    st.complete = false;
    return '';
  }
  const v = lookup(name);
  if (v === null) {
    st.complete = false;
    return '';
  }
  if (v === undefined || v.length === 0) return '';
  active.add(name);
  const out = run(v, lookup, depth + 1, active, st);
  active.delete(name);
  return out;
}

/** Index of the bracket closing the one at `open` (`{` or `(`), or -1. Linear. */
function matching(text: string, open: number): number {
  const o = text[open];
  const c = o === '{' ? '}' : ')';
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    if (text[k] === o) depth++;
    else if (text[k] === c && --depth === 0) return k;
  }
  return -1;
}
