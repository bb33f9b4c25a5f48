import type { Position, Range } from '../../finding';
import { eolOf, splitLines } from '../lines';
import { plainConstructor, position, range } from '../../plain';
import { isTemplateControlLine, mayHoldTemplateMarkup } from '../templates';

/**
 * Postfix's reading of main.cf and master.cf (readllines): a line that starts with white space continues the
 * logical line before it; blank lines and lines whose first non-blank character is `#` are skipped, even in the
 * middle of a logical line. The logical text is the physical lines glued together without their newlines, so
 * every character keeps a known place in the file and ranges stay exact across continuation lines.
 */
export interface LogicalLine {
  text: string;
  /** Physical lines in it (first, last), comment lines in between included. */
  firstLine: number;
  lastLine: number;
  /**
   * For each physical piece, the logical offset where it starts and its line number, in turn (`[0, firstLine,
   * offset, line, ...]`, one array for both); undefined for a logical line of one physical line (most of them),
   * which starts at offset 0 of `firstLine`.
   */
  pieces?: number[];
  /** True when the first physical line starts with white space (Postfix ignores such a logical line). */
  orphan: boolean;
}

/** A logical line with continuation lines, which a setting keeps (a constructor, not a literal: src/core/plain.ts). */
const ContinuedLine = plainConstructor(function (this: LogicalLine, text: string, firstLine: number, lastLine: number, orphan: boolean) {
  this.text = text;
  this.firstLine = firstLine;
  this.lastLine = lastLine;
  this.pieces = undefined;
  this.orphan = orphan;
});

/**
 * The document's lines as the editor shows them (`\r\n`, `\n` and a lone `\r` end a line), so every range lands on
 * the line the user sees. Postfix itself ends lines at `\n` only; a file with lone CRs is one long line to it, which
 * no real main.cf is, so the editor's view wins.
 */
export class TextDoc {
  readonly lines: string[];
  readonly eol: string;
  constructor(readonly text: string) {
    this.lines = splitLines(text);
    this.eol = eolOf(text);
  }
  get lineCount(): number {
    return this.lines.length;
  }
  lineEnd(line: number): Position {
    return position(line, this.lines[line]?.length ?? 0);
  }
  /**
   * The range that removes whole physical lines [first, last], newline included. `lineStart` and `nextLineStart`,
   * when they are the positions of character 0 of `first` and of `last + 1` (a setting's name range starts there),
   * are used as the start and end instead of copies: the positions of findings are never changed in place.
   */
  deleteLines(first: number, last: number, lineStart?: Position, nextLineStart?: Position): Range {
    // Made by constructors, not literals (src/core/plain.ts): a big file's findings keep thousands of these.
    if (first > 0 && last + 1 >= this.lines.length) return range(this.lineEnd(first - 1), this.lineEnd(last));
    const start = lineStart && lineStart.line === first && lineStart.character === 0 ? lineStart : position(first, 0);
    if (last + 1 >= this.lines.length) return range(start, this.lineEnd(last));
    const end = nextLineStart && nextLineStart.line === last + 1 && nextLineStart.character === 0 ? nextLineStart : position(last + 1, 0);
    return range(start, end);
  }
  /** Where to insert `text` as a new line after physical line `line` (or at the end when line is past it). */
  insertLineAfter(line: number, text: string): { range: Range; newText: string } {
    const at = Math.min(line, this.lines.length - 1);
    if (at + 1 < this.lines.length) {
      const p = { line: at + 1, character: 0 };
      // The split leaves one empty last "line" after a final newline: insert before it, on a line of its own.
      return { range: { start: p, end: p }, newText: text + this.eol };
    }
    const p = this.lineEnd(at);
    const needsBreak = this.lines[at].length > 0;
    return { range: { start: p, end: p }, newText: (needsBreak ? this.eol : '') + text + (needsBreak ? '' : this.eol) };
  }
}

export const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';

/** isBlank for a character code (tab, LF, VT, FF, CR and space), without making 1-character strings. */
export const isBlankCode = (c: number) => c === 32 || (c >= 9 && c <= 13);

function firstNonBlank(s: string): number {
  let i = 0;
  while (i < s.length && isBlankCode(s.charCodeAt(i))) i++;
  return i;
}

export function readLogicalLines(doc: TextDoc): LogicalLine[] {
  const out: LogicalLine[] = [];
  scanLogicalLines(doc, (ll) => out.push(ll), false);
  return out;
}

/**
 * Calls `visit` with each logical line, in order, without keeping them (main.cf's parser keeps what a setting
 * needs). A logical line of one physical line (nearly all) comes in one object reused for every such line: it is
 * valid during the call only, so keep its `firstLine`, not the object. One with continuation lines is an object of
 * its own that may be kept.
 */
export function forEachLogicalLine(doc: TextDoc, visit: (ll: LogicalLine) => void): void {
  scanLogicalLines(doc, visit, true);
}

function scanLogicalLines(doc: TextDoc, visit: (ll: LogicalLine) => void, reuse: boolean): void {
  const lines = doc.lines;
  // No line of a text without "{" or "<%" is a template control line: one look at the text instead of one per line.
  const mayTemplate = mayHoldTemplateMarkup(doc.text);
  const scratch: LogicalLine | undefined = reuse ? { text: '', firstLine: 0, lastLine: 0, pieces: undefined, orphan: false } : undefined;
  // The logical line being read: a single piece until a continuation line comes (then its pieces are kept).
  let cur: LogicalLine | undefined;
  let len = 0;
  const flush = () => {
    if (!cur) return;
    visit(cur);
    cur = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const nb = firstNonBlank(line);
    if (nb === line.length || line.charCodeAt(nb) === 35 /* # */) continue;
    // A template's own control line (`{% if x %}`, `{{ end }}`) is not Postfix text: it vanishes when rendered.
    if (mayTemplate && isTemplateControlLine(line)) continue;
    if (nb > 0 && cur) {
      if (!cur.pieces) {
        // Continued: its own object (a setting keeps it for its ranges); the scratch one stays a single line.
        if (cur === scratch) cur = new ContinuedLine(cur.text, cur.firstLine, cur.lastLine, cur.orphan);
        // Made at its size (a push onto a two-element literal grows it to 19 slots).
        cur.pieces = [0, cur.firstLine, len, i];
      } else cur.pieces.push(len, i);
      // The text glued on as it comes (no array of the pieces to join): the parser's first read makes it flat.
      cur.text += line;
      len += line.length;
      cur.lastLine = i;
      continue;
    }
    flush();
    if (scratch) {
      scratch.text = line;
      scratch.firstLine = i;
      scratch.lastLine = i;
      scratch.orphan = nb > 0;
      cur = scratch;
    } else cur = { text: line, firstLine: i, lastLine: i, pieces: undefined, orphan: nb > 0 };
    len = line.length;
  }
  flush();
}

/** The file position of logical offset `off` (binary search: a logical line can hold many pieces). */
export function positionOf(ll: LogicalLine, off: number): Position {
  const pieces = ll.pieces;
  if (!pieces) return position(ll.firstLine, off);
  // Binary search over the pieces (piece k's start is at 2k, its line at 2k + 1).
  let lo = 0;
  let hi = (pieces.length >> 1) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[2 * mid] <= off) lo = mid;
    else hi = mid - 1;
  }
  return position(pieces[2 * lo + 1], off - pieces[2 * lo]);
}

/** The range of logical [start, end): the end is placed after the last character, never at the next piece. */
export function rangeOf(ll: LogicalLine, start: number, end: number): Range {
  // Within the first physical line (a name always is): no position to look up and throw away.
  if (!ll.pieces || (start < ll.pieces[2] && end <= ll.pieces[2])) return lineRange(ll.firstLine, start, end);
  const s = positionOf(ll, start);
  if (end <= start) return range(s, s);
  const last = positionOf(ll, end - 1);
  return range(s, position(last.line, last.character + 1));
}

/**
 * rangeOf for a logical line of one physical line, `line`: [start, end) of that line. Its objects are made by
 * constructors, not literals (src/core/plain.ts): a big file's findings keep thousands of them.
 */
export function lineRange(line: number, start: number, end: number): Range {
  const at = position(line, start);
  return range(at, end <= start ? at : position(line, end));
}
