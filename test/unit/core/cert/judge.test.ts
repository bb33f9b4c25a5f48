import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { judgeChain, JudgeOptions } from '../../../../src/core/cert/judge';
import * as forge from 'node-forge';
import { issue, Issued, makePki, TestPki } from '../../../support/pki';

const DAY = 86_400_000;
const der = (pem: string) => new X509Certificate(pem).raw;
const chain = (...pems: string[]) => pems.map(der);
const ids = (j: { findings: { id: string }[] }) => j.findings.map((f) => f.id);
const loud = (j: { findings: { severity: string; id: string }[] }) => j.findings.filter((f) => f.severity !== 'info').map((f) => f.id);

/** A cross-certificate: `subject`'s name and key, signed by `by` (what CAs use to bridge an old and a new root). */
function crossSign(subject: Issued, by: Issued, notBefore: Date, notAfter: Date): string {
  const c = forge.pki.createCertificate();
  c.publicKey = subject.cert.publicKey;
  c.serialNumber = '7e57';
  c.validity.notBefore = notBefore;
  c.validity.notAfter = notAfter;
  c.setSubject(subject.cert.subject.attributes);
  c.setIssuer(by.cert.subject.attributes);
  c.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: by.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  c.sign(by.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(c);
}

describe('cert judgeChain: one finding per defect', () => {
  let pki: TestPki;
  let opts: JudgeOptions;
  before(() => {
    pki = makePki();
    opts = { servername: 'mail.test', extraCaPems: [pki.root.certPem], useSystemRoots: false };
  });

  it('healthy leaf + intermediate with the root trusted: trusted, no error or warning findings', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const j = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), opts);
    assert.equal(j.trusted, true);
    assert.equal(j.verifyError, undefined);
    assert.deepEqual(loud(j), []);
    assert.equal(j.certificates.length, 2);
    assert.equal(j.certificates[0].subject, 'CN=mail.test, O=Mail TLS Doctor Test');
  });

  it('the same healthy chain is also trusted with the system roots added', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const j = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, useSystemRoots: true });
    assert.equal(j.trusted, true);
  });

  it('cert.expired for an expired leaf, not for one that expires tomorrow (which only warns)', () => {
    const old = pki.leaf({ cn: 'mail.test', notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
    const j = judgeChain(chain(old.certPem, pki.intermediate.certPem), opts);
    assert.equal(j.trusted, false);
    assert.equal(j.verifyError, 'CERT_HAS_EXPIRED');
    const f = j.findings.find((x) => x.id === 'cert.expired');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.match(f.title, /expired on \d{4}-\d\d-\d\d \(2 days/);
    const soon = pki.leaf({ cn: 'mail.test', notAfter: new Date(Date.now() + DAY + 3600_000) });
    const j2 = judgeChain(chain(soon.certPem, pki.intermediate.certPem), opts);
    assert.equal(j2.trusted, true);
    assert.ok(!ids(j2).includes('cert.expired'));
  });

  it('cert.expired for an expired intermediate even when the leaf is fine', () => {
    const inter = issue({
      cn: 'Old Intermediate',
      isCA: true,
      issuer: pki.root,
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const leaf = issue({ cn: 'mail.test', issuer: inter });
    const j = judgeChain(chain(leaf.certPem, inter.certPem), opts);
    assert.equal(j.verifyError, 'CERT_HAS_EXPIRED');
    const f = j.findings.find((x) => x.id === 'cert.expired');
    assert.match(f!.title, /intermediate CA certificate/);
  });

  it('cert.not-yet-valid names the offset and the clock; a certificate that started a minute ago is fine', () => {
    const now = new Date('2030-01-01T12:00:00Z');
    const later = pki.leaf({ cn: 'mail.test', notBefore: new Date(now.getTime() + 2 * 3600_000 + 13 * 60_000), notAfter: new Date(now.getTime() + 90 * DAY) });
    const j = judgeChain(chain(later.certPem, pki.intermediate.certPem), { ...opts, now });
    assert.equal(j.verifyError, 'CERT_NOT_YET_VALID');
    const f = j.findings.find((x) => x.id === 'cert.not-yet-valid');
    assert.ok(f);
    assert.match(f.title, /starts in 2 h 13 min/);
    assert.match(f.detail, /clock/);
    const started = pki.leaf({ cn: 'mail.test', notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + 90 * DAY) });
    const j2 = judgeChain(chain(started.certPem, pki.intermediate.certPem), { ...opts, now });
    assert.ok(!ids(j2).includes('cert.not-yet-valid'));
  });

  it('cert.expires-soon within the threshold (days left in the title), not beyond it', () => {
    const now = new Date();
    const leaf = pki.leaf({ cn: 'mail.test', notAfter: new Date(now.getTime() + 10 * DAY + 3600_000) });
    const j = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, now });
    const f = j.findings.find((x) => x.id === 'cert.expires-soon');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.match(f.title, /expires in 10 days/);
    assert.equal(j.trusted, true);
    const j2 = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, now, expiryWarningDays: 7 });
    assert.ok(!ids(j2).includes('cert.expires-soon'));
  });

  it('cert.expires-soon under a day: hours and minutes, not "0 days"', () => {
    const now = new Date();
    const leaf = pki.leaf({ cn: 'mail.test', notAfter: new Date(now.getTime() + 5 * 3600_000 + 30 * 60_000) });
    const f = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, now }).findings.find((x) => x.id === 'cert.expires-soon');
    assert.ok(f);
    assert.match(f.title, /expires in 5 h 30 min \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.$/);
  });

  it('cert.expires-soon is never rounded down: 4.99 days reads "4 days 23 h", 11.6 days "12 days"', () => {
    // Whole seconds: a certificate's validity has no milliseconds.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const title = (ms: number) => {
      const leaf = pki.leaf({ cn: 'mail.test', notAfter: new Date(now.getTime() + ms) });
      return judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, now }).findings.find((x) => x.id === 'cert.expires-soon')!.title;
    };
    assert.match(title(5 * DAY - 15 * 60_000), /expires in 4 days 23 h \(/);
    assert.match(title(11 * DAY + 15 * 3600_000), /expires in 12 days \(/);
  });

  it('cert.self-signed for a self-signed leaf; none when that exact certificate is trusted', () => {
    const self = issue({ cn: 'mail.test', sans: ['mail.test'] });
    const j = judgeChain(chain(self.certPem), opts);
    assert.equal(j.verifyError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.ok(ids(j).includes('cert.self-signed'));
    assert.equal(j.certificates[0].selfSigned, true);
    const j2 = judgeChain(chain(self.certPem), { ...opts, extraCaPems: [self.certPem] });
    assert.equal(j2.trusted, true);
    assert.ok(!ids(j2).includes('cert.self-signed'));
  });

  it('cert.untrusted-root when the server sends a root nobody trusts, and when the root is unknown', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const sentRoot = judgeChain(chain(leaf.certPem, pki.intermediate.certPem, pki.root.certPem), { ...opts, extraCaPems: [] });
    assert.equal(sentRoot.verifyError, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.ok(ids(sentRoot).includes('cert.untrusted-root'));
    const unknown = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, extraCaPems: [pki.otherRoot.certPem] });
    assert.equal(unknown.verifyError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const f = unknown.findings.find((x) => x.id === 'cert.untrusted-root');
    assert.ok(f);
    assert.match(f.title, /Mail TLS Doctor Test Root CA/);
    assert.ok(!ids(unknown).includes('cert.missing-intermediate'));
    // The same chain with the root sent AND trusted is healthy; the included root is only an info note.
    const fine = judgeChain(chain(leaf.certPem, pki.intermediate.certPem, pki.root.certPem), opts);
    assert.equal(fine.trusted, true);
    assert.deepEqual(loud(fine), []);
  });

  it('cert.untrusted-root when only an intermediate is trusted (Node needs the root: UNABLE_TO_GET_ISSUER_CERT)', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const j = judgeChain(chain(leaf.certPem), { ...opts, extraCaPems: [pki.intermediate.certPem] });
    assert.equal(j.trusted, false);
    assert.equal(j.verifyError, 'UNABLE_TO_GET_ISSUER_CERT');
    assert.ok(ids(j).includes('cert.untrusted-root'));
    assert.ok(!ids(j).includes('cert.missing-intermediate'));
  });

  it('cert.missing-intermediate names the issuer and the AIA URL; absent when the issuer is in the trust store', () => {
    const leaf = pki.leaf({ cn: 'mail.test', aiaUrl: 'http://ca.test/intermediate.der' });
    const j = judgeChain(chain(leaf.certPem), opts);
    assert.equal(j.verifyError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const f = j.findings.find((x) => x.id === 'cert.missing-intermediate');
    assert.ok(f);
    assert.match(f.title, /Mail TLS Doctor Test Intermediate CA/);
    assert.match(f.detail, /http:\/\/ca\.test\/intermediate\.der/);
    assert.match(f.detail, /Windows chain engine \(Outlook, Exchange\) fetch that .* Node-based clients \(Postfix, Exim, nodemailer\) do not/);
    assert.match(f.fix, /fullchain\.pem/);
    assert.equal(j.certificates[0].aiaIssuerUrl, 'http://ca.test/intermediate.der');
    const j2 = judgeChain(chain(leaf.certPem), { ...opts, extraCaPems: [pki.root.certPem + pki.intermediate.certPem] });
    assert.equal(j2.trusted, true);
    assert.ok(!ids(j2).includes('cert.missing-intermediate'));
  });

  it('cert.hostname-mismatch lists the covered names; absent for a covered name', () => {
    const leaf = pki.leaf({ cn: 'mail.test', sans: ['mail.test', 'smtp.test', '127.0.0.1'] });
    const j = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, servername: 'imap.test' });
    assert.equal(j.verifyError, 'ERR_TLS_CERT_ALTNAME_INVALID');
    const f = j.findings.find((x) => x.id === 'cert.hostname-mismatch');
    assert.ok(f);
    assert.match(f.title, /imap\.test.*mail\.test, smtp\.test, 127\.0\.0\.1/);
    for (const name of ['smtp.test', 'SMTP.TEST.', '127.0.0.1']) {
      const ok = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), { ...opts, servername: name });
      assert.equal(ok.trusted, true, name);
      assert.ok(!ids(ok).includes('cert.hostname-mismatch'), name);
    }
  });

  it('a wrong name on an expired certificate: both findings, and Node-style code CERT_HAS_EXPIRED', () => {
    const old = pki.leaf({ cn: 'mail.test', notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - DAY) });
    const j = judgeChain(chain(old.certPem, pki.intermediate.certPem), { ...opts, servername: 'other.test' });
    assert.equal(j.verifyError, 'CERT_HAS_EXPIRED');
    assert.ok(ids(j).includes('cert.expired'));
    assert.ok(ids(j).includes('cert.hostname-mismatch'));
  });

  it('cert.weak-key for RSA 1024 (error, though Node still connects); RSA 2048 is fine', () => {
    const weak = pki.leaf({ cn: 'mail.test', keyBits: 1024 });
    const j = judgeChain(chain(weak.certPem, pki.intermediate.certPem), opts);
    const f = j.findings.find((x) => x.id === 'cert.weak-key');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.match(f.title, /1024 bits/);
    assert.equal(j.trusted, true, 'Node 20 (security level 1) accepts RSA 1024, so the chain itself verifies');
    assert.equal(j.certificates[0].keyBits, 1024);
    const strong = pki.leaf({ cn: 'mail.test', keyBits: 2048 });
    assert.ok(!ids(judgeChain(chain(strong.certPem, pki.intermediate.certPem), opts)).includes('cert.weak-key'));
  });

  it('cert.weak-signature for SHA-1 and MD5 leaves, not for a SHA-1 self-signed trusted root', () => {
    for (const hash of ['sha1', 'md5'] as const) {
      const leaf = pki.leaf({ cn: 'mail.test', hash });
      const j = judgeChain(chain(leaf.certPem, pki.intermediate.certPem), opts);
      assert.equal(j.verifyError, 'CA_MD_TOO_WEAK', hash);
      const f = j.findings.find((x) => x.id === 'cert.weak-signature');
      assert.ok(f, hash);
      assert.match(f.title, hash === 'sha1' ? /sha1WithRSAEncryption/ : /md5WithRSAEncryption/);
    }
    const sha1Root = issue({ cn: 'Old SHA-1 Root', isCA: true, hash: 'sha1' });
    const leaf = issue({ cn: 'mail.test', issuer: sha1Root });
    const j = judgeChain(chain(leaf.certPem), { ...opts, extraCaPems: [sha1Root.certPem] });
    assert.equal(j.trusted, true);
    assert.ok(!ids(j).includes('cert.weak-signature'));
  });

  it('cert.weak-signature for a SHA-1 intermediate', () => {
    const inter = issue({ cn: 'SHA-1 Intermediate', isCA: true, issuer: pki.root, hash: 'sha1' });
    const leaf = issue({ cn: 'mail.test', issuer: inter });
    const j = judgeChain(chain(leaf.certPem, inter.certPem), opts);
    assert.equal(j.trusted, false);
    const f = j.findings.find((x) => x.id === 'cert.weak-signature');
    assert.match(f!.title, /intermediate CA certificate/);
  });

  it('cert.malformed for garbage in the chain, without throwing; the readable rest is still judged', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const garbage = Buffer.from('3082ffff0102', 'hex');
    const j = judgeChain([der(leaf.certPem), garbage, der(pki.intermediate.certPem)], opts);
    assert.ok(ids(j).includes('cert.malformed'));
    assert.equal(j.certificates.length, 2);
    assert.equal(j.trusted, true, 'the path does not need the unreadable certificate');
    const bad = judgeChain([Buffer.from('not a certificate')], opts);
    assert.equal(bad.trusted, false);
    assert.deepEqual(ids(bad), ['cert.malformed']);
    const empty = judgeChain([], opts);
    assert.equal(empty.trusted, false);
    assert.deepEqual(ids(empty), ['cert.malformed']);
    const truncated = der(leaf.certPem).subarray(0, 200);
    assert.deepEqual(ids(judgeChain([truncated], opts)), ['cert.malformed']);
  });

  it('cert.chain-order (info) for an out-of-order chain with an unrelated extra; a tidy chain has none', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const j = judgeChain(chain(leaf.certPem, pki.otherRoot.certPem, pki.intermediate.certPem), opts);
    assert.equal(j.trusted, true);
    const f = j.findings.find((x) => x.id === 'cert.chain-order');
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.match(f.detail, /Unknown Root CA/);
    assert.ok(!ids(judgeChain(chain(leaf.certPem, pki.intermediate.certPem), opts)).includes('cert.chain-order'));
  });

  it('cert.invalid-ca when a non-CA certificate signed the leaf', () => {
    const notCa = issue({ cn: 'Not A CA', issuer: pki.root, sans: [] });
    const leaf = issue({ cn: 'mail.test', issuer: notCa });
    const j = judgeChain(chain(leaf.certPem, notCa.certPem), opts);
    assert.equal(j.trusted, false);
    assert.equal(j.verifyError, 'KEYUSAGE_NO_CERTSIGN');
    assert.ok(ids(j).includes('cert.invalid-ca'));
  });

  it('cert.bad-signature when the sent intermediate is damaged (right name and key, broken signature)', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const damaged = der(pki.intermediate.certPem);
    damaged[damaged.length - 1] ^= 0xff;
    const j = judgeChain([der(leaf.certPem), damaged], opts);
    assert.equal(j.trusted, false);
    assert.equal(j.verifyError, 'CERT_SIGNATURE_FAILURE');
    assert.ok(ids(j).includes('cert.bad-signature'));
    assert.ok(judgeChain(chain(leaf.certPem, pki.intermediate.certPem), opts).trusted);
  });

  it('a judgement does not depend on what the process judged before (signatures and CA texts are remembered)', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const good = chain(leaf.certPem, pki.intermediate.certPem);
    const damaged = [der(leaf.certPem), der(pki.intermediate.certPem)];
    damaged[1][damaged[1].length - 1] ^= 0xff;
    // Good, then damaged, then good again: each pair of certificates has its own answer.
    assert.equal(judgeChain(good, opts).trusted, true);
    assert.equal(judgeChain(damaged, opts).verifyError, 'CERT_SIGNATURE_FAILURE');
    assert.equal(judgeChain(good, opts).trusted, true);
    // The same chain against other CA texts, then the first ones again.
    assert.equal(judgeChain(good, { ...opts, extraCaPems: [pki.otherRoot.certPem] }).verifyError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.equal(judgeChain(good, { ...opts, extraCaPems: [pki.otherRoot.certPem, pki.root.certPem] }).trusted, true);
    assert.equal(judgeChain(good, { ...opts, extraCaPems: [pki.otherRoot.certPem] }).trusted, false);
    assert.equal(judgeChain(good, opts).trusted, true);
  });

  it('prefers the trusted path over an expired cross-sign the server also sends', () => {
    // New root R2 is trusted; the server sends an old cross-sign of R2 by the (untrusted here) old root.
    const r2 = issue({ cn: 'Cross Root R2', isCA: true });
    const inter = issue({ cn: 'Cross Intermediate', isCA: true, issuer: r2 });
    const leaf = issue({ cn: 'mail.test', issuer: inter });
    const crossPem = crossSign(r2, pki.otherRoot, new Date(Date.now() - 400 * DAY), new Date(Date.now() - DAY));
    const j = judgeChain(chain(leaf.certPem, inter.certPem, crossPem), { ...opts, extraCaPems: [r2.certPem] });
    assert.equal(j.trusted, true, j.findings.map((f) => f.title).join(' | '));
    const viaOld = judgeChain(chain(leaf.certPem, inter.certPem, crossPem), { ...opts, extraCaPems: [pki.otherRoot.certPem] });
    assert.equal(viaOld.verifyError, 'CERT_HAS_EXPIRED');
  });

  it('bounded work: 60 look-alikes of the intermediate from a hostile server, judged without throwing', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const real = der(pki.intermediate.certPem);
    // Same name and key as the real intermediate (so the leaf verifies against each), but a broken signature.
    const fakes = Array.from({ length: 60 }, (_, i) => {
      const copy = Buffer.from(real);
      copy[copy.length - 1 - (i % 100)] ^= 0xff;
      return copy;
    });
    const found = judgeChain([der(leaf.certPem), real, ...fakes], opts);
    assert.equal(found.trusted, true);
    assert.equal(found.certificates.length, 62);
    const buried = judgeChain([der(leaf.certPem), ...fakes, real], opts);
    assert.equal(buried.trusted, false, 'the real intermediate is beyond the certificates used for building');
    assert.equal(buried.verifyError, 'CERT_SIGNATURE_FAILURE');
    assert.ok(ids(buried).includes('cert.bad-signature'));
  });
});
