import * as vscode from 'vscode';
import { linkOutside, listFiles, readDenied } from '../core/fsread';
import { detectLocalPostfix } from '../core/lint/postfix/localPostfix';
import type { LintHost } from '../core/lint/types';
import { readDiskText, type DiskText } from './diskText';
import type { SideFileCache } from './sideFileCache';

/** Reads a file as the editor sees it: an open document's unsaved text first, then the disk. Never throws. */
export function readForLint(fsPath: string): string | undefined {
  return openText(fsPath) ?? readFileCapped(fsPath);
}

/** An open document's text (its reader noted: the document's save lints it again), else the disk through the cache. */
function sideRead(sideFiles: SideFileCache, fsPath: string, reader: string): string | undefined {
  const open = openText(fsPath);
  if (open === undefined) return sideFiles.read(fsPath, readFileCapped, reader);
  sideFiles.noteRead(fsPath, reader);
  return open;
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
 * Reads a file from disk for the lints (readDiskText: regular files only, bounded, logs over the bound by their
 * tail), never through a link out of an untrusted workspace.
 */
export function readFileCapped(fsPath: string): string | undefined {
  return readDiskLint(fsPath)?.text;
}

/** readFileCapped with the file's line the text starts on (a log over the bound is linted from its tail). */
export function readDiskLint(fsPath: string): DiskText | undefined {
  if (blockedLink(fsPath) !== undefined) return undefined;
  return readDiskText(fsPath);
}

/** A file to lint as the editor sees it (readForLint), with the file's line its text starts on. */
export function readLintInput(fsPath: string): DiskText | undefined {
  const open = openText(fsPath);
  return open !== undefined ? { text: open, firstLine: 0 } : readDiskLint(fsPath);
}

/**
 * What a lint of `uri` may read besides its own text: open documents first, then the disk, through `sideFiles`
 * when given (files the workspace watcher sees are read once until they change; see SideFileCache).
 */
export function lintHostFor(uri: vscode.Uri, expiryWarningDays: number, sideFiles?: SideFileCache, postfixVersion?: string): LintHost {
  const reader = uri.toString();
  const host: LintHost = {
    readFile: sideFiles ? (p) => sideRead(sideFiles, p, reader) : readForLint,
    // Names only: every file read still goes through readFile (and its link check in restricted mode). Noted, so a
    // file added to a listed folder (conf.d of a Dovecot config) lints the listing file again.
    listDir: sideFiles
      ? (dir) => {
          sideFiles.noteListing(dir, reader);
          return listFiles(dir);
        }
      : listFiles,
    readDenied,
    workspaceRoot: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath,
    expiryWarningDays,
  };
  if (postfixVersion) host.postfixVersion = postfixVersion;
  // A main.cf/master.cf in this machine's Postfix config directory is the live config: its advice uses the exact
  // version (postconf mail_version, asked once per session).
  else if (/(^|[\\/])([^\\/]*[._-])?(main|master)\.cf$/i.test(uri.fsPath)) host.localPostfix = detectLocalPostfix();
  return host;
}
