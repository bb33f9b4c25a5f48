/**
 * TLS stacks other than OpenSSL-in-Node on loopback, for the TLS-stack interop tier: GnuTLS (`gnutls-serv`, the
 * library Exim uses on Debian, restricted with a priority string as Exim's `tls_require_ciphers` does) and
 * stunnel (a TLS terminator in front of a plaintext service, or of nothing when its backend is down).
 *
 * `gnutls-serv --echo` does the TLS side only; a small plaintext front (written here) speaks the IMAP dialogue
 * up to STARTTLS and then splices the raw bytes through to it, so the handshake the probe sees is GnuTLS's own.
 * After TLS the echo server repeats each command, which for IMAP is a tagged line: the probe reads it as the
 * (unhelpful but well-formed) answer and says goodbye.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePorts, waitForPort } from './ports';
import { killPid, track, waitGone } from './reaper';
import { findTool } from './tools';

export interface StackServer {
  port: number;
  /** What the server printed, for a failing assertion. */
  log(): string;
  stop(): Promise<void>;
}

export function stackTools(): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (!findTool('gnutls-serv')) reasons.push('`gnutls-serv` is not installed (Debian: apt-get install gnutls-bin)');
  if (!findTool('stunnel4') && !findTool('stunnel')) reasons.push('`stunnel` is not installed (Debian: apt-get install stunnel4)');
  return { ok: reasons.length === 0, reasons };
}

/** Spawns a server in the foreground, as our child, killed on exit whatever happens. */
async function spawnServer(name: string, cmd: string, args: string[], port: number, cwd: string): Promise<StackServer> {
  let out = '';
  const child: ChildProcess = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => {
    if (out.length < 64 * 1024) out += d.toString('latin1');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const untrack = track(name, () => child.pid);
  const stop = async () => {
    killPid(child.pid, 'SIGTERM');
    if (!(await waitGone(child.pid, 3_000))) killPid(child.pid, 'SIGKILL');
    untrack();
  };
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${out}`)))),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, log: () => out, stop };
}

/** `gnutls-serv --echo` on a free loopback port, with the given GnuTLS priority string. */
export async function startGnutlsServ(p: { certFile: string; keyFile: string; priority: string }): Promise<StackServer> {
  const bin = findTool('gnutls-serv');
  if (!bin) throw new Error('gnutls-serv is not installed');
  const [port] = await freePorts(1);
  const args = [
    '--echo',
    '--quiet',
    '--nodb',
    '--noticket',
    '--disable-client-cert',
    '-p',
    String(port),
    '--x509certfile',
    p.certFile,
    '--x509keyfile',
    p.keyFile,
    '--priority',
    p.priority,
  ];
  // gnutls-serv listens on every address; the port is fresh and only loopback clients are pointed at it.
  return spawnServer(`gnutls-serv ${p.priority}`, bin, args, port, os.tmpdir());
}

/**
 * A plaintext IMAP front for a TLS-only backend: greets, offers STARTTLS, answers it with OK, then splices the
 * connection to `backendPort` so the client's ClientHello reaches the backend untouched.
 */
export async function startImapStarttlsFront(backendPort: number): Promise<StackServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    client.write('* OK [CAPABILITY IMAP4rev1 STARTTLS] TLS-stack test front ready\r\n');
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.length > 8192) return client.destroy();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        const [tag, command = ''] = line.split(' ');
        if (/^CAPABILITY$/i.test(command)) client.write(`* CAPABILITY IMAP4rev1 STARTTLS\r\n${tag} OK done\r\n`);
        else if (/^LOGOUT$/i.test(command)) {
          client.end(`* BYE bye\r\n${tag} OK done\r\n`);
        } else if (/^STARTTLS$/i.test(command)) {
          client.off('data', onData);
          client.write(`${tag} OK begin TLS now\r\n`);
          const backend = net.connect(backendPort, '127.0.0.1');
          sockets.add(backend);
          backend.on('close', () => sockets.delete(backend));
          backend.on('error', () => client.destroy());
          client.on('error', () => backend.destroy());
          if (buf.length) backend.write(Buffer.from(buf, 'latin1'));
          client.pipe(backend).pipe(client);
          return;
        } else client.write(`${tag} BAD unknown command\r\n`);
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    log: () => '',
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface StunnelService {
  name: string;
  /** Where it forwards the decrypted stream; a port nothing listens on plays "backend down". */
  connectPort: number;
  /** stunnel options for this service, e.g. { sslVersionMax: 'TLSv1.2' }. */
  options?: Record<string, string>;
}

/** One stunnel (foreground, our child) with one accepting service per entry, each on a free loopback port. */
export async function startStunnel(p: {
  certFile: string;
  keyFile: string;
  services: StunnelService[];
}): Promise<StackServer & { ports: Record<string, number> }> {
  const bin = findTool('stunnel4') ?? findTool('stunnel');
  if (!bin) throw new Error('stunnel is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stunnel-'));
  const ports = await freePorts(p.services.length);
  const byName: Record<string, number> = {};
  const sections = p.services.map((s, i) => {
    byName[s.name] = ports[i];
    const extra = Object.entries(s.options ?? {})
      .map(([k, v]) => `${k} = ${v}\n`)
      .join('');
    return `[${s.name}]\naccept = 127.0.0.1:${ports[i]}\nconnect = 127.0.0.1:${s.connectPort}\n${extra}`;
  });
  const conf = path.join(dir, 'stunnel.conf');
  fs.writeFileSync(
    conf,
    `; TLS-stack interop test instance: loopback only\nforeground = yes\npid =\nsyslog = no\ndebug = notice\ncert = ${p.certFile}\nkey = ${p.keyFile}\n\n${sections.join('\n')}`,
  );
  let server: StackServer;
  try {
    // Waiting for the first port is enough: stunnel binds every service before it serves any.
    server = await spawnServer('stunnel', bin, [conf], ports[0], dir);
    await Promise.all(ports.slice(1).map((port) => waitForPort(port, 5_000)));
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...server,
    ports: byName,
    stop: async () => {
      await server.stop();
      if (!process.env.MTD_KEEP_INTEROP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on (taken free, then released). */
export async function closedPort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}
