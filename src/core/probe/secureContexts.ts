/**
 * The TLS client contexts of the probe, built once per process and shared by every connection: building one
 * costs more than a loopback handshake. The runtime check (tlsRuntime) builds exactly these, so the contexts it
 * creates to see what the library can offer are the ones the handshakes then use.
 */
import * as tls from 'node:tls';

/**
 * A trust anchor that signs nothing. Giving Node a `ca` list stops it from loading its root store, and with it
 * from appending locally found issuers to the chain the server sent.
 */
const PLACEHOLDER_CA = `-----BEGIN CERTIFICATE-----
MIIB3TCCAYOgAwIBAgIURkF5Jm5zib6AK9BqT8LDVU5/AaIwCgYIKoZIzj0EAwIw
QzFBMD8GA1UEAww4TWFpbCBUTFMgRG9jdG9yIHBsYWNlaG9sZGVyIHRydXN0IGFu
Y2hvciAoc2lnbnMgbm90aGluZykwIBcNMjYxMTI4MDUwNjI4WhgPMjEyNjExMDQw
NTA2MjhaMEMxQTA/BgNVBAMMOE1haWwgVExTIERvY3RvciBwbGFjZWhvbGRlciB0
cnVzdCBhbmNob3IgKHNpZ25zIG5vdGhpbmcpMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEnnd988w+Ti9FLIGh/c8v4ZNEwZU44AjGrYgPX351tPo8w2RX7bms9PQT
aFUQxT6JCBvBh/Hc2pF9clkxymhx5KNTMFEwHQYDVR0OBBYEFB2HjEaX40EhprNV
Wvw4T7madg2KMB8GA1UdIwQYMBaAFB2HjEaX40EhprNVWvw4T7madg2KMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAMK2WR/QK7nt32fljyEMFBFT
oCb71TlFOWqLLK9OnQEJAiAMg5TpSb6BDhNLtcr3xq/wmTicla8itT6ZxL8rvCOM
Yg==
-----END CERTIFICATE-----
`;

const contexts = new Map<string, tls.SecureContext | Error>();

/**
 * One context per settings, or throws the library's refusal (cached too: a refusal does not change). The `ca`
 * also keeps OpenSSL from loading its own root store for contexts that never verify anything.
 */
export function contextFor(minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion, ciphers: string | undefined): tls.SecureContext {
  const key = `${minVersion}|${maxVersion}|${ciphers ?? ''}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    try {
      ctx = tls.createSecureContext({ ca: [PLACEHOLDER_CA], minVersion, maxVersion, ciphers });
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
  return permissiveCiphers ?? (legacy ? undefined : tls.DEFAULT_CIPHERS);
}
