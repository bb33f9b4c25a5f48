/** Offsets to editor positions, and the removal of a property with its comma, for the edits the rules offer. */
import type { Position, Range, TextEdit } from '../../finding';

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    // LF only, like the shared lint helpers (src/core/lint/edits.ts): a lone CR stays part of its line.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
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
    return { line: lo, character: o - this.starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The white space that starts the line holding `offset`. */
  indentAt(offset: number): string {
    const line = this.position(offset).line;
    const start = this.starts[line];
    return /^[ \t]*/.exec(this.text.slice(start, start + 200))?.[0] ?? '';
  }
}

/**
 * Removes `start..end` (a property) with the comma after it; when the property has its line to itself, the whole
 * line goes, so no blank line is left behind.
 */
export function removalEdit(text: string, index: LineIndex, start: number, end: number): TextEdit {
  let stop = end;
  while (stop < text.length && (text[stop] === ' ' || text[stop] === '\t')) stop++;
  if (text[stop] === ',') stop++;
  let lineBegin = start;
  while (lineBegin > 0 && (text[lineBegin - 1] === ' ' || text[lineBegin - 1] === '\t')) lineBegin--;
  let after = stop;
  while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
  const ownLine = (lineBegin === 0 || text[lineBegin - 1] === '\n') && (text[after] === '\n' || text[after] === '\r' || after >= text.length);
  if (ownLine) {
    let lineEnd = after;
    if (text[lineEnd] === '\r') lineEnd++;
    if (text[lineEnd] === '\n') lineEnd++;
    return { range: index.range(lineBegin, lineEnd), newText: '' };
  }
  while (stop < text.length && text[stop] === ' ') stop++;
  return { range: index.range(start, stop), newText: '' };
}
