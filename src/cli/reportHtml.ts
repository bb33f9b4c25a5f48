/**
 * `mail-tls-doctor report --format html FILE... [--output FILE.html]`: the Mail TLS Report of mail logs and TLS-RPT
 * reports (`.json`, `.json.gz`) as one self-contained HTML file (strict CSP, no script, no remote content, the
 * chart as inline SVG). Writes to standard output unless --output is given. Exit 1 when a finding is an error.
 */
import * as fs from 'node:fs';
import { printable } from '../core/endpoint';
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
    const bytes = readBounded(f);
    if (typeof bytes === 'string') {
      io.err(`${printable(f, 200)}: ${bytes}\n`);
      continue;
    }
    const input = viewInputFromBytes(f, bytes);
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

function readBounded(file: string): Uint8Array | string {
  let fd: number | undefined;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return 'not a regular file';
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - MAX_INPUT_BYTES);
    const buf = Buffer.alloc(Math.min(size, MAX_INPUT_BYTES));
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    return buf.subarray(0, n);
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  } finally {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* closed */
      }
  }
}
