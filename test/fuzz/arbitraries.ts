/**
 * Input generators: a realistic seed mutated at random (what a half-typed or damaged file looks like), and a
 * soup of the format's own tokens mixed with hostile characters (what reaches the parser's corners).
 */
import fc from 'fast-check';
import type { Format } from './corpus';

/** Characters that break naive parsers: line ends of every kind, NUL, quotes, escapes, lone surrogates, BOM. */
export const NASTY = [
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\t',
  '"',
  "'",
  '`',
  '\\',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '$',
  '#',
  '=',
  '\u2028',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u00e9',
  '\u{1f4e7}',
  ' ',
];

const nasty = fc.constantFrom(...NASTY);
const anyText = fc.string({ unit: 'binary', maxLength: 40 });

type Edit = { kind: 'insert' | 'delete' | 'duplicate' | 'truncate'; at: number; len: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('insert', 'insert', 'delete', 'duplicate', 'truncate'),
  at: fc.nat(),
  len: fc.nat({ max: 200 }),
  text: fc.oneof(nasty, anyText, fc.stringMatching(/^[\w.:=\s-]{0,30}$/)),
}) as fc.Arbitrary<Edit>;

function applyEdit(doc: string, e: Edit): string {
  const at = doc.length === 0 ? 0 : e.at % (doc.length + 1);
  switch (e.kind) {
    case 'insert':
      return doc.slice(0, at) + e.text + doc.slice(at);
    case 'delete':
      return doc.slice(0, at) + doc.slice(at + e.len);
    case 'duplicate':
      return doc.slice(0, at + e.len) + doc.slice(at, at + e.len) + doc.slice(at + e.len);
    case 'truncate':
      return doc.slice(0, at);
  }
}

/** A seed of the format after a handful of random edits. */
export function mutatedDocument(format: Format): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...format.seeds), fc.array(edit, { minLength: 1, maxLength: 12 })).map(([seed, edits]) => edits.reduce(applyEdit, seed));
}

/** Random text built from the format's vocabulary, hostile characters and arbitrary strings. */
export function tokenSoup(format: Format): fc.Arbitrary<string> {
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...format.vocabulary) },
    { weight: 2, arbitrary: nasty },
    { weight: 1, arbitrary: anyText },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9.-]{1,70}$/) },
  );
  return fc.array(token, { maxLength: 120 }).map((ts) => ts.join(''));
}

export function documents(format: Format): fc.Arbitrary<string> {
  return fc.oneof(mutatedDocument(format), tokenSoup(format));
}
