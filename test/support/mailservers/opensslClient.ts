/**
 * `openssl s_client` as a reference: what the tool every admin reaches for says about an endpoint. Runs with
 * `-verify_return_error` and `-verify_hostname`, so "trusted" means chain AND name verified, as in our engine.
 */
import type { Protocol, TlsMode } from '../../../src/core/endpoint';
import { findTool } from './tools';
import { run } from './run';

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface OpensslVerdict {
  /** A TLS session was established (the handshake finished, verified or not). */
  handshake: boolean;
  /** Chain and host name verified against the given CA file. */
  trusted: boolean;
  version: TlsVersionName | null;
  /** OpenSSL's X509 verify error, e.g. `certificate has expired`, when there is one. */
  verifyError?: string;
  raw: string;
}

export interface OpensslTarget {
  port: number;
  protocol: Protocol;
  mode: TlsMode;
  servername: string;
  caFile: string;
}

/** The last line of s_client's handshake report (in the SSL-Session block up to TLS 1.2, after it for 1.3). */
const SESSION_REPORTED = /^\s*Verify return code: \d+/m;
const QUIT: Record<Protocol, string> = { smtp: 'QUIT\r\n', imap: 'a LOGOUT\r\n', pop3: 'QUIT\r\n' };
const VERSION_FLAG: Record<TlsVersionName, string> = { TLSv1: '-tls1', 'TLSv1.1': '-tls1_1', 'TLSv1.2': '-tls1_2', 'TLSv1.3': '-tls1_3' };

export function opensslPath(): string | undefined {
  return findTool('openssl');
}

/**
 * One s_client session. `only` pins the protocol version (and lowers the security level so that TLS 1.0/1.1,
 * which need SHA-1 signatures, can be tried at all: the question is what the server accepts).
 */
export async function sClient(t: OpensslTarget, opts: { only?: TlsVersionName; timeoutMs?: number } = {}): Promise<OpensslVerdict> {
  const openssl = opensslPath();
  if (!openssl) throw new Error('openssl is not installed');
  const args = ['s_client', '-connect', `127.0.0.1:${t.port}`, '-servername', t.servername, '-verify_hostname', t.servername];
  args.push('-CAfile', t.caFile, '-verify_return_error', '-no_ign_eof');
  if (t.mode === 'starttls') args.push('-starttls', t.protocol);
  if (opts.only) args.push(VERSION_FLAG[opts.only], '-cipher', 'DEFAULT:@SECLEVEL=0');
  const r = await run(openssl, args, { timeoutMs: opts.timeoutMs ?? 8_000, input: QUIT[t.protocol], inputDelayMs: 3_000, inputWhen: SESSION_REPORTED });
  const raw = `${r.stdout}\n${r.stderr}\n(exit ${r.code ?? r.signal}${r.timedOut ? ', killed after the time limit' : ''}, ${r.ms} ms)`;
  const session = parseSession(r.stdout, r.stderr);
  const verifyCode = /Verify return code: (\d+) \(([^)]*)\)/.exec(r.stdout);
  const verifyError = /verify error:num=\d+:([^\n]+)/.exec(raw)?.[1]?.trim() ?? (verifyCode && verifyCode[1] !== '0' ? verifyCode[2] : undefined);
  const handshake = session !== undefined;
  const trusted = handshake && verifyCode?.[1] === '0' && verifyError === undefined;
  return { handshake, trusted, version: session?.version ?? null, verifyError, raw };
}

/** Which versions the server accepts, one pinned handshake each (verification errors do not matter here). */
export async function sClientVersions(t: OpensslTarget, timeoutMs = 8_000): Promise<Record<TlsVersionName, boolean>> {
  const names: TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const results = await Promise.all(names.map((only) => sClientNegotiated(t, only, timeoutMs)));
  return Object.fromEntries(names.map((n, i) => [n, results[i] === n])) as Record<TlsVersionName, boolean>;
}

/**
 * The version a handshake settles on, with trust out of the question (no -verify_return_error): an untrusted
 * chain must not hide which version the server picked. `only` pins one version.
 */
export async function sClientNegotiated(t: OpensslTarget, only?: TlsVersionName, timeoutMs = 8_000): Promise<TlsVersionName | null> {
  const openssl = opensslPath();
  if (!openssl) throw new Error('openssl is not installed');
  const args = ['s_client', '-connect', `127.0.0.1:${t.port}`, '-servername', t.servername, '-no_ign_eof'];
  if (only) args.push(VERSION_FLAG[only], '-cipher', 'DEFAULT:@SECLEVEL=0');
  if (t.mode === 'starttls') args.push('-starttls', t.protocol);
  const r = await run(openssl, args, { timeoutMs, input: QUIT[t.protocol], inputDelayMs: 3_000, inputWhen: SESSION_REPORTED });
  return parseSession(r.stdout, r.stderr)?.version ?? null;
}

/**
 * The session s_client reports. The "New, ..., Cipher is X" line proves a handshake, but its version is the
 * cipher's minimum version (ECDHE-RSA-AES256-SHA shows `TLSv1.0` even under TLS 1.2); the negotiated version is
 * the `Protocol  :` line of the SSL-Session block. Under TLS 1.3 that block only comes with a session ticket,
 * after the report, but then the cipher itself (TLS_AES_*, TLS_CHACHA20_*) exists in TLS 1.3 only.
 * A fatal alert received during the handshake means no session, whatever the summary lines say.
 */
function parseSession(stdout: string, stderr: string): { version: TlsVersionName; cipher: string } | undefined {
  const m = /^(?:New|Reused), (\S+), Cipher is (\S+)/m.exec(stdout);
  if (!m || m[2] === '(NONE)') return undefined;
  // Under TLS 1.3 the cipher is set at the ServerHello: a handshake the server then ends with a fatal alert
  // (OpenSMTPD 6.8 with OpenSSL 3: internal_error instead of its CertificateVerify) still prints "New, TLSv1.3,
  // Cipher is ..." and "Verify return code: 0". The alert s_client received says there was no session.
  if (/ssl3_read_bytes:\S+ alert [^:\n]*: SSL alert number \d+|:tlsv1 alert |:sslv3 alert /.test(stderr)) return undefined;
  const p = /^\s*Protocol\s*: (TLSv1(?:\.[0123])?)\s*$/m.exec(stdout)?.[1] ?? (m[1] === 'TLSv1.3' ? 'TLSv1.3' : undefined);
  if (!p) return undefined;
  return { version: (p === 'TLSv1.0' ? 'TLSv1' : p) as TlsVersionName, cipher: m[2] };
}
