/**
 * Explains a pasted or logged mail TLS error: which catalog entries match, the ranked causes, the fix, and the
 * endpoint to probe when the text names one. Works on one message or a whole log excerpt; bounded in lines and
 * line length, so any input returns quickly and never throws.
 */
import { makeEndpoint, printable, validateHostname, type Endpoint } from '../endpoint';
import type { Finding, Severity } from '../finding';
import { makeFinding, type ExplainId, type FindingId } from '../findings';
import { maskExcerpt } from '../secrets';
import { CATALOG, type CatalogEntry, type Cause } from './catalog';

export type { Cause, Likelihood } from './catalog';

export interface ExplanationMatch {
  id: ExplainId;
  severity: Severity;
  title: string;
  detail: string;
  /** Ranked: likely causes first. */
  causes: Cause[];
  fix: string;
  endpoint?: Endpoint;
  /** The lines that matched (trimmed, passwords masked). */
  evidence: string[];
  /** How many lines matched. */
  count: number;
}

export interface Explanation {
  matches: ExplanationMatch[];
}

const MAX_LINES = 5_000;
const MAX_LINE_LENGTH = 4_096;
const MAX_EVIDENCE = 3;

export interface LineMatch {
  entry: CatalogEntry;
  endpoint?: Endpoint;
}

export function explainError(text: string): Explanation {
  if (typeof text !== 'string') return { matches: [] };
  const postfix = looksLikePostfix(text.slice(0, 65_536));
  const dovecot = looksLikeDovecot(text.slice(0, 65_536));
  const byKey = new Map<string, ExplanationMatch>();
  let lines = 0;
  for (const line of splitLines(text)) {
    if (++lines > MAX_LINES) break;
    for (const m of classifyLine(line)) {
      const key = `${m.entry.id}|${m.endpoint ? `${m.endpoint.host}:${m.endpoint.port}` : ''}`;
      let match = byKey.get(key);
      if (!match) {
        // A line of Dovecot's is read as Dovecot's whatever else the paste holds; one of Postfix's likewise.
        const side = looksLikeDovecot(line) ? 'dovecot' : postfix || looksLikePostfix(line) ? 'postfix' : dovecot ? 'dovecot' : undefined;
        match = toMatch(m.entry, side, m.endpoint);
        byKey.set(key, match);
      }
      match.count++;
      const ev = evidenceLine(line);
      if (match.evidence.length < MAX_EVIDENCE && !match.evidence.includes(ev)) match.evidence.push(ev);
    }
  }
  const matches = [...byKey.values()];
  // In a paste that names one server, the lines without a name (the OpenSSL reason) are about that server too.
  const named = new Map(matches.filter((m) => m.endpoint).map((m) => [`${m.endpoint?.host}:${m.endpoint?.port}`, m.endpoint]));
  if (named.size === 1) {
    const only = [...named.values()][0];
    for (const m of matches) if (!m.endpoint && only) m.endpoint = only;
  }
  return { matches: dedupeSameId(matches) };
}

/** The catalog entries one line matches (generic ones only when nothing specific did), with its endpoint. */
export function classifyLine(rawLine: string): LineMatch[] {
  const line = rawLine.length > MAX_LINE_LENGTH ? rawLine.slice(0, MAX_LINE_LENGTH) : rawLine;
  const specific: CatalogEntry[] = [];
  const generic: CatalogEntry[] = [];
  for (const e of CATALOG) if (e.pattern.test(line)) (e.generic ? generic : specific).push(e);
  const chosen = specific.length ? specific : generic;
  const superseded = new Set(chosen.flatMap((e) => e.supersedes ?? []));
  const entries = superseded.size ? chosen.filter((e) => !superseded.has(e.id)) : chosen;
  if (!entries.length) return [];
  const endpoint = endpointIn(line);
  return entries.map((entry) => (endpoint ? { entry, endpoint } : { entry }));
}

/** Dovecot's log lines: `dovecot: imap-login: ...`, `imap-login: ... SSL_accept() failed`. */
export function looksLikeDovecot(text: string): boolean {
  return /\b(?:imap|pop3|submission|managesieve|lmtp)-login: |\bdovecot(?:\[\d+\])?: /.test(text);
}

export function looksLikePostfix(text: string): boolean {
  return /postfix\/|\bsmtpd?\[\d+\]|SSL_connect error|SSL_accept error|TLS library problem|TLS connection established|Cannot start TLS|certificate verification failed for/.test(
    text,
  );
}

/**
 * The server a line names as the peer of an outgoing connection: Postfix `to HOST[IP]:PORT`, `for HOST[IP]:PORT`,
 * `relay=HOST[IP]:PORT`, Node `connect ECONNREFUSED 1.2.3.4:587`, `Host: name. is not in the cert's altnames`.
 * A `from HOST[IP]` is a client of ours, not a server to probe, and is ignored.
 */
export function endpointIn(line: string): Endpoint | undefined {
  const postfix = /(?:\b(?:to|for)\s+|\brelay=)([A-Za-z0-9._-]+)\[([0-9A-Fa-f:.]+)\]:(\d{1,5})/.exec(line);
  if (postfix) return build(postfix[1] === 'unknown' ? postfix[2] : postfix[1], Number(postfix[3]));
  const node = /\b(?:ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\s+\[?((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f:]+)\]?:(\d{1,5})\b/.exec(line);
  if (node) return build(node[1], Number(node[2]));
  const altname = /Host: ([A-Za-z0-9._-]+?)\.? is not in the cert's altnames/.exec(line);
  if (altname) return build(altname[1], undefined);
  const notFound = /\bENOTFOUND\s+([A-Za-z0-9._-]+)/.exec(line);
  if (notFound) return build(notFound[1], undefined);
  return undefined;
}

function build(host: string, port: number | undefined): Endpoint | undefined {
  if (!validateHostname(host).ok) return undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return makeEndpoint(host, port, { protocol: 'smtp' });
}

/** A catalog entry's causes, likely ones first (otherwise in the catalog's order). */
export function rankedCauses(causes: readonly Cause[]): Cause[] {
  return [...causes].sort((a, b) => (a.likelihood === b.likelihood ? 0 : a.likelihood === 'likely' ? -1 : 1));
}

function toMatch(entry: CatalogEntry, side: 'postfix' | 'dovecot' | undefined, endpoint: Endpoint | undefined): ExplanationMatch {
  const pf = side ? entry[side] : undefined;
  const variant = pf ?? entry;
  const causes = rankedCauses(variant.causes);
  const m: ExplanationMatch = {
    id: entry.id,
    severity: entry.severity,
    title: pf?.title ?? entry.title,
    detail: pf?.detail ?? entry.detail,
    causes,
    fix: variant.fix,
    evidence: [],
    count: 0,
  };
  if (endpoint) m.endpoint = endpoint;
  return m;
}

/** Keeps one match per id when some carry an endpoint and one does not. */
function dedupeSameId(matches: ExplanationMatch[]): ExplanationMatch[] {
  return matches.filter((m) => m.endpoint || !matches.some((o) => o !== m && o.id === m.id && o.endpoint));
}

function* splitLines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, Math.min(end, start + MAX_LINE_LENGTH));
    if (line.trim() !== '') yield line;
    start = end + 1;
  }
}

/** Masks anything that looks like a credential, then makes the line printable. */
export function evidenceLine(line: string): string {
  return printable(maskExcerpt(line).trim(), 300);
}

/** What a catalog explanation says, in the words a finding carries. */
export interface ExplanationParts {
  severity: Severity;
  title: string;
  detail: string;
  /** Ranked (`rankedCauses`). */
  causes: readonly Cause[];
  fix: string;
  evidence: string[];
}

/**
 * The one way an explanation becomes a finding, for `explain` (the editor, the JSON report) and the mail-log
 * linter: the detail followed by each cause ("Likely: ..."), then `extra.detailEnd`; the location, if any, after.
 */
export function explanationFinding(
  id: FindingId,
  m: ExplanationParts,
  extra: { detailEnd?: string } & Pick<Finding, 'file' | 'range' | 'related'> = {},
): Finding {
  const { detailEnd, ...where } = extra;
  const causes = m.causes.map((c) => `${c.likelihood === 'likely' ? 'Likely' : 'Possible'}: ${c.cause}`).join(' ');
  return makeFinding(id, {
    severity: m.severity,
    title: m.title,
    detail: `${m.detail} ${causes}${detailEnd ? ` ${detailEnd}` : ''}`,
    fix: m.fix,
    evidence: m.evidence,
    ...where,
  });
}

/** The same explanation as a Finding, for the editor and the JSON report. */
export function matchToFinding(m: ExplanationMatch): Finding {
  return explanationFinding(m.id, m);
}
