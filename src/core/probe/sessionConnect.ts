/**
 * The state of one address's probe, and how its connections are opened, held (one limiter slot each) and closed:
 * the main dialogue (session.ts) and the version scans (versionScan.ts) both go through here.
 */

import * as os from 'node:os';
import type { Socket } from 'node:net';
import type { Endpoint, TlsMode } from '../endpoint';
import { validateHostname } from '../endpoint';
import type { Finding } from '../finding';
import { probeFindings as F } from './findings';
import type { HandshakeResult } from './handshake';
import { LIMITS } from './lineReader';
import type { ConnectionLimiter } from './limiter';
import { isAbort, Scope, TimeoutError } from './scope';
import { tcpConnect } from './tcp';
import { Transcript } from './transcript';
import type { VersionAttempt } from './versionDecision';
import { type Dialer, type ProbeOptions, type TlsVersionName } from './types';

export interface SessionContext {
  endpoint: Endpoint;
  address: string;
  servername: string;
  extraCaPems: string[];
  opts: ProbeOptions;
  limiter: ConnectionLimiter;
  timeoutMs: number;
}

/**
 * The state of one address's probe, passed whole to every step: what it probes, its cancellation scope, its
 * transcript, and what it learned on the way (the back-off). Connections and their sockets are not in it: each
 * holds its own slot (`withSlot`), and a step that opens one is handed the list its sockets go into.
 */
export interface Session extends SessionContext {
  readonly scope: Scope;
  readonly transcript: Transcript;
  /** Set when the server said it was busy: how long the limiter now leaves it alone (the result's `backoffMs`). */
  backoffMs?: number;
  /**
   * Called once the main connection has a TLS session and a good greeting: from here the version scan is
   * certain, so it starts at once instead of after the main connection's last reply, its close and the
   * judging of the chain (each scan connection still waits for a free slot).
   */
  secured?: (mode: TlsMode, hs: HandshakeResult) => void;
  /** Called once the main STARTTLS connection has a good greeting: the standby connection may open. */
  greeted?: () => void;
  /** The first version scan's connection, opened beside the main one (see `openStandby`). */
  standby?: Standby;
}

/**
 * The first version scan's connection on a STARTTLS port, opened as soon as the main connection has a good
 * greeting and held beside it (the host's second slot): servers that start a process per connection (Dovecot's
 * login processes, Postfix's smtpd) then start it while the main connection is still at work instead of after
 * it. Until the main connection's TLS session decides whether versions are scanned at all, it says nothing the
 * main connection did not say: it reads the greeting, asks for the capabilities, and waits before STARTTLS. Told
 * to go, it tests its version like any scan; told to stop, it says goodbye (or closes, if it has not got that
 * far) and nothing it saw is used. Not for implicit TLS: there the greeting (and a busy server's refusal) only
 * comes after the main connection's handshake, which is when the scan starts anyway.
 */
export interface Standby {
  readonly version: TlsVersionName;
  readonly mode: TlsMode;
  /** Go (test the version) or stop; the first call wins. */
  decide(go: boolean, why: string): void;
  /** Whether it can still switch to the legacy range hello (its handshake has not begun). */
  canOfferLegacyRange(): boolean;
  /**
   * Asked by the scan when it goes: offer TLS 1.0 up to 1.1 in one hello instead of `version` alone (a legacy
   * version, or one the main connection settled). False when it cannot (its handshake has begun).
   */
  offerLegacyRange(): boolean;
  /**
   * The attempts it decided when it went and tested (its version's, or those the legacy range hello decided);
   * undefined when it stopped, was dropped or never had a slot.
   */
  readonly done: Promise<Partial<Record<TlsVersionName, VersionAttempt>> | undefined>;
}

/**
 * Runs `fn` holding one of the host's connection slots. The slot is only given back once every socket the
 * connection used is closed, so the server never sees more connections than the limit.
 */
export async function withSlot<T>(ctx: Session, slot: { maxBackoffMs: number; label?: string; scope?: Scope }, fn: (held: Socket[]) => Promise<T>): Promise<T> {
  const release = await ctx.limiter.acquire(limiterKey(ctx), (slot.scope ?? ctx.scope).signal, {
    maxBackoffMs: slot.maxBackoffMs,
    onBackoff: (ms) =>
      ctx.transcript.add(
        'note',
        `waiting ${Math.ceil(ms / 1000)} s before connecting: the server said it was busy, so it is left alone until then`,
        slot.label,
      ),
  });
  const held: Socket[] = [];
  try {
    return await fn(held);
  } finally {
    // Outermost first, one after the other: destroying a TCP socket under a live TLS socket leaves the descriptor open.
    for (let i = held.length - 1; i >= 0; i--) await closed(held[i], held[i - 1]);
    release();
  }
}

/** How often the raw bytes under a closing TLS socket are counted (its flood shows no event: see `closed`). */
const UNDER_TLS_CHECK_MS = 5;

/**
 * Half-closes and waits for the server's own close (it hangs up after QUIT or an alert), so that by the time
 * the slot is reused the server has seen this connection end; destroys it if the server keeps it open, or keeps
 * talking: the dialogue is over, so what still comes is dropped unread, and a server that sends more than a
 * line's worth after that (a flood) is not about to hang up. `under` is the socket a TLS socket runs over.
 */
export function closed(socket: Socket, under?: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  // The dialogue's reader would keep turning a flood into strings up to its whole allowance, for nobody. (A
  // socket nobody reads, e.g. the TCP socket under a TLS one, is left alone: resuming it would steal TLS bytes.)
  if (socket.listenerCount('data') > 0) {
    socket.removeAllListeners('data');
    let unread = 0;
    socket.on('data', (chunk: Buffer) => {
      unread += chunk.length;
      if (unread > LIMITS.maxLineBytes) socket.destroy();
    });
  }
  // Once our close_notify is out, OpenSSL drops what the server still sends without a 'data' event, but the TCP
  // socket under it goes on reading (and decrypting) at full speed: count those bytes instead.
  return new Promise<void>((resolve) => {
    if (socket.destroyed) return resolve();
    const before = under?.bytesRead ?? 0;
    const check =
      under &&
      setInterval(() => {
        if (under.bytesRead - before > LIMITS.maxLineBytes) socket.destroy();
      }, UNDER_TLS_CHECK_MS);
    const t = setTimeout(() => socket.destroy(), 250);
    socket.once('close', () => {
      clearTimeout(t);
      clearInterval(check);
      resolve();
    });
    socket.end();
  });
}

const TCP_DIALER: Dialer = { connect: tcpConnect };

/** Mail daemons count connections per client and per service (Postfix's anvil: per master.cf service). */
export function limiterKey(ctx: Session): string {
  return `${ctx.address}|${ctx.endpoint.port}`;
}

/** A connection for the session: `scope` and `timeoutMs` default to the session's (a second connection has its own). */
export async function connect(
  ctx: Session,
  held: Socket[],
  how: { label?: string; scope?: Scope; timeoutMs?: number } = {},
): Promise<{ socket?: Socket; finding?: Finding }> {
  const { endpoint: ep, address, transcript } = ctx;
  const { label, scope = ctx.scope, timeoutMs = ctx.timeoutMs } = how;
  try {
    const socket = await (ctx.opts.dialer ?? TCP_DIALER).connect(scope, address, ep.port, timeoutMs);
    held.push(socket);
    transcript.add('note', `connected to ${address} port ${ep.port}`, label);
    return { socket };
  } catch (err) {
    if (isAbort(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof TimeoutError ? 'timeout' : 'error');
    transcript.add('note', `connect ${address} port ${ep.port}: ${code}`, label);
    if (err instanceof TimeoutError || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
      return { finding: F.tcpTimeout(ep, address, timeoutMs, code) };
    }
    return { finding: F.tcpRefused(ep, address, code) };
  }
}

/** The last host name checked (os.hostname() is asked on every connection; it rarely changes, its check is kept). */
let hostnameChecked: { host: string; usable: boolean } | undefined;

export function ehloName(ctx: Session, socket: Socket): string {
  if (ctx.opts.ehloName) return ctx.opts.ehloName;
  const host = os.hostname();
  if (hostnameChecked?.host !== host) {
    const check = validateHostname(host);
    hostnameChecked = { host, usable: check.ok && check.kind === 'name' && host.includes('.') };
  }
  if (hostnameChecked.usable) return host;
  // RFC 5321 address literal: always valid, and it tells the truth about where we connect from.
  return addressLiteral(socket.localAddress ?? '127.0.0.1');
}

/** RFC 5321 address literal; an IPv4-mapped IPv6 address is written as the IPv4 address it is. */
export function addressLiteral(address: string): string {
  const local = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return local.includes(':') ? `[IPv6:${local}]` : `[${local}]`;
}
