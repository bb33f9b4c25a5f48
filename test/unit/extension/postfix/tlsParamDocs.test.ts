import * as assert from 'node:assert/strict';
import { tlsParamDoc } from '../../../../src/extension/postfix/tlsParamDocs';
import { TABLE } from '../../../../src/core/lint/postfix/obsoleteParams';
import { lint } from '../../../support/postfixLint';

describe('Postfix hover texts', () => {
  it("every obsolete TLS parameter the linter reports has a hover, with the lint's successor and reason", () => {
    const names = Object.keys(TABLE);
    assert.ok(names.length >= 20, `${names.length}`);
    for (const name of names) {
      const doc = tlsParamDoc(name);
      assert.ok(doc, `no hover for ${name}`);
      // The lint reports the same parameter as obsolete, naming the same successor.
      const f = lint('main.cf', `${name} = yes\n`).findings.find((x) => x.id === 'postfix.deprecated-parameter');
      assert.ok(f, name);
      const successor = TABLE[name].name;
      if (successor !== '(none)') {
        assert.ok(doc.includes(successor), `${name}: ${doc}`);
        assert.ok(f.title.includes(successor), `${name}: ${f.title}`);
      }
    }
    assert.match(tlsParamDoc('smtpd_tls_dh512_param_file')!, /^Obsolete: export-grade DH is gone: Postfix 3\.6 and later ignore it/);
    assert.match(tlsParamDoc('smtpd_tls_dh512_param_file')!, /Nothing replaces it/);
    assert.match(tlsParamDoc('smtpd_tls_eecdh_grade')!, /^Obsolete: .*`tls_eecdh_auto_curves`/);
    // Current parameters keep their own words; unknown names have none.
    assert.match(tlsParamDoc('smtpd_tls_security_level')!, /^Server-side TLS policy/);
    assert.equal(tlsParamDoc('no_such_parameter'), undefined);
    assert.equal(tlsParamDoc('constructor'), undefined);
  });
});
