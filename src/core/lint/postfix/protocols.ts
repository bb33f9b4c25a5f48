/**
 * Postfix's TLS protocol lists (`smtpd_tls_protocols` and friends), read the way tls_proto.c and OpenSSL read
 * them: names to include or `!names` to exclude (separated by white space, commas or colons), and since Postfix
 * 3.6 `>=version` / `<=version` bounds, where a version is a name or a hexadecimal number (`0x0303`).
 *
 * A hole (`!TLSv1.1` with TLSv1 still allowed) acts differently on the two sides. An OpenSSL client cannot skip a
 * version in its ClientHello range: it offers the run that starts at the lowest allowed version and stops at the
 * first excluded one, so the newer versions are lost. An OpenSSL server picks from the versions the client offers
 * and skips the disabled ones: a Postfix 3.7 smtpd with `!SSLv2, !SSLv3, !TLSv1.1` negotiated TLS 1.3, 1.2 and
 * 1.0 (checked live), so on the server side every allowed version stays enabled.
 */
export type ProtocolSide = 'client' | 'server';

/** smtp_*, lmtp_* and tlsproxy_client_* lists are client lists; smtpd_*, postscreen_* and tlsproxy_* server ones. */
export function protocolSide(name: string): ProtocolSide {
  return /^(smtp|lmtp|tlsproxy_client)_/.test(name) ? 'client' : 'server';
}
export const VERSIONS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Version = (typeof VERSIONS)[number];
const LEGACY: ReadonlySet<Version> = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

export interface ProtocolToken {
  text: string;
  start: number;
  end: number;
}

export interface SyntaxIssue {
  token: ProtocolToken;
  reason: string;
  /** Replacement text for [start, end) of the value when the intent is clear (e.g. `>= TLSv1.2` -> `>=TLSv1.2`). */
  replaceEnd?: number;
  replacement?: string;
}

export interface ProtocolAnalysis {
  tokens: ProtocolToken[];
  syntax: SyntaxIssue[];
  /** What the list asks for (before OpenSSL's no-holes rule). */
  allowed: Version[];
  /** What OpenSSL actually enables. */
  effective: Version[];
  /** Allowed versions that the hole disables anyway. */
  lostToHole: Version[];
  /** Versions newer than every one an include list names, so dropped by it (`TLSv1.2` forgets TLSv1.3). */
  droppedByIncludeList: Version[];
  legacy: Version[];
}

export function tokenizeProtocols(value: string): ProtocolToken[] {
  const out: ProtocolToken[] = [];
  const sep = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',' || c === ':' || c === '\v' || c === '\f';
  let i = 0;
  while (i < value.length) {
    while (i < value.length && sep(value[i])) i++;
    const start = i;
    while (i < value.length && !sep(value[i])) i++;
    if (i > start) out.push({ text: value.slice(start, i), start, end: i });
  }
  return out;
}

function versionByName(s: string): number {
  return VERSIONS.findIndex((v) => v.toLowerCase() === s.toLowerCase());
}

/** A bound's version: a name or hex (`301`, `0x0303`); 6 stands for "newer than TLS 1.3". */
function boundVersion(s: string): number {
  const byName = versionByName(s);
  if (byName >= 0) return byName;
  const hex = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(s);
  if (!hex) return -1;
  const n = parseInt(hex[1], 16);
  if (n === 0x0002) return 0;
  if (n >= 0x0300 && n <= 0x0304) return n - 0x0300 + 1;
  return n > 0x0304 && n <= 0x03ff ? 6 : -1;
}

export function analyzeProtocols(value: string, side: ProtocolSide = 'client'): ProtocolAnalysis {
  const tokens = tokenizeProtocols(value);
  const syntax: SyntaxIssue[] = [];
  const include = new Set<number>();
  const exclude = new Set<number>();
  let min = 0;
  let max = 6;
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k];
    const t = tok.text;
    if (t.startsWith('>=') || t.startsWith('<=')) {
      const rest = t.slice(2);
      if (rest.length === 0) {
        const next = tokens[k + 1];
        const fixable = next !== undefined && boundVersion(next.text) >= 0;
        syntax.push({
          token: tok,
          reason: `"${t}" must be followed directly by a version: Postfix does not allow white space after it`,
          ...(fixable ? { replaceEnd: next.end, replacement: t + next.text } : {}),
        });
        if (fixable) k++;
        continue;
      }
      const v = boundVersion(rest);
      if (v < 0) {
        syntax.push({ token: tok, reason: `"${rest}" is not a TLS protocol version Postfix knows` });
        continue;
      }
      if (t[0] === '>') min = Math.max(min, v);
      else max = Math.min(max, v);
      continue;
    }
    const neg = t.startsWith('!');
    const name = neg ? t.slice(1) : t;
    const v = versionByName(name);
    if (v < 0) {
      syntax.push({
        token: tok,
        reason:
          name.length === 0
            ? '"!" must be followed directly by a protocol name'
            : `"${name}" is not a TLS protocol name Postfix knows (${VERSIONS.join(', ')})`,
      });
      continue;
    }
    (neg ? exclude : include).add(v);
  }
  const allowedIdx: number[] = [];
  for (let v = 0; v < VERSIONS.length; v++) {
    if (include.size > 0 && !include.has(v)) continue;
    if (exclude.has(v) || v < min || v > max) continue;
    allowedIdx.push(v);
  }
  // OpenSSL 1.1+ has no SSLv2 at all: it neither counts as the start of the run nor makes a hole.
  const usable = allowedIdx.filter((v) => v > 0);
  const effectiveIdx: number[] = [];
  for (const v of usable) {
    if (side === 'server' || effectiveIdx.length === 0 || v === effectiveIdx[effectiveIdx.length - 1] + 1) effectiveIdx.push(v);
    else break;
  }
  const effective = effectiveIdx.map((v) => VERSIONS[v]);
  const lostToHole = usable.filter((v) => !effectiveIdx.includes(v)).map((v) => VERSIONS[v]);
  const plainInclude = include.size > 0 && exclude.size === 0 && min === 0 && max === 6;
  // An include list turns off every version it does not name: the ones newer than its newest are the forgotten ones
  // (`TLSv1` alone leaves TLS 1.1, 1.2 and 1.3 off, not only 1.3).
  const newestIncluded = Math.max(...include);
  const droppedByIncludeList: Version[] = [];
  if (plainInclude && effectiveIdx.length > 0) for (let v = newestIncluded + 1; v < VERSIONS.length; v++) droppedByIncludeList.push(VERSIONS[v]);
  return {
    tokens,
    syntax,
    allowed: allowedIdx.map((v) => VERSIONS[v]),
    effective,
    lostToHole,
    droppedByIncludeList,
    legacy: effective.filter((v) => LEGACY.has(v)),
  };
}
