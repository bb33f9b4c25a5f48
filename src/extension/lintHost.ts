import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { readPlan } from '../core/lint/fileKinds';
import { detectLocalPostfix } from '../core/lint/postfix/local-postfix';
import type { LintHost } from '../core/lint/types';
import { decodeReportBytes, MAX_COMPRESSED_BYTES } from '../core/tlsrpt/decode';
import type { EnvReadCache } from './envReadCache';

/** Reads a file as the editor sees it: an open document's unsaved text first, then the disk. Never throws. */
export function readForLint(fsPath: string): string | undefined {
  return openText(fsPath) ?? readFileCapped(fsPath);
}

function openText(fsPath: string): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath)?.getText();
}

export function readFileCapped(fsPath: string): string | undefined {
  let fd: number | undefined;
  try {
    // Only regular files: opening a FIFO named `.env` or `mail.log` would wait for a writer forever and freeze
    // the extension host, and a device never ends. O_NONBLOCK covers a file swapped for a FIFO after the stat.
    if (!fs.statSync(fsPath).isFile()) return undefined;
    fd = fs.openSync(fsPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const size = stat.size;
    // A gzipped TLS-RPT report is linted as the JSON it holds, decompressed with a cap (never a gzip bomb).
    if (/\.gz$/i.test(fsPath)) {
      if (size > MAX_COMPRESSED_BYTES) return undefined;
      const gz = Buffer.alloc(size);
      const d = decodeReportBytes(gz.subarray(0, fs.readSync(fd, gz, 0, size, 0)));
      return d.ok ? d.text : undefined;
    }
    const plan = readPlan(fsPath, size);
    if (plan.read === 'skip') return undefined;
    const max = plan.read === 'tail' ? plan.bytes : size;
    const start = Math.max(0, size - max);
    const buf = Buffer.alloc(Math.min(size, max));
    fs.readSync(fd, buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    // A tail starts mid-line: drop the partial first line so no half-entry gets linted.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return text;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already closed */ }
  }
}

export function lintHostFor(uri: vscode.Uri, expiryWarningDays: number, envCache?: EnvReadCache, postfixVersion?: string): LintHost {
  const host: LintHost = {
    readFile: envCache ? (p) => openText(p) ?? envCache.read(p, readFileCapped) : readForLint,
    workspaceRoot: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath,
    expiryWarningDays,
  };
  if (postfixVersion) host.postfixVersion = postfixVersion;
  // A main.cf/master.cf in this machine's Postfix config directory is the live config: its advice uses the exact
  // version (postconf mail_version, asked once per session).
  else if (/(^|[\\/])([^\\/]*[._-])?(main|master)\.cf$/i.test(uri.fsPath)) host.localPostfix = detectLocalPostfix();
  return host;
}
