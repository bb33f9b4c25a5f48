import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** More folders than a real main.cf names; a file naming hundreds of folders does not get hundreds of watchers. */
const MAX_FOLDERS = 64;

/**
 * The workspace watcher sees only the workspace, and a main.cf opened from /etc/postfix names its certificate
 * elsewhere (/etc/letsencrypt/live/..., /etc/ssl/...). One non-recursive watcher per such folder lets a renewal
 * (certbot replaces the links in live/) reach the Problems panel without an edit. The folders follow what the lints
 * read: `sync` is given the side files' paths after lints and drops the watchers no longer needed.
 */
export class OutsideWatchers implements vscode.Disposable {
  private readonly watchers = new Map<string, vscode.Disposable>();

  constructor(private readonly onEvent: (uri: vscode.Uri) => void) {}

  sync(paths: Iterable<string>): void {
    const wanted = new Set<string>();
    for (const p of paths) {
      if (wanted.size >= MAX_FOLDERS) break;
      const dir = path.dirname(p);
      if (wanted.has(dir) || vscode.workspace.getWorkspaceFolder(vscode.Uri.file(p))) continue;
      // A folder that does not exist cannot be watched; a lint after it appears names it again.
      if (this.watchers.has(dir) || isDirectory(dir)) wanted.add(dir);
    }
    for (const [dir, watcher] of this.watchers) {
      if (wanted.has(dir)) continue;
      watcher.dispose();
      this.watchers.delete(dir);
    }
    for (const dir of wanted) if (!this.watchers.has(dir)) this.watchers.set(dir, this.watch(dir));
  }

  private watch(dir: string): vscode.Disposable {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*'));
    return vscode.Disposable.from(w, w.onDidCreate(this.onEvent), w.onDidChange(this.onEvent), w.onDidDelete(this.onEvent));
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}
