// No `vscode` import: unit-tested on its own.
import type { Finding, TextEdit } from '../core/finding';

/** Several findings' edits in one change: identical edits once, and an edit overlapping an earlier one is left out. */
export function mergeEdits(findings: readonly Finding[]): TextEdit[] {
  const out: TextEdit[] = [];
  const key = (e: TextEdit) => `${e.range.start.line}:${e.range.start.character}-${e.range.end.line}:${e.range.end.character}=${e.newText}`;
  const seen = new Set<string>();
  const before = (a: TextEdit['range']['start'], b: TextEdit['range']['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  for (const f of findings) {
    for (const e of f.edits ?? []) {
      if (seen.has(key(e))) continue;
      const overlaps = out.some((o) => !(before(e.range.end, o.range.start) || before(o.range.end, e.range.start)));
      if (overlaps) continue;
      seen.add(key(e));
      out.push(e);
    }
  }
  return out;
}
