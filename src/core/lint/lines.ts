/**
 * Lines as the editor counts them. VS Code (and the LSP) end a line at `\r\n`, `\n` or a lone `\r`; a range the
 * engine computes with any other model lands on another line than the one the user sees. Every linter maps
 * offsets to positions, and splits its text into lines, through this one module.
 */
import type { Position, Range } from '../finding';

/** Length of the line break starting at `i`: 2 for `\r\n`, 1 for `\n` or a lone `\r`, 0 when there is none. */
export function breakLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 10) return 1;
  if (c === 13) return text.charCodeAt(i + 1) === 10 ? 2 : 1;
  return 0;
}

export function isBreakChar(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

/** Offset where each line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const n = breakLength(text, i);
    if (n === 0) continue;
    i += n - 1;
    starts.push(i + 1);
  }
  return starts;
}

/**
 * Calls `each` with every line (its text, without the break, and its number), up to `maxLines`; stops early when
 * `each` returns false. Lines are cut at `maxLength` characters, which bounds the cost of one huge line.
 */
export function forEachLine(text: string, maxLines: number, maxLength: number, each: (line: string, n: number) => boolean | void): void {
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (let n = 0; n < maxLines && start <= text.length; n++) {
    breaks.lastIndex = start;
    const m = breaks.exec(text);
    const end = m ? m.index : text.length;
    if (each(text.slice(start, Math.min(end, start + maxLength)), n) === false || !m) return;
    start = end + m[0].length;
  }
}

/** The lines without their breaks (`a\r\nb\rc\n` gives `a`, `b`, `c`, ``). */
export function splitLines(text: string): string[] {
  // Most files have no CR at all: a plain split gives the same lines without the regular expression.
  return text.includes('\r') ? text.split(/\r\n|\n|\r/) : text.split('\n');
}

/** The first line break in the text, for inserted lines (`\n` when there is none). */
export function eolOf(text: string): string {
  const m = /\r\n|\n|\r/.exec(text);
  return m ? m[0] : '\n';
}

/** Offsets to positions and back, in the editor's line model. */
export class LineIndex {
  readonly starts: number[];

  constructor(readonly text: string) {
    this.starts = lineStarts(text);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset just after the last character of `line`, before its break. */
  lineEndOffset(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[line + 1];
    return next - (this.text[next - 1] === '\n' && this.text[next - 2] === '\r' ? 2 : 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    // An offset between the CR and LF of a CRLF is no place in the editor: it counts as the line's end.
    return { line: lo, character: Math.min(o, this.lineEndOffset(lo)) - this.starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The offset of a position, clamped to its line the way the editor clamps it. */
  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[pos.line] + Math.max(0, pos.character), this.lineEndOffset(pos.line));
  }

  /** The white space that starts the line holding `offset` (an edit that adds a line indents it the same). */
  indentAt(offset: number): string {
    const start = this.starts[this.position(offset).line];
    return /^[ \t]*/.exec(this.text.slice(start, start + 200))?.[0] ?? '';
  }
}
