/**
 * Reads a TLS-RPT report (RFC 8460 section 4) leniently, the way real senders write them: field names in any case
 * or with `_` for `-`, dates with or without `T`/`Z`/fractions or as epoch seconds, `contact-info: null`, failure
 * rows without `sending-mta-ip` or with empty strings, policies without `policy-domain`, policy lines ending in CR,
 * and Microsoft's TLSA `policy-string` holding a JSON array in one string. What matters is checked strictly: the
 * session counts must be non-negative integers, and every repair is reported as a problem. Bounded and never throws.
 */
import type { ParseOutcome, ParseProblem, TlsRptFailure, TlsRptPolicy, TlsRptReport } from './types';

export const MAX_POLICIES = 10_000;
export const MAX_FAILURE_ROWS = 100_000;
const MAX_STRING = 2_048;
const MAX_POLICY_LINES = 200;

export const RESULT_TYPES = [
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
] as const;
export type ResultType = (typeof RESULT_TYPES)[number];
export const POLICY_TYPES = ['sts', 'tlsa', 'no-policy-found'] as const;

type Obj = Record<string, unknown>;

/** `Organization-Name`, `organization_name` and `organizationName` all read as `organization-name`. */
function norm(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function get(o: Obj, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(o, name)) return o[name];
  const want = norm(name);
  for (const k of Object.keys(o)) if (norm(k) === want) return o[k];
  return undefined;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty trimmed string, bounded; empty strings and null count as absent (real senders send both). */
function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/\r/g, '').trim();
  if (t === '') return undefined;
  return t.length > MAX_STRING ? `${t.slice(0, MAX_STRING)}…` : t;
}

export function looksLikeTlsRpt(text: string): boolean {
  const head = text.slice(0, 16_384);
  return /"policies"\s*:/i.test(head) && /"(organization[-_]?name|report[-_]?id|date[-_]?range)"\s*:/i.test(head);
}

export function parseTlsRpt(text: string): ParseOutcome {
  const problems: ParseProblem[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // JSON.parse's message quotes the text around the error: it could carry anything, so it is not repeated.
    return { problems: [{ kind: 'not-json', message: 'The file is not valid JSON (a truncated download, or a mail part saved with its headers?).' }] };
  }
  if (!isObj(data)) return { problems: [{ kind: 'not-tlsrpt', message: 'The JSON is not an object, so it is not a TLS-RPT report.' }] };
  const rawPolicies = get(data, 'policies');
  if (!Array.isArray(rawPolicies)) {
    return { problems: [{ kind: 'not-tlsrpt', message: 'The JSON has no "policies" array, so it is not a TLS-RPT report.' }] };
  }
  const report: TlsRptReport = { policies: [] };
  const organization = str(get(data, 'organization-name'));
  if (organization) report.organization = organization;
  else problems.push({ kind: 'missing-field', message: 'The report names no sender ("organization-name" is missing or empty).' });
  const contact = str(get(data, 'contact-info'));
  if (contact) report.contact = contact;
  const reportId = str(get(data, 'report-id'));
  if (reportId) report.reportId = reportId;
  else problems.push({ kind: 'missing-field', message: 'The report has no "report-id".' });

  const range = get(data, 'date-range');
  if (isObj(range)) {
    const start = readDate(get(range, 'start-datetime'), 'start-datetime', problems);
    const end = readDate(get(range, 'end-datetime'), 'end-datetime', problems);
    if (start) report.start = start;
    if (end) report.end = end;
    if (start && end && isIso(start) && isIso(end) && end < start) {
      problems.push({ kind: 'bad-date', message: `The report ends (${end}) before it starts (${start}).` });
    }
  } else {
    problems.push({ kind: 'missing-field', message: 'The report has no "date-range", so the period it covers is unknown.' });
  }

  if (rawPolicies.length > MAX_POLICIES) {
    problems.push({ kind: 'truncated', message: `The report lists ${rawPolicies.length} policies; only the first ${MAX_POLICIES} were read.` });
  }
  let rows = 0;
  rawPolicies.slice(0, MAX_POLICIES).forEach((raw, i) => {
    const p = readPolicy(raw, i, problems, () => rows++ < MAX_FAILURE_ROWS);
    if (p) report.policies.push(p);
  });
  if (rows > MAX_FAILURE_ROWS) {
    problems.push({ kind: 'truncated', message: `The report has more than ${MAX_FAILURE_ROWS} failure rows; the rest were not read.` });
  }
  return { report, problems };
}

function readPolicy(raw: unknown, i: number, problems: ParseProblem[], takeRow: () => boolean): TlsRptPolicy | undefined {
  const where = `policies[${i}]`;
  if (!isObj(raw)) {
    problems.push({ kind: 'missing-field', message: `${where} is not an object; skipped.` });
    return undefined;
  }
  const pol = get(raw, 'policy');
  const polObj: Obj = isObj(pol) ? pol : {};
  if (!isObj(pol)) problems.push({ kind: 'missing-field', message: `${where} has no "policy" object.` });
  const type = str(get(polObj, 'policy-type'))?.toLowerCase() ?? 'unknown';
  if (!(POLICY_TYPES as readonly string[]).includes(type)) {
    problems.push({ kind: 'unknown-policy-type', message: `${where} has policy-type "${type}", which RFC 8460 does not define (sts, tlsa, no-policy-found).` });
  }
  const domain = str(get(polObj, 'policy-domain'))?.toLowerCase().replace(/\.$/, '');
  if (!domain) problems.push({ kind: 'missing-field', message: `${where} (${type}) names no policy-domain.` });
  const policyStrings = readPolicyStrings(get(polObj, 'policy-string'));
  const mxHosts = listOfStrings(get(polObj, 'mx-host'));
  const summary = get(raw, 'summary');
  const sumObj: Obj = isObj(summary) ? summary : {};
  if (!isObj(summary)) problems.push({ kind: 'missing-field', message: `${where} has no "summary": its session counts are unknown.` });
  const successful = readCount(get(sumObj, 'total-successful-session-count'), `${where}.summary.total-successful-session-count`, problems);
  const failed = readCount(get(sumObj, 'total-failure-session-count'), `${where}.summary.total-failure-session-count`, problems);
  const failures: TlsRptFailure[] = [];
  const details = get(raw, 'failure-details');
  if (Array.isArray(details)) {
    details.forEach((d, j) => {
      if (!takeRow()) return;
      const f = readFailure(d, `${where}.failure-details[${j}]`, problems);
      if (f) failures.push(f);
    });
  } else if (details !== undefined && details !== null) {
    problems.push({ kind: 'missing-field', message: `${where}.failure-details is not an array; ignored.` });
  }
  const policy: TlsRptPolicy = { type, policyStrings, mxHosts, successful, failed, failures };
  if (domain) policy.domain = domain;
  const mode = /^mode:\s*(\S+)/i.exec(policyStrings.find((l) => /^mode:/i.test(l)) ?? '')?.[1]?.toLowerCase();
  if (type === 'sts' && mode) policy.stsMode = mode;
  return policy;
}

function readFailure(raw: unknown, where: string, problems: ParseProblem[]): TlsRptFailure | undefined {
  if (!isObj(raw)) {
    problems.push({ kind: 'missing-field', message: `${where} is not an object; skipped.` });
    return undefined;
  }
  const resultType = str(get(raw, 'result-type'))?.toLowerCase();
  if (!resultType) {
    problems.push({ kind: 'missing-field', message: `${where} has no result-type; its sessions are counted but cannot be explained.` });
  } else if (!(RESULT_TYPES as readonly string[]).includes(resultType)) {
    problems.push({ kind: 'unknown-result-type', message: `${where} has result-type "${resultType}", which RFC 8460 does not define.` });
  }
  const f: TlsRptFailure = {
    resultType: resultType ?? 'unknown',
    sessions: readCount(get(raw, 'failed-session-count'), `${where}.failed-session-count`, problems),
  };
  const set = (k: keyof TlsRptFailure, v: string | undefined) => {
    if (v !== undefined) (f as unknown as Record<string, string>)[k] = v;
  };
  set('sendingIp', str(get(raw, 'sending-mta-ip')));
  set('receivingMx', str(get(raw, 'receiving-mx-hostname'))?.toLowerCase().replace(/\.$/, ''));
  set('receivingIp', str(get(raw, 'receiving-ip')));
  set('receivingHelo', str(get(raw, 'receiving-mx-helo')));
  // The RFC's own example (section 4.4) writes `failure-error-code`; read it as the reason code it means.
  set('reasonCode', str(get(raw, 'failure-reason-code')) ?? str(get(raw, 'failure-error-code')));
  set('additionalInfo', str(get(raw, 'additional-information')));
  return f;
}

/** Counts must be integers >= 0. A digit string is read (and reported); anything else counts as 0 and is reported. */
function readCount(v: unknown, where: string, problems: ParseProblem[]): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v)) {
    problems.push({ kind: 'bad-count', message: `${where} is written as a string ("${v.trim()}"); read as ${Number(v)}.` });
    return Number(v);
  }
  const shown = v === undefined ? 'missing' : (JSON.stringify(v)?.slice(0, 40) ?? String(v));
  problems.push({ kind: 'bad-count', message: `${where} is not a session count (${shown}); counted as 0.` });
  return 0;
}

function listOfStrings(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const item of items.slice(0, MAX_POLICY_LINES)) {
    const s = str(item);
    if (s) out.push(s);
  }
  return out;
}

/** Policy lines; a line that is itself a JSON array of strings (Microsoft's TLSA records) is unpacked. */
function readPolicyStrings(v: unknown): string[] {
  const out: string[] = [];
  for (const line of listOfStrings(v)) {
    if (line.startsWith('[') && line.endsWith(']')) {
      try {
        const inner = JSON.parse(line) as unknown;
        if (Array.isArray(inner) && inner.every((x) => typeof x === 'string')) {
          out.push(...listOfStrings(inner));
          continue;
        }
      } catch {
        // Not JSON after all: keep the line as written.
      }
    }
    out.push(line);
  }
  return out.slice(0, MAX_POLICY_LINES);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

function isIso(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(s);
}

/**
 * RFC 8460 wants RFC 3339 date-times; senders also write `2024-09-03 00:00:00`, no zone (read as UTC), fractions,
 * offsets, date only, or epoch seconds. Returns ISO 8601 UTC, or the text as written (with a problem) when unreadable.
 */
export function readDate(v: unknown, name: string, problems: ParseProblem[]): string | undefined {
  if (v === undefined || v === null || v === '') {
    problems.push({ kind: 'missing-field', message: `The date-range has no ${name}.` });
    return undefined;
  }
  let ms: number | undefined;
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d{9,13}\s*$/.test(v))) {
    const n = Number(v);
    ms = n > 1e11 ? n : n * 1000;
  } else if (typeof v === 'string') {
    const m = ISO.exec(v.trim());
    if (m) {
      const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
      let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
      if (zone && /^[+-]/.test(zone)) {
        const z = zone.replace(':', '');
        const sign = z[0] === '-' ? -1 : 1;
        t -= sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
      }
      if (Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= 31) ms = t;
    }
  }
  if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    const shown = str(v) ?? JSON.stringify(v)?.slice(0, 40) ?? '?';
    problems.push({ kind: 'bad-date', message: `The ${name} "${shown}" is not a date this reader understands.` });
    return str(v);
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
