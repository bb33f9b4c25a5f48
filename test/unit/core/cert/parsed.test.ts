/**
 * Parsed certificates are shared by every probe of a process (CA files and intermediates repeat across
 * endpoints): the same bytes give the same description, but each caller gets its own info to keep or change.
 */
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { parseCertificate } from '../../../../src/core/cert/parsed';
import { makePki } from '../../../support/pki';

describe('cert/parsed: parseCertificate cache', () => {
  const pki = makePki('Parsed Cache Test');
  const leaf = pki.leaf({ cn: 'mail.parsed.test' });
  const der = new X509Certificate(leaf.certPem).raw;

  it('the same bytes give the same description, and each caller its own info object', () => {
    const a = parseCertificate(der);
    const b = parseCertificate(Buffer.from(der));
    assert.ok(!('error' in a) && !('error' in b));
    assert.deepEqual(a.info, b.info);
    assert.notEqual(a.info, b.info);
    assert.notEqual(a.info.sans, b.info.sans);
    a.info.sans.push('DNS:changed.example');
    a.info.subject = 'changed';
    const c = parseCertificate(der);
    assert.ok(!('error' in c));
    assert.deepEqual(c.info, b.info, 'a change to one result does not reach the next');
  });

  it('other bytes are parsed on their own, and unreadable bytes still say why', () => {
    const other = parseCertificate(new X509Certificate(pki.root.certPem).raw);
    const a = parseCertificate(der);
    assert.ok(!('error' in other) && !('error' in a));
    assert.notEqual(other.info.fingerprint256, a.info.fingerprint256);
    const broken = Buffer.from(der);
    broken[10] ^= 0xff;
    const bad = parseCertificate(broken);
    assert.ok('error' in bad || bad.info.fingerprint256 !== a.info.fingerprint256);
  });
});
