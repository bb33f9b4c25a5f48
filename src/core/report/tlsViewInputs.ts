/**
 * Turns one file's bytes into an input of the Mail TLS Report: a TLS-RPT report (`.json`, `.json.gz`) or a
 * Postfix mail log. Pure (the caller reads the file, bounded).
 */
import { lintMailLog, maillogLinter } from '../lint/maillog';
import { analyzeMailLog } from '../lint/maillog/deliveries';
import { decodeReportBytes, looksLikeTlsRpt, readReportText, type ReportSummary } from '../tlsrpt';
import type { LogInput } from './tlsView';

export type ViewInput = { log: LogInput } | { report: ReportSummary } | { skipped: string };

/** `firstLine`: the file's line the bytes start on (a log read by its tail: fsread.ts readTail). */
export function viewInputFromBytes(file: string, bytes: Uint8Array, now?: Date, firstLine = 0): ViewInput {
  const decoded = decodeReportBytes(bytes);
  if (!decoded.ok) return { skipped: decoded.reason };
  return viewInputFromText(file, decoded.text, now, decoded.gzipped, firstLine);
}

export function viewInputFromText(file: string, text: string, now?: Date, gzipped = false, firstLine = 0): ViewInput {
  if (gzipped || /\.json$/i.test(file) || looksLikeTlsRpt(text)) {
    if (looksLikeTlsRpt(text)) return { report: readReportText(file, text, { withPositions: !gzipped }).summary };
    return { skipped: 'not a TLS-RPT report' };
  }
  if (maillogLinter.matches(file, text) || /\bpostfix[\w.-]*\/[\w./-]+\[\d+\]:/.test(text.slice(0, 65_536))) {
    return { log: { file, analysis: analyzeMailLog(text, now, firstLine), findings: lintMailLog(file, text, now, firstLine).findings } };
  }
  return { skipped: 'neither a mail log nor a TLS-RPT report' };
}
