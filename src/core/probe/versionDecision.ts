/**
 * Which TLS versions a server accepts, decided from one single-version handshake each, the same way whatever
 * TLS stack the server runs. Stacks refuse a version they do not serve with different alerts: OpenSSL sends
 * `protocol_version` (70), GnuTLS (Exim) `handshake_failure` (40), stunnel `internal_error` (80). So:
 *
 * - accepted: the handshake completed;
 * - refused: the server answered with another version, or with a `protocol_version` alert; or it answered with
 *   any other alert before its ServerHello (its only reply was alert records) while another version completed a
 *   handshake on the same endpoint (with the same offer of ciphers, only the version differs); the same for a
 *   clean close without any reply (Dovecot on OpenSSL 3 drops a version it does not serve without an alert);
 * - not decided (`null`), with the reason: a reset (RST) before any reply, no answer in time, an alert after
 *   the ServerHello (a cipher, key or certificate problem, not a version), every version failing with the same
 *   kind of alert (the endpoint is broken, not version-picky), or a version this runtime cannot offer.
 *
 * TLS 1.0 and 1.1 may be asked with one hello offering both (`splitLegacyRange` says what its answer decides);
 * a verdict taken from it says so in its reason.
 *
 * Pure: the session collects the attempts, this decides.
 */
import { TLS_VERSIONS, type TlsVersionName } from './types';

export type VersionAttempt =
  | { kind: 'accepted'; detail?: string }
  /** An explicit refusal: `protocol_version`, or a ServerHello with another version. */
  | { kind: 'refused'; detail: string }
  /** Any other alert, and nothing but alerts, before the ServerHello. `range`: the answer to the legacy range hello. */
  | { kind: 'alert-before-hello'; alert: string; range?: true }
  /** A clean close (FIN) without a byte of reply: Dovecot's refusal of a version it does not serve. */
  | { kind: 'closed-before-hello'; range?: true }
  /** `untested`: the server was never asked (this runtime cannot offer the version, or a back-off). */
  | { kind: 'undecided'; detail: string; untested?: boolean };

export interface VersionDecision {
  versions: Record<TlsVersionName, boolean | null>;
  /** One line per version: what was seen and what it was taken to mean. */
  reasons: Record<TlsVersionName, string>;
}

/** Bytes of one alert record (5 bytes of header, level, description); a ServerHello record is 45 bytes or more. */
export const ALERT_RECORD_BYTES = 7;

/**
 * Whether the bytes a server sent before a handshake failed can only have been alert records: one or two
 * (some stacks send a warning before the fatal one), never a ServerHello.
 */
export function onlyAlertsReceived(bytes: number): boolean {
  return bytes > 0 && bytes <= 2 * ALERT_RECORD_BYTES && bytes % ALERT_RECORD_BYTES === 0;
}

export function decideVersions(attempts: Partial<Record<TlsVersionName, VersionAttempt>>): VersionDecision {
  const accepted = TLS_VERSIONS.filter((v) => attempts[v]?.kind === 'accepted');
  const versions = {} as Record<TlsVersionName, boolean | null>;
  const reasons = {} as Record<TlsVersionName, string>;
  for (const v of TLS_VERSIONS) {
    const a = attempts[v];
    if (!a) {
      versions[v] = null;
      reasons[v] = 'not tested';
    } else if (a.kind === 'accepted') {
      versions[v] = true;
      reasons[v] = `accepted${a.detail ? ` (${a.detail})` : ''}`;
    } else if (a.kind === 'refused') {
      versions[v] = false;
      reasons[v] = `refused (${a.detail})`;
    } else if (a.kind === 'alert-before-hello' || a.kind === 'closed-before-hello') {
      const what =
        (a.kind === 'alert-before-hello' ? `alert "${a.alert}" instead of a ServerHello` : 'the server closed the connection without any reply') +
        (a.range ? ` to one hello offering ${LEGACY_RANGE_WORDS}` : '');
      if (accepted.length) {
        versions[v] = false;
        reasons[v] = `refused (${what}, while ${accepted.join(' and ')} completed a handshake on the same endpoint)`;
      } else {
        versions[v] = null;
        reasons[v] = `not decided (${what}, but no version completed a handshake, so it may not be about the version)`;
      }
    } else {
      versions[v] = null;
      reasons[v] = `${a.untested ? 'not tested' : 'not decided'} (${a.detail})`;
    }
  }
  return { versions, reasons };
}

/** The legacy versions one ClientHello can offer together (TLS 1.0 up to TLS 1.1), and how reasons name that hello. */
export const LEGACY_RANGE = ['TLSv1', 'TLSv1.1'] as const;
export const LEGACY_RANGE_WORDS = 'both TLSv1 and TLSv1.1';

/** What the server said to one ClientHello offering TLS 1.0 up to TLS 1.1 (legacy_version 1.1, no supported_versions). */
export type LegacyRangeAnswer =
  /** The handshake completed with the version the server chose. */
  | { kind: 'accepted'; version: 'TLSv1' | 'TLSv1.1'; detail: string }
  /**
   * A ServerHello with TLSv1 carrying the downgrade sentinel of a server that also has TLS 1.2 (RFC 8446 4.1.3):
   * the client must abort there. OpenSSL skips a disabled TLS 1.1 and answers TLS 1.0 this way.
   */
  | { kind: 'downgrade'; detail: string }
  /** Any other failure, as a single-version attempt reads it, with what the server sent before it. */
  | { kind: 'failed'; attempt: VersionAttempt; bytesFromServer: number };

/**
 * Which legacy verdicts one range hello decides; a version it leaves out is asked on its own connection, with
 * its own single-version hello, as before. The range hello is byte for byte the single-version TLS 1.1 hello
 * (the same legacy_version 0x0302, ciphers and extensions; only OpenSSL's client accepts a lower answer), so:
 *
 * - TLSv1.1 takes every answer the single TLS 1.1 hello would have got, up to the ServerHello: accepted at 1.1,
 *   an alert or a close before any ServerHello, a ServerHello with another version, no answer. A failure after
 *   a ServerHello is left out (the server may have chosen 1.0, which the single hello refuses at once).
 * - TLSv1 is decided only where the answer is about both versions: a completed TLS 1.0 handshake (the server
 *   skipped 1.1, so 1.1 is refused: answered with another version), or a refusal before any ServerHello that is
 *   not a version refusal: an alert other than `protocol_version`, or a clean close. A server serving 1.0
 *   answers a hello offering up to 1.1 with 1.0 (RFC 5246 E.1; OpenSSL skips a disabled 1.1, and its
 *   ServerHello 1.0 makes the `downgrade` answer), so such a refusal concerns 1.0 as well: the same ciphers and
 *   signature algorithms serve 1.0 and 1.1. A `protocol_version` alert is left out: GnuTLS with a hole at 1.1
 *   (1.0 and 1.2 enabled) answers the range hello with it, and a TLS 1.0 hello with a ServerHello.
 */
export function splitLegacyRange(a: LegacyRangeAnswer): Partial<Record<TlsVersionName, VersionAttempt>> {
  if (a.kind === 'accepted') {
    if (a.version === 'TLSv1.1') return { 'TLSv1.1': { kind: 'accepted', detail: a.detail } };
    return {
      TLSv1: { kind: 'accepted', detail: `${a.detail}, chosen from a hello offering ${LEGACY_RANGE_WORDS}` },
      'TLSv1.1': { kind: 'refused', detail: `the server chose TLSv1 from a hello offering ${LEGACY_RANGE_WORDS}` },
    };
  }
  if (a.kind === 'downgrade') return { 'TLSv1.1': { kind: 'refused', detail: `the server answered with another version: ${a.detail}` } };
  const t = a.attempt;
  if (t.kind === 'alert-before-hello' || t.kind === 'closed-before-hello') {
    const both: VersionAttempt = { ...t, range: true };
    return { TLSv1: both, 'TLSv1.1': both };
  }
  if (t.kind === 'refused' || t.kind === 'accepted') return { 'TLSv1.1': t };
  // Not decided: it stands for TLS 1.1 only when the server answered nothing at all (a reset, no answer in time).
  return !t.untested && a.bytesFromServer === 0 ? { 'TLSv1.1': t } : {};
}

/** What a version's verdict means, in the words every output uses. */
export type VersionState = 'accepted' | 'refused' | 'not decided' | 'not tested';

/**
 * A result's verdict for one version. `null` is "not tested" when the server was never asked and "not decided"
 * when it was asked and its answer did not say (the reason, from `decideVersions`, starts with which it is).
 */
export function versionState(
  r: { versions: Record<TlsVersionName, boolean | null>; versionReasons?: Partial<Record<TlsVersionName, string>> },
  v: TlsVersionName,
): VersionState {
  const a = r.versions[v];
  if (a === true) return 'accepted';
  if (a === false) return 'refused';
  return r.versionReasons?.[v]?.startsWith('not decided') ? 'not decided' : 'not tested';
}

/** `TLSv1` -> `TLS 1.0`, `TLSv1.2` -> `TLS 1.2`. */
export function versionLabel(v: TlsVersionName): string {
  return v === 'TLSv1' ? 'TLS 1.0' : v.replace('TLSv', 'TLS ');
}
