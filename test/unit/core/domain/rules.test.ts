import * as assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { isUsable, matchTlsa, type TlsaRecord } from '../../../../src/core/domain/dane';
import { checkStsTxt, mxMatches, parsePolicy } from '../../../../src/core/domain/mtasts';
import { checkTlsRpt } from '../../../../src/core/domain/tlsrpt';
import { makePki } from '../../../support/pki';

describe('domain check rules (pure)', () => {
  it('MTA-STS TXT: exactly one v=STSv1 record with an id of 1-32 letters/digits', () => {
    assert.deepEqual(checkStsTxt(['v=STSv1; id=20260101T000000']), { ok: true, id: '20260101T000000', record: 'v=STSv1; id=20260101T000000' });
    assert.deepEqual(checkStsTxt(['v=spf1 -all']), { ok: 'absent' });
    assert.equal(checkStsTxt(['v=STSv1; id=1', 'v=STSv1; id=2']).ok, false);
    assert.equal(checkStsTxt(['v=STSv1;']).ok, false);
    assert.equal(checkStsTxt([`v=STSv1; id=${'a'.repeat(33)}`]).ok, false);
    assert.equal(checkStsTxt(['v=STSv1; id=ab-c']).ok, false);
  });

  it('MTA-STS policy: required fields, max_age bound, CRLF or LF', () => {
    const ok = parsePolicy('version: STSv1\r\nmode: enforce\r\nmx: MX1.example.com\r\nmx: *.example.net\r\nmax_age: 31557600\r\n');
    assert.deepEqual(ok, { policy: { version: 'STSv1', mode: 'enforce', maxAge: 31557600, mx: ['mx1.example.com', '*.example.net'] } });
    assert.ok('policy' in parsePolicy('version: STSv1\nmode: none\nmax_age: 86400\n'), 'mode none needs no mx');
    for (const bad of [
      'mode: enforce\nmx: a.example\nmax_age: 1\n',
      'version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n',
      'version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n',
      'version: STSv1\nmode: enforce\nmax_age: 60\n',
      'version: STSv1\nmode: enforce\nmx: a.example\n',
    ]) {
      assert.ok('problems' in parsePolicy(bad), bad);
    }
  });

  it('MX patterns: exact names, and *. covering exactly one leftmost label', () => {
    assert.equal(mxMatches('mx1.example.com', 'MX1.example.com.'), true);
    assert.equal(mxMatches('*.example.com', 'mx1.example.com'), true);
    assert.equal(mxMatches('*.example.com', 'a.b.example.com'), false);
    assert.equal(mxMatches('*.example.com', 'example.com'), false);
    assert.equal(mxMatches('mx1.example.com', 'mx2.example.com'), false);
  });

  it('TLS-RPT: one v=TLSRPTv1 record with mailto: or https: rua URIs', () => {
    assert.deepEqual(checkTlsRpt(['v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x']), {
      ok: true,
      record: 'v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x',
      rua: ['mailto:a@example.com', 'https://r.example.com/x'],
    });
    assert.deepEqual(checkTlsRpt([]), { ok: 'absent' });
    assert.equal(checkTlsRpt(['v=TLSRPTv1;']).ok, false);
    assert.equal(checkTlsRpt(['v=TLSRPTv1; rua=http://r.example.com']).ok, false);
    assert.equal(checkTlsRpt(['v=TLSRPTv1; rua=mailto:a@x.example', 'v=TLSRPTv1; rua=mailto:b@x.example']).ok, false);
  });

  describe('TLSA matching', () => {
    const pki = makePki('Dane Unit');
    const leaf = pki.leaf({ cn: 'mx.example.test' });
    const chain = [leaf.certPem, pki.intermediate.certPem];
    const der = (pem: string, selector: number) => {
      const x = new X509Certificate(pem);
      return selector === 0 ? x.raw : (x.publicKey.export({ type: 'spki', format: 'der' }) as Buffer);
    };
    const data = (pem: string, selector: number, matching: number) => {
      const d = der(pem, selector);
      return matching === 0
        ? d.toString('hex')
        : createHash(matching === 1 ? 'sha256' : 'sha512')
            .update(d)
            .digest('hex');
    };
    const rec = (usage: number, selector: number, matchingType: number, pem: string): TlsaRecord => ({
      usage,
      selector,
      matchingType,
      data: data(pem, selector, matchingType),
    });

    it('DANE-EE matches the server certificate for every selector and matching type, with no name check', () => {
      for (const s of [0, 1]) {
        for (const m of [0, 1, 2]) {
          const v = matchTlsa([rec(3, s, m, leaf.certPem)], chain, ['some-other-name.test']);
          assert.equal(v.ok, true, `3 ${s} ${m}`);
          assert.equal(v.matches[0].certIndex, 0);
        }
      }
      assert.equal(matchTlsa([rec(3, 1, 1, pki.intermediate.certPem)], chain, ['mx.example.test']).ok, false, 'DANE-EE never matches an issuer');
    });

    it('DANE-TA matches the issuer the server sends, needs the chain and the MX name', () => {
      const ta = rec(2, 1, 1, pki.intermediate.certPem);
      const v = matchTlsa([ta], chain, ['mx.example.test']);
      assert.equal(v.ok, true);
      assert.equal(v.matches[0].certIndex, 1);
      const wrongName = matchTlsa([ta], chain, ['other.example.test']);
      assert.equal(wrongName.ok, false);
      assert.match(wrongName.problems.join(' '), /names none of/);
      const unrelated = pki.leaf({ cn: 'mx.example.test', issuer: pki.otherRoot });
      assert.equal(matchTlsa([ta], [unrelated.certPem, pki.intermediate.certPem], ['mx.example.test']).ok, false, 'the TA must issue the chain');
    });

    it('usages 0/1 and unknown selector/matching types are not usable', () => {
      assert.equal(isUsable({ usage: 1, selector: 1, matchingType: 1, data: '' }), false);
      assert.equal(isUsable({ usage: 0, selector: 0, matchingType: 1, data: '' }), false);
      assert.equal(isUsable({ usage: 3, selector: 2, matchingType: 1, data: '' }), false);
      assert.equal(isUsable({ usage: 3, selector: 1, matchingType: 3, data: '' }), false);
      assert.equal(matchTlsa([rec(1, 1, 1, leaf.certPem)], chain, ['mx.example.test']).ok, false);
    });
  });
});
