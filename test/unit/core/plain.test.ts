/**
 * src/core/plain.ts: what the constructors make must be what the object literals made (the lint's output, the
 * CLI's JSON and the editor's diagnostics are built from these objects).
 */
import * as assert from 'node:assert/strict';
import { makeFinding, makeLocatedFinding } from '../../../src/core/findings';
import { pair, position, range, single, textEdit } from '../../../src/core/plain';

describe('plain objects made by constructors', () => {
  it('are the literals they replace: prototype, constructor, own keys in order, JSON', () => {
    const p = position(3, 7);
    const r = range(p, position(3, 9));
    const e = textEdit(r, 'x');
    for (const [made, literal] of [
      [p, { line: 3, character: 7 }],
      [r, { start: { line: 3, character: 7 }, end: { line: 3, character: 9 } }],
      [e, { range: { start: { line: 3, character: 7 }, end: { line: 3, character: 9 } }, newText: 'x' }],
    ] as const) {
      assert.deepStrictEqual(made, literal);
      assert.equal(Object.getPrototypeOf(made), Object.prototype);
      assert.equal(made.constructor, Object);
      assert.deepEqual(Object.keys(made), Object.keys(literal));
      assert.equal(JSON.stringify(made), JSON.stringify(literal));
      assert.deepStrictEqual({ ...made }, literal);
    }
    assert.notEqual(position(1, 1), position(1, 1), 'a new object each time');
  });

  it('pair and single are the array literals they replace, a new array each time', () => {
    const o = { a: 1 };
    assert.deepStrictEqual(pair('x', 'y'), ['x', 'y']);
    assert.deepStrictEqual(single(o), [o]);
    assert.equal(single(o)[0], o);
    assert.ok(Array.isArray(pair(1, 2)) && Object.getPrototypeOf(pair(1, 2)) === Array.prototype);
    const p1 = pair('a', 'b');
    const p2 = pair('c', 'd');
    assert.notEqual(p1, p2);
    assert.deepStrictEqual(
      [p1, p2],
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    );
    assert.equal(JSON.stringify(single('z')), '["z"]');
  });

  it('makeLocatedFinding gives what makeFinding gives with every part', () => {
    const r = range(position(0, 0), position(0, 4));
    const edits = [textEdit(range(position(0, 0), position(1, 0)), '')];
    const made = makeLocatedFinding('postfix.duplicate-parameter', 'warning', 'T', 'D', 'F', r, ['a', 'b'], edits, 'E', '/x/main.cf');
    const parts = {
      severity: 'warning',
      title: 'T',
      detail: 'D',
      fix: 'F',
      range: r,
      evidence: ['a', 'b'],
      edits,
      editTitle: 'E',
      file: '/x/main.cf',
    } as const;
    const reference = makeFinding('postfix.duplicate-parameter', { ...parts, evidence: [...parts.evidence] });
    assert.deepStrictEqual(made, reference);
    assert.equal(JSON.stringify(made), JSON.stringify(reference));
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
  });
});
