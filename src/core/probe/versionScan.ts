/**
 * The version scan: one handshake per TLS version not yet known, each on its own connection after its own
 * dialogue, and what each attempt says (accepted, refused, not decided); `decideVersions` judges the set.
 * TLS 1.0 and 1.1 are asked with one hello offering both where that decides exactly what two hellos would
 * (`legacyRangeFits`, `splitLegacyRange`): one connection fewer, and one failed handshake fewer in the server's log.
 */

import type { Socket } from 'node:net';
import type { Endpoint, TlsMode } from '../endpoint';
import type { Finding } from '../finding';
import { Conn } from './conn';
import { dialogueFor, type Dialogue } from './dialogue';
import { classifyTlsError, type TlsFailure } from './errors';
import { probeFindings as F } from './findings';
import { tlsHandshake, type HandshakeResult } from './handshake';
import { BackoffError } from './limiter';
import { isAbort, Scope } from './scope';
import { contextFor, offeredCiphers } from './secureContexts';
import { tlsRuntime, type TlsRuntime } from './tlsRuntime';
import { acceptedLegacy, lacksTls13, modernMissing } from './tlsRules';
import { LEGACY_RANGE, LEGACY_RANGE_WORDS, onlyAlertsReceived, splitLegacyRange, type LegacyRangeAnswer, type VersionAttempt } from './versionDecision';
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

type Attempts = Partial<Record<TlsVersionName, VersionAttempt>>;
/** What one scan connection offers: one version, or TLS 1.0 up to 1.1 in one hello. */
type Offer = TlsVersionName | 'legacy-range';

/** The label of a connection opened for the legacy range hello. */
const RANGE_LABEL = 'TLSv1-1.1';

function isLegacy(v: TlsVersionName): boolean {
  return (LEGACY_RANGE as readonly string[]).includes(v);
}

/**
 * Whether TLS 1.0 and 1.1 are asked with one hello: neither is known yet, this runtime can offer each and the
 * range, and TLS 1.2 or 1.3 already completed a handshake here (a server that did is not intolerant of a hello
 * whose highest version is 1.1, so its answer is about the versions offered).
 */
export function legacyRangeFits(attempts: Attempts, rt: TlsRuntime): boolean {
  if (attempts.TLSv1 || attempts['TLSv1.1'] || !rt.canOffer.TLSv1 || !rt.canOffer['TLSv1.1']) return false;
  if (attempts['TLSv1.2']?.kind !== 'accepted' && attempts['TLSv1.3']?.kind !== 'accepted') return false;
  try {
    contextFor('TLSv1', 'TLSv1.1', offeredCiphers(rt.permissiveCiphers, true));
    return true;
  } catch {
    return false;
  }
}

/**
 * The version the standby (sessionConnect.ts) is opened for, before the main connection has negotiated: the one
 * the scan asks first when the main connection gets the newest version this runtime offers (newest first: TLS 1.2
 * after a TLS 1.3 session). The scan's last connection is then the legacy range hello, which a server refuses at
 * once, not a full handshake and goodbye: against a server that starts a process per connection (Dovecot), the
 * probe ends that much sooner after the last one's greeting. When the main connection settles this version itself,
 * the standby carries the legacy range hello instead (`standbyCarriesRange`), so the connections are as many.
 */
export function standbyVersion(rt: TlsRuntime): TlsVersionName | undefined {
  const offered = [...TLS_VERSIONS].reverse().filter((v) => rt.canOffer[v]);
  return offered[1] ?? offered[0];
}

/** Whether the standby, its own version already settled (or legacy), takes the legacy range hello instead. */
export function standbyCarriesRange(attempts: Attempts, standby: Standby): boolean {
  return (isLegacy(standby.version) || attempts[standby.version] !== undefined) && standby.canOfferLegacyRange() && legacyRangeFits(attempts, tlsRuntime());
}

/**
 * One handshake per version not yet known, each after its own dialogue; the limiter keeps it to 2 at a time.
 * Each attempt is recorded as what it saw; `decideVersions` turns the set into accepted / refused / not decided.
 * TLS 1.0 and 1.1 share one hello when `legacyRangeFits`; what its answer leaves open gets a hello of its own.
 */
export async function scanVersions(ctx: Session, mode: TlsMode, attempts: Attempts, standby?: Standby): Promise<void> {
  const rt = tlsRuntime();
  // Asked before anything is awaited: the standby reads it only once STARTTLS is answered.
  const rangeOnStandby = standby !== undefined && standbyCarriesRange(attempts, standby) && standby.offerLegacyRange();
  const range = rangeOnStandby || ((standby === undefined || !isLegacy(standby.version)) && legacyRangeFits(attempts, rt));
  // Newest first: the version most likely accepted makes the longest connection, and the quick refusals share
  // the other slot meanwhile. The verdicts do not depend on the order (decideVersions takes the set).
  await Promise.all(
    [...TLS_VERSIONS].reverse().map(async (v) => {
      if (attempts[v]) return;
      if (range) {
        if (v === 'TLSv1') return;
        if (v === 'TLSv1.1') return scanLegacyRange(ctx, mode, attempts, rangeOnStandby ? standby : undefined);
      }
      if (v === standby?.version) {
        // Already connected and waiting for this: its attempt, unless it was dropped or never got a slot.
        const a = (await standby.done)?.[v];
        if (a) {
          attempts[v] = a;
          return;
        }
      }
      await scanOne(ctx, mode, v, attempts);
    }),
  );
}

/** TLS 1.0 and 1.1 with one hello (on the standby when it carries it), then a hello of its own for what that left open. */
async function scanLegacyRange(ctx: Session, mode: TlsMode, attempts: Attempts, standby?: Standby): Promise<void> {
  let decided = standby ? await standby.done : undefined;
  if (!decided) {
    try {
      decided = await withSlot(ctx, { maxBackoffMs: 0, label: RANGE_LABEL }, (held) => tryOffer(ctx, mode, 'legacy-range', RANGE_LABEL, held));
    } catch (err) {
      if (!(err instanceof BackoffError)) throw err;
      for (const v of LEGACY_RANGE) {
        ctx.transcript.add('note', `${v}: not tested (${err.message})`, v);
        attempts[v] = { kind: 'undecided', untested: true, detail: err.message };
      }
      return;
    }
  }
  for (const v of LEGACY_RANGE) if (decided?.[v] && !attempts[v]) attempts[v] = decided[v];
  await Promise.all(LEGACY_RANGE.filter((v) => !attempts[v]).map((v) => scanOne(ctx, mode, v, attempts)));
}

async function scanOne(ctx: Session, mode: TlsMode, v: TlsVersionName, attempts: Attempts): Promise<void> {
  const { transcript } = ctx;
  const rt = tlsRuntime();
  if (!rt.canOffer[v]) {
    transcript.add('note', `${v}: not tested (this runtime's TLS library, ${rt.library}, cannot offer it)`, v);
    attempts[v] = { kind: 'undecided', untested: true, detail: `this runtime's TLS library, ${rt.library}, cannot offer it` };
    return;
  }
  try {
    // A back-off (even one that starts while this waits in the queue) means "not tested", never a wait.
    const got = await withSlot(ctx, { maxBackoffMs: 0, label: v }, (held) => tryOffer(ctx, mode, v, v, held));
    attempts[v] = got[v];
  } catch (err) {
    if (!(err instanceof BackoffError)) throw err;
    transcript.add('note', `${v}: not tested (${err.message})`, v);
    attempts[v] = { kind: 'undecided', untested: true, detail: err.message };
  }
}

export function openStandby(ctx: Session, v: TlsVersionName): Standby {
  const mode: TlsMode = 'starttls';
  const stop = new AbortController();
  const scope = new Scope(ctx.scope.signal ? AbortSignal.any([ctx.scope.signal, stop.signal]) : stop.signal);
  let decided: boolean | undefined;
  let waiting = false;
  let offer: Offer = v;
  let offered = false;
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
    canOfferLegacyRange: () => !offered,
    offerLegacyRange() {
      if (offered) return false;
      offer = 'legacy-range';
      return true;
    },
    done: (async () => {
      try {
        const found = await withSlot(ctx, { maxBackoffMs: 0, label: v, scope }, (held) =>
          tryOffer(
            ctx,
            mode,
            () => {
              offered = true;
              return offer;
            },
            v,
            held,
            scope,
            () => {
              waiting = true;
              return gate;
            },
          ),
        );
        // A failure before the gate (e.g. a busy greeting) counts only when the scan goes ahead.
        return found && (await gate) ? found : undefined;
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
 * One scan connection: its dialogue, then one hello with `offer` (a thunk: the standby learns it only once the
 * scan goes), and the attempts its answer decides, keyed by version. `gate` (the standby): asked before STARTTLS,
 * the first step that commits to TLS; when it says no, the connection ends politely and there is no attempt
 * (undefined). A failure before the hello counts for the version its offer names first (TLS 1.1 for the range).
 */
async function tryOffer(ctx: Session, mode: TlsMode, offer: Offer, label: string, held: Socket[]): Promise<Attempts>;
async function tryOffer(
  ctx: Session,
  mode: TlsMode,
  offer: () => Offer,
  label: string,
  held: Socket[],
  scope: Scope,
  gate: () => Promise<boolean>,
): Promise<Attempts | undefined>;
async function tryOffer(
  ctx: Session,
  mode: TlsMode,
  offerOf: Offer | (() => Offer),
  label: string,
  held: Socket[],
  scope = ctx.scope,
  gate?: () => Promise<boolean>,
): Promise<Attempts | undefined> {
  const { endpoint: ep, transcript } = ctx;
  const current = (): Offer => (typeof offerOf === 'function' ? offerOf() : offerOf);
  const named = (): TlsVersionName => {
    const o = current();
    return o === 'legacy-range' ? 'TLSv1.1' : o;
  };
  const c = await connect(ctx, held, { label, scope });
  if (!c.socket) return { [named()]: { kind: 'undecided', detail: 'no connection' } };
  const conn = new Conn(c.socket, scope, transcript, ctx.timeoutMs, label, held);
  const dialogue = dialogueFor(ep.protocol, ehloName(ctx, c.socket));
  const before = (detail: string): Attempts => ({ [named()]: { kind: 'undecided', detail: `the dialogue before TLS failed: ${detail}` } });
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
      if (!g.offersStartTls) {
        const caps = await dialogue.capabilities(conn);
        if (!caps.starttls && caps.known) return before('STARTTLS not offered');
      }
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
  const offer = current();
  if (offer === 'legacy-range') {
    if (label !== RANGE_LABEL) transcript.add('note', `this connection offers ${LEGACY_RANGE_WORDS} in one hello`, label);
    const answer = await rangeHandshake(ctx, conn, dialogue, mode, scope);
    const decided = splitLegacyRange(answer);
    for (const v of [...LEGACY_RANGE].reverse()) {
      const a = decided[v];
      if (!a) transcript.add('note', `${v}: asked with a hello of its own (${rangeLeavesOpen(answer)})`, v);
      else if (a.kind === 'accepted') transcript.add('tls', `${v} accepted (${a.detail})`, v);
      else transcript.add(...attemptLine(v, a));
    }
    return decided;
  }
  // What the server sends from here on is its answer to our ClientHello: only alert records, or a ServerHello.
  const sentBefore = c.socket.bytesRead;
  try {
    const hs = await tlsHandshake(scope, {
      host: ctx.address,
      port: ep.port,
      servername: ctx.servername,
      socket: c.socket,
      version: offer,
      timeoutMs: ctx.timeoutMs,
      readChain: false,
    });
    transcript.add('tls', `${offer} accepted (${hs.cipher})`, offer);
    await finish(ctx, conn, dialogue, mode, hs);
    return { [offer]: { kind: 'accepted', detail: hs.cipher } };
  } catch (err) {
    if (isAbort(err)) throw err;
    const attempt = versionAttempt(classifyTlsError(err), c.socket.bytesRead - sentBefore, ctx.timeoutMs);
    transcript.add(...attemptLine(offer, attempt));
    return { [offer]: attempt };
  }
}

/** One hello offering TLS 1.0 up to 1.1, on a connection whose dialogue is done. */
async function rangeHandshake(ctx: Session, conn: Conn, dialogue: Dialogue, mode: TlsMode, scope: Scope): Promise<LegacyRangeAnswer> {
  const sentBefore = conn.socket.bytesRead;
  try {
    const hs = await tlsHandshake(scope, {
      host: ctx.address,
      port: ctx.endpoint.port,
      servername: ctx.servername,
      socket: conn.socket,
      minVersion: 'TLSv1',
      version: 'TLSv1.1',
      timeoutMs: ctx.timeoutMs,
      readChain: false,
    });
    await finish(ctx, conn, dialogue, mode, hs);
    if (hs.version === 'TLSv1' || hs.version === 'TLSv1.1') return { kind: 'accepted', version: hs.version, detail: hs.cipher };
    // Not offered, so our library would have refused it: never reached.
    return { kind: 'failed', attempt: { kind: 'undecided', detail: `the server negotiated ${hs.version}` }, bytesFromServer: 1 };
  } catch (err) {
    if (isAbort(err)) throw err;
    const bytes = conn.socket.bytesRead - sentBefore;
    const f = classifyTlsError(err);
    if ((err as { code?: string })?.code === 'ERR_SSL_INAPPROPRIATE_FALLBACK') {
      return { kind: 'downgrade', detail: `TLSv1, marked as a downgrade by a server that has TLS 1.2 or newer (${f.reason})` };
    }
    return { kind: 'failed', attempt: versionAttempt(f, bytes, ctx.timeoutMs), bytesFromServer: bytes };
  }
}

/** Why the range hello's answer does not decide a version, for the transcript. */
function rangeLeavesOpen(a: LegacyRangeAnswer): string {
  if (a.kind === 'accepted') return `the server chose ${a.version} from a hello offering ${LEGACY_RANGE_WORDS}`;
  if (a.kind === 'downgrade') return 'the server answered the hello offering both with TLSv1 as a downgrade';
  if (a.attempt.kind === 'refused') return 'a version refusal of TLS 1.1 says nothing of TLS 1.0';
  return `the hello offering both did not settle it${a.attempt.kind === 'undecided' ? `: ${a.attempt.detail}` : ''}`;
}

/** After a completed scan handshake: an implicit-TLS greeting, then goodbye. */
async function finish(ctx: Session, conn: Conn, dialogue: Dialogue, mode: TlsMode, hs: HandshakeResult): Promise<void> {
  conn.upgrade(hs.socket);
  if (mode === 'implicit') await dialogue.greeting(conn, Math.min(ctx.timeoutMs, 2000)).catch(() => undefined);
  await dialogue.goodbye(conn);
}

/** The transcript line of a version's failed attempt (one per version). */
function attemptLine(v: TlsVersionName, attempt: VersionAttempt): [kind: 'tls' | 'note', text: string, conn: string] {
  const said =
    attempt.kind === 'alert-before-hello'
      ? `alert "${attempt.alert}" instead of a ServerHello`
      : attempt.kind === 'closed-before-hello'
        ? 'closed without any reply'
        : attempt.kind === 'accepted'
          ? ''
          : attempt.detail;
  const range =
    (attempt.kind === 'alert-before-hello' || attempt.kind === 'closed-before-hello') && attempt.range ? ` to one hello offering ${LEGACY_RANGE_WORDS}` : '';
  const untested = attempt.kind === 'undecided' && attempt.untested;
  const verdict = attempt.kind === 'refused' ? 'refused' : attempt.kind === 'undecided' ? (untested ? 'not tested' : 'not decided') : 'failed';
  return [untested ? 'note' : 'tls', `${v}: ${verdict} (${said}${range})`, v];
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
