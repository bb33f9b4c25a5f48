import type { Range } from '../../finding';
import { isBlank, LogicalLine, rangeOf, readLogicalLines, TextDoc } from './logicalLines';
import { makeSetting, Setting } from './mainParser';

export interface Field {
  text: string;
  range: Range;
}

/** One master.cf service: `service type private unpriv chroot wakeup maxproc command [args]`. */
export interface Service {
  name: Field;
  type: Field;
  command: Field;
  args: Field[];
  /** `-o name=value` and `-o { name = value }` overrides, in order. */
  overrides: Setting[];
  firstLine: number;
  lastLine: number;
  /**
   * A line added to the entry would not work: it has a syntax error (a dangling `-o`, an open `{`), or its options
   * end before its last argument (a pipe's `argv=...`, a stray word), so an `-o` added at the end is no option.
   */
  damaged: boolean;
}

export interface MasterProblem {
  kind: 'orphan-continuation' | 'field-count' | 'unbalanced-brace' | 'bad-override' | 'comment-in-args';
  range: Range;
  excerpt: string;
}

export interface MasterCf {
  doc: TextDoc;
  services: Service[];
  problems: MasterProblem[];
}

export function parseMasterCf(text: string): MasterCf {
  const doc = new TextDoc(text);
  const services: Service[] = [];
  const problems: MasterProblem[] = [];
  for (const ll of readLogicalLines(doc)) {
    const toks = tokenize(ll);
    const whole = toks.length ? rangeOf(ll, toks[0].start, toks[toks.length - 1].end) : rangeOf(ll, 0, 0);
    const excerpt = ll.text.trim().slice(0, 120);
    if (ll.orphan) {
      problems.push({ kind: 'orphan-continuation', range: whole, excerpt });
      continue;
    }
    const open = toks.find((t) => t.unbalanced);
    if (open) problems.push({ kind: 'unbalanced-brace', range: rangeOf(ll, open.start, open.end), excerpt });
    if (toks.length < 8) {
      problems.push({ kind: 'field-count', range: whole, excerpt });
      continue;
    }
    const field = (i: number): Field => ({ text: ll.text.slice(toks[i].start, toks[i].end), range: rangeOf(ll, toks[i].start, toks[i].end) });
    const args = toks.slice(8).map((_, k) => field(8 + k));
    const problemsBefore = problems.length;
    const { settings: parsedOverrides, optionsEnded } = overrides(ll, toks.slice(8), problems);
    const comment = commentInArgs(ll, toks);
    if (comment) problems.push({ kind: 'comment-in-args', range: comment, excerpt });
    services.push({
      name: field(0),
      type: field(1),
      command: field(7),
      args,
      overrides: parsedOverrides,
      firstLine: ll.firstLine,
      lastLine: ll.lastLine,
      damaged: open !== undefined || optionsEnded || problems.length > problemsBefore,
    });
  }
  return { doc, services, problems };
}

interface Tok {
  start: number;
  end: number;
  unbalanced?: boolean;
}

/**
 * White-space separated fields, read as Postfix 3.0+ does (mystrtokq): white space inside "{ ... }" does not end a
 * field, wherever the brace opens (`-o { a = b c }` and `-o a={ b c }` alike); a "}" with no "{" open is text.
 */
function tokenize(ll: LogicalLine): Tok[] {
  const t = ll.text;
  const out: Tok[] = [];
  let i = 0;
  let erbCloses = true;
  while (i < t.length) {
    while (i < t.length && isBlank(t[i])) i++;
    if (i >= t.length) break;
    const start = i;
    let depth = 0;
    for (; i < t.length; i++) {
      // ERB/EJS markup (`<%= opts %>`) is one opaque token, white space and all.
      if (t[i] === '<' && t[i + 1] === '%' && erbCloses) {
        const close = t.indexOf('%>', i + 2);
        if (close >= 0) {
          i = close + 1;
          continue;
        }
        erbCloses = false; // no later "<%" can close either: stay linear
      }
      if (t[i] === '{') depth++;
      else if (t[i] === '}' && depth > 0) depth--;
      else if (depth === 0 && isBlank(t[i])) break;
    }
    out.push(depth > 0 ? { start, end: i, unbalanced: true } : { start, end: i });
  }
  return out;
}

/** External commands get their words as they are (a `#` included): only Postfix's own daemons parse them as options. */
const EXTERNAL = new Set(['pipe', 'spawn']);

/**
 * `-o smtpd_tls_security_level=encrypt # require TLS`: master.cf has comments only on lines of their own, so the
 * words from the `#` on are arguments of the command. A Postfix daemon then stops ("fatal: unexpected command-line
 * argument: #"). The range runs from the `#` to the last word on its physical line.
 */
function commentInArgs(ll: LogicalLine, toks: Tok[]): Range | undefined {
  const t = ll.text;
  if (EXTERNAL.has(t.slice(toks[7].start, toks[7].end).replace(/^.*\//, ''))) return undefined;
  for (let k = 8; k < toks.length; k++) {
    if (t[toks[k].start] !== '#') continue;
    const first = rangeOf(ll, toks[k].start, toks[k].end);
    let end = toks[k].end;
    for (let j = k + 1; j < toks.length && rangeOf(ll, toks[j].start, toks[j].end).start.line === first.start.line; j++) end = toks[j].end;
    return rangeOf(ll, toks[k].start, end);
  }
  return undefined;
}

/** Where the "}" that closes the "{" at `open` is, or -1. */
function closingBrace(t: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    if (t[i] === '{') depth++;
    else if (t[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function overrides(ll: LogicalLine, args: Tok[], problems: MasterProblem[]): { settings: Setting[]; optionsEnded: boolean } {
  const out: Setting[] = [];
  let optionsEnded = false;
  const t = ll.text;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const word = t.slice(a.start, a.end);
    // Options come first, as for getopt: the first other argument (a pipe's `flags=`, `argv=`) or "--" ends them.
    if (!word.startsWith('-') || word === '--') {
      optionsEnded = true;
      break;
    }
    let tok: Tok | undefined;
    if (word === '-o') tok = args[++k];
    else if (word.startsWith('-o')) tok = { start: a.start + 2, end: a.end };
    else continue;
    if (!tok) {
      problems.push({ kind: 'bad-override', range: rangeOf(ll, a.start, a.end), excerpt: word });
      break;
    }
    let s = tok.start;
    let e = tok.end;
    if (t[s] === '{') {
      // `{ name = value }`: the value ends at the matching "}" (an open brace is reported already).
      const close = closingBrace(t, s, e);
      if (close >= 0 && close < e - 1) {
        problems.push({ kind: 'bad-override', range: rangeOf(ll, close + 1, e), excerpt: t.slice(tok.start, Math.min(tok.end, tok.start + 80)) });
      }
      if (close >= 0) e = close;
      s++;
      while (s < e && isBlank(t[s])) s++;
    }
    const eq = t.indexOf('=', s);
    if (eq < 0 || eq >= e) {
      problems.push({ kind: 'bad-override', range: rangeOf(ll, tok.start, tok.end), excerpt: t.slice(tok.start, Math.min(tok.end, tok.start + 80)) });
      continue;
    }
    let ne = eq;
    while (ne > s && isBlank(t[ne - 1])) ne--;
    if (ne === s) {
      problems.push({ kind: 'bad-override', range: rangeOf(ll, tok.start, tok.end), excerpt: t.slice(tok.start, Math.min(tok.end, tok.start + 80)) });
      continue;
    }
    // An override spans only its own token: removing it must not remove the whole service line.
    out.push(makeSetting(ll, s, ne, eq, e, false));
  }
  return { settings: out, optionsEnded };
}
