/**
 * A Postfix TLS policy table source file (`smtp_tls_policy_maps = hash:/etc/postfix/tls_policy`), read the way
 * postmap reads a table source (readllines, like main.cf): a line that starts with white space continues the
 * entry before it, blank lines and `#` lines are skipped even inside an entry; the key runs to the first white
 * space and the value is the rest ("expected format: key whitespace value": a key alone is ignored); the first of
 * two entries with the same key wins (postmap warns "duplicate entry"); keys are case-folded.
 *
 * The value is read the way the SMTP client reads it (smtp_tls_policy.c, tls_policy_lookup_one): tokens
 * separated by white space or commas, `{ ... }` keeping a token together; the first token is the security level,
 * the others `name=value` attributes.
 */
import type { Range } from '../../finding';
import { isBlank, LogicalLine, rangeOf, readLogicalLines, TextDoc } from './logicalLines';

export interface PolicyToken {
  text: string;
  range: Range;
}

export interface PolicyAttribute {
  /** The attribute name as written (Postfix compares it case-insensitively). */
  name: string;
  value: string;
  /** The whole `name=value` token. */
  range: Range;
  valueRange: Range;
  /** Why Postfix cannot read this token as `name=value`, if it cannot. */
  malformed?: string;
  /** Written as `{ name = value }`: read as one attribute only by recent Postfix (3.7 splits it at the blanks). */
  braced?: boolean;
}

export interface PolicyEntry {
  /** The key as written; Postfix looks it up case-folded. */
  key: string;
  keyRange: Range;
  /** The security level token; undefined when the entry has no value. */
  level?: PolicyToken;
  attributes: PolicyAttribute[];
  /** The whole value (level and attributes), for evidence. */
  value: string;
  firstLine: number;
  lastLine: number;
  /** The entry's whole range: key to end of value. */
  range: Range;
}

export interface PolicyMapProblem {
  kind: 'orphan-continuation' | 'no-value' | 'duplicate-key';
  range: Range;
  firstLine: number;
  lastLine: number;
  excerpt: string;
  /** For a duplicate: the line (0-based) of the entry that wins. */
  winnerLine?: number;
}

export interface PolicyMap {
  doc: TextDoc;
  /** Entries Postfix uses (the first of each key), in file order. */
  entries: PolicyEntry[];
  problems: PolicyMapProblem[];
}

export function parsePolicyMap(text: string): PolicyMap {
  const doc = new TextDoc(text);
  const entries: PolicyEntry[] = [];
  const problems: PolicyMapProblem[] = [];
  const seen = new Map<string, PolicyEntry>();
  for (const ll of readLogicalLines(doc)) {
    const t = ll.text;
    let i = 0;
    while (i < t.length && isBlank(t[i])) i++;
    const keyStart = i;
    while (i < t.length && !isBlank(t[i])) i++;
    const keyEnd = i;
    const end = trimEnd(t, t.length);
    const whole = rangeOf(ll, keyStart, end);
    const excerpt = t.slice(keyStart, keyStart + 120).replace(/\s+/g, ' ');
    if (ll.orphan) {
      problems.push({ kind: 'orphan-continuation', range: whole, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt });
      continue;
    }
    while (i < t.length && isBlank(t[i])) i++;
    if (i >= end) {
      problems.push({ kind: 'no-value', range: whole, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt });
      continue;
    }
    const key = t.slice(keyStart, keyEnd);
    const tokens = splitValue(ll, i, end);
    const [level, ...rest] = tokens;
    const entry: PolicyEntry = {
      key,
      keyRange: rangeOf(ll, keyStart, keyEnd),
      level: level ? { text: level.text, range: level.range } : undefined,
      attributes: rest.map((tok) => attribute(ll, tok)),
      value: t.slice(i, end).replace(/\s+/g, ' '),
      firstLine: ll.firstLine,
      lastLine: ll.lastLine,
      range: whole,
    };
    const folded = key.toLowerCase();
    const winner = seen.get(folded);
    if (winner) {
      problems.push({ kind: 'duplicate-key', range: entry.keyRange, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt, winnerLine: winner.firstLine });
      continue;
    }
    seen.set(folded, entry);
    entries.push(entry);
  }
  return { doc, entries, problems };
}

interface RawToken {
  text: string;
  start: number;
  end: number;
  range: Range;
}

/** mystrtokq(&policy, ", \t\r\n", "{}"): separators outside braces split tokens. */
function splitValue(ll: LogicalLine, from: number, to: number): RawToken[] {
  const t = ll.text;
  const out: RawToken[] = [];
  const sep = (c: string) => c === ',' || isBlank(c);
  let i = from;
  while (i < to) {
    while (i < to && sep(t[i])) i++;
    if (i >= to) break;
    const start = i;
    let depth = 0;
    while (i < to && (depth > 0 || !sep(t[i]))) {
      if (t[i] === '{') depth++;
      else if (t[i] === '}' && depth > 0) depth--;
      i++;
    }
    out.push({ text: t.slice(start, i), start, end: i, range: rangeOf(ll, start, i) });
  }
  return out;
}

/** split_nameval() on one token, or extpar() for `{ name = value }`. */
function attribute(ll: LogicalLine, tok: RawToken): PolicyAttribute {
  let text = tok.text;
  let base = tok.start;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) return { name: '', value: '', range: tok.range, valueRange: tok.range, malformed: 'missing "}"' };
    text = text.slice(1, -1);
    base += 1;
  }
  const eq = text.indexOf('=');
  if (eq < 0) return { name: text.trim(), value: '', range: tok.range, valueRange: tok.range, malformed: 'missing "=" after attribute name' };
  const rawName = text.slice(0, eq);
  const name = rawName.trim();
  if (name.length === 0) return { name: '', value: '', range: tok.range, valueRange: tok.range, malformed: 'missing attribute name' };
  let vs = eq + 1;
  while (vs < text.length && isBlank(text[vs])) vs++;
  const ve = trimEnd(text, text.length);
  const value = text.slice(vs, Math.max(vs, ve));
  const valueRange = rangeOf(ll, base + vs, base + Math.max(vs, ve));
  return { name, value, range: tok.range, valueRange, ...(base !== tok.start ? { braced: true } : {}) };
}

function trimEnd(t: string, end: number): number {
  while (end > 0 && isBlank(t[end - 1])) end--;
  return end;
}

/** What a policy-table key names: a recipient domain, its sub-domains (`.example.com`), or a next-hop (`[host]:port`). */
export type PolicyKeyKind = 'domain' | 'subdomains' | 'nexthop';

export function policyKeyKind(key: string): PolicyKeyKind {
  if (key.startsWith('[') || key.includes(':')) return 'nexthop';
  return key.startsWith('.') ? 'subdomains' : 'domain';
}
