/**
 * The hostile lab's server: a loopback listener on an ephemeral port that plays a mail dialogue (SMTP, IMAP or
 * POP3; STARTTLS or implicit TLS) and lets a behaviour take over any step of it. It counts connections (total,
 * open, peak open, per address) so tests can prove a probe opened none, or never more than its cap.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Endpoint, Protocol, TlsMode } from '../../../src/core/endpoint';
import { healthyTls, type LabTls } from './certs';
import { PHRASES, type Phrases } from './phrases';

export interface AddressStats {
  accepted: number;
  /** Connections the client has not closed yet (a FIN or RST from the client ends one, whatever the server does). */
  open: number;
  maxOpen: number;
}

/** Shared between servers when a test wants one count across many endpoints (the global cap). */
export interface ConnectionStats extends AddressStats {
  byAddress: Map<string, AddressStats>;
  /** Accept times (ms, monotonic) per address, to see back-off between attempts. */
  acceptedAt: Map<string, number[]>;
  /** Every command line the servers received (first 2000), to check what a client wrote into the dialogue. */
  commands: string[];
}

export function connectionStats(): ConnectionStats {
  return { accepted: 0, open: 0, maxOpen: 0, byAddress: new Map(), acceptedAt: new Map(), commands: [] };
}

/** One step of the dialogue a behaviour may replace; the defaults play a well-behaved server. */
export interface Behaviour {
  name: string;
  /** Called on accept (plaintext, or after the implicit-TLS handshake). */
  greet?(c: Conn): void;
  capability?(c: Conn, tag: string): void;
  startTls?(c: Conn, tag: string): void;
  /** Starts TLS on the raw socket: after the STARTTLS ack, or on accept in implicit mode. */
  handshake?(c: Conn): void;
  quit?(c: Conn, tag: string): void;
  /** Certificates for the real handshake (default: the lab's healthy leaf and intermediate). */
  tls?: () => LabTls;
  /** Keep the socket open even after the client closes its side. */
  neverClose?: boolean;
}

export interface HostileOptions {
  protocol?: Protocol;
  mode?: TlsMode;
  /** A loopback address to listen on (127.0.0.1 by default; any 127.0.0.0/8 address works on Linux). */
  host?: string;
  stats?: ConnectionStats;
  /** Wait this long before greeting (lets concurrent probes pile up so a cap can be observed). */
  greetDelayMs?: number;
}

export interface HostileServer {
  host: string;
  port: number;
  protocol: Protocol;
  mode: TlsMode;
  behaviour: string;
  stats: ConnectionStats;
  /** Server-side sockets not yet closed (a never-closing server keeps them after the client has gone). */
  heldSockets(): number;
  endpoint(extra?: Partial<Endpoint>): Endpoint;
  close(): Promise<void>;
}

/** One accepted connection and the dialogue on it. */
export class Conn {
  sock: net.Socket;
  secure = false;
  closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private buffered = '';
  private listening = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    readonly raw: net.Socket,
    readonly phrases: Phrases,
    readonly mode: TlsMode,
    private readonly behaviour: Behaviour,
    private readonly stats?: ConnectionStats,
    /** Called when the client goes (FIN, RST or close), on the raw socket or the TLS one above it. */
    private readonly onGone: () => void = () => {},
  ) {
    this.sock = raw;
    // Always consume what the client sends, even in steps that ignore it: an unread socket never sees the
    // client's FIN, and the lab would count a connection the client closed long ago as open.
    raw.on('data', () => {});
    raw.on('error', () => {});
    raw.on('close', () => this.dispose());
    raw.on('end', () => {
      if (!behaviour.neverClose) raw.end();
    });
  }

  write(data: string | Buffer): void {
    if (!this.closed && !this.sock.destroyed) this.sock.write(data);
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Writes what `next` returns until it returns null or the client goes, respecting back-pressure. */
  flood(next: (i: number) => string | Buffer | null): void {
    let i = 0;
    const pump = () => {
      while (!this.closed && !this.sock.destroyed) {
        const chunk = next(i++);
        if (chunk === null) return;
        if (!this.sock.write(chunk)) {
          this.sock.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  /** Starts reading command lines from the current socket. */
  listen(): void {
    this.listening = true;
    this.sock.on('data', this.onData);
  }

  /** Hands the raw socket to a caller that speaks bytes, not lines (hand-written TLS). */
  stopListening(): void {
    this.listening = false;
    this.sock.off('data', this.onData);
    this.buffered = '';
  }

  /** A real TLS handshake with the behaviour's certificates, then the dialogue continues encrypted. */
  upgrade(afterSecure: () => void): void {
    this.stopListening();
    const creds = (this.behaviour.tls ?? healthyTls)();
    const secure = new tls.TLSSocket(this.raw, { isServer: true, key: creds.key, cert: creds.cert });
    secure.on('error', () => this.raw.destroy());
    for (const ev of ['end', 'close', 'error']) secure.once(ev, this.onGone);
    secure.on('end', () => {
      if (!this.behaviour.neverClose) secure.end();
    });
    secure.once('secure', () => {
      this.sock = secure;
      this.secure = true;
      this.listen();
      afterSecure();
    });
  }

  private receive(chunk: Buffer): void {
    // The lab itself keeps a bound: a client that sends megabytes without a newline is cut off.
    this.buffered += chunk.toString('latin1');
    if (this.buffered.length > 65536) return void this.raw.destroy();
    let nl: number;
    while (this.listening && !this.closed && (nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).replace(/\r$/, '');
      this.buffered = this.buffered.slice(nl + 1);
      this.dispatch(line); // may stop listening: after STARTTLS the bytes belong to TLS
    }
  }

  private dispatch(line: string): void {
    if (this.stats && this.stats.commands.length < 2000) this.stats.commands.push(line);
    const cmd = this.phrases.parse(line);
    const b = this.behaviour;
    switch (cmd.kind) {
      case 'capability':
        return (b.capability ?? defaultCapability)(this, cmd.tag);
      case 'starttls':
        if (this.secure || this.mode === 'implicit') return this.write(this.phrases.unknown(cmd.tag));
        this.stopListening();
        return (b.startTls ?? defaultStartTls(b))(this, cmd.tag);
      case 'quit':
        return (b.quit ?? defaultQuit)(this, cmd.tag);
      default:
        return this.write(this.phrases.unknown(cmd.tag));
    }
  }

  dispose(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export const defaultGreet = (c: Conn) => c.write(c.phrases.greeting);
export const defaultCapability = (c: Conn, tag: string) => c.write(c.phrases.capabilities(tag, c.secure));
export const defaultQuit = (c: Conn, tag: string) => {
  c.write(c.phrases.quitReply(tag));
  c.sock.end();
};
const defaultStartTls = (b: Behaviour) => (c: Conn, tag: string) => {
  c.write(c.phrases.startTlsAck(tag));
  (b.handshake ?? defaultHandshake(b))(c);
};
const defaultHandshake = (b: Behaviour) => (c: Conn) =>
  c.upgrade(() => {
    if (c.mode === 'implicit') (b.greet ?? defaultGreet)(c);
  });

export async function startHostile(behaviour: Behaviour, opts: HostileOptions = {}): Promise<HostileServer> {
  const protocol = opts.protocol ?? 'smtp';
  const mode = opts.mode ?? 'starttls';
  const host = opts.host ?? '127.0.0.1';
  const stats = opts.stats ?? connectionStats();
  const phrases = PHRASES[protocol];
  const sockets = new Set<net.Socket>();

  const server = net.createServer({ allowHalfOpen: true }, (raw) => {
    sockets.add(raw);
    raw.once('close', () => sockets.delete(raw));
    // A connection counts from accept until the client's FIN or RST (not until our own close, which a
    // never-closing server never does). The count goes up after this turn of the event loop, so that a FIN that
    // arrived together with this connection's SYN is counted first: the client closed before it connected again.
    let state: 'pending' | 'open' | 'gone' = 'pending';
    setImmediate(() => {
      if (state === 'pending') {
        state = 'open';
        count(stats, host, +1);
      }
    });
    const gone = () => {
      if (state === 'open') count(stats, host, -1);
      else if (state === 'pending') count(stats, host, +1, true);
      state = 'gone';
    };
    for (const ev of ['end', 'close', 'error']) raw.once(ev, gone);
    const c = new Conn(raw, phrases, mode, behaviour, stats, gone);
    const begin = () => {
      if (c.closed) return;
      if (mode === 'implicit') {
        (behaviour.handshake ?? defaultHandshake(behaviour))(c);
      } else {
        c.listen();
        (behaviour.greet ?? defaultGreet)(c);
      }
    };
    if (opts.greetDelayMs) c.later(opts.greetDelayMs, begin);
    else begin();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    protocol,
    mode,
    behaviour: behaviour.name,
    stats,
    heldSockets: () => sockets.size,
    endpoint: (extra = {}) => ({ host, port, protocol, mode, servername: 'localhost', ...extra }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `acceptOnly`: a connection that came and went within one turn of the event loop (counted, never open). */
function count(stats: ConnectionStats, address: string, delta: 1 | -1, acceptOnly = false): void {
  let a = stats.byAddress.get(address);
  if (!a) stats.byAddress.set(address, (a = { accepted: 0, open: 0, maxOpen: 0 }));
  for (const s of [stats, a]) {
    if (!acceptOnly) s.open += delta;
    if (delta > 0) {
      s.accepted++;
      s.maxOpen = Math.max(s.maxOpen, s.open);
    }
  }
  if (delta > 0) {
    const times = stats.acceptedAt.get(address) ?? [];
    times.push(performance.now());
    stats.acceptedAt.set(address, times);
  }
}
