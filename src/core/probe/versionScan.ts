/**
 * The version scan: one handshake per TLS version not yet known, each on its own connection after its own
 * dialogue, and what each attempt says (accepted, refused, not decided); `decideVersions` judges the set.
 */

import type { Socket } from 'node:net';
import type { Endpoint, TlsMode } from '../endpoint';
import type { Finding } from '../finding';
import { Conn } from './conn';
import { dialogueFor } from './dialogue';
import { classifyTlsError, type TlsFailure } from './errors';
import { probeFindings as F } from './findings';
import { tlsHandshake } from './handshake';
import { BackoffError } from './limiter';
import { isAbort, Scope } from './scope';
import { tlsRuntime } from './tlsRuntime';
import { acceptedLegacy, lacksTls13, modernMissing } from './tlsRules';
import { onlyAlertsReceived, type VersionAttempt } from './versionDecision';
import { TLS_VERSIONS, type TlsVersionName } from './types';
import { connect, ehloName, limiterKey, withSlot, type Session, type Standby } from './sessionConnect';

export function versionFindings(ep: Endpoint, v: Record<TlsVersionName, boolean | null>, reasons: Record<TlsVersionName, string>): Finding[] {
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
export async function scanVersions(ctx: Session, mode: TlsMode, attempts: Partial<Record<TlsVersionName, VersionAttempt>>, standby?: Standby): Promise<void> {
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

export function openStandby(ctx: Session, v: TlsVersionName): Standby {
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

export function isVersionName(v: string): v is TlsVersionName {
  return (TLS_VERSIONS as readonly string[]).includes(v);
}
