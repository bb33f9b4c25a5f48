/**
 * MTA-STS (RFC 8461): the `_mta-sts` TXT record, the policy file and its fetch, and MX pattern matching.
 * The fetch connects to an address the caller resolved (through the run's resolver), sends the policy host as
 * SNI and Host, verifies the certificate (system roots plus extra CAs), follows no redirect, requires
 * text/plain, and stops at 64 KB or the timeout.
 */
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';

export const MAX_POLICY_BYTES = 64 * 1024;
export const MAX_MAX_AGE = 31557600;

export type TxtVerdict = { ok: true; id: string; record: string } | { ok: false; reason: string; records: string[] } | { ok: 'absent' };

/** Joins a TXT record's character strings, as RFC 8461 3.1 and RFC 8460 3 say. */
export function txtString(data: unknown): string {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join('');
}

/** Parses `key=value; key=value` fields; keys case-sensitive as in the RFCs. */
export function tagList(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) {
      out.set(`\u0000bad:${t}`, '');
      continue;
    }
    const k = t.slice(0, eq).trim();
    if (!out.has(k)) out.set(k, t.slice(eq + 1).trim());
  }
  return out;
}

export function checkStsTxt(records: string[]): TxtVerdict {
  const sts = records.filter((r) => /^v=STSv1(;|\s|$)/.test(r));
  if (sts.length === 0) return { ok: 'absent' };
  if (sts.length > 1) return { ok: false, reason: `${sts.length} records start with v=STSv1, exactly one is allowed`, records: sts };
  const tags = tagList(sts[0]);
  const id = tags.get('id');
  if (id === undefined) return { ok: false, reason: 'no id= field', records: sts };
  if (!/^[A-Za-z0-9]{1,32}$/.test(id)) return { ok: false, reason: 'the id must be 1 to 32 letters and digits', records: sts };
  return { ok: true, id, record: sts[0] };
}

export interface StsPolicy {
  version: string;
  mode: 'enforce' | 'testing' | 'none';
  maxAge: number;
  mx: string[];
}

export function parsePolicy(text: string): { policy: StsPolicy } | { problems: string[] } {
  const problems: string[] = [];
  const fields = new Map<string, string>();
  const mx: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push(`line "${line.slice(0, 60)}" is not "key: value"`);
      continue;
    }
    const k = line.slice(0, colon).trim();
    const v = line.slice(colon + 1).trim();
    if (k === 'mx') mx.push(v.toLowerCase());
    else if (!fields.has(k)) fields.set(k, v);
  }
  const version = fields.get('version');
  if (version !== 'STSv1') problems.push(version === undefined ? 'no version field' : `version "${version.slice(0, 20)}" is not STSv1`);
  const mode = fields.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none')
    problems.push(mode === undefined ? 'no mode field' : `mode "${mode.slice(0, 20)}" is not enforce, testing or none`);
  const ageText = fields.get('max_age');
  const maxAge = ageText !== undefined && /^\d{1,10}$/.test(ageText) ? Number(ageText) : NaN;
  if (ageText === undefined) problems.push('no max_age field');
  else if (!(maxAge >= 0 && maxAge <= MAX_MAX_AGE)) problems.push(`max_age "${ageText.slice(0, 20)}" is not a number of seconds from 0 to ${MAX_MAX_AGE}`);
  if (mode !== 'none' && mx.length === 0) problems.push('no mx: pattern');
  for (const m of mx) if (!/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(m)) problems.push(`mx pattern "${m.slice(0, 60)}" is not a host name or *.name`);
  if (problems.length) return { problems };
  return { policy: { version: 'STSv1', mode: mode as StsPolicy['mode'], maxAge, mx } };
}

/** RFC 8461 4.1: exact (case-insensitive), or `*.suffix` covering exactly one more leftmost label. */
export function mxMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const pat = pattern.toLowerCase().replace(/\.$/, '');
  if (pat.startsWith('*.')) {
    const suffix = pat.slice(1); // ".example.com"
    if (!h.endsWith(suffix)) return false;
    const label = h.slice(0, h.length - suffix.length);
    return label.length > 0 && !label.includes('.');
  }
  return h === pat;
}

export type FetchOutcome =
  | { kind: 'ok'; body: string; contentType: string }
  | { kind: 'redirect'; status: number; location?: string }
  | { kind: 'content-type'; contentType: string }
  | { kind: 'cert'; reason: string }
  | { kind: 'failed'; reason: string };

export interface FetchOptions {
  /** Where to connect (an address the run's resolver gave). */
  address: string;
  port?: number;
  /** `mta-sts.DOMAIN`: SNI, Host header and the name the certificate must carry. */
  host: string;
  extraCaPems?: string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

// Building a context from the ~150 system roots costs tens of milliseconds: one per set of extra CAs is enough.
const contexts = new Map<string, tls.SecureContext>();
function contextFor(extra: string[]): tls.SecureContext {
  const key = extra.join('\n');
  let c = contexts.get(key);
  if (!c) {
    c = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
    if (contexts.size > 16) contexts.clear();
    contexts.set(key, c);
  }
  return c;
}

const CERT_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|CERT_UNTRUSTED)/;

/** GET https://HOST/.well-known/mta-sts.txt at one address; never throws except on abort. */
export function fetchPolicy(o: FetchOptions): Promise<FetchOutcome> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason ?? new Error('aborted'));
    let settled = false;
    const done = (v: FetchOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const onAbort = () =>
      done(o.signal!.reason instanceof Error ? o.signal!.reason : Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    const req = https.request({
      host: o.address,
      port: o.port ?? 443,
      family: net.isIPv6(o.address) ? 6 : 4,
      method: 'GET',
      path: '/.well-known/mta-sts.txt',
      servername: o.host,
      headers: { host: o.host, 'user-agent': 'mail-tls-doctor', accept: 'text/plain' },
      secureContext: contextFor(o.extraCaPems ?? []),
      rejectUnauthorized: true,
      agent: false,
      // The address comes from the run's resolver; never ask the system for a name.
      lookup: (_h: string, _o: unknown, cb: (e: Error | null, a: string, f: number) => void) => cb(null, o.address, net.isIPv6(o.address) ? 6 : 4),
    } as https.RequestOptions);
    const timer = setTimeout(() => done({ kind: 'failed', reason: `no complete answer within ${o.timeoutMs} ms` }), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (CERT_CODES.test(code)) done({ kind: 'cert', reason: `${code}: ${err.message}` });
      else done({ kind: 'failed', reason: `${code ? `${code} ` : ''}${err.message}` });
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400)
        return done({ kind: 'redirect', status, location: typeof res.headers.location === 'string' ? res.headers.location : undefined });
      if (status !== 200) return done({ kind: 'failed', reason: `HTTP status ${status}` });
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType.split(';')[0].trim().toLowerCase() !== 'text/plain') return done({ kind: 'content-type', contentType });
      const declared = Number(res.headers['content-length']);
      if (declared > MAX_POLICY_BYTES) return done({ kind: 'failed', reason: `the policy is ${declared} bytes, more than the 64 KB senders accept` });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_POLICY_BYTES) return done({ kind: 'failed', reason: 'the policy is larger than the 64 KB senders accept' });
        chunks.push(c);
      });
      res.on('end', () => done({ kind: 'ok', body: Buffer.concat(chunks).toString('utf8'), contentType }));
      res.on('error', (e) => done({ kind: 'failed', reason: e.message }));
    });
    req.end();
  });
}
