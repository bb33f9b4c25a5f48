/**
 * The failure lab: one real mail server on loopback per failure class the probe diagnoses, plus a refused
 * port and a port that never answers. Tests, the demo, the benchmark and other helpers' suites start it with
 * `startLab()` and probe `servers[name]` with the protocol and mode given there (which are wrong on purpose
 * for the wrong-port cases). The PKI is made fresh at every start; trust its root with `caFile`.
 */
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as forge from 'node-forge';
import type { Protocol, TlsMode } from '../../../src/core/endpoint';
import { issue, makePki, type Issued, type TestPki } from '../pki';
import { startBlackhole } from './blackhole';
import { startMailServer, type LabTls, type MailServerSpec } from './mailServer';

export interface LabServer {
  host: string;
  port: number;
  protocol: Protocol;
  /** The mode to probe it with (for `implicit-on-starttls-port` and `plaintext-on-implicit-port`, the wrong one). */
  mode: TlsMode;
  servername: string;
  /** Finding ids the probe must report for it (empty: healthy, no error or warning). */
  expect: string[];
  description: string;
}

export interface Lab {
  servers: Record<string, LabServer>;
  /** The lab root CA (PEM file): pass it as `caFiles` / `--ca`. */
  caFile: string;
  pki: TestPki;
  close(): Promise<void>;
}

export interface LabOptions {
  /** Start only these servers (names as in `LAB_SERVER_NAMES`); default all. */
  only?: string[];
}

export const LAB_NAME = 'mail.lab.test';
const DAY = 86_400_000;

interface Entry {
  protocol: Protocol;
  mode: TlsMode;
  expect: string[];
  description: string;
  spec?: (c: Certs) => MailServerSpec;
  special?: 'refused' | 'blackhole';
}

interface Certs {
  healthy: LabTls;
  tlsFor(leaf: Issued, chainPem?: string): LabTls;
  pki: TestPki;
}

const smtp = (c: Certs, extra: Partial<MailServerSpec> = {}): MailServerSpec => ({ protocol: 'smtp', serves: 'starttls', tls: c.healthy, ...extra });
const leafFor = (c: Certs, spec: Parameters<TestPki['leaf']>[0]) => c.pki.leaf({ ...spec });

const CATALOGUE: Record<string, Entry> = {
  healthy: { protocol: 'smtp', mode: 'starttls', expect: [], description: 'SMTP STARTTLS, full chain, TLS 1.2-1.3', spec: (c) => smtp(c) },
  'healthy-smtps': {
    protocol: 'smtp',
    mode: 'implicit',
    expect: [],
    description: 'SMTP implicit TLS (465 style), full chain',
    spec: (c) => smtp(c, { serves: 'implicit' }),
  },
  'healthy-imap': {
    protocol: 'imap',
    mode: 'starttls',
    expect: [],
    description: 'IMAP STARTTLS, full chain',
    spec: (c) => ({ protocol: 'imap', serves: 'starttls', tls: c.healthy }),
  },
  'healthy-imaps': {
    protocol: 'imap',
    mode: 'implicit',
    expect: [],
    description: 'IMAP implicit TLS (993 style)',
    spec: (c) => ({ protocol: 'imap', serves: 'implicit', tls: c.healthy }),
  },
  'healthy-pop3': {
    protocol: 'pop3',
    mode: 'starttls',
    expect: [],
    description: 'POP3 STLS, full chain',
    spec: (c) => ({ protocol: 'pop3', serves: 'starttls', tls: c.healthy }),
  },
  'healthy-pop3s': {
    protocol: 'pop3',
    mode: 'implicit',
    expect: [],
    description: 'POP3 implicit TLS (995 style)',
    spec: (c) => ({ protocol: 'pop3', serves: 'implicit', tls: c.healthy }),
  },
  'leaf-only': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.missing-intermediate'],
    description: 'sends its leaf without the intermediate',
    spec: (c) => {
      const leaf = leafFor(c, { cn: LAB_NAME, aiaUrl: 'http://ca.lab.test/intermediate.cer' });
      return smtp(c, { tls: c.tlsFor(leaf, leaf.certPem) });
    },
  },
  expired: {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.expired'],
    description: 'leaf expired 10 days ago',
    spec: (c) =>
      smtp(c, { tls: c.tlsFor(leafFor(c, { cn: LAB_NAME, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 10 * DAY) })) }),
  },
  'not-yet-valid': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.not-yet-valid'],
    description: 'leaf valid from 10 days from now',
    spec: (c) =>
      smtp(c, { tls: c.tlsFor(leafFor(c, { cn: LAB_NAME, notBefore: new Date(Date.now() + 10 * DAY), notAfter: new Date(Date.now() + 400 * DAY) })) }),
  },
  'expires-soon': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.expires-soon'],
    description: 'leaf expires in 5 days',
    spec: (c) => smtp(c, { tls: c.tlsFor(leafFor(c, { cn: LAB_NAME, notAfter: new Date(Date.now() + 5 * DAY) })) }),
  },
  'self-signed': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.self-signed'],
    description: 'self-signed leaf',
    spec: (c) => {
      const self = issue({ cn: LAB_NAME, sans: [LAB_NAME] });
      return smtp(c, { tls: c.tlsFor(self, self.certPem) });
    },
  },
  'untrusted-root': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.untrusted-root'],
    description: 'chain to a root nobody trusts',
    spec: (c) => {
      const leaf = c.pki.leaf({ cn: LAB_NAME, issuer: c.pki.otherRoot });
      return smtp(c, { tls: c.tlsFor(leaf, leaf.certPem + c.pki.otherRoot.certPem) });
    },
  },
  'wrong-name': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.hostname-mismatch'],
    description: 'certificate for other.lab.test',
    spec: (c) => smtp(c, { tls: c.tlsFor(leafFor(c, { cn: 'other.lab.test', sans: ['other.lab.test', '*.other.lab.test'] })) }),
  },
  'weak-key': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.weak-key'],
    description: 'RSA 1024-bit leaf key',
    spec: (c) => smtp(c, { tls: c.tlsFor(leafFor(c, { cn: LAB_NAME, keyBits: 1024 })) }),
  },
  'sha1-signature': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['cert.weak-signature'],
    description: 'leaf signed with SHA-1',
    spec: (c) => smtp(c, { tls: c.tlsFor(leafFor(c, { cn: LAB_NAME, hash: 'sha1' })) }),
  },
  'legacy-only': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.legacy-version-accepted', 'tls.modern-version-missing'],
    description: 'TLS 1.0 and 1.1 only',
    spec: (c) => smtp(c, { tls: { ...c.healthy, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } }),
  },
  'tls12-only': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.no-tls13'],
    description: 'TLS 1.2 only (info finding)',
    spec: (c) => smtp(c, { tls: { ...c.healthy, maxVersion: 'TLSv1.2' } }),
  },
  'weak-cipher': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.weak-cipher'],
    description: 'only static-RSA AES128-SHA (no forward secrecy)',
    spec: (c) => smtp(c, { tls: { ...c.healthy, maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:@SECLEVEL=0' } }),
  },
  'weak-dh': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.weak-key-exchange'],
    description: 'DHE with 1024-bit parameters',
    spec: (c) => smtp(c, { tls: { ...c.healthy, maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0', dhparam: dhParams1024() } }),
  },
  'no-shared-cipher': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.handshake-failed'],
    description: 'only AES128-CCM8, which common clients do not offer: alert "handshake failure"',
    spec: (c) => smtp(c, { tls: { ...c.healthy, maxVersion: 'TLSv1.2', ciphers: 'AES128-CCM8:@SECLEVEL=0' } }),
  },
  'starttls-close': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.lost-connection'],
    description: 'answers 220 to STARTTLS, then hangs up',
    spec: (c) => smtp(c, { onStarttls: 'close' }),
  },
  'starttls-reset': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tls.lost-connection'],
    description: 'answers 220 to STARTTLS, then resets at the ClientHello',
    spec: (c) => smtp(c, { onStarttls: 'reset' }),
  },
  'starttls-refused': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['starttls.refused'],
    description: 'offers STARTTLS, answers 454',
    spec: (c) => smtp(c, { onStarttls: 'refuse' }),
  },
  'no-starttls': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['starttls.not-offered'],
    description: 'EHLO without STARTTLS',
    spec: () => ({ protocol: 'smtp', serves: 'starttls' }),
  },
  'imap-no-starttls': {
    protocol: 'imap',
    mode: 'starttls',
    expect: ['starttls.not-offered'],
    description: 'IMAP without STARTTLS',
    spec: () => ({ protocol: 'imap', serves: 'starttls' }),
  },
  'implicit-on-starttls-port': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['mode.expects-implicit-tls'],
    description: 'implicit TLS server probed with STARTTLS',
    spec: (c) => smtp(c, { serves: 'implicit' }),
  },
  'plaintext-on-implicit-port': {
    protocol: 'smtp',
    mode: 'implicit',
    expect: ['mode.expects-starttls'],
    description: 'STARTTLS server probed with implicit TLS',
    spec: (c) => smtp(c),
  },
  silent: {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['greeting.timeout'],
    description: 'accepts, then says nothing',
    spec: (c) => smtp(c, { silent: true }),
  },
  'greeting-421': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['greeting.rejected'],
    description: '421 too many connections',
    spec: (c) => smtp(c, { rejectWith: ['421 4.7.0 mail.lab.test Error: too many connections from 127.0.0.1'] }),
  },
  'greeting-554': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['greeting.rejected'],
    description: '554 access denied',
    spec: (c) => smtp(c, { rejectWith: ['554 5.7.1 mail.lab.test ESMTP not accepting connections from 127.0.0.1'] }),
  },
  'clock-skew': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['clock.skew'],
    description: 'Exim-style banner with a date 2 hours ahead',
    spec: (c) => smtp(c, { greeting: [`220 ${LAB_NAME} ESMTP Exim 4.96 ${rfc5322(new Date(Date.now() + 2 * 3600_000))}`] }),
  },
  refused: { protocol: 'smtp', mode: 'starttls', expect: ['tcp.refused'], description: 'nothing listens', special: 'refused' },
  'no-answer': {
    protocol: 'smtp',
    mode: 'starttls',
    expect: ['tcp.timeout'],
    description: 'SYNs dropped (full backlog, never accepted)',
    special: 'blackhole',
  },
};

export const LAB_SERVER_NAMES = Object.keys(CATALOGUE);

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const names = opts.only ?? LAB_SERVER_NAMES;
  for (const n of names) if (!CATALOGUE[n]) throw new Error(`unknown lab server "${n}"`);
  const pki = makePki('Mail TLS Doctor Lab');
  const healthyLeaf = pki.leaf({ cn: LAB_NAME, sans: [LAB_NAME] });
  const certs: Certs = {
    pki,
    tlsFor: (leaf, chainPem) => ({ certPem: chainPem ?? pki.chain(leaf), keyPem: leaf.keyPem }),
    healthy: { certPem: pki.chain(healthyLeaf), keyPem: healthyLeaf.keyPem },
  };
  const closers: Array<() => Promise<void>> = [];
  const servers: Record<string, LabServer> = {};
  try {
    await Promise.all(
      names.map(async (name) => {
        const e = CATALOGUE[name];
        let port: number;
        if (e.special === 'refused') port = await freePort();
        else if (e.special === 'blackhole') {
          const b = await startBlackhole();
          closers.push(b.close);
          port = b.port;
        } else {
          const s = await startMailServer({ ...e.spec!(certs), name: LAB_NAME });
          closers.push(s.close);
          port = s.port;
        }
        servers[name] = { host: '127.0.0.1', port, protocol: e.protocol, mode: e.mode, servername: LAB_NAME, expect: e.expect, description: e.description };
      }),
    );
  } catch (err) {
    await Promise.all(closers.map((c) => c()));
    throw err;
  }
  return {
    // In catalogue order, whatever order the servers came up in.
    servers: Object.fromEntries(names.map((n) => [n, servers[n]])),
    caFile: pki.rootFile(),
    pki,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}

/** A port nothing listens on (just released by us; a race with another process is possible but harmless). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** RFC 2409 group 2 (1024-bit MODP) as PEM DH parameters: the weak size many old servers still use. */
function dhParams1024(): string {
  const dh = crypto.getDiffieHellman('modp2');
  const a = forge.asn1;
  const int = (buf: Buffer) =>
    a.create(a.Class.UNIVERSAL, a.Type.INTEGER, false, (buf[0] & 0x80 ? Buffer.concat([Buffer.from([0]), buf]) : buf).toString('binary'));
  const der = a.toDer(a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [int(dh.getPrime()), int(dh.getGenerator())])).getBytes();
  const b64 = Buffer.from(der, 'binary')
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN DH PARAMETERS-----\n${b64}\n-----END DH PARAMETERS-----\n`;
}

function rfc5322(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
