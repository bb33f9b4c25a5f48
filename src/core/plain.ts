/**
 * Positions, ranges and edits made by constructor functions instead of object literals, for the objects a big lint
 * makes by the thousand and keeps until it ends. V8 remembers where a literal is allocated and, when a scavenge of
 * a full-size young generation finds nearly all of one site's objects still alive, allocates that site's objects
 * straight into the old generation from then on ("allocation-site pretenuring"). Everything a lint makes dies when
 * it ends, so the old generation then fills with it and is cleared by full mark-compacts: the duplicates bench ran
 * at about twice the CPU per lint in the runs where V8 took that decision (about one run in three; see
 * docs/performance.md). A constructor call has no allocation site. Each constructor's prototype is Object.prototype,
 * so what it makes is what the literal made: the same prototype and `constructor`, the same own properties in the
 * same order (JSON, deepStrictEqual, spread and Object.keys see no difference). Arrays: `pair` and `single` copy
 * a scratch array with `slice`, which has no allocation site either and costs what a literal does (`Array.of`
 * has none, but is a builtin call about ten times a literal's cost: the duplicates lint took half as long again).
 */
import type { Position, Range, TextEdit } from './finding';

/** A constructor of plain objects: `init` sets the fields on `this`, in the order a literal would list them. */
export function plainConstructor<A extends unknown[], T>(init: (this: T, ...args: A) => void): new (...args: A) => T {
  (init as { prototype: object }).prototype = Object.prototype;
  return init as unknown as new (...args: A) => T;
}

const PositionObject = plainConstructor(function (this: Position, line: number, character: number) {
  this.line = line;
  this.character = character;
});

const RangeObject = plainConstructor(function (this: Range, start: Position, end: Position) {
  this.start = start;
  this.end = end;
});

const EditObject = plainConstructor(function (this: TextEdit, range: Range, newText: string) {
  this.range = range;
  this.newText = newText;
});

/** `{ line, character }` */
export function position(line: number, character: number): Position {
  return new PositionObject(line, character);
}

/** `{ start, end }` */
export function range(start: Position, end: Position): Range {
  return new RangeObject(start, end);
}

/** `{ range, newText }` */
export function textEdit(range: Range, newText: string): TextEdit {
  return new EditObject(range, newText);
}

const PAIR: unknown[] = [undefined, undefined];
const SINGLE: unknown[] = [undefined];

/** `[a, b]` (see above: a copy of a scratch array; nothing in between can reenter). */
export function pair<T>(a: T, b: T): T[] {
  PAIR[0] = a;
  PAIR[1] = b;
  const out = PAIR.slice() as T[];
  PAIR[0] = PAIR[1] = undefined;
  return out;
}

/** `[a]` (see above). */
export function single<T>(a: T): T[] {
  SINGLE[0] = a;
  const out = SINGLE.slice() as T[];
  SINGLE[0] = undefined;
  return out;
}
