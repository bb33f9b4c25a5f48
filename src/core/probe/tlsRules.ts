/**
 * Pure rules over what a handshake negotiated and which versions the server accepts.
 *
 * Weak cipher rule (documented in docs/findings-probe.md): a suite is weak when it uses RC4, DES or 3DES,
 * NULL encryption, EXPORT strength, anonymous key exchange (no server authentication), or an MD5 MAC, or
 * when it has no forward secrecy (static RSA key exchange, TLS 1.2 and below). CBC with SHA-1 alone is not
 * flagged: it is still what TLS 1.0/1.1 peers need, and the legacy-version finding covers those.
 */
import type { TlsVersionName } from './types';

export function weakCipherReason(cipher: string, version: string): string | undefined {
  const c = cipher.toUpperCase();
  if (/RC4/.test(c)) return 'RC4 is broken (RFC 7465 forbids it)';
  if (/NULL/.test(c)) return 'it does not encrypt at all (NULL cipher)';
  if (/EXP/.test(c)) return 'it is an EXPORT cipher of 40 or 56 bits';
  if (/(^|[-_])(3DES|DES|DES-CBC3|DES_EDE)/.test(c) || /DES-CBC/.test(c)) return 'DES and 3DES are weak (Sweet32)';
  if (/^(ADH|AECDH)|_ANON_|(^|-)ANON/.test(c)) return 'anonymous key exchange: the server is not authenticated';
  if (/(^|[-_])MD5$/.test(c)) return 'it uses an MD5 MAC';
  if (version !== 'TLSv1.3' && !/^(TLS_)?(ECDHE|DHE|EDH)/.test(c) && !/^TLS_(AES|CHACHA20)/.test(c)) {
    return 'static RSA key exchange: no forward secrecy, recorded traffic can be decrypted with a stolen key';
  }
  return undefined;
}

/** Ephemeral finite-field DH under 2048 bits (Logjam; OpenSSL at security level 2, Debian's default, refuses it). */
export function weakKeyExchange(eph: { type?: string; name?: string; size?: number } | undefined): number | undefined {
  if (eph?.type === 'DH' && typeof eph.size === 'number' && eph.size < 2048) return eph.size;
  return undefined;
}

export type VersionMap = Record<TlsVersionName, boolean | null>;

export function acceptedLegacy(v: VersionMap): TlsVersionName[] {
  return (['TLSv1', 'TLSv1.1'] as const).filter((x) => v[x] === true);
}

/** Neither TLS 1.2 nor 1.3: only when both were really tested and refused. */
export function modernMissing(v: VersionMap): boolean {
  return v['TLSv1.2'] === false && v['TLSv1.3'] === false;
}

export function lacksTls13(v: VersionMap): boolean {
  return v['TLSv1.3'] === false && v['TLSv1.2'] === true;
}
