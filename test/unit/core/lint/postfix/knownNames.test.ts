/**
 * knownNameAt (src/core/lint/postfix/params.ts): the parser keeps the parameter table's own string for a name it
 * reads, so it must find exactly the known names, wherever they stand in a line, and nothing else.
 */
import * as assert from 'node:assert/strict';
import data from '../../../../../data/postfix-params.json';
import { isKnownParameter, knownNameAt, suggestParameter } from '../../../../../src/core/lint/postfix/params';

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

  it('suggests the same name when asked again, also after more names than it remembers', () => {
    // suggestParameter keeps its answers (an editor asks again on every keystroke): they must be the ones it computes.
    const asked = ['smtpd_tls_protocol', 'relayhots', 'custom_param_8', 'smtp_tls_securty_level', 'x'.repeat(20)];
    const first = asked.map((n) => suggestParameter(n));
    assert.deepEqual(first, ['smtpd_tls_protocols', 'relayhost', undefined, 'smtp_tls_security_level', undefined]);
    for (let i = 0; i < 5000; i++) suggestParameter(`custom_param_${i}`);
    assert.deepEqual(
      asked.map((n) => suggestParameter(n)),
      first,
    );
    // A name read out of a longer text (a slice) is answered as the same name on its own.
    const line = `relayhots = [smtp.example.net]:587 ${'#'.repeat(100)}`;
    assert.equal(suggestParameter(line.slice(0, 9)), 'relayhost');
  });
});
