/**
 * Node's `crypto` and `tls` modules, loaded on first use rather than when a bundle starts. Together they compile
 * about two dozen of Node's internal modules (4-7 ms on this machine), and a probe's first connect needs neither:
 * loaded lazily, they compile while the server prepares its greeting instead of before the connect goes out.
 * A lint that never touches a certificate never loads them at all.
 */
import type * as Crypto from 'node:crypto';
import type * as Tls from 'node:tls';

let crypto: typeof Crypto | undefined;
let tls: typeof Tls | undefined;

export function nodeCrypto(): typeof Crypto {
  return (crypto ??= require('node:crypto') as typeof Crypto);
}

let onTlsLoad: (() => void) | undefined;

export function nodeTls(): typeof Tls {
  if (tls) return tls;
  tls = require('node:tls') as typeof Tls;
  const hook = onTlsLoad;
  onTlsLoad = undefined;
  hook?.();
  return tls;
}

/**
 * Runs `fn` once, when `node:tls` is first loaded here, which is before any TLS connection of this process (or at
 * once if it is loaded already). The CLI prepares Node's server-name check there (src/cli/ipPattern.ts): after
 * the first connect has gone out, and before the first handshake, in either TLS mode.
 */
export function whenTlsLoads(fn: () => void): void {
  if (tls) fn();
  else onTlsLoad = fn;
}
