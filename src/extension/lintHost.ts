import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { linkOutside, readBounded, readTail } from '../core/fsread';
import { LINT_MAX_BYTES, notTextFor, readPlan } from '../core/lint/fileKinds';
import { detectLocalPostfix } from '../core/lint/postfix/localPostfix';
import type { LintHost } from '../core/lint/types';
import { decodeReportBytes, MAX_COMPRESSED_BYTES } from '../core/tlsrpt/decode';
import type { SideFileCache } from './sideFileCache';

/** Reads a file as the editor sees it: an open document's unsaved text first, then the disk. Never throws. */
export function readForLint(fsPath: string): string | undefined {
  return openText(fsPath) ?? readFileCapped(fsPath);
}

function openText(fsPath: string): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath)?.getText();
}

/**
 * The real path of a workspace file that is a symbolic link out of the workspace folders, when that must not be
 * followed: in an untrusted workspace (restricted mode), a repository must not get `~/.netrc` or a token file
 * linted, shown in Problems or turned into a probe host through a link. Undefined when the file may be read.
 */
export function blockedLink(fsPath: string): string | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return linkOutside(fsPath, roots);
}

/**
 * Reads a file from disk for the lints: regular files only (opening a FIFO named `.env` or `mail.log` would wait
 * for a writer forever and freeze the extension host; O_NONBLOCK covers a file swapped for a FIFO after a check),
 * never through a link out of an untrusted workspace, and bounded whatever `stat` says (a /proc file reports size
 * 0 and streams without end): at most LINT_MAX_BYTES + 1 bytes are read, logs over it by their tail.
 */
export function readFileCapped(fsPath: string): string | undefined {
  if (blockedLink(fsPath) !== undefined) return undefined;
  // A gzipped TLS-RPT report is linted as the JSON it holds, decompressed with a cap (never a gzip bomb).
  if (/\.gz$/i.test(fsPath)) {
    const gz = readBounded(fsPath, MAX_COMPRESSED_BYTES);
    if (!gz.ok) return undefined;
    const d = decodeReportBytes(gz.data);
    return d.ok ? d.text : undefined;
  }
  let fd: number | undefined;
  try {
    fd = fs.openSync(fsPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const plan = readPlan(fsPath, stat.size);
    if (plan.read === 'skip') return undefined;
    if (plan.read === 'all') {
      // Binary data or UTF-16 text named like a config is not linted (every line would be a finding), as in the CLI.
      const r = readBounded(fsPath, LINT_MAX_BYTES);
      return r.ok && notTextFor(fsPath, r.data) === undefined ? r.data.toString('utf8') : undefined;
    }
    // From its first whole line: a tail that starts mid-line drops the partial line, one that starts on a line keeps it.
    return readTail(fsPath, plan.bytes)?.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
  }
}

/**
 * What a lint of `uri` may read besides its own text: open documents first, then the disk, through `sideFiles`
 * when given (files the workspace watcher sees are read once until they change; see SideFileCache).
 */
export function lintHostFor(uri: vscode.Uri, expiryWarningDays: number, sideFiles?: SideFileCache, postfixVersion?: string): LintHost {
  const reader = uri.toString();
  const host: LintHost = {
    readFile: sideFiles ? (p) => openText(p) ?? sideFiles.read(p, readFileCapped, reader) : readForLint,
    workspaceRoot: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath,
    expiryWarningDays,
  };
  if (postfixVersion) host.postfixVersion = postfixVersion;
  // A main.cf/master.cf in this machine's Postfix config directory is the live config: its advice uses the exact
  // version (postconf mail_version, asked once per session).
  else if (/(^|[\\/])([^\\/]*[._-])?(main|master)\.cf$/i.test(uri.fsPath)) host.localPostfix = detectLocalPostfix();
  return host;
}
