/**
 * `mail-tls-doctor explain --report FILE... [--json]`: TLS-RPT reports (RFC 8460, `.json` or `.json.gz`) summarised
 * per policy with the session counts exactly as each report states them, every failing result type explained, and
 * the report's contradictions. Exit codes: 0 when every report was read and shows no failure, 1 when a report
 * shows failed sessions or could not be read, 2 on bad usage; with `--fail-on`, 1 when a finding reaches it.
 */
import * as fs from 'node:fs';
import { printable } from '../core/endpoint';
import { jsonText, termSafe as t } from '../core/escape';
import { hasError, type Finding } from '../core/finding';
import { makeFinding } from '../core/findings';
import { MAX_COMPRESSED_BYTES, MAX_REPORT_BYTES, policyLabel, readReportBytes, type ReportSummary } from '../core/tlsrpt';
import { failsThreshold } from '../core/report/threshold';
import { CliIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, paint, UsageError } from './io';
import { takeCommonOptions, type CommonOptions } from './output';

/** Whether this CLI has the domain `check` command (suggested as "check now" for domain-level failures). */
function hasDomainCheck(): boolean {
  return (require('./main') as typeof import('./main')).hasCommand('check');
}

export function readReportFile(file: string, domainCheck = hasDomainCheck()): ReportSummary {
  const bytes = readBounded(file);
  if (typeof bytes === 'string') {
    return {
      file,
      organization: null,
      reportId: null,
      start: null,
      end: null,
      policies: [],
      findings: [
        makeFinding('tlsrpt.unreadable', {
          severity: 'error',
          title: 'This TLS-RPT report cannot be read.',
          detail: bytes,
          fix: 'Check the path and that it is a regular file.',
          file,
        }),
      ],
    };
  }
  return readReportBytes(file, bytes, { domainCheck }).summary;
}

/** The file's bytes, or why they cannot be read. Refuses non-regular files and anything above the caps. */
function readBounded(file: string): Uint8Array | string {
  let fd: number | undefined;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return `${file} is not a regular file.`;
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const cap = Math.max(MAX_REPORT_BYTES, MAX_COMPRESSED_BYTES) + 1;
    const buf = Buffer.alloc(Math.min(fs.fstatSync(fd).size, cap));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } catch (err) {
    return `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`;
  } finally {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* closed */
      }
  }
}

export async function runExplainReport(args: string[], io: CliIO): Promise<number> {
  const usage = (message: string): number => {
    io.err(`mail-tls-doctor explain: ${message}\nUsage: mail-tls-doctor explain --report FILE... [--json | --format json|text] [--fail-on LEVEL]\n`);
    return EXIT_USAGE;
  };
  let common: CommonOptions;
  let rest: string[];
  try {
    // The options every command takes (README: --fail-on in CI); --report prints text or one JSON document only.
    ({ common, rest } = takeCommonOptions(args, ['text', 'json']));
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
  const files: string[] = [];
  for (const a of rest) {
    if (a === '--report' || a === '--') continue;
    if (a.startsWith('--')) return usage(`unknown option "${printable(a, 60)}"`);
    files.push(a);
  }
  if (!files.length) {
    io.err('mail-tls-doctor explain: --report needs at least one TLS-RPT file (.json or .json.gz)\n');
    return EXIT_USAGE;
  }
  const reports = files.map((f) => readReportFile(f));
  if (common.format === 'json') io.out(`${jsonText({ reports })}\n`);
  else io.out(renderReports(reports, io.color));
  // With --fail-on the findings' severities decide, as in every command; without, any failed session (or an error) exits 1.
  if (common.failOnGiven)
    return failsThreshold(
      reports.flatMap((r) => r.findings),
      common.failOn,
    )
      ? EXIT_FINDINGS
      : EXIT_OK;
  const failed = reports.some((r) => r.policies.some((p) => p.failed > 0) || hasError(r.findings));
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

export function renderReports(reports: ReportSummary[], color: boolean): string {
  const c = paint(color);
  const out: string[] = [];
  for (const r of reports) {
    const who = r.organization ? printable(r.organization, 80) : '(unnamed sender)';
    const when = r.start ? ` ${printable(r.start, 30)}${r.end ? ` .. ${printable(r.end, 30)}` : ''}` : '';
    out.push(`${c.bold(printable(r.file, 200))}: ${who}${when}${r.reportId ? c.dim(` [${printable(r.reportId, 120)}]`) : ''}`);
    for (const p of r.policies) {
      const counts = `${p.successful} succeeded, ${p.failed} failed`;
      out.push(`  ${policyLabel(p.type)} ${p.domain ? printable(p.domain, 120) : '(no policy-domain)'}: ${p.failed > 0 ? c.red(counts) : c.green(counts)}`);
      for (const f of p.failures) {
        const where = [f.receivingMx && `mx ${printable(f.receivingMx, 100)}`, f.sendingIp && `from ${printable(f.sendingIp, 45)}`].filter(Boolean).join(', ');
        out.push(`    ${printable(f.resultType, 40)}: ${f.sessions}${where ? c.dim(` (${where})`) : ''}`);
      }
    }
    for (const f of r.findings) out.push(...renderFinding(f, c));
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function renderFinding(f: Finding, c: ReturnType<typeof paint>): string[] {
  const mark = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
  // Report texts quote the sender's JSON (organisation, domains, failure reasons): terminal-escaped.
  const lines = [`  ${mark} ${t(f.title)} ${c.dim(`[${t(f.id)}]`)}`];
  if (f.severity !== 'info') {
    lines.push(`    ${t(f.detail)}`, `    fix: ${t(f.fix)}`);
    for (const e of f.evidence ?? []) lines.push(c.dim(`    > ${t(e)}`));
  }
  return lines;
}
