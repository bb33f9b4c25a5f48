import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { makePki } from '../../support/pki';

describe('test PKI', () => {
  it('issues a leaf that verifies against the intermediate and the root', () => {
    const pki = makePki();
    const leaf = pki.leaf({ cn: 'mail.test', sans: ['mail.test', '127.0.0.1'] });
    const x = new X509Certificate(leaf.certPem);
    const inter = new X509Certificate(pki.intermediate.certPem);
    const root = new X509Certificate(pki.root.certPem);
    assert.ok(x.verify(inter.publicKey));
    assert.ok(inter.verify(root.publicKey));
    assert.ok(x.checkHost('mail.test'));
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.ok(x.checkIssued(inter));
  });
});
