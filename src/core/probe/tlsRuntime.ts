/**
 * What the TLS library this process runs on can offer. Node 20 (OpenSSL 3) offers TLS 1.0/1.1 only with
 * `@SECLEVEL=0`; VS Code's extension host (Electron, BoringSSL) rejects OpenSSL cipher strings and may not offer
 * the old versions at all. A version this runtime cannot offer is "not tested", never "refused".
 */
import type * as tls from 'node:tls';
import type { TlsVersionName } from './types';
import { TLS_VERSIONS } from './types';
import { contextFor, offeredCiphers } from './secureContexts';

export const LEGACY_CIPHERS = 'DEFAULT:@SECLEVEL=0';

export interface TlsRuntime {
  /** The cipher string that unlocks legacy versions and weak parameters, when this library accepts it. */
  permissiveCiphers?: string;
  /** Versions this library lets us offer on their own. */
  canOffer: Record<TlsVersionName, boolean>;
  library: string;
}

let cached: TlsRuntime | undefined;

export function tlsRuntime(): TlsRuntime {
  if (cached) return cached;
  // Built with the settings the handshakes use: the contexts made here are the ones they then reuse.
  const permissiveCiphers = accepts('TLSv1.2', 'TLSv1.3', LEGACY_CIPHERS) ? LEGACY_CIPHERS : undefined;
  const canOffer = {} as Record<TlsVersionName, boolean>;
  for (const v of TLS_VERSIONS) {
    const legacy = v === 'TLSv1' || v === 'TLSv1.1';
    // Without the security-level override OpenSSL 3 builds the context but fails every legacy handshake.
    canOffer[v] = legacy && !permissiveCiphers && isOpenSsl() ? false : accepts(v, v, offeredCiphers(permissiveCiphers, legacy));
  }
  const library = process.versions.openssl ? `OpenSSL ${process.versions.openssl}` : 'unknown TLS library';
  cached = { permissiveCiphers, canOffer, library };
  return cached;
}

/** For tests: pretend to be another runtime. */
export function setTlsRuntimeForTests(rt: TlsRuntime | undefined): void {
  cached = rt;
}

function accepts(min: tls.SecureVersion, max: tls.SecureVersion, ciphers: string | undefined): boolean {
  try {
    contextFor(min, max, ciphers);
    return true;
  } catch {
    return false;
  }
}

function isOpenSsl(): boolean {
  const v = process.versions.openssl ?? '';
  return /^\d/.test(v) && !/boring/i.test(v);
}
