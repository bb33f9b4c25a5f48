/**
 * Differential checks: the verdict of judgeChain against two real verifiers on the same chains.
 * 1. A real Node.js TLS client talking to a real TLS server on loopback: `verifyError` must be the code Node
 *    reports (its `authorizationError`), since that is what nodemailer users see.
 * 2. `openssl verify` (OpenSSL 3 CLI) for the trusted/untrusted verdict, at Node's security level 1.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { judgeChain } from '../../../../src/core/cert/judge';
import { NODE_UNNAMED_CODES } from '../../../../src/core/cert/verifyCodes';
import { issue, Issued, makePki, TestPki } from '../../../support/pki';

const DAY = 86_400_000;

interface Scenario {
  name: string;
  certs: string[]; // PEM, as the server sends them, leaf first
  key: string;
  ca: string[];
  servername: string;
}

/** What a Node.js client reports for this chain: 'OK' or its authorizationError code. */
async function nodeVerdict(s: Scenario): Promise<string> {
  // The server must be able to load weak certificates; only the client's verdict is under test.
  const server = tls.createServer({ cert: s.certs.join(''), key: s.key, ciphers: 'DEFAULT:@SECLEVEL=0' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise<string>((resolve, reject) => {
      const isIp = /^[\d.]+$/.test(s.servername);
      // SNI cannot carry an IP literal, so for IP names Node's own identity check is pointed at that IP.
      const identity = isIp
        ? { checkServerIdentity: (_: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(s.servername, cert) }
        : { servername: s.servername };
      const sock = tls.connect({ host: '127.0.0.1', port, ca: s.ca, rejectUnauthorized: false, ...identity }, () => {
        resolve(sock.authorized ? 'OK' : String(sock.authorizationError));
        sock.end();
      });
      sock.setTimeout(5000, () => reject(new Error('timeout')));
      sock.on('error', reject);
    });
  } finally {
    server.close();
  }
}

function opensslVerdict(s: Scenario, dir: string): boolean {
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const args = ['verify', '-auth_level', '1', '-purpose', 'sslserver'];
  if (s.ca.length > 0) args.push('-CAfile', write('ca.pem', s.ca.join('')));
  else args.push('-no-CAfile', '-no-CApath', '-no-CAstore');
  if (s.certs.length > 1) args.push('-untrusted', write('untrusted.pem', s.certs.slice(1).join('')));
  // X509_check_host takes the name as given; TLS clients drop a trailing dot before asking it (Node does too).
  args.push(/^[\d.]+$/.test(s.servername) ? '-verify_ip' : '-verify_hostname', s.servername.replace(/\.$/, ''));
  args.push(write('leaf.pem', s.certs[0]));
  try {
    execFileSync('/usr/bin/openssl', args, { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function judge(s: Scenario) {
  return judgeChain(
    s.certs.map((p) => new X509Certificate(p).raw),
    { servername: s.servername, extraCaPems: s.ca, useSystemRoots: false },
  );
}

function scenarios(pki: TestPki): Scenario[] {
  const R = [pki.root.certPem];
  const I = pki.intermediate.certPem;
  const base = (leaf: Issued, extra: string[], ca = R, servername = 'mail.test'): Scenario => ({
    name: '',
    certs: [leaf.certPem, ...extra],
    key: leaf.keyPem,
    ca,
    servername,
  });
  const ok = pki.leaf({ cn: 'mail.test', sans: ['mail.test', '*.wild.test', '*.test', '127.0.0.1'] });
  const self = issue({ cn: 'mail.test', sans: ['mail.test'] });
  const expired = pki.leaf({ cn: 'mail.test', notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - DAY) });
  const future = pki.leaf({ cn: 'mail.test', notBefore: new Date(Date.now() + DAY) });
  const sha1 = pki.leaf({ cn: 'mail.test', hash: 'sha1' });
  const md5 = pki.leaf({ cn: 'mail.test', hash: 'md5' });
  const rsa1024 = pki.leaf({ cn: 'mail.test', keyBits: 1024 });
  const cnOnly = pki.leaf({ cn: 'mail.test', sans: [] });
  const notCa = issue({ cn: 'Not A CA', issuer: pki.root, sans: [] });
  const signedByNotCa = issue({ cn: 'mail.test', issuer: notCa });
  const oldInter = issue({
    cn: 'Old Intermediate',
    isCA: true,
    issuer: pki.root,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  const futureUnderOld = issue({ cn: 'mail.test', issuer: oldInter, notBefore: new Date(Date.now() + DAY) });
  const list: [string, Scenario][] = [
    ['healthy', base(ok, [I])],
    ['healthy, root included', base(ok, [I, pki.root.certPem])],
    ['leaf only', base(ok, [])],
    ['root unknown', base(ok, [I], [pki.otherRoot.certPem])],
    ['root sent, not trusted', base(ok, [I, pki.root.certPem], [pki.otherRoot.certPem])],
    ['only the intermediate trusted', base(ok, [], [I])],
    ['only the intermediate trusted, chain sent', base(ok, [I], [I])],
    ['intermediate and root trusted, leaf only', base(ok, [], [pki.root.certPem + I])],
    ['wrong name', base(ok, [I], R, 'other.example')],
    ['wildcard one level', base(ok, [I], R, 'smtp.wild.test')],
    ['wildcard two levels', base(ok, [I], R, 'a.b.wild.test')],
    ['wildcard directly under a one-label name', base(ok, [I], R, 'x.test')],
    ['trailing dot, upper case', base(ok, [I], R, 'MAIL.TEST.')],
    ['IP SAN', base(ok, [I], R, '127.0.0.1')],
    ['IP not in SAN', base(ok, [I], R, '127.0.0.2')],
    ['CN fallback without SAN', base(cnOnly, [I])],
    ['self-signed', base(self, [])],
    ['self-signed, trusted', base(self, [], [self.certPem])],
    ['expired', base(expired, [I])],
    ['expired, leaf only', base(expired, [])],
    ['expired, wrong name', base(expired, [I], R, 'other.example')],
    ['not yet valid', base(future, [I])],
    ['expired intermediate, future leaf', base(futureUnderOld, [oldInter.certPem])],
    ['sha1 leaf', base(sha1, [I])],
    ['md5 leaf', base(md5, [I])],
    ['rsa 1024 leaf', base(rsa1024, [I])],
    ['non-CA issuer', base(signedByNotCa, [notCa.certPem])],
    ['unrelated extra first', base(ok, [pki.otherRoot.certPem, I])],
    ['unrelated extra, no intermediate', base(ok, [pki.otherRoot.certPem])],
  ];
  return list.map(([name, s]) => ({ ...s, name }));
}

describe('cert judgeChain vs real verifiers (differential)', function () {
  this.timeout(60_000);
  let pki: TestPki;
  let all: Scenario[];
  before(() => {
    pki = makePki('Differential');
    all = scenarios(pki);
  });

  it('verifyError equals the code a Node.js TLS client reports, for every scenario', async () => {
    const results = await Promise.all(all.map(async (s) => ({ s, node: await nodeVerdict(s), ours: judge(s) })));
    const mismatches: string[] = [];
    for (const { s, node, ours } of results) {
      const expected = ours.verifyError === undefined ? 'OK' : NODE_UNNAMED_CODES.has(ours.verifyError) ? 'UNSPECIFIED' : ours.verifyError;
      if (expected !== node) mismatches.push(`${s.name}: node=${node} ours=${ours.verifyError ?? 'OK'}`);
      assert.equal(ours.trusted, ours.verifyError === undefined);
    }
    assert.deepEqual(mismatches, []);
    // Guards the harness itself: the scenarios must really provoke many different failures.
    assert.ok(new Set(results.map((r) => r.node)).size >= 10, [...new Set(results.map((r) => r.node))].join());
  });

  it('trusted agrees with openssl verify (-auth_level 1 -purpose sslserver -verify_hostname/-verify_ip)', function () {
    if (!fs.existsSync('/usr/bin/openssl')) this.skip();
    const dir = fs.mkdtempSync(path.join(pki.dir, 'verify-'));
    const mismatches: string[] = [];
    for (const s of all) {
      const ossl = opensslVerdict(s, dir);
      const ours = judge(s).trusted;
      if (ossl !== ours) mismatches.push(`${s.name}: openssl=${ossl} ours=${ours}`);
    }
    assert.deepEqual(mismatches, []);
  });
});
