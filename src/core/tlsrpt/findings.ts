/**
 * Findings for one parsed TLS-RPT report: one per policy and failing result type (with the sessions, MX hosts and
 * sending IPs behind it), what the report says about policies without failures, the report's contradictions, and
 * what the reader had to repair. Positions point at the first place in the JSON text that names the thing.
 */
import { makeEndpoint, printable, validateHostname } from '../endpoint';
import type { Finding, Range, Severity } from '../finding';
import { makeFinding, type FindingId, type FindingParts } from '../findings';
import type { ResultType } from './parse';
import { LineIndex } from '../lint/lines';
import { cliCommandFor } from '../report/cliCommand';
import { resultTypeInfo } from './resultTypes';
import type { ParseProblem, ProblemKind, TlsRptFailure, TlsRptPolicy, TlsRptReport } from './types';

/** A TLS-RPT finding in the report's file: explicit severity, the range of the JSON text it is about (if found). */
type BuildFinding = (id: FindingId, severity: Severity, range: Range | undefined, parts: Omit<FindingParts, 'severity' | 'file' | 'range'>) => Finding;

const MAX_EVIDENCE = 6;

export interface FindingContext {
  file?: string;
  /** The JSON text, to point findings at a line; absent for a gzipped file (its lines are not in the editor). */
  text?: string;
  /** Whether the CLI has the `check DOMAIN` command; without it only MX probes are suggested. */
  domainCheck?: boolean;
}

/** A safe command line that checks the thing a failure is about (names are validated, so nothing needs quoting). */
export function checkCommands(policy: TlsRptPolicy, mxHosts: readonly string[], domainCheck: boolean): string[] {
  const out: string[] = [];
  if (domainCheck && policy.domain && validateHostname(policy.domain).ok) out.push(`mail-tls-doctor check ${policy.domain}`);
  for (const mx of mxHosts) {
    if (out.length >= 4) break;
    if (validateHostname(mx).ok && !/^\d+\.\d+\.\d+\.\d+$/.test(mx)) out.push(cliCommandFor(makeEndpoint(mx, 25, { protocol: 'smtp', mode: 'starttls' })));
  }
  return out;
}

export function reportFindings(report: TlsRptReport, problems: readonly ParseProblem[], ctx: FindingContext = {}): Finding[] {
  const findings: Finding[] = [];
  const sender = report.organization ? printable(report.organization, 80) : 'An unnamed sender';
  const period = periodText(report);
  const at = (needle: string | undefined) => locate(ctx.text, needle);
  const finding: BuildFinding = (id, severity, range, parts) => makeFinding(id, { severity, ...parts, file: ctx.file, range });

  report.policies.forEach((p) => {
    const dom = p.domain ? printable(p.domain, 120) : '(no policy-domain)';
    const label = `${policyLabel(p.type)} for ${dom}`;
    const testing = p.type === 'sts' && (p.stsMode === 'testing' || p.stsMode === 'none');
    const byType = new Map<string, TlsRptFailure[]>();
    for (const f of p.failures) {
      const list = byType.get(f.resultType) ?? [];
      list.push(f);
      byType.set(f.resultType, list);
    }
    for (const [type, rows] of byType) {
      const sessions = rows.reduce((n, r) => n + r.sessions, 0);
      const info = resultTypeInfo(type);
      const mxs = unique(rows.map((r) => r.receivingMx).filter((x): x is string => !!x));
      const mxForCheck = mxs.length ? mxs : p.mxHosts.map((m) => m.replace(/^\*\./, ''));
      const checks = checkCommands(p, info?.scope === 'domain' ? [] : mxForCheck, ctx.domainCheck ?? false);
      const named = (t: string) => (p.domain && validateHostname(p.domain).ok ? t.replace(/\bDOMAIN\b/g, p.domain) : t);
      const mxText = mxs.length
        ? ` at ${mxs
            .slice(0, 3)
            .map((m) => printable(m, 100))
            .join(', ')}${mxs.length > 3 ? ` and ${mxs.length - 3} more` : ''}`
        : '';
      findings.push(
        finding(
          info ? (`tlsrpt.${type as ResultType}` as const) : 'tlsrpt.unknown-result-type',
          sessions === 0 ? 'info' : testing ? 'warning' : 'error',
          at(type),
          {
            title: `${sender} reports ${sessions} failed session${sessions === 1 ? '' : 's'}${mxText}: ${info?.title ?? `result type "${printable(type, 60)}"`} (${label}${period}).`,
            detail:
              `${named(info?.detail ?? '') || "RFC 8460 does not define this result type; the sender's own documentation may."}` +
              (testing ? ' The MTA-STS policy is in "testing" mode, so the mail was still delivered, possibly without TLS.' : '') +
              reasonText(rows),
            fix: `${named(info?.fix ?? '') || "Probe the MX and compare with the sender's failure-reason-code."}${checks.length ? ` Check now: ${checks.join(' ; ')}` : ''}`,
            evidence: rows.slice(0, MAX_EVIDENCE).map(rowEvidence),
          },
        ),
      );
    }
    const detailSum = p.failures.reduce((n, f) => n + f.sessions, 0);
    if (p.failures.length > 0 && detailSum !== p.failed) {
      findings.push(
        finding('tlsrpt.summary-mismatch', 'warning', at(p.domain), {
          title: `The report contradicts itself: the summary of the ${label} counts ${p.failed} failed session${p.failed === 1 ? '' : 's'}, its failure details add up to ${detailSum}.`,
          detail:
            'RFC 8460 says total-failure-session-count is the number of failed sessions and each failure-details row counts some of them. A sender ' +
            'that aggregates or truncates rows differently produces this; trust neither number alone.',
          fix: 'Use the larger number as the upper bound of failures; if it recurs, tell the sender (contact-info in the report).',
          evidence: [
            `total-failure-session-count: ${p.failed}`,
            `sum of failed-session-count: ${detailSum} (${p.failures.length} row${p.failures.length === 1 ? '' : 's'})`,
          ],
        }),
      );
    } else if (p.failures.length === 0 && p.failed > 0) {
      findings.push(
        finding('tlsrpt.failures-without-details', 'warning', at(p.domain), {
          title: `${sender} reports ${p.failed} failed session${p.failed === 1 ? '' : 's'} for the ${label} without saying why (no failure-details).`,
          detail: 'The summary counts failures, but the report lists no failure-details rows, so the result type and MX are unknown.',
          fix: `Probe your MX hosts and check the policy now.${checkSuffix(p, p.mxHosts, ctx)}`,
        }),
      );
    }
    if (p.failed === 0 && byType.size === 0) {
      if (p.type === 'no-policy-found') {
        findings.push(
          finding('tlsrpt.no-policy-found', 'info', at(p.domain), {
            title: `${sender} found no MTA-STS or DANE policy for ${dom}: ${p.successful} session${p.successful === 1 ? '' : 's'} used opportunistic TLS${period}.`,
            detail:
              'Without MTA-STS or DANE, a sender encrypts if it can but delivers in plain text when STARTTLS is missing or stripped, and does not ' +
              'check your certificate. The sessions succeeded.',
            fix: `To have senders insist on TLS, publish an MTA-STS policy (mode: testing first) or DNSSEC-signed TLSA records for your MX hosts.${checkSuffix(p, [], ctx)}`,
          }),
        );
      } else {
        findings.push(
          finding('tlsrpt.all-sessions-succeeded', 'info', at(p.domain), {
            title: `${sender}: ${p.successful === 1 ? 'the one session' : `all ${p.successful} sessions`} under the ${label} succeeded${period}.`,
            detail: `No failures were reported${p.type === 'sts' && p.stsMode ? ` (MTA-STS mode: ${printable(p.stsMode, 20)})` : ''}.`,
            fix:
              p.type === 'sts' && p.stsMode === 'testing'
                ? 'When reports stay clean for a few weeks, switch the MTA-STS policy to mode: enforce.'
                : 'Nothing to fix.',
          }),
        );
      }
    }
  });

  findings.push(...doubleCounting(report, sender, at, finding));
  findings.push(...problemFindings(problems, ctx, finding));
  return findings;
}

/** Microsoft lists a domain's sessions once under its TLSA policy and again under its STS policy. */
function doubleCounting(report: TlsRptReport, sender: string, at: (n: string | undefined) => Range | undefined, finding: BuildFinding): Finding[] {
  const out: Finding[] = [];
  const byDomain = new Map<string, TlsRptPolicy[]>();
  for (const p of report.policies) {
    if (!p.domain || (p.type !== 'sts' && p.type !== 'tlsa')) continue;
    byDomain.set(p.domain, [...(byDomain.get(p.domain) ?? []), p]);
  }
  for (const [domain, list] of byDomain) {
    const sts = list.filter((p) => p.type === 'sts');
    const tlsa = list.filter((p) => p.type === 'tlsa');
    if (!sts.length || !tlsa.length) continue;
    const total = (ps: TlsRptPolicy[]) => ps.reduce((n, p) => n + p.successful + p.failed, 0);
    const a = total(tlsa);
    const b = total(sts);
    const same = a === b;
    out.push(
      finding('tlsrpt.same-sessions-counted-twice', 'info', at(domain), {
        title: same
          ? `${sender} counts the same ${a} session${a === 1 ? '' : 's'} to ${printable(domain, 120)} under both its TLSA and its MTA-STS policy: ${a} sessions, not ${a + b}.`
          : `${sender} lists ${printable(domain, 120)} under both a TLSA policy (${a} sessions) and an MTA-STS policy (${b} sessions); the two likely count the same sessions.`,
        detail:
          'A sender that evaluates both DANE and MTA-STS for a domain reports each session once per policy. Adding the policies up counts ' +
          `the sessions twice; the number of distinct sessions is ${same ? a : `between ${Math.max(a, b)} and ${a + b}`}.`,
        fix: 'Nothing to fix on your side; read the per-policy numbers separately and do not add them up.',
        evidence: [
          `tlsa: ${tlsa.map((p) => `${p.successful} ok / ${p.failed} failed`).join(', ')}`,
          `sts: ${sts.map((p) => `${p.successful} ok / ${p.failed} failed`).join(', ')}`,
        ],
      }),
    );
  }
  return out;
}

const PROBLEM_FINDING: Record<ProblemKind, { id: FindingId; severity: Severity; title: string; fix: string }> = {
  'not-json': {
    id: 'tlsrpt.unreadable',
    severity: 'error',
    title: 'This TLS-RPT report cannot be read.',
    fix: 'Save the report attachment as sent (application/tlsrpt+json or +gzip) and read it again.',
  },
  'not-tlsrpt': {
    id: 'tlsrpt.unreadable',
    severity: 'error',
    title: 'This file is not a TLS-RPT report.',
    fix: 'Give the JSON (or .json.gz) attachment of a TLS-RPT report mail.',
  },
  'too-large': {
    id: 'tlsrpt.unreadable',
    severity: 'error',
    title: 'This TLS-RPT report is too large to read.',
    fix: 'A daily report is a few kilobytes; check that the file is what it claims to be.',
  },
  'bad-count': {
    id: 'tlsrpt.bad-count',
    severity: 'warning',
    title: 'Some session counts in this report are not plain integers.',
    fix: 'The counts shown are the ones that could be read; tell the sender if it recurs.',
  },
  'bad-date': {
    id: 'tlsrpt.bad-date',
    severity: 'warning',
    title: "The report's date range cannot be read.",
    fix: 'The period of this report is unknown; its counts are still shown.',
  },
  'missing-field': {
    id: 'tlsrpt.missing-field',
    severity: 'info',
    title: 'The report leaves out fields RFC 8460 asks for (read anyway).',
    fix: 'Nothing to do: real senders omit these; the counts are still read.',
  },
  'unknown-policy-type': {
    id: 'tlsrpt.unknown-type',
    severity: 'warning',
    title: 'The report uses a policy or result type RFC 8460 does not define.',
    fix: "Check the sender's documentation for the type.",
  },
  'unknown-result-type': {
    id: 'tlsrpt.unknown-type',
    severity: 'warning',
    title: 'The report uses a policy or result type RFC 8460 does not define.',
    fix: "Check the sender's documentation for the type.",
  },
  truncated: {
    id: 'tlsrpt.truncated',
    severity: 'warning',
    title: 'The report is larger than this reader reads in full; the rest was skipped.',
    fix: 'Counts cover only what was read.',
  },
};

function problemFindings(problems: readonly ParseProblem[], ctx: FindingContext, finding: BuildFinding): Finding[] {
  const byId = new Map<string, { kind: ProblemKind; messages: string[] }>();
  for (const p of problems) {
    const spec = PROBLEM_FINDING[p.kind];
    const g = byId.get(spec.id) ?? { kind: p.kind, messages: [] };
    g.messages.push(p.message);
    byId.set(spec.id, g);
  }
  return [...byId.values()].map((g) => {
    const spec = PROBLEM_FINDING[g.kind];
    return finding(spec.id, spec.severity, ctx.text !== undefined ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } : undefined, {
      title: spec.title,
      detail:
        g.messages
          .slice(0, 3)
          .map((m) => printable(m, 300))
          .join(' ') + (g.messages.length > 3 ? ` (${g.messages.length - 3} more)` : ''),
      fix: spec.fix,
      evidence: g.messages.slice(0, MAX_EVIDENCE).map((m) => printable(m, 300)),
    });
  });
}

function checkSuffix(p: TlsRptPolicy, mx: readonly string[], ctx: FindingContext): string {
  const c = checkCommands(p, mx, ctx.domainCheck ?? false);
  return c.length ? ` Check now: ${c.join(' ; ')}` : '';
}

export function policyLabel(type: string): string {
  if (type === 'sts') return 'MTA-STS policy';
  if (type === 'tlsa') return 'DANE (TLSA) policy';
  if (type === 'no-policy-found') return 'no-policy-found entry';
  return `"${printable(type, 30)}" policy`;
}

function periodText(r: TlsRptReport): string {
  if (!r.start) return '';
  const day = (s: string) => printable(s.slice(0, 10), 20);
  return r.end && day(r.end) !== day(r.start) && !/T00:00:00Z$/.test(r.end) ? `, ${day(r.start)} to ${day(r.end)}` : `, ${day(r.start)}`;
}

function reasonText(rows: TlsRptFailure[]): string {
  const reasons = unique(rows.map((r) => r.reasonCode ?? r.additionalInfo).filter((x): x is string => !!x));
  if (!reasons.length) return '';
  return ` The sender says: ${reasons
    .slice(0, 3)
    .map((r) => `"${printable(r, 200)}"`)
    .join('; ')}.`;
}

function rowEvidence(f: TlsRptFailure): string {
  const parts = [`${printable(f.resultType, 40)}: ${f.sessions} session${f.sessions === 1 ? '' : 's'}`];
  if (f.receivingMx) parts.push(`receiving-mx-hostname ${printable(f.receivingMx, 100)}`);
  if (f.receivingIp) parts.push(`receiving-ip ${printable(f.receivingIp, 45)}`);
  if (f.sendingIp) parts.push(`sending-mta-ip ${printable(f.sendingIp, 45)}`);
  if (f.reasonCode) parts.push(`failure-reason-code ${printable(f.reasonCode, 160)}`);
  return parts.join(', ');
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The range of the first `"needle"` in the text (case-insensitive), in the editor's line model, for a finding's position. */
export function locate(text: string | undefined, needle: string | undefined): Range | undefined {
  if (text === undefined) return undefined;
  const zero: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (!needle) return zero;
  const idx = text.toLowerCase().indexOf(`"${needle.toLowerCase()}"`);
  if (idx < 0) return zero;
  const index = new LineIndex(text);
  return { start: index.position(idx + 1), end: index.position(idx + 1 + needle.length) };
}
