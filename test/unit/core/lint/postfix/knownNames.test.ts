/**
 * knownNameAt (src/core/lint/postfix/params.ts): the parser keeps the parameter table's own string for a name it
 * reads, so it must find exactly the known names, wherever they stand in a line, and nothing else.
 */
import * as assert from 'node:assert/strict';
import data from '../../../../../data/postfix-params.json';
import { isKnownParameter, knownNameAt } from '../../../../../src/core/lint/postfix/params';

const names = [...Object.keys(data.defaults), ...Object.keys(data.newerParameters)];

describe('postfix: known parameter names read in place', () => {
  it('finds every known name inside a line, as the table string', () => {
    for (const name of names) {
      const line = `  ${name} = x`;
      assert.equal(knownNameAt(line, 2, 2 + name.length), name);
      assert.equal(knownNameAt(name, 0, name.length), name);
    }
  });

  it('gives nothing for a name the table does not have: one character changed, cut or added', () => {
    let checked = 0;
    for (const name of names) {
      const variants = [name.slice(1), name.slice(0, -1), `${name}x`, `x${name}`, `${name.slice(0, -1)}${name.endsWith('z') ? 'y' : 'z'}`];
      variants.push(`${name.slice(0, name.length >> 1)}${name[name.length >> 1] === '_' ? 'a' : '_'}${name.slice((name.length >> 1) + 1)}`);
      for (const v of variants) {
        const line = `# ${v} =`;
        const got = knownNameAt(line, 2, 2 + v.length);
        assert.equal(got, Object.hasOwn(data.defaults, v) || Object.hasOwn(data.newerParameters, v) ? v : undefined, v);
        checked++;
      }
    }
    assert.ok(checked > 5000);
    assert.equal(knownNameAt('relayhost', 0, 0), undefined);
    assert.ok(isKnownParameter('relayhost') && knownNameAt('relayhost', 0, 9) === 'relayhost');
  });
});
