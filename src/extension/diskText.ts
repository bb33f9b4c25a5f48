/**
 * The editor's read of a file from disk for the lints, apart from lintHost.ts so it needs no `vscode` (the unit
 * tests read with it). The workspace boundary (links out of an untrusted workspace) is lintHost's part.
 */
import * as fs from 'node:fs';
import { readBounded, readTail } from '../core/fsread';
import { LINT_MAX_BYTES, notTextFor, readPlan } from '../core/lint/fileKinds';
import { decodeReportBytes, MAX_COMPRESSED_BYTES } from '../core/tlsrpt/decode';

/** A file's text for the lints, and the file's line it starts on (not 0 for a log read by its tail). */
export interface DiskText {
  text: string;
  firstLine: number;
}

/**
 * Regular files only (opening a FIFO named `.env` or `mail.log` would wait for a writer forever and freeze the
 * extension host: stat does not open it, and the read below opens with O_NONBLOCK and checks what it opened, for a
 * file swapped for a FIFO in between), bounded whatever `stat` says (a /proc file reports size 0 and streams
 * without end): at most LINT_MAX_BYTES + 1 bytes are read, logs over it by their tail. The file is opened once: the
 * size comes from stat, and only the read that the size calls for opens it.
 */
export function readDiskText(fsPath: string): DiskText | undefined {
  // A gzipped TLS-RPT report is linted as the JSON it holds, decompressed with a cap (never a gzip bomb).
  if (/\.gz$/i.test(fsPath)) {
    const gz = readBounded(fsPath, MAX_COMPRESSED_BYTES);
    if (!gz.ok) return undefined;
    const d = decodeReportBytes(gz.data);
    return d.ok ? { text: d.text, firstLine: 0 } : undefined;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(fsPath);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  const plan = readPlan(fsPath, stat.size);
  if (plan.read === 'skip') return undefined;
  // From its first whole line: a tail that starts mid-line drops the partial line, one that starts on a line keeps it.
  if (plan.read === 'tail') {
    const tail = readTail(fsPath, plan.bytes);
    return tail && { text: tail.data.toString('utf8'), firstLine: tail.firstLine };
  }
  // Binary data or UTF-16 text named like a config is not linted (every line would be a finding), as in the CLI.
  const r = readBounded(fsPath, LINT_MAX_BYTES);
  return r.ok && notTextFor(fsPath, r.data) === undefined ? { text: r.data.toString('utf8'), firstLine: 0 } : undefined;
}
