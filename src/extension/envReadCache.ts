import * as vscode from 'vscode';
import { isEnvFileName } from '../core/lint/dotenv/envFiles';

/**
 * Remembers what the disk holds for `.env` files. The nodemailer lint looks for up to ten of them beside the code
 * and at the workspace root, on every debounced keystroke and for every transport file in a scan; most do not
 * exist, and each miss is a failed open plus a thrown error. The lint service clears the cache on any watcher
 * event for a `.env` file, on save and close, and before a full scan (a missed watcher event heals there).
 * Open documents never come from here: the caller asks the editor first.
 */
export class EnvReadCache {
  private readonly texts = new Map<string, string | undefined>();

  read(fsPath: string, readDisk: (p: string) => string | undefined): string | undefined {
    if (!isCacheable(fsPath)) return readDisk(fsPath);
    if (this.texts.has(fsPath)) return this.texts.get(fsPath);
    const text = readDisk(fsPath);
    this.texts.set(fsPath, text);
    return text;
  }

  /** `.env` files change rarely: dropping everything is cheaper to get right than matching path spellings. */
  clear(): void {
    this.texts.clear();
  }
}

/**
 * Only `.env` files the workspace watcher sees: outside the workspace, and where `files.watcherExclude` hides
 * changes by default (node_modules, .git), nothing would tell us the file changed.
 */
function isCacheable(fsPath: string): boolean {
  if (!isEnvFileName(fsPath) || /[\\/](node_modules|\.git)[\\/]/.test(fsPath)) return false;
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(fsPath)) !== undefined;
}
