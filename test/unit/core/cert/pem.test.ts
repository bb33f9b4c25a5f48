import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { describeCertificate, keyMatchesCertificate, parsePemBundle } from '../../../../src/core/cert/pem';
import { judgeChain } from '../../../../src/core/cert/judge';
import { makePki, TestPki } from '../../../support/pki';

/** A certificate made by the openssl CLI, for key types the forge-based test PKI cannot make. */
function opensslCert(dir: string, name: string, keyArgs: string[], extra: string[] = []): { certPem: string; keyPem: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${name}.test`,
      '-days',
      '365',
      '-addext',
      `subjectAltName=DNS:${name}.test`,
      ...extra,
    ],
    { stdio: 'pipe' },
  );
  return { certPem: fs.readFileSync(cert, 'utf8'), keyPem: fs.readFileSync(key, 'utf8') };
}

/** Every 12-character slice of the key's base64 body: none may appear in any output string. */
function secretSlices(keyPem: string): string[] {
  const body = keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + 12 <= body.length; i += 6) out.push(body.slice(i, i + 12));
  return out;
}

describe('cert PEM helpers', () => {
  let pki: TestPki;
  before(() => {
    pki = makePki('Pem');
  });

  it('splits a fullchain + key file: certificates in order, the key, no errors', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const text = `# comment\n${leaf.keyPem}\n${pki.chain(leaf)}-----BEGIN DH PARAMETERS-----\nMAYCAQI=\n-----END DH PARAMETERS-----\n`;
    const b = parsePemBundle(text);
    assert.deepEqual(b.errors, []);
    assert.equal(b.certificates.length, 2);
    assert.equal(new X509Certificate(b.certificates[0]).subject, 'CN=mail.test\nO=Mail TLS Doctor Test');
    assert.equal(b.privateKeys.length, 1);
    assert.equal(keyMatchesCertificate(b.privateKeys[0], b.certificates[0]), true);
    assert.equal(keyMatchesCertificate(b.privateKeys[0], b.certificates[1]), false);
  });

  it('handles CRLF line ends', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const b = parsePemBundle(pki.chain(leaf).replace(/\n/g, '\r\n'));
    assert.deepEqual(b.errors, []);
    assert.equal(b.certificates.length, 2);
  });

  it('keyMatchesCertificate: a key of another certificate and a public key', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const der = new X509Certificate(leaf.certPem).raw;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.equal(keyMatchesCertificate(other, der), false);
    assert.equal(keyMatchesCertificate(createPublicKey(createPrivateKey(leaf.keyPem)), der), true);
    assert.equal(keyMatchesCertificate(other, Buffer.from('junk')), false);
  });

  it('reports broken blocks by position, never with key material', () => {
    const leaf = pki.leaf({ cn: 'mail.test' });
    const body = leaf.keyPem.split('\n');
    const damagedKey = [body[0], ...body.slice(1, -2).map((l) => l.replace(/[A-M]/g, 'x')), body[body.length - 2]].join('\n');
    const damagedCert = leaf.certPem.replace(/\r?\n[A-Za-z0-9+/]{64}\r?\n/, '\n!!!!\n');
    const text = `${damagedKey}\n${damagedCert}${pki.intermediate.certPem}`;
    const b = parsePemBundle(text);
    assert.equal(b.certificates.length, 1);
    assert.equal(b.privateKeys.length, 0);
    assert.equal(b.errors.length, 2, b.errors.join('\n'));
    assert.match(b.errors[0], /^block 1 \(.*PRIVATE KEY, line 1\): the private key cannot be read/);
    assert.match(b.errors[1], /^block 2 \(CERTIFICATE, line \d+\): the base64 text is damaged/);
    const all = b.errors.join('\n');
    for (const slice of [...secretSlices(damagedKey), ...secretSlices(leaf.keyPem)]) assert.ok(!all.includes(slice));
  });

  it('an encrypted key is reported as needing a passphrase', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const enc = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' }).toString();
    const b = parsePemBundle(enc);
    assert.equal(b.privateKeys.length, 0);
    assert.match(b.errors[0], /encrypted/);
    assert.ok(!b.errors[0].includes('secret-pass'));
  });

  it('says what is wrong with files that hold no PEM at all, or an unclosed block', () => {
    assert.match(parsePemBundle('\u0030\u0082binary DER?').errors[0], /no PEM block/);
    assert.match(parsePemBundle('-----BEGIN CERTIFICATE-----\nMIIB\n').errors[0], /not closed/);
    assert.deepEqual(parsePemBundle(''), { certificates: [], privateKeys: [], errors: [] });
    assert.deepEqual(parsePemBundle(undefined as unknown as string).errors, ['not text']);
  });

  it('describes EC P-384 and Ed25519 certificates made by openssl', function () {
    if (!fs.existsSync('/usr/bin/openssl')) this.skip();
    const ec = opensslCert(pki.dir, 'ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384']);
    const d = describeCertificate(new X509Certificate(ec.certPem).raw);
    assert.ok(!('error' in d));
    assert.equal(d.keyType, 'ec');
    assert.equal(d.keyBits, 384);
    assert.equal(d.signatureAlgorithm, 'ecdsa-with-SHA384');
    assert.equal(d.selfSigned, true);
    assert.deepEqual(d.sans, ['DNS:ec.test']);
    const b = parsePemBundle(ec.keyPem + ec.certPem);
    assert.equal(keyMatchesCertificate(b.privateKeys[0], b.certificates[0]), true);
    const ed = opensslCert(pki.dir, 'ed', ['-newkey', 'ed25519']);
    const e = describeCertificate(new X509Certificate(ed.certPem).raw);
    assert.ok(!('error' in e));
    assert.equal(e.keyType, 'ed25519');
    assert.equal(e.keyBits, 256);
    assert.equal(e.signatureAlgorithm, 'ED25519');
    // A self-signed EC certificate trusted by the caller is fine: no weak-key finding for P-384.
    const j = judgeChain([new X509Certificate(ec.certPem).raw], { servername: 'ec.test', extraCaPems: [ec.certPem], useSystemRoots: false });
    assert.equal(j.trusted, true);
    assert.deepEqual(
      j.findings.filter((f) => f.severity !== 'info'),
      [],
    );
  });

  it('cert.weak-key is a warning for EC P-224 and an error for P-192', function () {
    if (!fs.existsSync('/usr/bin/openssl')) this.skip();
    for (const [curve, bits, severity] of [
      ['P-224', 224, 'warning'],
      ['prime192v1', 192, 'error'],
    ] as const) {
      const c = opensslCert(pki.dir, `ec${bits}`, ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`]);
      const j = judgeChain([new X509Certificate(c.certPem).raw], { servername: `ec${bits}.test`, extraCaPems: [c.certPem], useSystemRoots: false });
      const f = j.findings.find((x) => x.id === 'cert.weak-key');
      assert.ok(f, curve);
      assert.equal(f.severity, severity);
      assert.match(f.title, new RegExp(`${bits} bits`));
    }
  });

  it('describeCertificate fields for a test-PKI leaf', () => {
    const leaf = pki.leaf({ cn: 'mail.test', sans: ['mail.test', '::1', '127.0.0.1'], aiaUrl: 'http://ca.test/i.der' });
    const d = describeCertificate(new X509Certificate(leaf.certPem).raw);
    assert.ok(!('error' in d));
    assert.equal(d.subject, 'CN=mail.test, O=Mail TLS Doctor Test');
    assert.equal(d.issuer, 'CN=Pem Intermediate CA, O=Mail TLS Doctor Test');
    assert.deepEqual(
      d.sans,
      ['DNS:mail.test', 'IP:::1', 'IP:127.0.0.1'].sort((a, b) => (a.startsWith('DNS') ? -1 : b.startsWith('DNS') ? 1 : 0)),
    );
    assert.equal(d.keyType, 'rsa');
    assert.equal(d.keyBits, 2048);
    assert.equal(d.signatureAlgorithm, 'sha256WithRSAEncryption');
    assert.equal(d.isCA, false);
    assert.equal(d.selfSigned, false);
    assert.equal(d.aiaIssuerUrl, 'http://ca.test/i.der');
    assert.match(d.notBefore, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.match(d.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(d.pem.startsWith('-----BEGIN CERTIFICATE-----'));
    const ca = describeCertificate(new X509Certificate(pki.root.certPem).raw);
    assert.ok(!('error' in ca) && ca.isCA && ca.selfSigned);
  });

  it('never throws on random bytes or mutated certificates', () => {
    const real = new X509Certificate(pki.leaf({ cn: 'mail.test' }).certPem).raw;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = describeCertificate(Buffer.from(bytes));
        assert.ok('error' in r || typeof r.subject === 'string');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
        const copy = Buffer.from(real);
        for (const [at, value] of edits) copy[at] = value;
        const r = describeCertificate(copy);
        assert.ok('error' in r || typeof r.subject === 'string');
        const j = judgeChain([copy], { servername: 'mail.test', useSystemRoots: false });
        assert.equal(typeof j.trusted, 'boolean');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const b = parsePemBundle(`-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----`);
        assert.ok(Array.isArray(b.errors));
      }),
      { numRuns: 200 },
    );
  });
});
