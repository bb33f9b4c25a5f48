/**
 * The interop lab: one Postfix instance with an smtpd service per scenario, and one small Dovecot per scenario,
 * all on loopback with certificates from a PKI made at run time. The plan (which scenario is served how, and
 * how the client under test talks to it) is static data, so tests can be declared before the servers start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Protocol, TlsMode } from '../../../src/core/endpoint';
import { makePki, type TestPki } from '../pki';
import { writeServerCerts, SERVER_NAME, type CertKind, type ServerCertFiles } from './certs';
import { startDovecot, type DovecotInstance, type DovecotListener, type DovecotOptions } from './dovecot';
import { startPostfix, type PostfixService } from './postfix';
import { track } from './reaper';

export type Scenario =
  | CertKind
  | 'tls13-only'
  /** TLS 1.2 at most: the server never offers 1.3. */
  | 'tls12-max'
  /** Every version down to TLS 1.0, with a cipher list at OpenSSL's security level 0 (an old howto's leftovers). */
  | 'legacy-enabled'
  | 'starttls-disabled'
  /** A client that expects implicit TLS, pointed at a plaintext (STARTTLS) port. */
  | 'implicit-on-plaintext-port'
  /** A client that expects STARTTLS, pointed at an implicit-TLS (wrapper-mode) port. */
  | 'starttls-on-implicit-port';

export type ServerName = 'postfix' | 'dovecot';

export interface PlannedTarget {
  server: ServerName;
  scenario: Scenario;
  protocol: Protocol;
  /** How the client under test talks to the port (deliberately wrong for the mode-mismatch scenarios). */
  mode: TlsMode;
  /** What the port really speaks. */
  serverMode: TlsMode;
  /** Postfix: the master.cf service. Dovecot: the instance (a scenario) and its listener. */
  service: string;
  listener?: DovecotListener;
}

export interface Target extends PlannedTarget {
  port: number;
  /** Postfix's config folder, for posttls-finger's MAIL_CONFIG. */
  postfixConfigDir?: string;
}

export interface Lab {
  targets: Target[];
  /** The name every target is probed for, and the root that anchors the healthy chains. */
  servername: string;
  caFile: string;
  /** Server logs, to attach to a failure. */
  logs(): string;
  stop(): Promise<void>;
}

export function targetKey(t: PlannedTarget): string {
  return `${t.scenario} ${t.protocol.toUpperCase()} ${t.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}`;
}

const CERT_SCENARIOS: CertKind[] = ['full-chain', 'leaf-only', 'expired', 'self-signed', 'wrong-name'];
const PROTOCOL_VERSIONS = (spec: string) => ({ smtpd_tls_protocols: spec, smtpd_tls_mandatory_protocols: spec });

interface PostfixScenario {
  scenario: Scenario;
  service: Omit<PostfixService, 'name' | 'cert'> & { cert?: CertKind };
  /** Also serve it in wrapper mode (implicit TLS) on a second port. */
  smtps?: boolean;
}

const POSTFIX_SCENARIOS: PostfixScenario[] = [
  ...CERT_SCENARIOS.map((kind): PostfixScenario => ({ scenario: kind, service: { tls: 'starttls', cert: kind }, smtps: true })),
  { scenario: 'tls13-only', service: { tls: 'starttls', overrides: PROTOCOL_VERSIONS('>=TLSv1.3') }, smtps: true },
  { scenario: 'tls12-max', service: { tls: 'starttls', overrides: PROTOCOL_VERSIONS('<=TLSv1.2') } },
  { scenario: 'legacy-enabled', service: { tls: 'starttls', overrides: { smtpd_tls_protocols: '>=TLSv1', tls_medium_cipherlist: 'DEFAULT:@SECLEVEL=0' } } },
  { scenario: 'starttls-disabled', service: { tls: 'none' } },
];

interface DovecotScenario {
  scenario: Scenario;
  options: Omit<DovecotOptions, 'name' | 'cert'> & { cert?: CertKind };
}

const DOVECOT_SCENARIOS: DovecotScenario[] = [
  ...CERT_SCENARIOS.map((kind): DovecotScenario => ({ scenario: kind, options: { cert: kind } })),
  { scenario: 'tls13-only', options: { cert: 'full-chain', minProtocol: 'TLSv1.3' } },
  { scenario: 'starttls-disabled', options: { listeners: ['imap', 'pop3'] } },
];

const DOVECOT_LISTENERS: DovecotListener[] = ['imap', 'imaps', 'pop3', 'pop3s'];

export function plannedTargets(server: ServerName): PlannedTarget[] {
  const out: PlannedTarget[] = [];
  if (server === 'postfix') {
    for (const s of POSTFIX_SCENARIOS) {
      out.push({ server, scenario: s.scenario, protocol: 'smtp', mode: 'starttls', serverMode: 'starttls', service: s.scenario });
      if (s.smtps) out.push({ server, scenario: s.scenario, protocol: 'smtp', mode: 'implicit', serverMode: 'implicit', service: `${s.scenario}-smtps` });
    }
    out.push(
      { server, scenario: 'implicit-on-plaintext-port', protocol: 'smtp', mode: 'implicit', serverMode: 'starttls', service: 'full-chain' },
      { server, scenario: 'starttls-on-implicit-port', protocol: 'smtp', mode: 'starttls', serverMode: 'implicit', service: 'full-chain-smtps' },
    );
    return out;
  }
  for (const s of DOVECOT_SCENARIOS) {
    for (const listener of s.options.listeners ?? DOVECOT_LISTENERS) {
      const protocol: Protocol = listener.startsWith('imap') ? 'imap' : 'pop3';
      const mode: TlsMode = listener.endsWith('s') ? 'implicit' : 'starttls';
      out.push({ server, scenario: s.scenario, protocol, mode, serverMode: mode, service: s.scenario, listener });
    }
  }
  for (const listener of DOVECOT_LISTENERS) {
    // The healthy instance's ports again, each probed in the other mode.
    const protocol: Protocol = listener.startsWith('imap') ? 'imap' : 'pop3';
    const serverMode: TlsMode = listener.endsWith('s') ? 'implicit' : 'starttls';
    const scenario: Scenario = serverMode === 'starttls' ? 'implicit-on-plaintext-port' : 'starttls-on-implicit-port';
    out.push({ server, scenario, protocol, mode: serverMode === 'starttls' ? 'implicit' : 'starttls', serverMode, service: 'full-chain', listener });
  }
  return out;
}

/** Starts one server's lab; its PKI folder (keys included) goes away with `stop()` or on exit. */
export async function startLab(server: ServerName): Promise<Lab> {
  const pki = makePki('Interop Lab');
  const removePki = () => fs.rmSync(pki.dir, { recursive: true, force: true });
  const untrack = track(`interop PKI ${pki.dir}`, () => undefined, removePki);
  try {
    const lab = await (server === 'postfix' ? startPostfixLab(pki) : startDovecotLab(pki));
    return {
      ...lab,
      stop: async () => {
        await lab.stop();
        untrack();
        removePki();
      },
    };
  } catch (err) {
    untrack();
    removePki();
    throw err;
  }
}

async function startPostfixLab(pki: TestPki): Promise<Lab> {
  const certs = writeServerCerts(pki, path.join(pki.dir, 'postfix-certs'));
  const certOf = (kind?: CertKind): ServerCertFiles | undefined => (kind ? certs[kind] : undefined);
  const services: PostfixService[] = [];
  for (const s of POSTFIX_SCENARIOS) {
    services.push({ ...s.service, name: s.scenario, cert: certOf(s.service.cert) });
    if (s.smtps) services.push({ ...s.service, tls: 'wrapper', name: `${s.scenario}-smtps`, cert: certOf(s.service.cert) });
  }
  const instance = await startPostfix({ services, defaultCert: certs['full-chain'] });
  const postfixConfigDir = path.join(instance.dir, 'etc');
  const targets = plannedTargets('postfix').map((p) => ({ ...p, port: instance.ports[p.service], postfixConfigDir }));
  return { targets, servername: SERVER_NAME, caFile: pki.rootFile(), logs: instance.log, stop: instance.stop };
}

async function startDovecotLab(pki: TestPki): Promise<Lab> {
  const certs = writeServerCerts(pki, path.join(pki.dir, 'dovecot-certs'));
  const settled = await Promise.allSettled(
    DOVECOT_SCENARIOS.map((s) => startDovecot({ ...s.options, name: s.scenario, cert: s.options.cert ? certs[s.options.cert] : undefined })),
  );
  const started = new Map<string, DovecotInstance>();
  settled.forEach((r, i) => r.status === 'fulfilled' && started.set(DOVECOT_SCENARIOS[i].scenario, r.value));
  const stop = async () => {
    await Promise.allSettled([...started.values()].map((inst) => inst.stop()));
  };
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const targets = plannedTargets('dovecot').map((p) => ({ ...p, port: started.get(p.service)!.ports[p.listener!]! }));
  const logs = () => [...started].map(([name, inst]) => `--- dovecot ${name} ---\n${inst.log()}`).join('\n');
  return { targets, servername: SERVER_NAME, caFile: pki.rootFile(), logs, stop };
}
