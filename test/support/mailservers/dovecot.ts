/**
 * A stand-alone Dovecot in a temporary folder, started with `dovecot -F -c FILE` (in the foreground, as our
 * child): its own base_dir (sockets, pid), state_dir and log, listening on loopback only, with an empty password
 * file so nobody can log in. The system's Dovecot (/etc/dovecot, /run/dovecot, /var/lib/dovecot) is never read
 * or touched.
 *
 * Dovecot 2.3 picks TLS settings per local address or SNI name, not per port, so each scenario that varies the
 * certificate or the TLS settings is its own small instance; starting one takes a few milliseconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts, waitForPort } from './ports';
import { track } from './reaper';
import { findTool } from './tools';
import type { ServerCertFiles } from './certs';

export type DovecotListener = 'imap' | 'imaps' | 'pop3' | 'pop3s';

export interface DovecotOptions {
  /** A label for the instance (process titles, error messages). */
  name: string;
  /** Omitted means `ssl = no`: no STARTTLS, and only the plain listeners are allowed. */
  cert?: ServerCertFiles;
  /** Without `cert`: `ssl = yes` and no certificate at all (the lint's dovecot.ssl-without-cert); Dovecot starts anyway. */
  sslWithoutCert?: boolean;
  /** e.g. 'TLSv1.3'; Dovecot's default is TLSv1.2. */
  minProtocol?: string;
  /** Default: all four. */
  listeners?: DovecotListener[];
}

export interface DovecotInstance {
  dir: string;
  ports: Partial<Record<DovecotListener, number>>;
  log(): string;
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;

export async function startDovecot(opts: DovecotOptions): Promise<DovecotInstance> {
  const dovecot = findTool('dovecot');
  if (!dovecot) throw new Error('dovecot is not installed');
  const listeners = opts.listeners ?? ['imap', 'imaps', 'pop3', 'pop3s'];
  if (!opts.cert && !opts.sslWithoutCert && listeners.some((l) => l.endsWith('s'))) throw new Error('implicit-TLS listeners need a certificate');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-interop-dovecot-'));
  fs.chmodSync(dir, 0o755); // login processes run as dovenull and must reach base_dir below this folder
  for (const d of ['run', 'state', 'home']) fs.mkdirSync(path.join(dir, d), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'passwd'), '', { mode: 0o644 });
  const confFile = path.join(dir, 'dovecot.conf');
  const logFile = path.join(dir, 'dovecot.log');
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '(no log)');
  const cleanupDir = () => {
    if (!process.env.MTD_KEEP_INTEROP) fs.rmSync(dir, { recursive: true, force: true });
  };

  let lastError = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const portList = await freePorts(listeners.length);
    const ports: Partial<Record<DovecotListener, number>> = {};
    listeners.forEach((l, i) => (ports[l] = portList[i]));
    fs.writeFileSync(confFile, dovecotConf(dir, logFile, opts, ports));

    // In the foreground (-F) the master is our child: its pid is known at once, with no pid-file race.
    const child = spawn(dovecot, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(`dovecot exited ${code ?? signal}`));
      child.once('error', (err) => resolve(`dovecot did not start: ${err.message}`));
    });
    const untrack = track(`dovecot ${opts.name}`, () => (running(child) ? child.pid : undefined), cleanupDir);
    const ready = await Promise.race([
      waitForPort(portList[0], 10_000).then(
        () => 'ready',
        (e: unknown) => String(e),
      ),
      exited,
    ]);
    if (ready === 'ready') {
      return {
        dir,
        ports,
        log,
        stop: async () => {
          await stopChild(child);
          untrack();
          cleanupDir();
        },
      };
    }
    lastError = `${ready}: ${stderr.trim()} ${log().split('\n').slice(-10).join('\n')}`;
    await stopChild(child);
    untrack();
    if (!/address already in use/i.test(lastError)) break;
  }
  cleanupDir();
  throw new Error(`could not start Dovecot (${opts.name}): ${lastError}`);
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

/** SIGTERM lets the master stop its login and auth processes; SIGKILL only if it does not go in time. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (!running(child)) return;
  const gone = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  const within = (ms: number) => Promise.race([gone, new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  child.kill('SIGTERM');
  if (!(await within(5_000))) {
    child.kill('SIGKILL');
    await within(2_000);
  }
}

function dovecotConf(dir: string, logFile: string, opts: DovecotOptions, ports: Partial<Record<DovecotListener, number>>): string {
  const listener = (name: DovecotListener) =>
    ports[name] === undefined
      ? ''
      : `  inet_listener ${name} {\n    address = 127.0.0.1\n    port = ${ports[name]}\n${name.endsWith('s') ? '    ssl = yes\n' : ''}  }\n`;
  const ssl = opts.cert
    ? `ssl = yes\nssl_cert = <${opts.cert.certFile}\nssl_key = <${opts.cert.keyFile}\n${opts.minProtocol ? `ssl_min_protocol = ${opts.minProtocol}\n` : ''}`
    : opts.sslWithoutCert
      ? 'ssl = yes\n'
      : 'ssl = no\n';
  const protocols = [(ports.imap ?? ports.imaps) ? 'imap' : '', (ports.pop3 ?? ports.pop3s) ? 'pop3' : ''].filter(Boolean).join(' ');
  return `# Interop test instance: loopback only, nobody can log in, nothing outside ${dir} is used.
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = mtd-${opts.name.replace(/[^A-Za-z0-9-]/g, '-')}
log_path = ${logFile}
protocols = ${protocols}
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
login_greeting = Dovecot interop test ready.
mail_location = maildir:${dir}/home/%u/Maildir
${ssl}passdb {
  driver = passwd-file
  args = ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/home/%u
}
service imap-login {
${listener('imap')}${listener('imaps')}}
service pop3-login {
${listener('pop3')}${listener('pop3s')}}
`;
}
