import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Linted files whose folder is reached through a symbolic link (`ln -s /etc/postfix postfix` in the workspace):
 * the workspace search follows the link, VS Code's watcher does not, so OutsideWatchers watches the link's target
 * for them. Membership is decided at each lint from disk (one realpath per lint).
 */
export class LinkedFiles {
  private readonly paths = new Map<string, string>();
  /** Folder (as the lints know it) -> how many of the paths are in it. */
  private readonly folders = new Map<string, number>();
  private changes = 0;

  /** Notes `fsPath` (linted under `key`) as linked or not. */
  note(key: string, fsPath: string): void {
    if (throughLink(fsPath)) {
      if (this.paths.has(key)) return;
      this.paths.set(key, fsPath);
      const dir = path.dirname(fsPath);
      this.folders.set(dir, (this.folders.get(dir) ?? 0) + 1);
      this.changes++;
    } else this.drop(key);
  }

  drop(key: string): void {
    const p = this.paths.get(key);
    if (p === undefined) return;
    this.paths.delete(key);
    const dir = path.dirname(p);
    const n = (this.folders.get(dir) ?? 1) - 1;
    if (n > 0) this.folders.set(dir, n);
    else this.folders.delete(dir);
    this.changes++;
  }

  /** Whether a linted file is in `dir`, reached through a link (a new config there is linted too). */
  hasFolder(dir: string): boolean {
    return this.folders.has(dir);
  }

  values(): IterableIterator<string> {
    return this.paths.values();
  }

  /** Changes whenever a file joins or leaves the set. */
  get generation(): number {
    return this.changes;
  }
}

/** The folder `fsPath` is in, with its links resolved; the folder as given when it cannot be resolved. */
export function realFolder(fsPath: string): string {
  const dir = path.dirname(fsPath);
  try {
    return fs.realpathSync.native(dir);
  } catch {
    return dir;
  }
}

function throughLink(fsPath: string): boolean {
  return realFolder(fsPath) !== path.dirname(fsPath);
}
