/**
 * The TLS client contexts of the probe, built once per process and shared by every connection: building one
 * costs more than a loopback handshake. The runtime check (tlsRuntime) builds exactly these, so the contexts it
 * creates to see what the library can offer are the ones the handshakes then use.
 */
import type * as tls from 'node:tls';
import { nodeTls } from '../nodeLazy';

const contexts = new Map<string, tls.SecureContext | Error>();

/**
 * One context per settings, or throws the library's refusal (cached too: a refusal does not change).
 *
 * `ca: []` gives the context an empty store of its own: Node then loads no root store for it, and OpenSSL
 * appends no locally found issuer to the chain the server sent (the judge verifies it, not the handshake). Any
 * certificate here, even one that signs nothing, made Node 20 build its whole root store first (all ~140
 * bundled roots parsed, plus NODE_EXTRA_CA_CERTS): about 210 million instructions per process.
 */
export function contextFor(minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion, ciphers: string | undefined): tls.SecureContext {
  const key = `${minVersion}|${maxVersion}|${ciphers ?? ''}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    try {
      ctx = nodeTls().createSecureContext({ ca: [], minVersion, maxVersion, ciphers });
    } catch (e) {
      ctx = e instanceof Error ? e : new Error(String(e));
    }
    contexts.set(key, ctx);
  }
  if (ctx instanceof Error) throw ctx;
  return ctx;
}

/**
 * The cipher string a handshake offers with: the permissive one where the library has it (the probe must see
 * what the server negotiates, weak or not), else Node's default, except for TLS 1.0/1.1 where the default
 * cannot apply.
 */
export function offeredCiphers(permissiveCiphers: string | undefined, legacy: boolean): string | undefined {
  return permissiveCiphers ?? (legacy ? undefined : nodeTls().DEFAULT_CIPHERS);
}
