/** Applies a finding's edits the way the editor does (positions are 0-based line/UTF-16 character). */
import type { Position, TextEdit } from '../../src/core/finding';

/** Offsets of each line start in VS Code's line model: `\r\n`, `\n` and a lone `\r` each end a line. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  const breaks = /\r\n|\n|\r/g;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

export function offsetAt(starts: number[], p: Position): number {
  return starts[p.line] + p.character;
}

/** Applies non-overlapping edits; returns undefined when they overlap (the editor would refuse them too). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string | undefined {
  const starts = lineStarts(text);
  const spans = edits
    .map((e) => ({ from: offsetAt(starts, e.range.start), to: offsetAt(starts, e.range.end), text: e.newText }))
    .sort((a, b) => b.from - a.from || b.to - a.to);
  let out = text;
  let limit = Infinity;
  for (const s of spans) {
    if (s.to > limit) return undefined;
    out = out.slice(0, s.from) + s.text + out.slice(s.to);
    limit = s.from;
  }
  return out;
}

/** Where a position of the original text lands after the edits (inside a replaced span: at its start). */
export function mapPosition(text: string, edits: readonly TextEdit[], p: Position): Position {
  const starts = lineStarts(text);
  let offset = offsetAt(starts, p);
  let shift = 0;
  for (const e of edits) {
    const from = offsetAt(starts, e.range.start);
    const to = offsetAt(starts, e.range.end);
    if (to <= offset && !(from === to && to === offset)) shift += e.newText.length - (to - from);
    else if (from < offset) offset = from;
  }
  const target = offset + shift;
  const next = applyEdits(text, edits) ?? text;
  const starts2 = lineStarts(next);
  let line = 0;
  while (line + 1 < starts2.length && starts2[line + 1] <= target) line++;
  return { line, character: target - starts2[line] };
}
