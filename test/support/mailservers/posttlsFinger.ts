/**
 * Postfix's own TLS prober as a reference for SMTP: `posttls-finger -c -l secure`, which verifies the chain
 * against the CA file and the certificate against the match name, and prints one summary line saying
 * `Verified`, `Trusted` (chain good, name not checked), `Untrusted` or `Anonymous`.
 */
import { findTool } from './tools';
import { run } from './run';
import type { TlsVersionName } from './opensslClient';

export type FingerTrust = 'Verified' | 'Trusted' | 'Untrusted' | 'Anonymous';

export interface FingerVerdict {
  /** null when no TLS session was established (no STARTTLS, handshake failure, wrong mode). */
  trust: FingerTrust | null;
  version: TlsVersionName | null;
  raw: string;
}

export function fingerPath(): string | undefined {
  return findTool('posttls-finger');
}

/**
 * `configDir` is the test instance's config folder (MAIL_CONFIG): it disables DNS, so posttls-finger makes no
 * lookup, and it keeps the tool away from /etc/postfix.
 */
export async function postTlsFinger(p: { port: number; wrapper: boolean; servername: string; caFile: string; configDir: string }): Promise<FingerVerdict> {
  const finger = fingerPath();
  if (!finger) throw new Error('posttls-finger is not installed');
  const args = ['-c', '-l', 'secure', '-F', p.caFile, '-s', p.servername, '-t', '5', '-T', '5'];
  if (p.wrapper) args.push('-w');
  args.push(`[127.0.0.1]:${p.port}`, p.servername);
  const r = await run(finger, args, { timeoutMs: 15_000, env: { ...process.env, MAIL_CONFIG: p.configDir } });
  const raw = `${r.stdout}\n${r.stderr}\n(exit ${r.code ?? r.signal}${r.timedOut ? ', killed after the time limit' : ''}, ${r.ms} ms)`;
  const m = /(Verified|Trusted|Untrusted|Anonymous) TLS connection established to \S+: (TLSv1(?:\.[123])?) /.exec(raw);
  return { trust: m ? (m[1] as FingerTrust) : null, version: m ? (m[2] as TlsVersionName) : null, raw };
}
