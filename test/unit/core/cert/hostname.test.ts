import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as fc from 'fast-check';
import { describeCertificate } from '../../../../src/core/cert/pem';
import { coveredNames, matchesHostname } from '../../../../src/core/cert/hostname';
import type { CertificateInfo } from '../../../../src/core/cert/types';
import { makePki, TestPki } from '../../../support/pki';

describe('cert matchesHostname (RFC 6125)', () => {
  let pki: TestPki;
  let x: X509Certificate;
  let info: CertificateInfo;
  before(() => {
    pki = makePki('Hostname');
    const leaf = pki.leaf({ cn: 'ignored-cn.test', sans: ['mail.example.com', '*.mx.example.com', '*.com', 'Upper.Example.ORG', '192.0.2.7', '2001:db8::1'] });
    x = new X509Certificate(leaf.certPem);
    const d = describeCertificate(x.raw);
    assert.ok(!('error' in d));
    info = d;
  });

  const cases: [string, boolean][] = [
    ['mail.example.com', true],
    ['MAIL.Example.Com', true],
    ['mail.example.com.', true],
    ['mail.example.com..', false],
    ['example.com', false],
    ['a.mx.example.com', true],
    ['A.MX.EXAMPLE.COM.', true],
    ['mx.example.com', false],
    ['a.b.mx.example.com', false],
    ['anything.com', false],
    ['upper.example.org', true],
    ['ignored-cn.test', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['2001:db8::1', true],
    ['2001:0db8:0:0:0:0:0:1', true],
    ['[2001:db8::1]', true],
    ['2001:db8::2', false],
    ['', false],
  ];
  for (const [name, expected] of cases) {
    it(`${JSON.stringify(name)} -> ${expected} (X509Certificate and CertificateInfo agree)`, () => {
      assert.equal(matchesHostname(x, name), expected);
      assert.equal(matchesHostname(info, name), expected);
    });
  }

  it('an IP literal never matches a DNS SAN spelled like it', () => {
    const leaf = pki.leaf({ cn: 'x', sans: ['10.0.0.1.nip.test'] });
    assert.equal(matchesHostname(new X509Certificate(leaf.certPem), '10.0.0.1'), false);
  });

  it('falls back to the subject CN only when there is no DNS SAN at all', () => {
    const cnOnly = new X509Certificate(pki.leaf({ cn: 'legacy.example.net', sans: [] }).certPem);
    assert.equal(matchesHostname(cnOnly, 'legacy.example.net'), true);
    assert.equal(matchesHostname(cnOnly, 'LEGACY.example.net.'), true);
    assert.deepEqual(coveredNames(cnOnly), ['legacy.example.net (subject CN)']);
    const ipOnly = new X509Certificate(pki.leaf({ cn: 'cn.example.net', sans: ['192.0.2.1'] }).certPem);
    assert.equal(matchesHostname(ipOnly, 'cn.example.net'), true, 'an IP SAN alone does not disable the CN');
    const withDns = new X509Certificate(pki.leaf({ cn: 'cn.example.net', sans: ['other.example.net'] }).certPem);
    assert.equal(matchesHostname(withDns, 'cn.example.net'), false);
  });

  it('a wildcard CN follows the same rules', () => {
    const wild = new X509Certificate(pki.leaf({ cn: '*.example.net', sans: [] }).certPem);
    assert.equal(matchesHostname(wild, 'mail.example.net'), true);
    assert.equal(matchesHostname(wild, 'example.net'), false);
  });

  it('a hand-made CertificateInfo without a usable PEM still matches from sans and subject', () => {
    const hand: CertificateInfo = {
      ...info,
      pem: 'not a pem',
      sans: ['DNS:*.example.io', 'IP:10.1.2.3'],
      subject: 'O=Org\\, CN=fake.example.io, CN=legacy.example.io',
    };
    assert.equal(matchesHostname(hand, 'a.example.io'), true);
    assert.equal(matchesHostname(hand, '10.1.2.3'), true);
    assert.equal(matchesHostname({ ...hand, sans: [] }, 'legacy.example.io'), true);
    assert.equal(matchesHostname({ ...hand, sans: [] }, 'fake.example.io'), false, 'an escaped comma does not start an attribute');
  });

  it('never throws and never matches for arbitrary reference names against a fixed certificate', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (name) => {
        const r = matchesHostname(x, name);
        assert.equal(typeof r, 'boolean');
        if (r) assert.ok(/example|192\.0\.2\.7|2001|db8/i.test(name), name);
      }),
      { numRuns: 300 },
    );
  });
});
