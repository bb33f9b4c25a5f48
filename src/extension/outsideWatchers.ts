import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { realFolder } from './linkedFiles';

/** More folders than a real main.cf names; a file naming hundreds of folders does not get hundreds of watchers. */
const MAX_FOLDERS = 64;

/**
 * The workspace watcher sees only the workspace, and a main.cf opened from /etc/postfix names its certificate
 * elsewhere (/etc/letsencrypt/live/..., /etc/ssl/...). One non-recursive watcher per such folder lets a renewal
 * (certbot replaces the links in live/) reach the Problems panel without an edit. The folders follow what the lints
 * read: `sync` is given the side files' paths after lints and drops the watchers no longer needed. Linted files in
 * a folder the workspace links to are given too: the workspace watcher does not follow links.
 */
export class OutsideWatchers implements vscode.Disposable {
  private readonly watchers = new Map<string, vscode.Disposable>();
  /** Watched folder -> the folders the lints know it by, through a link to it. */
  private aliases = new Map<string, Set<string>>();

  constructor(private readonly onEvent: (uri: vscode.Uri) => void) {}

  /** Watches the folders of `paths` outside the workspace, links resolved: a path through a link into another folder counts as that folder's. */
  sync(paths: Iterable<string>): void {
    const wanted = new Set<string>();
    const aliases = new Map<string, Set<string>>();
    for (const p of paths) {
      if (wanted.size >= MAX_FOLDERS) break;
      const dir = realFolder(p);
      if (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path.join(dir, path.basename(p))))) continue;
      // A folder that does not exist cannot be watched; a lint after it appears names it again.
      if (!wanted.has(dir) && !this.watchers.has(dir) && !isDirectory(dir)) continue;
      wanted.add(dir);
      const known = path.dirname(p);
      if (known !== dir) aliases.set(dir, (aliases.get(dir) ?? new Set()).add(known));
    }
    this.aliases = aliases;
    for (const [dir, watcher] of this.watchers) {
      if (wanted.has(dir)) continue;
      watcher.dispose();
      this.watchers.delete(dir);
    }
    for (const dir of wanted) if (!this.watchers.has(dir)) this.watchers.set(dir, this.watch(dir));
  }

  private watch(dir: string): vscode.Disposable {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '*'));
    const onEvent = (uri: vscode.Uri) => {
      this.onEvent(uri);
      for (const alias of this.aliases.get(dir) ?? []) this.onEvent(vscode.Uri.file(path.join(alias, path.basename(uri.fsPath))));
    };
    return vscode.Disposable.from(w, w.onDidCreate(onEvent), w.onDidChange(onEvent), w.onDidDelete(onEvent));
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
