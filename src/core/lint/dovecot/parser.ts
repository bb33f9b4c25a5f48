/**
 * Dovecot's reading of dovecot.conf and conf.d/*.conf (config-parser.c in 2.3 and 2.4): one statement per line,
 * a line ending in `\` continues on the next, `#` outside quotes starts a comment, `key = value`,
 * `name [arg] {` opens a section (filter) that `}` closes, `!include[_try] PATH` pulls in other files. Values
 * are kept as written apart from the quotes around them: `<file`, `$VAR`, `%{...}` are the server's business.
 * Pure: no file is read here (see includes.ts).
 */
import type { Range } from '../../finding';
import { position, range } from '../../plain';
import { splitLines } from '../lines';

/** A section a setting sits in: `service imap-login`, `inet_listener imaps`, `protocol imap`, `local 10.0.0.1`. */
export interface Section {
  name: string;
  /** The argument after the name, unquoted (`imaps`, `10.0.0.1`), or '' for `name {`. */
  arg: string;
  /** The range of `name [arg]` on its opening line. */
  range: Range;
}

export interface DovecotSetting {
  name: string;
  /** The value with surrounding quotes removed and the comment cut off; `<file` stays as written. */
  value: string;
  /** The sections it sits in, outermost first (empty: a global setting). */
  sections: readonly Section[];
  /** 0-based physical line of the key. */
  line: number;
  nameRange: Range;
  /** The value as written (quotes included), on the key's line; an empty range after `=` for an empty value. */
  valueRange: Range;
  /** The value range is the exact text of `value` (no quotes, one physical line): edits may use sub-ranges. */
  valueLiteral: boolean;
  /** Written inside this 2.4 named filter (`ssl_server { cert_file = ... }`): `name` is the full name (namedFilters.ts). */
  filter?: string;
}

export interface Include {
  path: string;
  /** `!include_try`: a missing file is no error. */
  optional: boolean;
  line: number;
  range: Range;
  sections: readonly Section[];
}

export type ProblemKind = 'unclosed-section' | 'unexpected-close' | 'no-equals' | 'no-name' | 'garbage-after-brace' | 'byte-order-mark';

export interface ParseProblem {
  kind: ProblemKind;
  line: number;
  range: Range;
  excerpt: string;
}

export interface DovecotConf {
  lines: string[];
  settings: DovecotSetting[];
  includes: Include[];
  problems: ParseProblem[];
  /** Every section opened, in order (listeners, protocol filters). */
  sections: Array<{ section: Section; parents: readonly Section[]; line: number; lastLine: number }>;
}

/** Caps that keep hostile input linear (a real dovecot.conf has a few hundred lines and depth 3 or 4). */
const MAX_DEPTH = 64;
const MAX_PROBLEMS = 200;
const KEY = /^[A-Za-z0-9_.\-/]+$/;
/**
 * A section opened with more after its `{` on the same line (`passdb { driver = pam }`, `service imap { }`): Dovecot
 * reads the key and the optional name, then wants `{` to end the line ("Garbage after '{'", 2.3 and 2.4 alike).
 */
const ONE_LINE_SECTION = /^[^\s={"]+(?:\s+(?:"[^"]*"|[^\s"{=]+))?\s*\{\s*\S/;

export function parseDovecotConf(text: string): DovecotConf {
  const lines = splitLines(text);
  const out: DovecotConf = { lines, settings: [], includes: [], problems: [], sections: [] };
  const stack: Array<{ section: Section; line: number; index: number }> = [];
  // A range on one physical line, cut to it: a statement continued with `\` is longer than its first line.
  const onLine = (line: number, start: number, end: number): Range => {
    const len = lines[line].length;
    const a = Math.min(Math.max(0, start), len);
    return range(position(line, a), position(line, Math.min(Math.max(a, end), len)));
  };
  const problem = (kind: ProblemKind, line: number, start: number, end: number) => {
    if (out.problems.length < MAX_PROBLEMS) out.problems.push({ kind, line, range: onLine(line, start, end), excerpt: lines[line].slice(0, 200) });
  };
  // A UTF-8 byte-order mark (Notepad's "UTF-8 with BOM") is text to Dovecot's byte-wise parser: line 1 then fails. The
  // lines are still read as meant (JavaScript's trim drops U+FEFF), so the other rules see what the admin wrote.
  if (lines.length > 0 && lines[0].startsWith('\uFEFF')) problem('byte-order-mark', 0, 0, 1);
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let raw = lines[i];
    // A trailing backslash glues the next line on, the two joined by one space with the blanks around the break
    // dropped (doveconf 2.3.19 reads `HIGH:\` + `   !aNULL` as `HIGH: !aNULL`). Ranges stay on the first line,
    // which holds the key, and a continued value is taken as not literal (its text spans lines).
    let continued = 0;
    while (raw.endsWith('\\') && i + 1 < lines.length) {
      raw = `${raw.slice(0, -1).trimEnd()} ${lines[++i].trimStart()}`;
      continued++;
    }
    // An unclosed quote is no error to Dovecot (doveconf 2.3.19 keeps `"abc` as the value): nothing to report.
    const body = stripComment(raw);
    const lead = body.length - body.trimStart().length;
    const t = body.trim();
    if (t === '') continue;
    const sections = stack.map((s) => s.section);
    if (t === '}') {
      const open = stack.pop();
      if (!open) problem('unexpected-close', first, lead, lead + 1);
      else out.sections[open.index].lastLine = first;
      continue;
    }
    if (t.startsWith('!include')) {
      const m = /^!(include|include_try)\s+(.+)$/.exec(t);
      if (m) {
        const p = unquote(m[2].trim()).value;
        out.includes.push({ path: p, optional: m[1] === 'include_try', line: first, range: onLine(first, lead, lead + t.length), sections });
        continue;
      }
    }
    // A line that ends in `{` still opens its section (`mailbox {{ name }} {` in a template, `a{b {`).
    if (!t.endsWith('{') && ONE_LINE_SECTION.test(t)) {
      problem('garbage-after-brace', first, lead, lead + t.length);
      continue;
    }
    const eq = t.indexOf('=');
    const brace = t.endsWith('{') ? t.length - 1 : -1;
    // `name [arg] {` opens a section, unless an `=` comes first (`key = {` is not a section in 2.3 either).
    if (brace >= 0 && (eq < 0 || eq > brace)) {
      const head = t.slice(0, brace).trim();
      const sp = head.search(/\s/);
      const name = sp < 0 ? head : head.slice(0, sp);
      const arg = sp < 0 ? '' : unquote(head.slice(sp).trim()).value;
      if (name === '' || !KEY.test(name)) {
        problem('no-name', first, lead, lead + t.length);
        // Still opened: the `}` that closes it must not close the enclosing section.
      }
      const section: Section = { name, arg, range: onLine(first, lead, lead + head.length) };
      if (stack.length < MAX_DEPTH) {
        out.sections.push({ section, parents: sections, line: first, lastLine: first });
        stack.push({ section, line: first, index: out.sections.length - 1 });
      }
      continue;
    }
    if (eq < 0) {
      problem('no-equals', first, lead, lead + t.length);
      continue;
    }
    const name = t.slice(0, eq).trim();
    if (name === '' || !KEY.test(name)) {
      problem('no-name', first, lead, lead + t.length);
      continue;
    }
    const rawValue = t.slice(eq + 1).trim();
    const { value, quoted } = unquote(rawValue);
    const firstLine = lines[first];
    const nameAt = firstLine.indexOf(name);
    // Where the value starts on the key's line (after `=` and blanks); literal only when it sits on that line.
    const eqAt = firstLine.indexOf('=', nameAt + name.length);
    let vStart = eqAt + 1;
    while (vStart < firstLine.length && (firstLine[vStart] === ' ' || firstLine[vStart] === '\t')) vStart++;
    const literal = continued === 0 && !quoted && firstLine.slice(vStart, vStart + rawValue.length) === rawValue;
    const vEnd = continued === 0 ? vStart + rawValue.length : firstLine.length;
    out.settings.push({
      name,
      value,
      sections,
      line: first,
      nameRange: onLine(first, nameAt, nameAt + name.length),
      valueRange: onLine(first, vStart, vEnd),
      valueLiteral: literal,
    });
  }
  for (const open of stack) problem('unclosed-section', open.line, open.section.range.start.character, open.section.range.end.character);
  return out;
}

/** Cuts a `#` comment that is outside quotes (Dovecot warns about a `#` right after text, and cuts there too). */
export function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** `"a b"` -> `a b` (with `\"` unescaped), `'x'` -> `x`; anything else as it is. */
export function unquote(v: string): { value: string; quoted: boolean } {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) return { value: v.slice(1, -1).replace(/\\(.)/g, '$1'), quoted: true };
  return { value: v, quoted: false };
}

/** The sections that only narrow where settings apply (filters), as opposed to service/listener/passdb blocks. */
export const FILTER_SECTIONS = new Set(['protocol', 'local', 'local_name', 'remote']);

/** A setting that applies to clients' TLS sessions: global, or inside filters only (`protocol imap { ... }`). */
export function isServerScoped(s: DovecotSetting): boolean {
  return s.sections.every((x) => FILTER_SECTIONS.has(x.name));
}

/**
 * Inside a filter only this machine's clients reach: `remote 127.0.0.1 { }` (loopback clients), or `local 127.0.0.1 { }`
 * (connections to the loopback address, which no packet from another host can reach): no network path.
 */
export function forLocalClientsOnly(s: DovecotSetting): boolean {
  return s.sections.some((x) => (x.name === 'remote' || x.name === 'local') && /^(127\.\d+\.\d+\.\d+(\/\d+)?|::1(\/128)?|\[::1\])$/.test(x.arg.trim()));
}
