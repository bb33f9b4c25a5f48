import type { Position, TextEdit } from '../finding';

/** Offsets of each line start, splitting on LF only (a CR before it stays part of the line, as in editors). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function offsetAt(text: string, starts: readonly number[], pos: Position): number {
  if (pos.line < 0) return 0;
  if (pos.line >= starts.length) return text.length;
  const lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1] - 1 : text.length;
  return Math.min(starts[pos.line] + Math.max(0, pos.character), lineEnd);
}

/**
 * Applies non-overlapping edits the way an editor does: all positions refer to the original text. Shared by the
 * lint tests and the CLI's `--fix` style previews.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const resolved = edits
    .map((e, i) => ({ start: offsetAt(text, starts, e.range.start), end: offsetAt(text, starts, e.range.end), newText: e.newText, i }))
    .sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
  let out = text;
  let limit = Infinity;
  for (const e of resolved) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}
