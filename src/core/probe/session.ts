/**
 * Probes one address of an endpoint: the main dialogue and handshake, then (when it tells something) one
 * handshake per TLS version. Every failure becomes a finding; only cancellation throws.
 */

import * as os from 'node:os';
import type { Socket } from 'node:net';
import type { Endpoint, TlsMode } from '../endpoint';
import type { Finding } from '../finding';
import { PROTOCOLS, protocolOfGreeting } from '../protocols';
import { judgeChain } from '../cert/judge';
import { warmTrustStore } from '../cert/trustStore';
import type { CertificateInfo } from '../cert/types';
import { clockSkew } from './clock';
import { Conn } from './conn';
import { deadline } from './deadline';
import { dialogueFor, looksLikePlaintextGreeting, ProtocolError, type Dialogue, type Greeting } from './dialogue';
import { classifyTlsError, type TlsFailure } from './errors';
import { probeFindings as F } from './findings';
import { tlsHandshake, type HandshakeResult } from './handshake';
import { ConnectionClosedError, ProtocolLimitError } from './lineReader';
import { BackoffError } from './limiter';
import { isAbort, Scope, TimeoutError } from './scope';
import { tlsRuntime } from './tlsRuntime';
import { weakCipherReason, weakKeyExchange } from './tlsRules';
import { Transcript } from './transcript';
import { decideVersions, onlyAlertsReceived, type VersionAttempt } from './versionDecision';
import { TLS_VERSIONS, type ProbeResult, type TlsVersionName } from './types';
import { connect, ehloName, limiterKey, withSlot, type Session, type SessionContext } from './sessionConnect';
import { isVersionName, openStandby, scanVersions, standbyCarriesRange, standbyVersion, versionFindings } from './versionScan';

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
    // The standby tests its version when it was opened for this mode and the main connection did not settle it, or
    // else carries the legacy range hello.
    const standby = ctx.standby;
    const go = standby !== undefined && standby.mode === mode && (!attempts[standby.version] || standbyCarriesRange(attempts, standby));
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
    const v = standbyVersion(tlsRuntime());
    if (v) ctx.standby = openStandby(ctx, v);
  };
  // Runs once the main connection's connect has gone out (its slot's grant and net.connect's own tick come
  // first): what the handshakes and the chain's judging build the first time in a process is built while the
  // server starts its work for the connection, not after.
  const stopWarming = warmUp(ctx);
  try {
    // Waiting out a back-off longer than a step's timeout would look like a hang: such a probe ends instead.
    const main = await withSlot(ctx, { maxBackoffMs }, (held) => mainConnection(ctx, held));
    findings.push(...main.findings);
    if (main.hs) {
      const hs = main.hs;
      // The slot the main connection just gave back goes to a scan connection; its connect goes out on the next
      // tick. Judging first would hold it back by the judging's time (several ms the first time in a process),
      // and against a server that starts a process per connection the probe would end that much later.
      if (scanning) await new Promise<void>((resolve) => setImmediate(resolve));
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
    stopWarming();
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
 * What the first handshake and the first judging of a chain build, in the order they need it. One step a turn
 * of the event loop: a greeting that comes in meanwhile is read between two steps, and the connection opened at
 * a greeting goes out then, not after all of them (together 10-20 ms the first time in a process, about as long
 * as a server that starts a process per connection takes to greet). Best effort: anything that fails here fails
 * again, and is reported, where the probe needs it.
 */
const WARM_STEPS: ReadonlyArray<(ctx: Session) => void> = [
  () => tlsRuntime(),
  (ctx) => warmTrustStore({ extraCaPems: ctx.extraCaPems, useSystemRoots: false }),
  () => warmTrustStore({}),
  // Node's net reads `process.stderr` when it first destroys a socket (`this !== process.stderr` in
  // Socket#_destroy), which builds that stream: 3-7 ms, and the first destroy is the main connection's, after
  // which the next connection may open. Built here, while the server is busy, it is ready then.
  () => void process.stderr,
];

/** Starts the steps on the next turn; the returned function stops those not run yet. */
function warmUp(ctx: Session): () => void {
  let next = 0;
  const step = (): void => {
    try {
      WARM_STEPS[next++](ctx);
    } catch {
      /* reported where it is used */
    }
    if (next < WARM_STEPS.length) timer = setImmediate(step);
  };
  let timer = setImmediate(step);
  return () => clearImmediate(timer);
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
    // A greeting that lists STARTTLS (IMAP) saves asking for the list; one without it is asked again, so "not
    // offered" always rests on the command's answer.
    if (!greeting.offersStartTls) {
      const caps = await dialogue.capabilities(conn);
      if (caps.refused) {
        await dialogue.goodbye(conn);
        return fail(F.greetingRejected(ep, caps.lines.slice(0, 6), false));
      }
      if (!caps.starttls && caps.known) {
        await dialogue.goodbye(conn);
        return fail(F.starttlsNotOffered(ep, caps.lines.slice(0, 12)));
      }
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
        const spoken = protocolOfGreeting(plain.greeting);
        const found =
          spoken && spoken !== ep.protocol
            ? F.otherProtocol(ep, spoken, 'starttls', evidence)
            : plain.starttls === false
              ? F.noTls(ep, evidence)
              : F.expectsStarttls(ep, evidence, plain.starttls);
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
  if (step === 'greeting' && err instanceof ProtocolError) {
    // Another mail protocol's greeting (IMAP's "* OK" to an SMTP client): the wrong port, not a broken server.
    const greeting = conn.transcript.lines.find((l) => l.conn === conn.label && l.kind === 'S')?.text;
    const spoken = greeting === undefined ? undefined : protocolOfGreeting(greeting);
    if (spoken && spoken !== ep.protocol) return F.otherProtocol(ep, spoken, ep.mode, [`S: ${greeting}`]);
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
