/**
 * `mail-tls-doctor report --format html FILE... [--output FILE.html]`: the Mail TLS Report of mail logs and TLS-RPT
 * reports (`.json`, `.json.gz`) as one self-contained HTML file (strict CSP, no script, no remote content, the
 * chart as inline SVG). Writes to standard output unless --output is given. Exit 1 when a finding is an error.
 */
import * as fs from 'node:fs';
import { printable } from '../core/endpoint';
import { readTail } from '../core/fsread';
import { hasError } from '../core/finding';
import { renderTlsReportHtml } from '../core/report/html';
import { buildTlsViewModel, type LogInput } from '../core/report/tlsView';
import { viewInputFromBytes } from '../core/report/tlsViewInputs';
import type { ReportSummary } from '../core/tlsrpt';
import { CliIO, EXIT_FINDINGS, EXIT_OK, UsageError } from './io';

/** Mail logs above this are read by their last bytes only, like the editor does. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export function wantsHtml(args: readonly string[]): boolean {
  return args.some((a, i) => (a === '--format' && args[i + 1]?.toLowerCase() === 'html') || a.toLowerCase() === '--format=html');
}

export async function runReportHtml(args: string[], io: CliIO): Promise<number> {
  const files: string[] = [];
  let output: string | undefined;
  let title = 'Mail TLS Report';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format') i++;
    else if (a.toLowerCase() === '--format=html') continue;
    else if (a === '--output' || a === '-o') output = args[++i];
    else if (a.startsWith('--output=')) output = a.slice('--output='.length);
    else if (a === '--title') title = args[++i] ?? title;
    else if (a === '--') {
      files.push(...args.slice(i + 1));
      i = args.length;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option "${printable(a)}" for --format html`);
    else files.push(a);
  }
  if (output === '') throw new UsageError('--output needs a file name');
  if (!files.length) throw new UsageError('give at least one mail log or TLS-RPT report (.json, .json.gz) for --format html');
  const logs: LogInput[] = [];
  const reports: ReportSummary[] = [];
  for (const f of files) {
    const read = readBounded(f);
    if (typeof read === 'string') {
      io.err(`${printable(f, 200)}: ${read}\n`);
      continue;
    }
    const input = viewInputFromBytes(f, read.bytes, undefined, read.firstLine);
    if ('log' in input) logs.push(input.log);
    else if ('report' in input) reports.push(input.report);
    else io.err(`${printable(f, 200)}: skipped (${input.skipped})\n`);
  }
  if (!logs.length && !reports.length) throw new UsageError('none of the files is a mail log or a TLS-RPT report');
  const html = renderTlsReportHtml(buildTlsViewModel(logs, reports, title), { generated: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
  if (output) {
    fs.writeFileSync(output, html);
    io.err(
      `wrote ${printable(output, 200)} (${logs.length} mail log${logs.length === 1 ? '' : 's'}, ${reports.length} TLS-RPT report${reports.length === 1 ? '' : 's'})\n`,
    );
  } else io.out(html);
  const findings = [...logs.flatMap((l) => l.findings), ...reports.flatMap((r) => r.findings)];
  return hasError(findings) ? EXIT_FINDINGS : EXIT_OK;
}

/**
 * The file's bytes (a log over the bound by its tail, from its first whole line, as the editor reads it) and the
 * file's line they start on, or why they cannot be read.
 */
function readBounded(file: string): { bytes: Uint8Array; firstLine: number } | string {
  try {
    if (!fs.statSync(file).isFile()) return 'not a regular file';
    const tail = readTail(file, MAX_INPUT_BYTES);
    if (tail) return { bytes: tail.data, firstLine: tail.firstLine };
    // readTail says no more than "unreadable": ask for the reason (EACCES...) to print it.
    fs.accessSync(file, fs.constants.R_OK);
    return 'cannot be read (error)';
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}
