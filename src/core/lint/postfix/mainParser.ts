import type { Range } from '../../finding';
import { forEachLogicalLine, lineRange, LogicalLine, positionOf, rangeOf, TextDoc } from './logicalLines';
import { knownNameAt } from './params';

/**
 * One `name = value` of main.cf (or one `-o name=value` of master.cf: same shape, so the rules serve both). Made
 * by `makeSetting`, whose ranges are getters on the prototype: a spread copy (`{ ...s }`) loses `nameRange`,
 * `valueRange` and `valueSubRange`, so make another setting with `makeSetting` instead.
 */
export interface Setting {
  name: string;
  /** The value as Postfix stores it: continuation lines glued on, surrounding white space trimmed. */
  value: string;
  readonly nameRange: Range;
  readonly valueRange: Range;
  /** Physical lines the whole entry spans (for removing it); -1 for a master.cf override (see makeSetting). */
  readonly firstLine: number;
  readonly lastLine: number;
  /** File range of value[start, end). */
  valueSubRange(start: number, end: number): Range;
  /**
   * A `#` written after the value on the setting's one line (`relayhost = [mx]:587  # our relay`): Postfix has no such
   * comments and keeps those words in the value; `value` stops before them (see trailingCommentAt). Its range runs
   * to the end of the line.
   */
  readonly trailingComment?: Range;
}

export interface SyntaxProblem {
  kind: 'orphan-continuation' | 'missing-equals' | 'missing-name';
  range: Range;
  firstLine: number;
  lastLine: number;
  /** A short, printable excerpt of the offending line. */
  excerpt: string;
}

export interface MainCf {
  doc: TextDoc;
  /** Every assignment in file order, overridden ones included. */
  settings: Setting[];
  problems: SyntaxProblem[];
}

export function parseMainCf(text: string): MainCf {
  const doc = new TextDoc(text);
  // Made at the most it can hold (a setting takes a line at least; up to 65,536, past that it grows as it goes)
  // and cut to size after: pushing grows an array by half again and again, copying it each time (three times its
  // size in all).
  const settings: Setting[] = new Array<Setting>(Math.min(doc.lines.length, 65_536));
  let count = 0;
  const problems: SyntaxProblem[] = [];
  // No logical line object is kept for a setting on one line (nearly all of them): it keeps its line number.
  forEachLogicalLine(doc, (ll) => {
    const r = splitNameValue(ll);
    if (r instanceof ParsedSetting) settings[count++] = r;
    else problems.push(r);
  });
  settings.length = count;
  // Indexed loops over the per-setting arrays in the rules: a for...of in code that runs once per lint allocates an
  // iterator result per element until it is optimised (about 0.3 MB per pass over a 10,000-line file).
  return { doc, settings, problems };
}

/** Postfix's split_nameval(): the name runs to white space or `=`; anything but `=` after it is fatal. */
function splitNameValue(ll: LogicalLine): ParsedSetting | SyntaxProblem {
  const t = ll.text;
  let i = 0;
  while (i < t.length && isBlankCode(t.charCodeAt(i))) i++;
  const nameStart = i;
  while (i < t.length && !isBlankCode(t.charCodeAt(i)) && t.charCodeAt(i) !== 61 /* = */) i++;
  const nameEnd = i;
  while (i < t.length && isBlankCode(t.charCodeAt(i))) i++;
  const kind = ll.orphan ? 'orphan-continuation' : t[i] !== '=' ? 'missing-equals' : nameEnd === nameStart ? 'missing-name' : undefined;
  if (kind === undefined) return parsedSetting(ll, nameStart, nameEnd, i, t.length);
  const whole = rangeOf(ll, nameStart, trimEnd(t, t.length));
  const excerpt = t.slice(nameStart, nameStart + 120);
  return { kind, range: whole, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt };
}

/**
 * A parsed setting. Its ranges are worked out when first asked for and then kept: a big file has thousands of
 * settings and most ranges are never needed (only findings and hovers point at them). Its lines are its logical
 * line's (no fields of their own: a big file has thousands of settings).
 */
class ParsedSetting implements Setting {
  private nameRangeCache: Range | undefined;
  private valueRangeCache: Range | undefined;
  constructor(
    /** The logical line, or the number of its one physical line. */
    private readonly ll: LogicalLine | number,
    readonly name: string,
    readonly value: string,
    /** Where the name starts in the logical line; it ends name.length later. */
    private readonly nameStart: number,
    private readonly eq: number,
    /** Where the value starts in the logical line; it ends value.length later. */
    private readonly vs: number,
    /** [start, end) of a trailing comment in the logical line, or -1. */
    private readonly commentStart = -1,
    private readonly commentEnd = -1,
  ) {}

  get trailingComment(): Range | undefined {
    return this.commentStart < 0 ? undefined : this.range(this.commentStart, this.commentEnd);
  }

  get firstLine(): number {
    const ll = this.ll;
    return typeof ll === 'number' ? ll : ll.firstLine;
  }

  get lastLine(): number {
    const ll = this.ll;
    return typeof ll === 'number' ? ll : ll.lastLine;
  }

  get nameRange(): Range {
    return (this.nameRangeCache ??= this.range(this.nameStart, this.nameStart + this.name.length));
  }

  get valueRange(): Range {
    if (this.valueRangeCache === undefined) {
      const ve = this.vs + this.value.length;
      const emptyAt = this.vs === ve ? this.eq + 1 : this.vs;
      this.valueRangeCache = this.vs === ve ? this.range(emptyAt, emptyAt) : this.range(this.vs, ve);
    }
    return this.valueRangeCache;
  }

  valueSubRange(start: number, end: number): Range {
    return this.range(this.vs + Math.max(0, start), this.vs + Math.min(end, this.value.length));
  }

  private range(start: number, end: number): Range {
    const ll = this.ll;
    return typeof ll === 'number' ? lineRange(ll, start, end) : rangeOf(ll, start, end);
  }
}

/** A master.cf `-o` override: it spans only its own token, so it has no whole lines to remove (-1). */
class OverrideSetting extends ParsedSetting {
  override get firstLine(): number {
    return -1;
  }

  override get lastLine(): number {
    return -1;
  }
}

/**
 * Builds a setting from a logical line whose name is [nameStart, nameEnd) and whose `=` is at eq. `wholeLines`
 * false gives firstLine = lastLine = -1: a master.cf override spans only its own token, and removing it must not
 * remove the whole service line.
 */
export function makeSetting(ll: LogicalLine, nameStart: number, nameEnd: number, eq: number, valueLimit = ll.text.length, wholeLines = true): Setting {
  return parsedSetting(ll, nameStart, nameEnd, eq, valueLimit, wholeLines);
}

function parsedSetting(ll: LogicalLine, nameStart: number, nameEnd: number, eq: number, valueLimit: number, wholeLines = true): ParsedSetting {
  const t = ll.text;
  let vs = eq + 1;
  while (vs < valueLimit && isBlankCode(t.charCodeAt(vs))) vs++;
  let ve = Math.max(vs, trimEnd(t, valueLimit));
  // A logical line of one physical line is kept as its number (forEachLogicalLine reuses that object).
  const kept = ll.pieces ? ll : ll.firstLine;
  const name = knownNameAt(t, nameStart, nameEnd) ?? t.slice(nameStart, nameEnd);
  if (!wholeLines) return new OverrideSetting(kept, name, t.slice(vs, ve), nameStart, eq, vs);
  const comment = ll.pieces ? -1 : trailingCommentAt(t, name, vs, ve);
  if (comment < 0) return new ParsedSetting(kept, name, t.slice(vs, ve), nameStart, eq, vs);
  const end = ve;
  ve = Math.max(vs, trimEnd(t, comment));
  return new ParsedSetting(kept, name, t.slice(vs, ve), nameStart, eq, vs, comment, end);
}

/** Free text and shell commands, where a `#` is text (or the shell's own comment), not a slip. */
const FREE_TEXT = /_(banner|command|footer|text)$/;

/**
 * Where a `#` after white space starts in value [vs, ve) of a one-line setting, or -1. Only a line whose first
 * non-blank character is `#` is a comment in main.cf (postconf(5)); people write `value  # why` anyway, and Postfix
 * keeps the words in the value, which a list, a keyword, a host or a number cannot take. Not after an unclosed `{`
 * (an inline table, or template markup such as `{# note #}`), and not in free text or commands.
 */
function trailingCommentAt(t: string, name: string, vs: number, ve: number): number {
  if (FREE_TEXT.test(name)) return -1;
  let open = 0;
  for (let k = vs + 1; k < ve; k++) {
    const c = t.charCodeAt(k);
    if (c === 123 /* { */) open++;
    else if (c === 125 /* } */) open = Math.max(0, open - 1);
    else if (c === 35 /* # */ && open === 0 && isBlankCode(t.charCodeAt(k - 1))) return k;
  }
  return -1;
}

/**
 * logicalLines.ts's isBlankCode (tab, LF, VT, FF, CR, space), here for the per-character loops: `npm run bench`
 * runs the sources through tsx, whose CommonJS modules read every import through a getter that V8 did not
 * inline, once per character (8% of the bench's lint). The shipped bundles have one scope and no getters.
 */
function isBlankCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function trimEnd(t: string, end: number): number {
  while (end > 0 && isBlankCode(t.charCodeAt(end - 1))) end--;
  return end;
}

export { positionOf };
