/** The removal of a property with its comma, for the edits the rules offer. */
import type { TextEdit } from '../../finding';
import { isBreakChar, type LineIndex } from '../lines';

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
  const ownLine = (lineBegin === 0 || isBreakChar(text[lineBegin - 1])) && (isBreakChar(text[after]) || after >= text.length);
  if (ownLine) {
    let lineEnd = after;
    if (text[lineEnd] === '\r') lineEnd++;
    if (text[lineEnd] === '\n') lineEnd++;
    return { range: index.range(lineBegin, lineEnd), newText: '' };
  }
  while (stop < text.length && text[stop] === ' ') stop++;
  return { range: index.range(start, stop), newText: '' };
}
