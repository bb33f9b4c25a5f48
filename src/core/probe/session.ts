/**
 * Probes one address of an endpoint: the main dialogue and handshake, then (when it tells something) one
 * handshake per TLS version. Every failure becomes a finding; only cancellation throws.
 */
import * as os from 'node:os';
import type { Socket } from 'node:net';
import type { Endpoint, TlsMode } from '../endpoint';
import { validateHostname } from '../endpoint';
import type { Finding } from '../finding';
import { PROTOCOLS, protocolOfGreeting } from '../protocols';
import { judgeChain } from '../cert/judge';
import type { CertificateInfo } from '../cert/types';
import { clockSkew } from './clock';
import { Conn } from './conn';
import { deadline } from './deadline';
import { dialogueFor, looksLikePlaintextGreeting, type Dialogue, type Greeting } from './dialogue';
import { classifyTlsError, type TlsFailure } from './errors';
import { probeFindings as F } from './findings';
import { tlsHandshake, type HandshakeResult } from './handshake';
import { ConnectionClosedError, LIMITS, ProtocolLimitError } from './lineReader';
import { BackoffError, type ConnectionLimiter } from './limiter';
import { isAbort, Scope, TimeoutError } from './scope';
import { tcpConnect } from './tcp';
import { tlsRuntime } from './tlsRuntime';
import { acceptedLegacy, lacksTls13, modernMissing, weakCipherReason, weakKeyExchange } from './tlsRules';
import { Transcript } from './transcript';
import { decideVersions, onlyAlertsReceived, type VersionAttempt } from './versionDecision';
import { TLS_VERSIONS, type Dialer, type ProbeOptions, type ProbeResult, type TlsVersionName } from './types';

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
interface Session extends SessionContext {
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

/** How the main connection ended. `scan` says whether testing each version can tell more. */
type MainOutcome = { hs?: HandshakeResult; mode: TlsMode; findings: Finding[]; scan: boolean };

export async function probeAddress(input: SessionContext): Promise<ProbeResult> {
  const started = new Date();
  const ctx: Session = { ...input, scope: new Scope(input.opts.signal), transcript: new Transcript(input.opts.onTranscript) };
  const { scope, transcript } = ctx;
  let versions: Record<TlsVersionName, boolean | null> = { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null };
  let versionReasons: ProbeResult['versionReasons'];
  const attempts: Partial<Record<TlsVersionName, VersionAttempt>> = {};
  const findings: Finding[] = [];
  let tlsInfo: ProbeResult['tls'] = null;
  let certificates: CertificateInfo[] = [];
  let trusted: boolean | undefined;
  const maxBackoffMs = ctx.opts.maxBackoffWaitMs ?? ctx.timeoutMs;
  let scanning: Promise<void> | undefined;
  const scan = (mode: TlsMode) => {
    if (scanning || ctx.opts.scanVersions === false) return;
    // The standby tests its version when it was opened for this mode and the main connection did not settle it.
    const standby = ctx.standby;
    const go = standby !== undefined && standby.mode === mode && !attempts[standby.version];
    if (standby && !go)
      standby.decide(
        false,
        standby.mode !== mode
          ? `the scan is in ${mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'} mode`
          : `the main connection negotiated ${standby.version}`,
      );
    else standby?.decide(true, '');
    scanning = scanVersions(ctx, mode, attempts, go ? standby : undefined);
    // Awaited below; until then a failure (a cancelled probe) must not count as unhandled.
    scanning.catch(() => undefined);
  };
  const mainAttempt = (hs: HandshakeResult) => {
    if (isVersionName(hs.version)) attempts[hs.version] = { kind: 'accepted', detail: `negotiated on the main connection, ${hs.cipher}` };
  };
  ctx.secured = (mode, hs) => {
    mainAttempt(hs);
    scan(mode);
  };
  ctx.greeted = () => {
    if (ctx.standby || ctx.opts.scanVersions === false || ctx.limiter.perHost < 2) return;
    const v = TLS_VERSIONS.find((x) => tlsRuntime().canOffer[x]);
    if (v) ctx.standby = openStandby(ctx, v);
  };
  try {
    // Waiting out a back-off longer than a step's timeout would look like a hang: such a probe ends instead.
    const main = await withSlot(ctx, { maxBackoffMs }, (held) => mainConnection(ctx, held));
    findings.push(...main.findings);
    if (main.hs) {
      const hs = main.hs;
      tlsInfo = { version: hs.version, cipher: hs.cipher };
      if (isVersionName(hs.version)) {
        versions[hs.version] = true;
        mainAttempt(hs);
      }
      findings.push(...negotiationFindings(ctx.endpoint, hs));
      const judged = judgeChain(hs.chain, {
        servername: ctx.servername,
        extraCaPems: ctx.extraCaPems,
        now: ctx.opts.now,
        expiryWarningDays: ctx.opts.expiryWarningDays,
      });
      certificates = judged.certificates;
      trusted = judged.trusted;
      transcript.add('tls', `certificate chain ${judged.trusted ? 'trusted' : `not trusted${judged.verifyError ? `: ${judged.verifyError}` : ''}`}`);
      findings.push(...judged.findings);
    }
    if (!main.scan) ctx.standby?.decide(false, 'the main connection calls for no version scan');
    if (main.scan && ctx.opts.scanVersions !== false) {
      scan(main.mode);
      await scanning;
      const decided = decideVersions(attempts);
      versions = decided.versions;
      versionReasons = decided.reasons;
      for (const v of TLS_VERSIONS) {
        const k = attempts[v]?.kind;
        if (k === 'alert-before-hello' || k === 'closed-before-hello') transcript.add('note', `${v}: ${decided.reasons[v]}`, v);
      }
      findings.push(...versionFindings(ctx.endpoint, versions, decided.reasons));
    }
  } catch (err) {
    if (isAbort(err) || scope.aborted) throw err;
    if (err instanceof BackoffError) {
      transcript.add('note', `not probed: ${err.message}`);
      findings.push(F.backingOff(ctx.endpoint, err.remainingMs, maxBackoffMs));
    } else {
      // A bug in our own code must still end as a readable result, not a crash of the caller.
      findings.push(F.internalError(String((err as Error)?.message ?? err), transcript.tail()));
    }
  } finally {
    // A scan started during the main connection ends before the probe does, whatever ended the rest.
    ctx.standby?.decide(false, 'the probe ended before a version scan');
    await scanning?.catch(() => undefined);
    await ctx.standby?.done.catch(() => undefined);
    scope.dispose();
  }
  return {
    endpoint: ctx.endpoint,
    address: ctx.address,
    probedFrom: ctx.opts.probedFrom ?? os.hostname(),
    tls: tlsInfo,
    versions,
    ...(versionReasons ? { versionReasons } : {}),
    ...(ctx.backoffMs !== undefined ? { backoffMs: ctx.backoffMs } : {}),
    certificates,
    trusted,
    findings: dedupe(findings),
    transcript: transcript.finish(),
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}

/**
 * Runs `fn` holding one of the host's connection slots. The slot is only given back once every socket the
 * connection used is closed, so the server never sees more connections than the limit.
 */
async function withSlot<T>(ctx: Session, slot: { maxBackoffMs: number; label?: string; scope?: Scope }, fn: (held: Socket[]) => Promise<T>): Promise<T> {
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
    for (const socket of [...held].reverse()) await closed(socket);
    release();
  }
}

/**
 * Half-closes and waits for the server's own close (it hangs up after QUIT or an alert), so that by the time
 * the slot is reused the server has seen this connection end; destroys it if the server keeps it open, or keeps
 * talking: the dialogue is over, so what still comes is dropped unread, and a server that sends more than a
 * line's worth after that (a flood) is not about to hang up.
 */
function closed(socket: Socket): Promise<void> {
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
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => socket.destroy(), 250);
    socket.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    if (socket.destroyed) resolve();
    else socket.end();
  });
}

const TCP_DIALER: Dialer = { connect: tcpConnect };

/** Mail daemons count connections per client and per service (Postfix's anvil: per master.cf service). */
function limiterKey(ctx: Session): string {
  return `${ctx.address}|${ctx.endpoint.port}`;
}

/** A connection for the session: `scope` and `timeoutMs` default to the session's (a second connection has its own). */
async function connect(
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

function ehloName(ctx: Session, socket: Socket): string {
  if (ctx.opts.ehloName) return ctx.opts.ehloName;
  const host = os.hostname();
  const check = validateHostname(host);
  if (check.ok && check.kind === 'name' && host.includes('.')) return host;
  // RFC 5321 address literal: always valid, and it tells the truth about where we connect from.
  return addressLiteral(socket.localAddress ?? '127.0.0.1');
}

/** RFC 5321 address literal; an IPv4-mapped IPv6 address is written as the IPv4 address it is. */
export function addressLiteral(address: string): string {
  const local = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return local.includes(':') ? `[IPv6:${local}]` : `[${local}]`;
}

async function mainConnection(ctx: Session, held: Socket[]): Promise<MainOutcome> {
  const mode = ctx.endpoint.mode;
  const c = await connect(ctx, held);
  if (!c.socket) return { mode, findings: [c.finding!], scan: false };
  const conn = new Conn(c.socket, ctx.scope, ctx.transcript, ctx.timeoutMs, undefined, held);
  const dialogue = dialogueFor(ctx.endpoint.protocol, ehloName(ctx, c.socket));
  return mode === 'implicit' ? implicitMain(ctx, conn, dialogue) : starttlsMain(ctx, conn, dialogue);
}

/**
 * How long a STARTTLS probe waits for the first byte of a greeting before it also tries TLS on a second
 * connection. Mail servers greet within milliseconds (even Postfix's postscreen sends its banner at once); a
 * port that stays silent this long is most likely waiting for a ClientHello (465, 993, 995), so the wrong pair
 * is named in about a second instead of after the whole greeting timeout. The first connection keeps waiting
 * for a late greeting all the same, and the second one needs a free connection slot (the per-host cap holds).
 */
export const SILENT_PORT_MS = 800;

async function starttlsMain(ctx: Session, conn: Conn, dialogue: Dialogue): Promise<MainOutcome> {
  const ep = ctx.endpoint;
  const findings: Finding[] = [];
  const fail = (f: Finding, scan = false): MainOutcome => ({ mode: 'starttls', findings: [...findings, f], scan });
  const waited = await greetingOrTls(ctx, conn, dialogue);
  if ('outcome' in waited) return waited.outcome;
  if ('error' in waited) {
    const err = waited.error;
    if (err instanceof TimeoutError && conn.reader.received === 0) return silentServer(ctx, conn, waited.sideFailure);
    return fail(dialogueFailure(ctx, conn, err, 'greeting'));
  }
  const greeting = waited.greeting;
  findings.push(...greetingFindings(ctx, conn, greeting.lines));
  if (!greeting.ok) return fail(await rejected(ctx, conn, dialogue, greeting.lines, greeting.busy));
  // Not before a good greeting: a server that says it is busy gets no second connection.
  ctx.greeted?.();
  try {
    const caps = await dialogue.capabilities(conn);
    if (caps.refused) {
      await dialogue.goodbye(conn);
      return fail(F.greetingRejected(ep, caps.lines.slice(0, 6), false));
    }
    if (!caps.starttls && caps.known) {
      await dialogue.goodbye(conn);
      return fail(F.starttlsNotOffered(ep, caps.lines.slice(0, 12)));
    }
  } catch (err) {
    if (isAbort(err)) throw err;
    return fail(dialogueFailure(ctx, conn, err, 'capabilities'));
  }
  try {
    const st = await dialogue.startTls(conn);
    if (!st.ok) {
      await dialogue.goodbye(conn);
      return fail(F.starttlsRefused(ep, conn.transcript.tail(3)));
    }
  } catch (err) {
    if (isAbort(err)) throw err;
    if (err instanceof ConnectionClosedError) return fail(F.lostConnection(ep, true, [...conn.transcript.tail(3), err.message]));
    return fail(dialogueFailure(ctx, conn, err, 'STARTTLS'));
  }
  const leftover = conn.reader.detach();
  if (leftover.length) conn.transcript.add('note', `ignored ${leftover.length} bytes the server sent after its STARTTLS reply (before TLS)`);
  return afterHandshakeStart(ctx, conn, dialogue, 'starttls', findings, true);
}

type GreetingWait =
  | { greeting: Greeting }
  | { error: unknown; sideFailure?: string }
  /** The port turned out to want TLS first; the probe went on over a second connection. */
  | { outcome: MainOutcome };

/**
 * Waits for the plaintext greeting; if not a byte of it has come after SILENT_PORT_MS, also tries a TLS
 * handshake on a second connection. A handshake there settles it (the first connection is dropped); anything
 * else leaves the first connection to its greeting timeout.
 */
async function greetingOrTls(ctx: Session, conn: Conn, dialogue: Dialogue): Promise<GreetingWait> {
  const greeting: Promise<GreetingWait> = dialogue.greeting(conn).then(
    (g) => ({ greeting: g }),
    (error) => ({ error }),
  );
  if (ctx.timeoutMs <= 2 * SILENT_PORT_MS) return settled(await greeting);
  let cancelSilent: (() => void) | undefined;
  // A greeting that came while this process was stalled is read before the port counts as silent (deadline.ts).
  const silent = new Promise<'silent'>((resolve) => {
    cancelSilent = deadline(SILENT_PORT_MS, () => resolve('silent'));
  });
  const first = await Promise.race([greeting, silent]);
  cancelSilent?.();
  if (first !== 'silent') return settled(first);
  if (conn.reader.received > 0) return settled(await greeting);
  conn.transcript.add('note', `no greeting after ${SILENT_PORT_MS} ms: also trying a TLS handshake on a second connection`);
  const stop = new AbortController();
  const started = { slot: false };
  const side = secondConnectionTls(ctx, conn, stop.signal, started);
  const raced = await Promise.race([greeting.then((g) => ({ g })), side.then((o) => ({ o }))]);
  if ('o' in raced && raced.o.outcome) {
    // The port wants TLS first: the plaintext connection would only wait out its timeout.
    conn.socket.destroy();
    await greeting;
    return { outcome: raced.o.outcome };
  }
  if ('g' in raced && 'error' in raced.g && raced.g.error instanceof TimeoutError && conn.reader.received === 0 && started.slot) {
    // The greeting timed out while the second connection (which has its slot) is still at it: its answer is the
    // better one. One still waiting for a slot is stopped instead: the slot it waits for may be this one.
    const o = await side;
    if (o.outcome) {
      conn.socket.destroy();
      return { outcome: o.outcome };
    }
    return settled(raced.g, o.failure);
  }
  if ('g' in raced) {
    // A greeting (or an error) came first: the second connection is no longer needed.
    stop.abort();
    const o = await side;
    if (o.outcome) {
      // It finished its handshake in the same instant; the plaintext greeting still decides.
      conn.transcript.add('note', 'a greeting came after all; the second connection is not used');
    }
    return settled(raced.g, o.failure);
  }
  return settled(await greeting, raced.o.failure);

  function settled(w: GreetingWait, sideFailure?: string): GreetingWait {
    if ('error' in w && isAbort(w.error)) throw w.error;
    return 'error' in w && sideFailure ? { ...w, sideFailure } : w;
  }
}

/**
 * A TLS handshake on a second connection to the same port, holding a slot of its own; on success the probe
 * goes on there with implicit TLS. Resolves with the outcome, or with why it failed (undefined when it was
 * stopped or never got a slot); rejects only when the probe is cancelled.
 */
async function secondConnectionTls(
  ctx: Session,
  conn: Conn,
  stop: AbortSignal,
  started: { slot: boolean },
): Promise<{ outcome?: MainOutcome; failure?: string }> {
  const ep = ctx.endpoint;
  const label = 'TLS first';
  const scope = new Scope(conn.scope.signal ? AbortSignal.any([conn.scope.signal, stop]) : stop);
  try {
    return await withSlot(ctx, { maxBackoffMs: 0, label, scope }, async (held) => {
      started.slot = true;
      const c = await connect(ctx, held, { label, scope, timeoutMs: Math.min(ctx.timeoutMs, 5000) });
      if (!c.socket) return { failure: 'no second connection' };
      const side = new Conn(c.socket, scope, conn.transcript, ctx.timeoutMs, label, held);
      side.reader.detach();
      let hs: HandshakeResult;
      const readBefore = c.socket.bytesRead;
      try {
        hs = await tlsHandshake(scope, {
          host: ctx.address,
          port: ep.port,
          servername: ctx.servername,
          socket: c.socket,
          timeoutMs: Math.min(ctx.timeoutMs, 5000),
        });
      } catch (err) {
        if (isAbort(err)) throw err;
        const failure = classifyTlsError(err);
        conn.transcript.add('note', `TLS handshake on a second connection failed: ${failure.reason}`, label);
        if (failure.kind === 'alert' || failure.kind === 'no-common-version') {
          // The port answered the ClientHello in TLS (an alert record, or a ServerHello this client cannot take):
          // it wants TLS first, and its handshake fails. Waiting out the greeting timeout would add nothing.
          const found = F.expectsImplicitTls(
            ep,
            SILENT_PORT_MS,
            [`(no greeting in ${SILENT_PORT_MS} ms)`, `TLS handshake on a second connection to the same port: ${failure.reason}`],
            false,
          );
          return {
            outcome: { mode: 'implicit', scan: true, findings: [found, tlsFailureFinding(ctx, side, failure, false, c.socket.bytesRead - readBefore)] },
          };
        }
        return { failure: failure.reason };
      }
      const found = F.expectsImplicitTls(ep, SILENT_PORT_MS, [
        `(no greeting in ${SILENT_PORT_MS} ms)`,
        `TLS handshake on a second connection to the same port: ${hs.version} ${hs.cipher}`,
      ]);
      // Not the main connection's session yet (a late greeting may still win): the scan waits for the outcome.
      return { outcome: await afterHandshake(ctx, side, dialogueFor(ep.protocol, ehloName(ctx, c.socket)), 'implicit', [found], hs, false) };
    });
  } catch (err) {
    if (conn.scope.aborted) throw err;
    if (isAbort(err) || err instanceof BackoffError) return {};
    throw err;
  } finally {
    scope.dispose();
  }
}

/** No greeting at all: maybe the port wants TLS first (a STARTTLS client on 465 / 993 / 995). */
async function silentServer(ctx: Session, conn: Conn, sideFailure?: string): Promise<MainOutcome> {
  const ep = ctx.endpoint;
  const timedOut = F.greetingTimeout(ep, ctx.timeoutMs, [
    `connected to ${ctx.address} port ${ep.port}`,
    `(no greeting in ${ctx.timeoutMs} ms)`,
    ...(sideFailure ? [`TLS handshake on a second connection: ${sideFailure}`] : []),
  ]);
  // A second connection already got a definite "no" to TLS: trying again on this one would say the same.
  if (sideFailure) return { mode: 'starttls', scan: false, findings: [timedOut] };
  conn.transcript.add('note', `no greeting within ${ctx.timeoutMs} ms; trying a TLS handshake on the same connection`);
  conn.reader.detach();
  const ms = Math.min(ctx.timeoutMs, 5000);
  const readBefore = conn.socket.bytesRead;
  try {
    const hs = await tlsHandshake(conn.scope, { host: ctx.address, port: ep.port, servername: ctx.servername, socket: conn.socket, timeoutMs: ms });
    const found = F.expectsImplicitTls(ep, ctx.timeoutMs, [
      `(no greeting in ${ctx.timeoutMs} ms)`,
      `TLS handshake on the same port: ${hs.version} ${hs.cipher}`,
    ]);
    return afterHandshake(ctx, conn, dialogueFor(ep.protocol, ehloName(ctx, conn.socket)), 'implicit', [found], hs);
  } catch (err) {
    if (isAbort(err)) throw err;
    const failure = classifyTlsError(err);
    conn.transcript.add('note', `TLS handshake on the same port failed too: ${failure.reason}`);
    if (failure.kind === 'alert' || failure.kind === 'no-common-version') {
      // Answered in TLS: the port wants TLS first, and its handshake fails (as on the second connection above).
      const found = F.expectsImplicitTls(
        ep,
        ctx.timeoutMs,
        [`(no greeting in ${ctx.timeoutMs} ms)`, `TLS handshake on the same port: ${failure.reason}`],
        false,
      );
      return { mode: 'implicit', scan: true, findings: [found, tlsFailureFinding(ctx, conn, failure, false, conn.socket.bytesRead - readBefore)] };
    }
    return { mode: 'starttls', scan: false, findings: [timedOut] };
  }
}

async function implicitMain(ctx: Session, conn: Conn, dialogue: Dialogue): Promise<MainOutcome> {
  conn.reader.detach();
  return afterHandshakeStart(ctx, conn, dialogue, 'implicit', [], false);
}

async function afterHandshakeStart(
  ctx: Session,
  conn: Conn,
  dialogue: Dialogue,
  mode: TlsMode,
  findings: Finding[],
  afterStarttls: boolean,
): Promise<MainOutcome> {
  const ep = ctx.endpoint;
  conn.transcript.add('tls', 'handshake started');
  let hs: HandshakeResult;
  const readBefore = conn.socket.bytesRead;
  try {
    hs = await tlsHandshake(conn.scope, { host: ctx.address, port: ep.port, servername: ctx.servername, socket: conn.socket, timeoutMs: ctx.timeoutMs });
  } catch (err) {
    if (isAbort(err)) throw err;
    const failure = classifyTlsError(err);
    conn.transcript.add('tls', `handshake failed: ${failure.reason}`);
    if (failure.kind === 'plaintext' && mode === 'implicit') {
      // The failed connection is dead; the plaintext check reuses its slot instead of opening a second one.
      conn.socket.destroy();
      const plain = await plaintextGreeting(ctx);
      if (plain) {
        const evidence = [`TLS: ${failure.reason}`, `plaintext connection: S: ${plain.greeting}`, ...plain.capabilities.slice(0, 8).map((l) => `S: ${l}`)];
        const found = plain.starttls === false ? F.noTls(ep, evidence) : F.expectsStarttls(ep, evidence, plain.starttls);
        return { mode, scan: false, findings: [...findings, found] };
      }
    }
    return {
      mode,
      scan: failure.kind === 'alert' || failure.kind === 'no-common-version',
      findings: [...findings, tlsFailureFinding(ctx, conn, failure, afterStarttls, conn.socket.bytesRead - readBefore)],
    };
  }
  return afterHandshake(ctx, conn, dialogue, mode, findings, hs);
}

/** The dialogue over a TLS session that just came up: greeting (implicit TLS), capabilities, goodbye. */
async function afterHandshake(
  ctx: Session,
  conn: Conn,
  dialogue: Dialogue,
  mode: TlsMode,
  findings: Finding[],
  hs: HandshakeResult,
  mainSession = true,
): Promise<MainOutcome> {
  noteHandshake(conn, hs);
  conn.upgrade(hs.socket);
  // Only a failure before the greeting is complete is a greeting problem (a reset during EHLO is not).
  let step = 'greeting';
  try {
    if (mode === 'implicit') {
      const g = await dialogue.greeting(conn);
      findings.push(...greetingFindings(ctx, conn, g.lines));
      if (!g.ok) return { hs, mode, scan: false, findings: [...findings, await rejected(ctx, conn, dialogue, g.lines, g.busy)] };
    }
    // The session is up and the server did not turn us away (a busy server gets no scan): scan from now on.
    if (mainSession) ctx.secured?.(mode, hs);
    step = mode === 'implicit' ? 'capabilities' : 'capabilities after TLS';
    // The capabilities over TLS are what a client really gets (AUTH often appears only now), and a server
    // whose service dies behind a working TLS layer fails every client here.
    await dialogue.capabilities(conn);
    await dialogue.goodbye(conn);
  } catch (err) {
    if (isAbort(err)) throw err;
    if (err instanceof ConnectionClosedError && step === 'greeting' && conn.reader.received === 0) {
      // Not one byte over a good TLS session: the TLS layer has nothing behind it (a terminator's backend is down).
      findings.push(F.closedBeforeGreeting(ctx.endpoint, [...conn.transcript.tail(4), `(${err.message} before sending any greeting over TLS)`]));
    } else if (err instanceof ConnectionClosedError && step !== 'greeting') {
      findings.push(
        F.closedAfterHandshake(ctx.endpoint, capabilityCommand(ctx.endpoint), [...conn.transcript.tail(4), `(${err.message} instead of answering over TLS)`]),
      );
    } else {
      findings.push(dialogueFailure(ctx, conn, err, step));
    }
  }
  // The TLS layer worked, so testing each version still tells something whatever the dialogue did afterwards.
  return { hs, mode, scan: true, findings };
}

function capabilityCommand(ep: Endpoint): string {
  return PROTOCOLS[ep.protocol].capabilityCommand;
}

function noteHandshake(conn: Conn, hs: HandshakeResult): void {
  const eph = hs.ephemeral ? `, key exchange ${hs.ephemeral.name ?? hs.ephemeral.type ?? '?'}${hs.ephemeral.size ? ` ${hs.ephemeral.size} bits` : ''}` : '';
  conn.transcript.add('tls', `${hs.version} ${hs.cipher}${eph}`, conn.label);
  conn.transcript.add('tls', `the server sent ${hs.chain.length} certificate${hs.chain.length === 1 ? '' : 's'}`, conn.label);
}

/**
 * On a "wrong version number", look at what the port says in plaintext: the proof it speaks plaintext first,
 * and whether it offers STARTTLS (EHLO / CAPABILITY / CAPA), so the advice is "use STARTTLS" only when it works.
 */
async function plaintextGreeting(ctx: Session): Promise<{ greeting: string; starttls?: boolean; capabilities: string[] } | undefined> {
  const { transcript } = ctx;
  const c = await connect(ctx, [], { label: 'plaintext', timeoutMs: Math.min(ctx.timeoutMs, 5000) });
  if (!c.socket) return undefined;
  const conn = new Conn(c.socket, ctx.scope, transcript, Math.min(ctx.timeoutMs, 5000), 'plaintext');
  try {
    const line = await conn.line('greeting');
    if (!looksLikePlaintextGreeting(line)) return undefined;
    // Speak the protocol the server speaks, which may not be the one we were asked to probe.
    const spoken = protocolOfGreeting(line) ?? ctx.endpoint.protocol;
    const dialogue = dialogueFor(spoken, ehloName(ctx, c.socket));
    // The rest of a multi-line SMTP greeting comes before any command may be sent.
    if (spoken === 'smtp' && /^\d{3}-/.test(line)) await conn.lines('greeting', (l) => /^\d{3} /.test(l));
    if (!/^(220[ -]|\* OK|\* PREAUTH|\+OK)/i.test(line)) {
      await dialogue.goodbye(conn);
      return { greeting: line, capabilities: [] };
    }
    let starttls: boolean | undefined;
    let capabilities: string[] = [];
    try {
      const caps = await dialogue.capabilities(conn);
      capabilities = caps.lines;
      starttls = caps.known ? caps.starttls : undefined;
    } catch (err) {
      if (isAbort(err)) throw err;
      transcript.add('note', `capabilities on the plaintext connection: ${(err as Error).message}`, 'plaintext');
    }
    await dialogue.goodbye(conn);
    return { greeting: line, starttls, capabilities };
  } catch (err) {
    if (isAbort(err)) throw err;
    return undefined;
  } finally {
    c.socket.destroy();
  }
}

/** `bytesFromServer`: what the server sent in answer to the ClientHello, when known (alert records only, or more). */
function tlsFailureFinding(ctx: Session, conn: Conn, failure: TlsFailure, afterStarttls: boolean, bytesFromServer?: number): Finding {
  const ep = ctx.endpoint;
  const evidence = conn.transcript.tail(4);
  switch (failure.kind) {
    case 'timeout':
      return F.handshakeTimeout(ep, ctx.timeoutMs, evidence);
    case 'lost':
      return F.lostConnection(ep, afterStarttls, [...evidence, failure.reason]);
    case 'alert': {
      const afterHello = bytesFromServer !== undefined && bytesFromServer > 0 && !onlyAlertsReceived(bytesFromServer) && failure.alert !== 'protocol version';
      return F.handshakeFailed(
        ep,
        failure.reason,
        failure.alert,
        afterHello ? [...evidence, `(the alert came after ${bytesFromServer} bytes of handshake from the server: its ServerHello and more)`] : evidence,
        afterHello,
      );
    }
    case 'no-common-version':
      return F.handshakeFailed(ep, `no TLS version in common (${failure.reason})`, undefined, evidence);
    default:
      return F.handshakeFailed(ep, failure.reason, undefined, evidence);
  }
}

function dialogueFailure(ctx: Session, conn: Conn, err: unknown, step: string): Finding {
  const ep = ctx.endpoint;
  const evidence = conn.transcript.tail(4);
  if (err instanceof TimeoutError) {
    if (step === 'greeting') return F.greetingTimeout(ep, ctx.timeoutMs, [...evidence, `(the greeting did not complete within ${ctx.timeoutMs} ms)`]);
    return F.protocolError(ep, `no complete reply to ${err.step} within ${err.ms} ms`, evidence);
  }
  if (err instanceof ConnectionClosedError) {
    if (step === 'greeting') return F.greetingRejected(ep, [...evidence, `(${err.message} before a complete greeting)`], false);
    return F.protocolError(ep, `${err.message} during ${step}`, evidence);
  }
  if (err instanceof ProtocolLimitError) return F.protocolError(ep, err.message, evidence);
  return F.protocolError(ep, String((err as Error)?.message ?? err), evidence);
}

async function rejected(ctx: Session, conn: Conn, dialogue: Dialogue, lines: string[], busy: boolean): Promise<Finding> {
  let backoff: number | undefined;
  if (busy) {
    backoff = ctx.limiter.backoffMs;
    ctx.limiter.backOff(limiterKey(ctx), backoff);
    ctx.backoffMs = backoff;
    conn.transcript.add('note', `the server is busy: no new connection to it for ${Math.round(backoff / 1000)} s`);
  }
  // Awaited so its transcript lines land before the transcript is finished (goodbye never throws).
  await dialogue.goodbye(conn);
  return F.greetingRejected(ctx.endpoint, lines, busy, backoff);
}

function greetingFindings(ctx: Session, conn: Conn, lines: string[]): Finding[] {
  const text = lines.join(' ');
  const skew = clockSkew(text, ctx.opts.now ?? new Date());
  if (skew === undefined) return [];
  conn.transcript.add('note', `the greeting's date is ${Math.round(skew / 1000)} s off the local clock`);
  return [F.clockSkew(ctx.endpoint, skew, lines[0])];
}

function negotiationFindings(ep: Endpoint, hs: HandshakeResult): Finding[] {
  const out: Finding[] = [];
  const weak = weakCipherReason(hs.cipher, hs.version);
  if (weak) out.push(F.weakCipher(ep, hs.cipher, hs.version, weak));
  const dh = weakKeyExchange(hs.ephemeral);
  if (dh !== undefined) out.push(F.weakKeyExchange(ep, dh, hs.cipher));
  return out;
}

function versionFindings(ep: Endpoint, v: Record<TlsVersionName, boolean | null>, reasons: Record<TlsVersionName, string>): Finding[] {
  const out: Finding[] = [];
  const legacy = acceptedLegacy(v);
  if (legacy.length) out.push(F.legacyVersionAccepted(ep, legacy));
  if (modernMissing(v))
    out.push(
      F.modernVersionMissing(
        ep,
        TLS_VERSIONS.map((x) => `${x}: ${reasons[x]}`),
      ),
    );
  if (lacksTls13(v)) out.push(F.noTls13(ep));
  return out;
}

/**
 * One handshake per version not yet known, each after its own dialogue; the limiter keeps it to 2 at a time.
 * Each attempt is recorded as what it saw; `decideVersions` turns the set into accepted / refused / not decided.
 */
async function scanVersions(ctx: Session, mode: TlsMode, attempts: Partial<Record<TlsVersionName, VersionAttempt>>, standby?: Standby): Promise<void> {
  const { transcript } = ctx;
  const rt = tlsRuntime();
  // Newest first: the version most likely accepted makes the longest connection, and the quick refusals share
  // the other slot meanwhile. The verdicts do not depend on the order (decideVersions takes the set).
  await Promise.all(
    [...TLS_VERSIONS].reverse().map(async (v) => {
      if (attempts[v]) return;
      if (v === standby?.version) {
        // Already connected and waiting for this: its attempt, unless it was dropped or never got a slot.
        const a = await standby.done;
        if (a) {
          attempts[v] = a;
          return;
        }
      }
      if (!rt.canOffer[v]) {
        transcript.add('note', `${v}: not tested (this runtime's TLS library, ${rt.library}, cannot offer it)`, v);
        attempts[v] = { kind: 'undecided', untested: true, detail: `this runtime's TLS library, ${rt.library}, cannot offer it` };
        return;
      }
      try {
        // A back-off (even one that starts while this waits in the queue) means "not tested", never a wait.
        attempts[v] = await withSlot(ctx, { maxBackoffMs: 0, label: v }, (held) => tryVersion(ctx, mode, v, held));
      } catch (err) {
        if (!(err instanceof BackoffError)) throw err;
        transcript.add('note', `${v}: not tested (${err.message})`, v);
        attempts[v] = { kind: 'undecided', untested: true, detail: err.message };
      }
    }),
  );
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
interface Standby {
  readonly version: TlsVersionName;
  readonly mode: TlsMode;
  /** Go (test the version) or stop; the first call wins. */
  decide(go: boolean, why: string): void;
  /** Its attempt when it went and tested; undefined when it stopped, was dropped or never had a slot. */
  readonly done: Promise<VersionAttempt | undefined>;
}

function openStandby(ctx: Session, v: TlsVersionName): Standby {
  const mode: TlsMode = 'starttls';
  const stop = new AbortController();
  const scope = new Scope(ctx.scope.signal ? AbortSignal.any([ctx.scope.signal, stop.signal]) : stop.signal);
  let decided: boolean | undefined;
  let waiting = false;
  let open!: (go: boolean) => void;
  const gate = new Promise<boolean>((resolve) => (open = resolve));
  scope.signal?.addEventListener('abort', () => open(false), { once: true });
  const end = (why: string) => {
    ctx.transcript.add('note', `${v}: this connection is not used (${why})`, v);
    stop.abort();
  };
  const standby: Standby = {
    version: v,
    mode,
    decide(go, why) {
      if (decided !== undefined) return;
      decided = go;
      open(go);
      // Not yet waiting (still connecting or reading the greeting): no reason to let it finish.
      if (!go && !waiting) end(why);
      else if (!go) ctx.transcript.add('note', `${v}: this connection is not used (${why})`, v);
    },
    done: (async () => {
      try {
        const attempt = await withSlot(ctx, { maxBackoffMs: 0, label: v, scope }, (held) =>
          tryVersion(ctx, mode, v, held, scope, () => {
            waiting = true;
            return gate;
          }),
        );
        // A failure before the gate (e.g. a busy greeting) counts only when the scan goes ahead.
        return attempt && (await gate) ? attempt : undefined;
      } catch (err) {
        if (ctx.scope.aborted) throw err;
        if (isAbort(err) || err instanceof BackoffError) return undefined;
        throw err;
      } finally {
        scope.dispose();
      }
    })(),
  };
  // Awaited by the scan or at the end of the probe; a cancelled probe must not leave it unhandled meanwhile.
  standby.done.catch(() => undefined);
  return standby;
}

/**
 * `gate` (the standby): asked before STARTTLS, the first step that commits to TLS; when it says no, the
 * connection ends politely and there is no attempt (undefined).
 */
async function tryVersion(ctx: Session, mode: TlsMode, v: TlsVersionName, held: Socket[]): Promise<VersionAttempt>;
async function tryVersion(
  ctx: Session,
  mode: TlsMode,
  v: TlsVersionName,
  held: Socket[],
  scope: Scope,
  gate: () => Promise<boolean>,
): Promise<VersionAttempt | undefined>;
async function tryVersion(
  ctx: Session,
  mode: TlsMode,
  v: TlsVersionName,
  held: Socket[],
  scope = ctx.scope,
  gate?: () => Promise<boolean>,
): Promise<VersionAttempt | undefined> {
  const { endpoint: ep, transcript } = ctx;
  const c = await connect(ctx, held, { label: v, scope });
  if (!c.socket) return { kind: 'undecided', detail: 'no connection' };
  const conn = new Conn(c.socket, scope, transcript, ctx.timeoutMs, v, held);
  const dialogue = dialogueFor(ep.protocol, ehloName(ctx, c.socket));
  const before = (detail: string): VersionAttempt => ({ kind: 'undecided', detail: `the dialogue before TLS failed: ${detail}` });
  try {
    if (mode === 'starttls') {
      const g = await dialogue.greeting(conn);
      if (!g.ok) {
        if (g.busy) {
          ctx.limiter.backOff(limiterKey(ctx));
          ctx.backoffMs = ctx.limiter.backoffMs;
        }
        return before(g.lines[0] ?? 'no greeting');
      }
      const caps = await dialogue.capabilities(conn);
      if (!caps.starttls && caps.known) return before('STARTTLS not offered');
      if (gate && !(await gate())) {
        await dialogue.goodbye(conn);
        return undefined;
      }
      if (!(await dialogue.startTls(conn)).ok) return before('STARTTLS refused');
    }
    conn.reader.detach();
  } catch (err) {
    if (isAbort(err)) throw err;
    return before(String((err as Error)?.message ?? err));
  }
  // What the server sends from here on is its answer to our ClientHello: only alert records, or a ServerHello.
  const sentBefore = c.socket.bytesRead;
  try {
    const hs = await tlsHandshake(scope, {
      host: ctx.address,
      port: ep.port,
      servername: ctx.servername,
      socket: c.socket,
      version: v,
      timeoutMs: ctx.timeoutMs,
      readChain: false,
    });
    transcript.add('tls', `${v} accepted (${hs.cipher})`, v);
    conn.upgrade(hs.socket);
    if (mode === 'implicit') await dialogue.greeting(conn, Math.min(ctx.timeoutMs, 2000)).catch(() => undefined);
    await dialogue.goodbye(conn);
    return { kind: 'accepted', detail: hs.cipher };
  } catch (err) {
    if (isAbort(err)) throw err;
    const attempt = versionAttempt(classifyTlsError(err), c.socket.bytesRead - sentBefore, ctx.timeoutMs);
    const said =
      attempt.kind === 'alert-before-hello'
        ? `alert "${attempt.alert}" instead of a ServerHello`
        : attempt.kind === 'closed-before-hello'
          ? 'closed without any reply'
          : attempt.kind === 'accepted'
            ? ''
            : attempt.detail;
    transcript.add(
      attempt.kind === 'undecided' && attempt.untested ? 'note' : 'tls',
      `${v}: ${attempt.kind === 'refused' ? 'refused' : attempt.kind === 'undecided' ? (attempt.untested ? 'not tested' : 'not decided') : 'failed'} (${said})`,
      v,
    );
    return attempt;
  }
}

/** What one failed single-version handshake says, given how many bytes the server answered with. */
export function versionAttempt(f: TlsFailure, bytesFromServer: number, timeoutMs: number): VersionAttempt {
  switch (f.kind) {
    case 'local':
      return { kind: 'undecided', untested: true, detail: f.reason };
    case 'timeout':
      return { kind: 'undecided', detail: bytesFromServer ? `no complete answer within ${timeoutMs} ms` : `no answer at all within ${timeoutMs} ms` };
    case 'no-common-version':
      return { kind: 'refused', detail: `the server answered with another version: ${f.reason}` };
    case 'alert':
      if (f.alert === 'protocol version') return { kind: 'refused', detail: 'alert "protocol version"' };
      if (onlyAlertsReceived(bytesFromServer)) return { kind: 'alert-before-hello', alert: f.alert ?? 'unknown' };
      // e.g. "handshake failure" after a ServerHello: a cipher, curve or certificate problem, not the version.
      return { kind: 'undecided', detail: `alert "${f.alert}" after the server's ServerHello` };
    case 'lost':
      if (bytesFromServer) return { kind: 'undecided', detail: `the server closed or reset the connection during the handshake (${f.reason})` };
      // A reset (RST) may come from anything on the way; a clean close after reading the hello is the server's answer.
      if (/ECONNRESET|EPIPE|reset/i.test(f.reason) && !/socket disconnected before secure TLS/i.test(f.reason)) {
        return { kind: 'undecided', detail: `the server reset the connection before any reply (${f.reason})` };
      }
      return { kind: 'closed-before-hello' };
    default:
      return { kind: 'undecided', detail: f.reason };
  }
}

function isVersionName(v: string): v is TlsVersionName {
  return (TLS_VERSIONS as readonly string[]).includes(v);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    const key = `${f.id}|${f.title}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}
