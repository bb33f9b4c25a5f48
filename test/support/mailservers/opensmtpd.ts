/**
 * A real OpenSMTPD on loopback for the TLS-stack interop tier. Debian's opensmtpd package conflicts with postfix
 * (both provide mail-transport-agent), so it is never installed: .ci/run unpacks it (`apt-get download` +
 * `dpkg -x`) into .cache/opensmtpd, or set MTD_OPENSMTPD_ROOT. The version is 7.4 from the backports suite:
 * Debian 12's own 6.8.0p2 fails every TLS handshake with OpenSSL 3 (its privilege-separated key engine reports
 * "missing private key" and the client gets an internal_error alert; OpenSMTPD issues #1171 and #1239), so it
 * cannot take part in a comparison of working TLS stacks.
 *
 * OpenSMTPD has its paths compiled in: the queue in /var/spool/smtpd, a chroot in /var/lib/opensmtpd/empty, the
 * control socket in /var/run, and the users `opensmtpd` and `opensmtpq`. None of that is created on the system:
 * the daemon runs in a private mount namespace (`unshare -m`) where a tmpfs covers /var, and copies of
 * /etc/passwd and /etc/group that add both users (as nobody/nogroup) and an /etc/resolv.conf that points at
 * loopback and looks names up in /etc/hosts only are bind-mounted over the real ones, which stay untouched.
 * OpenSMTPD looks up the name of every client; with that resolver configuration it asks no DNS server.
 *
 * One daemon, one `listen on 127.0.0.1 port P` line per scenario (`tls`, `smtps`, `tls-require`, `protocols`,
 * `ciphers`); every recipient is rejected (`match from any for any reject`), so it can neither deliver nor relay.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts } from './ports';
import { track, untilListening } from './reaper';
import { findTool } from './tools';

const NOBODY = 65534;

export interface OpensmtpdScenario {
  name: string;
  /** How the listener offers TLS: `tls` (STARTTLS), `smtps` (implicit), `tls-require` (STARTTLS before MAIL), none. */
  tls: 'tls' | 'smtps' | 'tls-require' | 'none';
  /** The listener's `protocols` (libtls syntax, e.g. "tlsv1.2"); default: the library's default. */
  protocols?: string;
  /** The listener's `ciphers`. */
  ciphers?: string;
}

export interface OpensmtpdInstance {
  ports: Record<string, number>;
  version: string;
  log(): string;
  stop(): Promise<void>;
}

function repoRoot(): string {
  return path.resolve(__dirname, '../../..');
}

/**
 * `current`: 7.4 (backports), in .cache/opensmtpd or $MTD_OPENSMTPD_ROOT. `debian12`: Debian 12's own 6.8.0p2,
 * whose TLS fails with OpenSSL 3 (the case of a broken TLS-first port), in .cache/opensmtpd-6.8 or
 * $MTD_OPENSMTPD68_ROOT.
 */
export type OpensmtpdBuild = 'current' | 'debian12';

export function findSmtpd(build: OpensmtpdBuild = 'current'): string | undefined {
  const root =
    build === 'current'
      ? (process.env.MTD_OPENSMTPD_ROOT ?? path.join(repoRoot(), '.cache', 'opensmtpd'))
      : (process.env.MTD_OPENSMTPD68_ROOT ?? path.join(repoRoot(), '.cache', 'opensmtpd-6.8'));
  const bin = path.join(root, 'usr/sbin/smtpd');
  return fs.existsSync(bin) ? bin : undefined;
}

/**
 * Why OpenSMTPD cannot run here (empty when it can). `MTD_OPENSMTPD_UNAVAILABLE` is set by .ci/run when the
 * package could not be downloaded, with the reason: the tier then skips instead of failing.
 */
export function opensmtpdTools(build: OpensmtpdBuild = 'current'): { ok: boolean; reasons: string[]; unobtainable?: string } {
  const reasons: string[] = [];
  const unobtainable = (build === 'current' ? process.env.MTD_OPENSMTPD_UNAVAILABLE : process.env.MTD_OPENSMTPD68_UNAVAILABLE) || undefined;
  if (!findSmtpd(build)) {
    reasons.push(
      unobtainable
        ? `the opensmtpd package could not be obtained: ${unobtainable}`
        : build === 'current'
          ? 'no OpenSMTPD unpacked in .cache/opensmtpd (.ci/run: apt-get download opensmtpd/bookworm-backports + dpkg -x) or $MTD_OPENSMTPD_ROOT'
          : "no OpenSMTPD 6.8 unpacked in .cache/opensmtpd-6.8 (.ci/run: apt-get download Debian 12's opensmtpd + dpkg -x) or $MTD_OPENSMTPD68_ROOT",
    );
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    reasons.push('OpenSMTPD must be started as root (it binds, chroots and drops to its users)');
  if (!findTool('unshare')) reasons.push('no `unshare`: OpenSMTPD needs a private mount namespace for its compiled-in /var paths and users');
  return { ok: reasons.length === 0, reasons, unobtainable };
}

export async function startOpensmtpd(p: {
  certFile: string;
  keyFile: string;
  hostname: string;
  scenarios: OpensmtpdScenario[];
  build?: OpensmtpdBuild;
}): Promise<OpensmtpdInstance> {
  const smtpd = findSmtpd(p.build);
  if (!smtpd) throw new Error('OpenSMTPD is not available');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-opensmtpd-'));
  // A tmpfs covers /var inside the namespace: the folder must be elsewhere.
  if (dir.startsWith('/var/')) throw new Error(`the OpenSMTPD folder must not be under /var (TMPDIR=${os.tmpdir()})`);
  fs.chmodSync(dir, 0o755);
  const remove = () => {
    if (!process.env.MTD_KEEP_INTEROP) fs.rmSync(dir, { recursive: true, force: true });
  };
  // smtpd reads certificate and key as root before it drops privileges, and wants a key only root can read.
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  fs.copyFileSync(p.certFile, cert);
  fs.copyFileSync(p.keyFile, key);
  fs.chmodSync(cert, 0o644);
  fs.chmodSync(key, 0o600);

  const ports = await freePorts(p.scenarios.length);
  const byName: Record<string, number> = {};
  p.scenarios.forEach((s, i) => (byName[s.name] = ports[i]));
  const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;
  const listeners = p.scenarios.map((s) => {
    const opts = [`hostname ${p.hostname}`];
    if (s.tls !== 'none') opts.push(s.tls, `pki ${p.hostname}`);
    if (s.protocols) opts.push(`protocols ${quote(s.protocols)}`);
    if (s.ciphers) opts.push(`ciphers ${quote(s.ciphers)}`);
    return `listen on 127.0.0.1 port ${byName[s.name]} ${opts.join(' ')}`;
  });
  const conf = path.join(dir, 'smtpd.conf');
  fs.writeFileSync(
    conf,
    `# TLS-stack interop test instance: loopback only, no DNS, delivers and relays nothing.
pki ${p.hostname} cert "${cert}"
pki ${p.hostname} key "${key}"
${listeners.join('\n')}
match from any for any reject
`,
  );
  fs.writeFileSync(
    path.join(dir, 'passwd'),
    `${fs.readFileSync('/etc/passwd', 'utf8').replace(/\n?$/, '\n')}opensmtpd:x:${NOBODY}:${NOBODY}::/nonexistent:/usr/sbin/nologin\nopensmtpq:x:${NOBODY}:${NOBODY}::/nonexistent:/usr/sbin/nologin\n`,
  );
  fs.writeFileSync(path.join(dir, 'group'), `${fs.readFileSync('/etc/group', 'utf8').replace(/\n?$/, '\n')}opensmtpd:x:${NOBODY}:\nopensmtpq:x:${NOBODY}:\n`);
  // `lookup file`: OpenSMTPD's resolver (libasr) reads /etc/hosts only; the nameserver line is loopback anyway.
  fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\nlookup file\n');
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=755,size=16m tmpfs /var',
    'mkdir -p /var/spool/smtpd /var/lib/opensmtpd/empty /var/run',
    'chmod 711 /var/spool/smtpd',
    'mount --bind "$1/passwd" /etc/passwd',
    'mount --bind "$1/group" /etc/group',
    'mount --bind "$1/resolv.conf" /etc/resolv.conf',
    // `exec` keeps one pid from unshare to the smtpd parent; the mounts die with the namespace.
    'exec "$2" -d -f "$1/smtpd.conf"',
  ].join('\n');
  const args = ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, smtpd];
  let out = '';
  const child = spawn(findTool('unshare')!, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => {
    if (out.length < 64 * 1024) out += d.toString('latin1');
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const untrack = track('opensmtpd', () => child.pid, remove);
  const log = () => out.slice(-16 * 1024);
  const stop = await untilListening('OpenSMTPD', child, ports, log, () => {
    untrack();
    remove();
  });
  const version = /OpenSMTPD (\d[\w.-]*) starting/.exec(out)?.[1] ?? 'unknown';
  return { ports: byName, version, log, stop };
}
