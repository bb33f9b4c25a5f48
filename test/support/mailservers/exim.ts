/**
 * A real Exim 4 (Debian's exim4-daemon-light: GnuTLS) on loopback for the TLS-stack interop tier. Debian's
 * exim4 packages conflict with postfix (both provide mail-transport-agent), so the binary comes unpacked from
 * the package (`apt-get download exim4-daemon-light libidn12` + `dpkg -x`, which .ci/run does into
 * .cache/exim) unless an installed `exim4` exists. The binary refuses to start without its compiled-in
 * `Debian-exim` user; when the system has none, Exim runs in a private mount namespace (`unshare -m`) where
 * copies of /etc/passwd and /etc/group with that user (mapped to nobody/nogroup) are bind-mounted: the
 * system's own files are never touched.
 *
 * One daemon serves every scenario on its own loopback port; settings that differ per scenario are expanded
 * per connection from `$received_port` (Exim expands `tls_require_ciphers`, `tls_certificate` and
 * `tls_advertise_hosts` for each connection). No DNS: `host_lookup` and `rfc1413_hosts` are empty, and every
 * recipient is denied, so it can neither deliver nor relay.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts } from './ports';
import { track, untilListening } from './reaper';
import { findTool } from './tools';

const NOBODY = 65534;

export interface EximScenario {
  name: string;
  /** A GnuTLS priority string, as in `tls_require_ciphers`; default NORMAL. */
  priority?: string;
  /** Implicit TLS (`tls_on_connect_ports`), as on 465. */
  implicit?: boolean;
  /** No STARTTLS offered (`tls_advertise_hosts` empty). */
  noTls?: boolean;
  /** A certificate file that does not exist: Exim answers STARTTLS with 454. */
  brokenCert?: boolean;
}

export interface EximInstance {
  ports: Record<string, number>;
  version: string;
  log(): string;
  stop(): Promise<void>;
}

interface EximBinary {
  bin: string;
  /** Library folder of the unpacked package, for LD_LIBRARY_PATH. */
  libDir?: string;
}

function repoRoot(): string {
  return path.resolve(__dirname, '../../..');
}

export function findExim(): EximBinary | undefined {
  const installed = findTool('exim4');
  if (installed) return { bin: installed };
  const root = process.env.MTD_EXIM_ROOT ?? path.join(repoRoot(), '.cache', 'exim');
  const bin = path.join(root, 'usr/sbin/exim4');
  if (fs.existsSync(bin)) return { bin, libDir: path.join(root, 'usr/lib/x86_64-linux-gnu') };
  return undefined;
}

function userExists(name: string): boolean {
  return fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .some((l) => l.split(':')[0] === name);
}

export function eximTools(): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (!findExim())
    reasons.push('no exim4: neither installed nor unpacked in .cache/exim (.ci/run: apt-get download exim4-daemon-light libidn12 + dpkg -x) or $MTD_EXIM_ROOT');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) reasons.push('exim must be started as root');
  if (!userExists('Debian-exim') && !findTool('unshare')) reasons.push('no Debian-exim user and no `unshare` to provide one privately');
  return { ok: reasons.length === 0, reasons };
}

export async function startExim(p: { certFile: string; keyFile: string; hostname: string; scenarios: EximScenario[] }): Promise<EximInstance> {
  const exim = findExim();
  if (!exim) throw new Error('exim4 is not available');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-exim-'));
  fs.chmodSync(dir, 0o755);
  const remove = () => {
    if (!process.env.MTD_KEEP_INTEROP) fs.rmSync(dir, { recursive: true, force: true });
  };
  const spool = path.join(dir, 'spool');
  const logDir = path.join(dir, 'log');
  for (const d of [spool, logDir]) {
    fs.mkdirSync(d);
    fs.chownSync(d, NOBODY, NOBODY);
  }
  // Exim reads its certificate and key after dropping to its own user.
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  fs.copyFileSync(p.certFile, cert);
  fs.copyFileSync(p.keyFile, key);
  fs.chmodSync(cert, 0o644);
  fs.chownSync(key, NOBODY, NOBODY);
  fs.chmodSync(key, 0o600);

  const ports = await freePorts(p.scenarios.length);
  const byName: Record<string, number> = {};
  p.scenarios.forEach((s, i) => (byName[s.name] = ports[i]));
  const perPort = (pick: (s: EximScenario) => string | undefined, fallback: string): string => {
    let expr = fallback;
    for (const s of p.scenarios) {
      const v = pick(s);
      if (v !== undefined) expr = `\${if eq{$received_port}{${byName[s.name]}}{${v}}{${expr}}}`;
    }
    return expr;
  };
  const conf = path.join(dir, 'exim.conf');
  fs.writeFileSync(
    conf,
    `# TLS-stack interop test instance: loopback only, no DNS, delivers and relays nothing.
spool_directory = ${spool}
log_file_path = ${logDir}/%slog
pid_file_path = ${dir}/exim.pid
primary_hostname = ${p.hostname}
daemon_smtp_ports = ${ports.join(' : ')}
local_interfaces = 127.0.0.1
tls_on_connect_ports = ${p.scenarios
      .filter((s) => s.implicit)
      .map((s) => byName[s.name])
      .join(' : ')}
host_lookup =
rfc1413_hosts =
keep_environment =
smtp_banner = $smtp_active_hostname ESMTP Exim $version_number\\nTLS-stack interop test\\nno mail accepted here
tls_advertise_hosts = ${perPort((s) => (s.noTls ? '' : undefined), '*')}
tls_certificate = ${perPort((s) => (s.brokenCert ? `${dir}/missing.pem` : undefined), cert)}
tls_privatekey = ${key}
tls_require_ciphers = ${perPort((s) => s.priority, 'NORMAL')}
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  deny

begin routers
begin transports
`,
  );
  fs.chmodSync(conf, 0o644);

  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(exim.libDir ? { LD_LIBRARY_PATH: exim.libDir } : {}) };
  let cmd = exim.bin;
  let args = ['-bdf', '-C', conf];
  if (!userExists('Debian-exim')) {
    const passwd = path.join(dir, 'passwd');
    const group = path.join(dir, 'group');
    fs.writeFileSync(
      passwd,
      `${fs.readFileSync('/etc/passwd', 'utf8').replace(/\n?$/, '\n')}Debian-exim:x:${NOBODY}:${NOBODY}::/nonexistent:/usr/sbin/nologin\n`,
    );
    fs.writeFileSync(group, `${fs.readFileSync('/etc/group', 'utf8').replace(/\n?$/, '\n')}Debian-exim:x:${NOBODY}:\n`);
    cmd = findTool('unshare')!;
    // `exec` keeps one pid from unshare to the Exim daemon; the bind mounts die with the namespace.
    args = [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && exec "$3" -bdf -C "$4"`,
      'sh',
      passwd,
      group,
      exim.bin,
      conf,
    ];
  }
  let out = '';
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => {
    if (out.length < 64 * 1024) out += d.toString('latin1');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const untrack = track('exim', () => child.pid, remove);
  const log = () => {
    let main = '';
    try {
      main = fs.readFileSync(path.join(logDir, 'mainlog'), 'latin1');
    } catch {
      // no log yet
    }
    return `${out}\n${main}`.slice(-16 * 1024);
  };
  const stop = await untilListening('exim', child, ports, log, () => {
    untrack();
    remove();
  });
  const version = /exim (\d[\d.]*) daemon started/i.exec(out)?.[1] ?? 'unknown';
  return { ports: byName, version, log, stop };
}
