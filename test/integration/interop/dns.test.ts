/**
 * Interop tier for the domain check: real knot (signing) and unbound (validating) on loopback, a real Postfix
 * as the MX, and openssl's DANE verifier as the reference for TLSA matching on the same endpoint.
 */
import * as assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import type { DomainReport } from '../../../src/core/domain';
import { matchTlsa } from '../../../src/core/domain/dane';
import { captureIO } from '../../support/cli';
import { dnsInteropTools, startDnsInterop, type DnsInterop } from '../../support/dnsinterop';
import { SERVER_NAME, writeServerCerts } from '../../support/mailservers/certs';
import { opensslPath } from '../../support/mailservers/opensslClient';
import { startPostfix, type PostfixInstance } from '../../support/mailservers/postfix';
import { run } from '../../support/mailservers/run';
import { announceSkip, serverTools } from '../../support/mailservers/tools';
import { makePki } from '../../support/pki';

const spki = (pem: string) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('interop: domain check with real knot + unbound (DNSSEC) and a real Postfix MX, TLSA cross-checked with openssl', function () {
  this.timeout(120_000);
  let dnsLab: DnsInterop | undefined;
  let postfix: PostfixInstance | undefined;
  let port = 0;
  let caFile = '';
  const rr: Record<string, string> = {};
  const reports: Record<string, DomainReport> = {};

  before(async function () {
    const missing = [...dnsInteropTools(), ...serverTools('postfix').reasons];
    if (missing.length) {
      if (process.env.MTD_REQUIRE_INTEROP) throw new Error(`the interop tier must run here (MTD_REQUIRE_INTEROP) but: ${missing.join('; ')}`);
      announceSkip('DNS/DANE interop tests (knot, unbound, Postfix)', missing);
      this.skip();
    }
    const pki = makePki('DNS Interop');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-interop-dane-'));
    const certs = writeServerCerts(pki, path.join(dir, 'certs'));
    caFile = path.join(dir, 'root.pem');
    fs.writeFileSync(caFile, pki.root.certPem);
    postfix = await startPostfix({ services: [{ name: 'mx', tls: 'starttls' }], defaultCert: certs['full-chain'] });
    port = postfix.ports.mx;
    const chainPem = fs.readFileSync(certs['full-chain'].certFile, 'utf8');
    const leafPem = chainPem.slice(0, chainPem.indexOf('-----END CERTIFICATE-----') + 25);
    rr.ee = `3 1 1 ${sha256(spki(leafPem))}`;
    rr.ta = `2 1 1 ${sha256(spki(pki.intermediate.certPem))}`;
    rr.full = `3 0 1 ${sha256(new X509Certificate(leafPem).raw)}`;
    rr.wrong = `3 1 1 ${'ab'.repeat(32)}`;
    dnsLab = await startDnsInterop([
      {
        name: 'test',
        signed: true,
        anchor: 'ds',
        body: [
          `mail A 127.0.0.1`, // SERVER_NAME = mail.test
          `_25._tcp.mail TLSA ${rr.ee}`,
          `_25._tcp.mail TLSA ${rr.ta}`,
          `good MX 10 ${SERVER_NAME}.`,
          `_smtp._tls.good TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.test"`,
          `mx2 A 127.0.0.1`,
          `_25._tcp.mx2 TLSA ${rr.wrong}`,
          `bad MX 10 mx2.test.`,
          `_smtp._tls.bad TXT "v=TLSRPTv1; rua=mailto:tlsrpt@bad.test"`,
        ].join('\n'),
      },
      { name: 'lab-unsigned', signed: false, anchor: 'none', body: [`d MX 10 mx.lab-unsigned.`, `mx A 127.0.0.1`, `_25._tcp.mx TLSA ${rr.ee}`].join('\n') },
      { name: 'lab-broken', signed: true, anchor: 'wrong', body: [`d MX 10 ${SERVER_NAME}.`].join('\n') },
    ]);
    for (const d of ['good.test', 'bad.test', 'd.lab-unsigned', 'd.lab-broken']) {
      const io = captureIO();
      await main(['check', d, '--resolver', dnsLab.resolver, '--smtp-port', String(port), '--ca', caFile, '--timeout', '5000', '--json'], io);
      reports[d] = (JSON.parse(io.stdout) as { domains: DomainReport[] }).domains[0];
    }
  });
  after(async () => {
    await dnsLab?.stop();
    await postfix?.stop();
  });

  const ids = (d: string) => reports[d].findings.map((f) => f.id as string);

  it('signed zone validated by unbound: MX secure, DANE-EE and DANE-TA both match the Postfix chain, no warning', () => {
    const r = reports['good.test'];
    assert.equal(r.dnssec.mx, 'secure');
    assert.deepEqual(
      r.findings.filter((f) => f.severity !== 'info').map((f) => f.id),
      [],
    );
    const host = r.dane.hosts[0];
    assert.equal(host.secure, true);
    assert.equal(host.addresses[0].verdict, 'match');
    assert.deepEqual(host.addresses[0].matches.map((m) => m.certIndex).sort(), [0, 1]);
    assert.equal(r.senders.find((s) => s.sender === 'dane')?.outcome, 'verified-tls');
  });

  it('a TLSA record for another key: dane.tlsa-mismatch, DANE senders defer', () => {
    assert.ok(ids('bad.test').includes('dane.tlsa-mismatch'), ids('bad.test').join(', '));
    assert.equal(reports['bad.test'].senders.find((s) => s.sender === 'dane')?.outcome, 'deferred');
  });

  it('an unsigned zone: no AD, dane.tlsa-unsigned, DANE senders ignore the records', () => {
    const r = reports['d.lab-unsigned'];
    assert.equal(r.dnssec.mx, 'insecure');
    assert.ok(ids('d.lab-unsigned').includes('dane.tlsa-unsigned'));
    assert.equal(r.senders.find((s) => s.sender === 'dane')?.outcome, 'unverified-tls');
  });

  it('a zone whose DS does not match: unbound SERVFAILs, the check says dns.bogus and every sender defers', () => {
    const r = reports['d.lab-broken'];
    assert.equal(r.dnssec.mx, 'bogus');
    assert.ok(ids('d.lab-broken').includes('dns.bogus'));
    assert.ok(r.senders.every((s) => s.outcome === 'deferred'));
  });

  it('TLSA matching agrees with openssl s_client -dane_tlsa_domain on the same endpoint', async function () {
    if (!opensslPath()) this.skip();
    const ours = reports['good.test'].dane.hosts[0].addresses[0].matches.map((m) => m.record.slice(0, 5));
    const cases: [string, boolean][] = [
      [rr.ee, ours.includes('3 1 1')],
      [rr.ta, ours.includes('2 1 1')],
      [rr.wrong, reports['bad.test'].dane.hosts[0].addresses[0].verdict === 'match'],
    ];
    // Our matcher on the full-certificate record, through the core, for a third selector/matching pair.
    const chain = reports['good.test'].results[0].certificates.map((c) => c.pem);
    const [u, s, m, data] = rr.full.split(' ');
    cases.push([rr.full, matchTlsa([{ usage: +u, selector: +s, matchingType: +m, data }], chain, [SERVER_NAME]).ok]);
    for (const [record, oursMatch] of cases) {
      const r = await run(
        opensslPath()!,
        [
          's_client',
          '-starttls',
          'smtp',
          '-connect',
          `127.0.0.1:${port}`,
          '-servername',
          SERVER_NAME,
          '-dane_tlsa_domain',
          SERVER_NAME,
          '-dane_tlsa_rrdata',
          record,
          '-CAfile',
          caFile,
          '-verify_return_error',
          '-brief',
        ],
        { timeoutMs: 10_000, input: 'QUIT\r\n', inputWhen: /Verification|verify error|CONNECTION ESTABLISHED/i },
      );
      const out = r.stdout + r.stderr;
      const opensslMatch = /Verification: OK/.test(out) && /DANE TLSA/.test(out);
      assert.equal(oursMatch, opensslMatch, `record ${record}: ours ${oursMatch}, openssl ${opensslMatch}\n${out.slice(0, 1500)}`);
    }
  });
});
