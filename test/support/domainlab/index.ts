/**
 * A lab of mail domains on loopback: one in-process DNS server (test/support/dns) holding every domain's
 * records, STARTTLS mail servers on 127.0.0.x sharing one port (so "port 25" is one number for all MX hosts),
 * and one HTTPS server for every `mta-sts.DOMAIN` policy (certificate chosen by SNI, answer by Host).
 * Each domain is built to show one finding; `good.test` is healthy.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type * as net from 'node:net';
import { makePki, type Issued, type TestPki } from '../pki';
import { startMailServer, type RunningServer } from '../lab/mailServer';
import { startDnsServer, type TestDnsServer, type TestRecord } from '../dns/server';

export interface DomainLab {
  dns: TestDnsServer;
  /** A second server that must never be asked (the "system" resolver in --resolver tests). */
  decoy: TestDnsServer;
  smtpPort: number;
  httpsPort: number;
  caFile: string;
  pki: TestPki;
  policyHits: string[];
  close(): Promise<void>;
}

export const spkiSha256 = (pem: string) =>
  createHash('sha256')
    .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest();

const GOOD_POLICY = (mx: string[], mode = 'enforce', maxAge = 604800) =>
  `version: STSv1\r\nmode: ${mode}\r\n${mx.map((m) => `mx: ${m}\r\n`).join('')}max_age: ${maxAge}\r\n`;

/** Policy host -> what the HTTPS server answers. */
const POLICIES: Record<string, { status?: number; type?: string; body?: string; location?: string; wrongCert?: boolean }> = {
  'mta-sts.good.test': { body: GOOD_POLICY(['mx1.good.test']) },
  'mta-sts.redirect.test': { status: 301, location: 'https://www.redirect.test/' },
  'mta-sts.ctype.test': { type: 'text/html', body: GOOD_POLICY(['mx1.good.test']) },
  'mta-sts.badpolicy.test': { body: 'version: STSv2\nmode: sometimes\n' },
  'mta-sts.badcert.test': { body: GOOD_POLICY(['mx1.good.test']), wrongCert: true },
  'mta-sts.testing.test': { body: GOOD_POLICY(['*.good.test'], 'testing', 3600) },
  'mta-sts.mismatch.test': { body: GOOD_POLICY(['mx.elsewhere.test']) },
  'mta-sts.wrongname.test': { body: GOOD_POLICY(['mx.wrongname.test']) },
  'mta-sts.big.test': { body: `version: STSv1\nmode: enforce\nmx: mx1.good.test\nmax_age: 86400\n${'#'.repeat(70 * 1024)}\n` },
  'mta-sts.norpt.test': { body: GOOD_POLICY(['mx1.good.test']) },
};

const SIGNED = [
  'good.test',
  'mx1.good.test',
  '_25._tcp.mx1.good.test',
  '_mta-sts.good.test',
  'mta-sts.good.test',
  '_smtp._tls.good.test',
  'bogus.test',
  'danebad.test',
  'mx.danebad.test',
  '_25._tcp.mx.danebad.test',
  'usage.test',
  'mx.usage.test',
  '_25._tcp.mx.usage.test',
  'nostarttls.test',
  'mx.nostarttls.test',
  '_25._tcp.mx.nostarttls.test',
  'cname.test',
  'alias.cname.test',
];

function records(leafPem: string, intermediatePem: string): TestRecord[] {
  const eeHash = spkiSha256(leafPem);
  const taHash = spkiSha256(intermediatePem);
  const mx = (name: string, ...hosts: [number, string][]) => hosts.map(([preference, exchange]) => ({ name, type: 'MX', data: { preference, exchange } }));
  const a = (name: string, ip: string) => ({ name, type: 'A', data: ip });
  const txt = (name: string, ...values: string[]) => values.map((v) => ({ name, type: 'TXT', data: [v] }));
  const tlsa = (name: string, usage: number, selector: number, matchingType: number, certificate: Buffer) => ({
    name,
    type: 'TLSA',
    data: { usage, selector, matchingType, certificate },
  });
  const policyHost = (d: string) => a(`mta-sts.${d}`, '127.0.0.21');
  return [
    // Healthy: signed, DANE 3 1 1 + 2 1 1, MTA-STS enforce, TLS-RPT.
    ...mx('good.test', [10, 'mx1.good.test']),
    a('mx1.good.test', '127.0.0.11'),
    tlsa('_25._tcp.mx1.good.test', 3, 1, 1, eeHash),
    tlsa('_25._tcp.mx1.good.test', 2, 1, 1, taHash),
    ...txt('_mta-sts.good.test', 'v=STSv1; id=20260101'),
    policyHost('good.test'),
    ...txt('_smtp._tls.good.test', 'v=TLSRPTv1; rua=mailto:tlsrpt@good.test'),
    // MX shapes.
    ...mx('null.test', [0, '.']),
    a('implicit.test', '127.0.0.11'),
    ...mx('unresolved.test', [10, 'nowhere.unresolved.test'], [20, 'mx1.good.test']),
    ...mx('allunresolved.test', [10, 'nowhere.allunresolved.test']),
    ...mx('literal.test', [10, '127.0.0.11'], [20, 'mx1.good.test']),
    ...mx('cname.test', [10, 'alias.cname.test']),
    { name: 'alias.cname.test', type: 'CNAME', data: 'mx1.good.test' },
    ...mx('bogus.test', [10, 'mx1.good.test']),
    // DANE.
    ...mx('danebad.test', [10, 'mx.danebad.test']),
    a('mx.danebad.test', '127.0.0.11'),
    tlsa('_25._tcp.mx.danebad.test', 3, 1, 1, Buffer.alloc(32, 7)),
    ...mx('unsigned.test', [10, 'mx.unsigned.test']),
    a('mx.unsigned.test', '127.0.0.11'),
    tlsa('_25._tcp.mx.unsigned.test', 3, 1, 1, eeHash),
    ...mx('usage.test', [10, 'mx.usage.test']),
    a('mx.usage.test', '127.0.0.11'),
    tlsa('_25._tcp.mx.usage.test', 1, 1, 1, eeHash),
    tlsa('_25._tcp.mx.usage.test', 3, 1, 1, eeHash),
    tlsa('_25._tcp.mx.usage.test', 3, 0, 2, createHash('sha512').update(new X509Certificate(leafPem).raw).digest()),
    ...mx('nostarttls.test', [10, 'mx.nostarttls.test']),
    a('mx.nostarttls.test', '127.0.0.12'),
    tlsa('_25._tcp.mx.nostarttls.test', 3, 1, 1, eeHash),
    tlsa('_25._tcp.mx.nostarttls.test', 2, 1, 1, taHash),
    // MTA-STS.
    ...['txtbad', 'nopolicyhost', 'redirect', 'ctype', 'badpolicy', 'badcert', 'testing', 'mismatch', 'big', 'norpt'].flatMap((d) =>
      mx(`${d}.test`, [10, 'mx1.good.test']),
    ),
    ...txt('_mta-sts.txtbad.test', 'v=STSv1; id=1', 'v=STSv1; id=2'),
    ...['nopolicyhost', 'redirect', 'ctype', 'badpolicy', 'badcert', 'testing', 'mismatch', 'wrongname', 'big', 'norpt'].flatMap((d) =>
      txt(`_mta-sts.${d}.test`, 'v=STSv1; id=abc123'),
    ),
    ...['redirect', 'ctype', 'badpolicy', 'badcert', 'testing', 'mismatch', 'wrongname', 'big', 'norpt'].map((d) => policyHost(`${d}.test`)),
    ...['txtbad', 'nopolicyhost', 'redirect', 'ctype', 'badpolicy', 'badcert', 'testing', 'mismatch', 'wrongname', 'big'].flatMap((d) =>
      txt(`_smtp._tls.${d}.test`, 'v=TLSRPTv1; rua=mailto:r@example.test'),
    ),
    ...mx('wrongname.test', [10, 'mx.wrongname.test']),
    a('mx.wrongname.test', '127.0.0.13'),
    // TLS-RPT.
    ...mx('rptbad.test', [10, 'mx1.good.test']),
    ...txt('_smtp._tls.rptbad.test', 'v=TLSRPTv1; rua=ftp://reports.example.test'),
    ...txt('_mta-sts.rptbad.test', 'v=STSv1; id=1'),
    policyHost('rptbad.test'),
  ];
}

export interface DomainLabOptions {
  /** The port the MX hosts listen on (default: one the system picks). The screenshot run uses the real 25. */
  smtpPort?: number;
  /** The port of the MTA-STS policy server (default: one the system picks); the screenshot run uses 443. */
  httpsPort?: number;
}

export async function startDomainLab(opts: DomainLabOptions = {}): Promise<DomainLab> {
  const pki = makePki('Domain Lab');
  const leaf = (cn: string) => pki.leaf({ cn });
  const good = leaf('mx1.good.test');
  // Every MX name that reaches 127.0.0.11 is on its certificate, so only DANE/MTA-STS decide.
  const multi = pki.leaf({
    cn: 'mx1.good.test',
    sans: ['mx1.good.test', 'mx.danebad.test', 'mx.unsigned.test', 'mx.usage.test', 'alias.cname.test', 'implicit.test'],
  });
  const wrong = leaf('somebody-else.test');
  const servers: RunningServer[] = [];
  const tlsOf = (i: Issued) => ({ certPem: pki.chain(i), keyPem: i.keyPem });
  const first = await startMailServer({ protocol: 'smtp', serves: 'starttls', tls: tlsOf(multi) }, '127.0.0.11', opts.smtpPort ?? 0);
  servers.push(first);
  const smtpPort = first.port;
  const closeServers = () => Promise.all(servers.map((s) => s.close()));
  try {
    servers.push(await startMailServer({ protocol: 'smtp', serves: 'starttls', offerStarttls: false }, '127.0.0.12', smtpPort));
    servers.push(await startMailServer({ protocol: 'smtp', serves: 'starttls', tls: tlsOf(wrong) }, '127.0.0.13', smtpPort));
  } catch (err) {
    await closeServers();
    throw err;
  }

  const contexts = new Map<string, tls.SecureContext>();
  const ctxFor = (name: string) => {
    let c = contexts.get(name);
    if (!c) {
      const i = POLICIES[name]?.wrongCert ? wrong : pki.leaf({ cn: name });
      c = tls.createSecureContext({ cert: pki.chain(i), key: i.keyPem });
      contexts.set(name, c);
    }
    return c;
  };
  const policyHits: string[] = [];
  const web = https.createServer({ SNICallback: (name, cb) => cb(null, ctxFor(name)), cert: good.certPem, key: good.keyPem }, (req, res) => {
    const host = String(req.headers.host ?? '');
    policyHits.push(`${host} ${req.url}`);
    const p = POLICIES[host];
    if (!p || req.url !== '/.well-known/mta-sts.txt') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(p.status ?? 200, { 'content-type': p.type ?? 'text/plain; charset=utf-8', ...(p.location ? { location: p.location } : {}) });
    res.end(p.body ?? '');
  });
  const sockets = new Set<net.Socket>();
  web.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      web.once('error', reject);
      web.listen(opts.httpsPort ?? 0, '127.0.0.21', () => {
        web.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await closeServers();
    throw err;
  }
  const httpsPort = (web.address() as net.AddressInfo).port;

  const dns = await startDnsServer({ records: records(multi.certPem, pki.intermediate.certPem), signed: new Set(SIGNED), bogus: new Set(['bogus.test']) });
  const decoy = await startDnsServer({ records: [] });
  const caFile = path.join(pki.dir, 'root.pem');
  fs.writeFileSync(caFile, pki.root.certPem);
  return {
    dns,
    decoy,
    smtpPort,
    httpsPort,
    caFile,
    pki,
    policyHits,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([...servers.map((s) => s.close()), dns.close(), decoy.close(), new Promise<void>((r) => web.close(() => r()))]);
    },
  };
}
