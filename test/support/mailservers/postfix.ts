/**
 * A stand-alone Postfix instance in a temporary folder: its own config_directory, queue_directory and
 * data_directory, started with `postfix -c DIR start`, listening on loopback only, delivering nothing. The
 * system's own Postfix (/etc/postfix, its queue, its master) is never read or touched.
 *
 * One instance serves every scenario: each scenario is an smtpd service in master.cf on its own port, with
 * per-service `-o` overrides for its certificate, TLS level or protocols. One start instead of one per scenario
 * keeps the tier fast.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts, waitForPort } from './ports';
import { isRunning, killPid, readPidFile, track, waitGone } from './reaper';
import { findTool } from './tools';
import { run } from './run';
import type { ServerCertFiles } from './certs';
import { writePostfixConfig } from '../postfixConfig';

export interface PostfixService {
  /** A label, unique in the instance; becomes the key of `ports`. */
  name: string;
  /** `starttls`: plain greeting, STARTTLS offered. `wrapper`: implicit TLS (smtps). `none`: no STARTTLS at all. */
  tls: 'starttls' | 'wrapper' | 'none';
  cert?: ServerCertFiles;
  /** Further main.cf parameters for this service only, e.g. { smtpd_tls_protocols: '>=TLSv1.3' }. */
  overrides?: Record<string, string>;
}

export interface PostfixInstance {
  dir: string;
  ports: Record<string, number>;
  /** The instance's maillog (Postfix's own log file, not syslog), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PostfixOptions {
  services: PostfixService[];
  /** Main.cf's certificate; services without their own use it. */
  defaultCert: ServerCertFiles;
  /** Lines appended to main.cf (a later assignment wins), e.g. to let the instance deliver with its SMTP client. */
  mainExtra?: string;
  /** Lines appended to master.cf, e.g. `smtp unix - - n - - smtp`. */
  masterExtra?: string;
}

const START_ATTEMPTS = 3;

export async function startPostfix(opts: PostfixOptions): Promise<PostfixInstance> {
  const postfix = findTool('postfix');
  if (!postfix) throw new Error('postfix is not installed');
  const names = new Set(opts.services.map((s) => s.name));
  if (names.size !== opts.services.length) throw new Error('service names must be unique');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-interop-postfix-'));
  // Postfix daemons run as `postfix` and must reach the queue below this folder.
  fs.chmodSync(dir, 0o755);
  const etc = path.join(dir, 'etc');
  const spool = path.join(dir, 'spool');
  const data = path.join(dir, 'data');
  for (const d of [etc, spool, data]) fs.mkdirSync(d, { mode: 0o755 });
  chownToPostfix(data);
  const logFile = path.join(dir, 'maillog');
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '(no maillog)');
  const pidFile = path.join(spool, 'pid', 'master.pid');

  const cleanupDir = () => {
    if (!process.env.MTD_KEEP_INTEROP) fs.rmSync(dir, { recursive: true, force: true });
  };

  let lastError = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const portList = await freePorts(opts.services.length);
    const ports: Record<string, number> = {};
    opts.services.forEach((s, i) => (ports[s.name] = portList[i]));
    writePostfixConfig(path.join(etc, 'main.cf'), mainCf({ spool, data, logFile, dir, cert: opts.defaultCert }) + (opts.mainExtra ?? ''));
    fs.writeFileSync(path.join(etc, 'master.cf'), masterCf(opts.services, ports) + (opts.masterExtra ?? ''));

    // Tracked before the start: an interrupt while Postfix starts must still find and stop its master.
    const untrack = track(`postfix ${etc}`, () => readPidFile(pidFile), cleanupDir);
    const started = await run(postfix, ['-c', etc, 'start'], { timeoutMs: 30_000, daemonizes: true });
    const pid = readPidFile(pidFile);
    if (started.code === 0 && pid !== undefined && isRunning(pid)) {
      try {
        await waitForPort(portList[0], 10_000);
      } catch (err) {
        lastError = String(err);
        await stopPostfix(postfix, etc, pidFile);
        untrack();
        continue;
      }
      return {
        dir,
        ports,
        log,
        stop: async () => {
          await stopPostfix(postfix, etc, pidFile);
          untrack();
          cleanupDir();
        },
      };
    }
    lastError = `postfix start exited ${started.code}: ${started.stderr.trim()}\n${log().split('\n').slice(-15).join('\n')}`;
    await stopPostfix(postfix, etc, pidFile);
    untrack();
    // Only a port race is worth another try; anything else would fail the same way again.
    if (!/address already in use/i.test(lastError)) break;
  }
  cleanupDir();
  throw new Error(`could not start Postfix: ${lastError}`);
}

async function stopPostfix(postfix: string, etc: string, pidFile: string): Promise<void> {
  const pid = readPidFile(pidFile);
  if (pid === undefined || !isRunning(pid)) return;
  await run(postfix, ['-c', etc, 'stop'], { timeoutMs: 15_000 });
  if (!(await waitGone(pid, 5_000))) {
    killPid(pid, 'SIGKILL');
    await waitGone(pid, 2_000);
  }
}

function chownToPostfix(d: string): void {
  const entry = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === 'postfix');
  if (!entry) throw new Error('the postfix user does not exist');
  fs.chownSync(d, Number(entry[2]), Number(entry[3]));
}

function noSpace(value: string): string {
  // master.cf splits -o arguments at white space; a temp path with spaces would silently break the config.
  if (/\s/.test(value)) throw new Error(`value with white space cannot go into master.cf: ${JSON.stringify(value)}`);
  return value;
}

function mainCf(p: { spool: string; data: string; logFile: string; dir: string; cert: ServerCertFiles }): string {
  return `# Interop test instance: loopback only, no DNS, delivers nothing, relays nothing.
compatibility_level = 3.6
queue_directory = ${p.spool}
data_directory = ${p.data}
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.test
mydomain = mail.test
myorigin = mail.test
mydestination =
mynetworks = 127.0.0.1/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtp_dns_support_level = disabled
disable_dns_lookups = yes
smtpd_peername_lookup = no
smtp_host_lookup = native
alias_maps =
alias_database =
local_recipient_maps =
default_transport = error:interop test instance delivers nothing
relay_transport = error:interop test instance delivers nothing
local_transport = error:interop test instance delivers nothing
smtpd_relay_restrictions = reject
smtpd_recipient_restrictions = reject
maillog_file = ${p.logFile}
maillog_file_prefixes = ${p.dir}
smtpd_banner = $myhostname ESMTP interop test
smtpd_tls_security_level = may
smtpd_tls_cert_file = ${p.cert.certFile}
smtpd_tls_key_file = ${p.cert.keyFile}
smtpd_tls_loglevel = 1
`;
}

function masterCf(services: PostfixService[], ports: Record<string, number>): string {
  const lines = services.map((s) => {
    const o: Record<string, string> = { syslog_name: `postfix/${s.name}` };
    if (s.tls === 'wrapper') Object.assign(o, { smtpd_tls_wrappermode: 'yes', smtpd_tls_security_level: 'encrypt' });
    if (s.tls === 'none') o.smtpd_tls_security_level = 'none';
    if (s.cert) Object.assign(o, { smtpd_tls_cert_file: s.cert.certFile, smtpd_tls_key_file: s.cert.keyFile });
    Object.assign(o, s.overrides ?? {});
    const args = Object.entries(o)
      .map(([k, v]) => `\n  -o ${k}=${noSpace(v)}`)
      .join('');
    return `127.0.0.1:${ports[s.name]} inet n - n - - smtpd${args}`;
  });
  // The internal services smtpd talks to during a session; no pickup, no smtp/lmtp/local delivery agents.
  return `${lines.join('\n')}
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;
}
