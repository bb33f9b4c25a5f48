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
 * Pure: the session collects the attempts, this decides.
 */
import { TLS_VERSIONS, type TlsVersionName } from './types';

export type VersionAttempt =
  | { kind: 'accepted'; detail?: string }
  /** An explicit refusal: `protocol_version`, or a ServerHello with another version. */
  | { kind: 'refused'; detail: string }
  /** Any other alert, and nothing but alerts, before the ServerHello. */
  | { kind: 'alert-before-hello'; alert: string }
  /** A clean close (FIN) without a byte of reply: Dovecot's refusal of a version it does not serve. */
  | { kind: 'closed-before-hello' }
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
      const what = a.kind === 'alert-before-hello' ? `alert "${a.alert}" instead of a ServerHello` : 'the server closed the connection without any reply';
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
