import type { TextEdit } from '../../src/core/finding';
import { LineIndex } from '../../src/core/lint/lines';

/**
 * Applies non-overlapping edits the way an editor does: all positions refer to the original text, in the editor's
 * line model (`\r\n`, `\n` and a lone `\r` end a line). Test-only: checks that a finding's edits make it disappear.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(text);
  const resolved = edits
    .map((e, i) => ({ start: index.offset(e.range.start), end: index.offset(e.range.end), newText: e.newText, i }))
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
