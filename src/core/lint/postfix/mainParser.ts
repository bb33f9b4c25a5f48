import type { Range } from '../../finding';
import { isBlank, LogicalLine, positionOf, rangeOf, readLogicalLines, TextDoc } from './logicalLines';

/** One `name = value` of main.cf (or one `-o name=value` of master.cf: same shape, so the rules serve both). */
export interface Setting {
  name: string;
  /** The value as Postfix stores it: continuation lines glued on, surrounding white space trimmed. */
  value: string;
  nameRange: Range;
  valueRange: Range;
  /** Physical lines the whole entry spans (for removing it). */
  firstLine: number;
  lastLine: number;
  /** File range of value[start, end). */
  valueSubRange(start: number, end: number): Range;
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
  const settings: Setting[] = [];
  const problems: SyntaxProblem[] = [];
  for (const ll of readLogicalLines(doc)) {
    const r = splitNameValue(ll);
    if ('problem' in r) problems.push(r.problem);
    else settings.push(r.setting);
  }
  return { doc, settings, problems };
}

/** Postfix's split_nameval(): the name runs to white space or `=`; anything but `=` after it is fatal. */
function splitNameValue(ll: LogicalLine): { setting: Setting } | { problem: SyntaxProblem } {
  const t = ll.text;
  let i = 0;
  while (i < t.length && isBlank(t[i])) i++;
  const nameStart = i;
  while (i < t.length && !isBlank(t[i]) && t[i] !== '=') i++;
  const nameEnd = i;
  while (i < t.length && isBlank(t[i])) i++;
  const whole = rangeOf(ll, nameStart, trimEnd(t, t.length));
  const excerpt = t.slice(nameStart, nameStart + 120);
  if (ll.orphan) return { problem: { kind: 'orphan-continuation', range: whole, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt } };
  if (t[i] !== '=') return { problem: { kind: 'missing-equals', range: whole, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt } };
  if (nameEnd === nameStart) return { problem: { kind: 'missing-name', range: whole, firstLine: ll.firstLine, lastLine: ll.lastLine, excerpt } };
  return { setting: makeSetting(ll, nameStart, nameEnd, i) };
}

/** Builds a setting from a logical line whose name is [nameStart, nameEnd) and whose `=` is at eq. */
export function makeSetting(ll: LogicalLine, nameStart: number, nameEnd: number, eq: number, valueLimit = ll.text.length): Setting {
  const t = ll.text;
  let vs = eq + 1;
  while (vs < valueLimit && isBlank(t[vs])) vs++;
  const ve = Math.max(vs, trimEnd(t, valueLimit));
  const emptyAt = vs === ve ? eq + 1 : vs;
  return {
    name: t.slice(nameStart, nameEnd),
    value: t.slice(vs, ve),
    nameRange: rangeOf(ll, nameStart, nameEnd),
    valueRange: vs === ve ? rangeOf(ll, emptyAt, emptyAt) : rangeOf(ll, vs, ve),
    firstLine: ll.firstLine,
    lastLine: ll.lastLine,
    valueSubRange: (s, e) => rangeOf(ll, vs + Math.max(0, s), vs + Math.min(e, ve - vs)),
  };
}

function trimEnd(t: string, end: number): number {
  while (end > 0 && isBlank(t[end - 1])) end--;
  return end;
}

export { positionOf };
