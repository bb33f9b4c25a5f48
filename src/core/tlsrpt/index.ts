/**
 * TLS-RPT (RFC 8460) reports: bytes (plain or gzip) to a summary with the counts exactly as the report states them,
 * and findings that explain each failing result type. Pure: no file system, no network.
 */
import type { Finding } from '../finding';
import { decodeReportBytes } from './decode';
import { reportFindings } from './findings';
import { parseTlsRpt } from './parse';
import type { TlsRptReport } from './types';
import { makeFinding } from '../findings';

export { decodeReportBytes, isGzip, MAX_REPORT_BYTES, MAX_COMPRESSED_BYTES } from './decode';
export { parseTlsRpt, looksLikeTlsRpt, RESULT_TYPES, POLICY_TYPES, readDate } from './parse';
export { reportFindings, checkCommands, policyLabel } from './findings';
export { RESULT_TYPE_INFO, resultTypeInfo } from './resultTypes';
export type * from './types';

/** The `explain --report --json` shape of one report (keys fixed; absent values are null). */
export interface ReportSummary {
  file: string;
  organization: string | null;
  reportId: string | null;
  start: string | null;
  end: string | null;
  policies: {
    type: string;
    domain: string | null;
    successful: number;
    failed: number;
    failures: { resultType: string; sessions: number; receivingMx: string | null; sendingIp: string | null }[];
  }[];
  findings: Finding[];
}

export interface ReadReport {
  summary: ReportSummary;
  /** Undefined when the file could not be read as a report. */
  report?: TlsRptReport;
}

export interface ReadOptions {
  domainCheck?: boolean;
  /** Point findings at lines of the file (for the editor); only meaningful for a plain JSON file. */
  withPositions?: boolean;
}

export function readReportBytes(file: string, bytes: Uint8Array, opts: ReadOptions = {}): ReadReport {
  const decoded = decodeReportBytes(bytes);
  if (!decoded.ok) {
    return {
      summary: emptySummary(file, [
        makeFinding('tlsrpt.unreadable', {
          severity: 'error',
          title: 'This TLS-RPT report cannot be read.',
          detail: `The file ${decoded.gzipped ? 'is gzip but ' : ''}${decoded.reason}.`,
          fix: 'Save the report attachment as sent (application/tlsrpt+json or application/tlsrpt+gzip) and read it again.',
          file,
        }),
      ]),
    };
  }
  return readReportText(file, decoded.text, { ...opts, withPositions: (opts.withPositions ?? false) && !decoded.gzipped });
}

export function readReportText(file: string, text: string, opts: ReadOptions = {}): ReadReport {
  const { report, problems } = parseTlsRpt(text);
  const ctx = { file, domainCheck: opts.domainCheck ?? false, ...(opts.withPositions ? { text } : {}) };
  if (!report) return { summary: emptySummary(file, reportFindings({ policies: [] }, problems, ctx)) };
  return {
    report,
    summary: {
      file,
      organization: report.organization ?? null,
      reportId: report.reportId ?? null,
      start: report.start ?? null,
      end: report.end ?? null,
      policies: report.policies.map((p) => ({
        type: p.type,
        domain: p.domain ?? null,
        successful: p.successful,
        failed: p.failed,
        failures: p.failures.map((f) => ({
          resultType: f.resultType,
          sessions: f.sessions,
          receivingMx: f.receivingMx ?? null,
          sendingIp: f.sendingIp ?? null,
        })),
      })),
      findings: reportFindings(report, problems, ctx),
    },
  };
}

function emptySummary(file: string, findings: Finding[]): ReportSummary {
  return { file, organization: null, reportId: null, start: null, end: null, policies: [], findings };
}
