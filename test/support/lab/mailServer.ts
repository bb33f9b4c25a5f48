/**
 * A small, real SMTP / IMAP / POP3 server on loopback that can misbehave on purpose: wrong greeting, no
 * STARTTLS, hang-up or reset after STARTTLS, silence, TLS with any certificate and protocol settings.
 * It never accepts AUTH or mail: the probe never sends them, and the lab has no use for them.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Protocol } from '../../../src/core/endpoint';
import { listenClosable } from '../listen';

export interface LabTls {
  /** The PEM chain the server sends, leaf first. */
  certPem: string;
  keyPem: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  dhparam?: string;
  /** OpenSSL option bits, e.g. `SSL_OP_NO_TLSv1_1` for a server with a hole in its versions. */
  secureOptions?: number;
}

export interface MailServerSpec {
  protocol: Protocol;
  /** What the server does on connect: a plaintext greeting (STARTTLS style), or TLS at once (implicit). */
  serves: 'starttls' | 'implicit';
  tls?: LabTls;
  /** Greeting lines to send instead of the normal one, then hang up (421 / 554 style). */
  rejectWith?: string[];
  /** Replace the normal greeting's text (e.g. to carry a date). */
  greeting?: string[];
  /** Accept, then say nothing at all. */
  silent?: boolean;
  /** Advertise STARTTLS / STLS; default true when `tls` is set. */
  offerStarttls?: boolean;
  /** What to do when the client asks for STARTTLS. */
  onStarttls?: 'upgrade' | 'close' | 'reset' | 'refuse';
  name?: string;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
  /** Serves another certificate (or TLS settings) from the next connection on: a renewed or expired certificate. */
  setTls(tls: LabTls): void;
}

const MAX_LINE = 4096;

export async function startMailServer(spec: MailServerSpec, host = '127.0.0.1', listenPort = 0): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  let ctx = spec.tls ? withoutDhWarning(() => tls.createSecureContext(tlsOptions(spec.tls!))) : undefined;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const onPlain = (socket: net.Socket) => {
    track(socket);
    if (spec.serves === 'implicit') {
      if (!ctx) throw new Error('implicit TLS needs tls settings');
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: ctx });
      track(secure);
      secure.on('secure', () => converse(secure, spec, true, ctx));
      return;
    }
    converse(socket, spec, false, ctx);
  };
  const server = net.createServer(onPlain);
  server.on('error', () => undefined);
  const { port, close } = await listenClosable(server, sockets, host, listenPort);
  return {
    port,
    close,
    setTls: (t) => {
      ctx = withoutDhWarning(() => tls.createSecureContext(tlsOptions(t)));
    },
  };
}

/** The weak-DH server is weak on purpose: Node's "DH parameter is less than 2048 bits" warning is noise here. */
function withoutDhWarning<T>(fn: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!/DH parameter is less than/.test(String(warning))) (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = original;
  }
}

function tlsOptions(t: LabTls): tls.SecureContextOptions {
  // SECLEVEL=0 so the lab can serve the weak keys and old versions the probe must detect.
  return {
    cert: t.certPem,
    key: t.keyPem,
    minVersion: t.minVersion ?? 'TLSv1.2',
    maxVersion: t.maxVersion ?? 'TLSv1.3',
    ciphers: t.ciphers ?? 'DEFAULT:@SECLEVEL=0',
    dhparam: t.dhparam,
    secureOptions: t.secureOptions,
  };
}

function converse(socket: net.Socket, spec: MailServerSpec, secure: boolean, ctx: tls.SecureContext | undefined): void {
  if (spec.silent) return;
  const name = spec.name ?? 'mail.lab.test';
  const send = (lines: string[]) => {
    if (!socket.destroyed && lines.length) socket.write(lines.map((l) => `${l}\r\n`).join(''));
  };
  const atGreeting = spec.serves === 'starttls' ? !secure : secure;
  if (spec.rejectWith && atGreeting) {
    send(spec.rejectWith);
    socket.end();
    return;
  }
  send(spec.greeting ?? defaultGreeting(spec.protocol, name));
  let buf = '';
  const onData = (chunk: Buffer) => {
    buf += chunk.toString('latin1');
    if (buf.length > MAX_LINE * 4) return socket.destroy();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (answer(line) === 'stop') return;
    }
  };
  const offer = !secure && (spec.offerStarttls ?? spec.tls !== undefined);
  const upgrade = () => {
    socket.off('data', onData);
    if (spec.onStarttls === 'close') {
      socket.end();
      return;
    }
    if (spec.onStarttls === 'reset') {
      // Reset when the ClientHello arrives: "lost connection" in the middle of the handshake.
      socket.once('data', () => socket.resetAndDestroy());
      return;
    }
    const tlsSocket = new tls.TLSSocket(socket, { isServer: true, secureContext: ctx });
    tlsSocket.on('error', () => undefined);
    tlsSocket.on('secure', () => converse(tlsSocket, { ...spec, greeting: [] }, true, ctx));
  };
  const answer = (line: string): 'stop' | void => {
    const [verb = '', ...rest] = line.split(' ');
    if (spec.protocol === 'smtp') return smtpAnswer(verb.toUpperCase());
    if (spec.protocol === 'imap') return imapAnswer(verb, (rest[0] ?? '').toUpperCase());
    return pop3Answer(verb.toUpperCase());
  };
  const refuseOrUpgrade = (ok: string[], refused: string[]): 'stop' | void => {
    if (!offer || spec.onStarttls === 'refuse') {
      send(refused);
      return;
    }
    send(ok);
    upgrade();
    return 'stop';
  };
  const smtpAnswer = (verb: string): 'stop' | void => {
    switch (verb) {
      case 'EHLO':
        return send([
          `250-${name} Hello`,
          '250-PIPELINING',
          '250-SIZE 10240000',
          ...(offer ? ['250-STARTTLS'] : []),
          '250-ENHANCEDSTATUSCODES',
          '250 8BITMIME',
        ]);
      case 'HELO':
        return send([`250 ${name}`]);
      case 'STARTTLS':
        if (secure) return send(['503 5.5.1 Error: TLS already active']);
        return refuseOrUpgrade(
          ['220 2.0.0 Ready to start TLS'],
          [offer ? '454 4.7.0 TLS not available due to local problem' : '502 5.5.1 Error: command not implemented'],
        );
      case 'QUIT':
        send(['221 2.0.0 Bye']);
        socket.end();
        return 'stop';
      case 'NOOP':
      case 'RSET':
        return send(['250 2.0.0 Ok']);
      default:
        return send(['502 5.5.2 Error: command not recognized']);
    }
  };
  const imapAnswer = (tag: string, verb: string): 'stop' | void => {
    switch (verb) {
      case 'CAPABILITY':
        return send([`* CAPABILITY IMAP4rev1 SASL-IR${offer ? ' STARTTLS LOGINDISABLED' : ' AUTH=PLAIN'}`, `${tag} OK Capability completed.`]);
      case 'STARTTLS':
        if (secure) return send([`${tag} BAD TLS already active`]);
        return refuseOrUpgrade([`${tag} OK Begin TLS negotiation now.`], [`${tag} ${offer ? 'NO' : 'BAD'} STARTTLS not available`]);
      case 'LOGOUT':
        send(['* BYE Logging out', `${tag} OK Logout completed.`]);
        socket.end();
        return 'stop';
      case 'NOOP':
        return send([`${tag} OK NOOP completed.`]);
      default:
        return send([`${tag} BAD Error in IMAP command received by server.`]);
    }
  };
  const pop3Answer = (verb: string): 'stop' | void => {
    switch (verb) {
      case 'CAPA':
        return send(['+OK', 'TOP', 'UIDL', 'RESP-CODES', ...(offer ? ['STLS'] : ['USER']), '.']);
      case 'STLS':
        if (secure) return send(['-ERR TLS already active']);
        return refuseOrUpgrade(['+OK Begin TLS negotiation'], ['-ERR Unknown command']);
      case 'QUIT':
        send(['+OK Logging out.']);
        socket.end();
        return 'stop';
      default:
        return send(['-ERR Unknown command']);
    }
  };
  socket.on('data', onData);
}

function defaultGreeting(protocol: Protocol, name: string): string[] {
  if (protocol === 'smtp') return [`220-${name} ESMTP Mail TLS Doctor lab`, `220 ${name} ESMTP ready`];
  if (protocol === 'imap') return ['* OK [CAPABILITY IMAP4rev1 SASL-IR] Mail TLS Doctor lab ready.'];
  return ['+OK Mail TLS Doctor lab ready.'];
}
