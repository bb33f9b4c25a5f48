/**
 * TLS-RPT reports in the workspace and in `lint`: any `*.json` whose text is a TLS-RPT report, and `*.json.gz`
 * (which the file readers decompress, bounded, before linting). The findings point at the report's lines.
 */
import type { Linter, LintResult } from '../lint/types';
import { readReportText } from './index';
import { looksLikeTlsRpt } from './parse';

const REPORT_NAME = /\.json(\.gz)?$/i;

export const tlsrptLinter: Linter = {
  format: 'tlsrpt',
  files: { label: 'TLS-RPT reports (.json, .json.gz)', names: ['*.json', '*.json.gz'], activation: [], oversize: 'skip' },
  matches(p: string, text?: string): boolean {
    const base = p.split(/[\\/]/).pop() ?? '';
    if (!REPORT_NAME.test(base)) return false;
    // RFC 8460 file names: sender!policy-domain!begin!end!id.json[.gz]; other JSON must look like a report.
    if (text === undefined) return /\.gz$/i.test(base) || base.includes('!') || /tls-?rpt|smtp[-_]tls/i.test(base);
    return looksLikeTlsRpt(text);
  },
  lint(p: string, text: string): LintResult {
    const gz = /\.gz$/i.test(p);
    const { summary } = readReportText(p, typeof text === 'string' ? text : '', { withPositions: !gz });
    return { findings: summary.findings, endpoints: [] };
  },
};
