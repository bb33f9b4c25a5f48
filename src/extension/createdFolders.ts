import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders the workspace scan never enters (build output, dependencies, VCS data). */
export const SKIPPED_FOLDERS = ['node_modules', '.git', 'dist', 'out', 'build', 'coverage', '.cache', '.vscode-test'] as const;
/** The same as a `findFiles` exclude glob. */
export const EXCLUDE_GLOB = `**/{${SKIPPED_FOLDERS.join(',')}}/**`;
/** More new paths than this in one debounce window (a big unpack, a build) and the caller scans the workspace. */
export const MAX_CREATED = 1000;
/** More new folders than this to search (a branch switch) and one workspace scan is cheaper than a search each. */
export const MAX_FOLDERS = 20;

const skipped = new Set<string>(SKIPPED_FOLDERS);

/**
 * The paths the workspace watcher reported as created, reduced to the new folders to search. A folder made together
 * with its files (`mkdir -p a/b && cp main.cf a/b/`, an unpacked archive, a folder moved in) comes as one event
 * for the folder, and the files written before the watcher followed it get none: the caller looks for candidate
 * files below each folder `take()` returns. Pure bookkeeping: no editor API, one `stat` per kept path in `take()`.
 */
export class CreatedFolders {
  private readonly pending = new Set<string>();
  private overflow = false;

  /**
   * Notes a created path (`fsPath`); `relative` is the same path relative to its workspace folder, which decides
   * whether it lies in a skipped folder. A path below one already noted adds nothing: that one's search covers it.
   */
  add(fsPath: string, relative: string): void {
    if (this.overflow || relative.split(/[\\/]/).some((s) => skipped.has(s))) return;
    if (below(fsPath, this.pending)) return;
    if (this.pending.size >= MAX_CREATED) {
      this.overflow = true;
      this.pending.clear();
      return;
    }
    this.pending.add(fsPath);
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * The noted paths that are folders now, without the ones inside another (sorted: parents first); undefined when more than
   * MAX_CREATED paths were noted or more than MAX_FOLDERS folders remain (scan everything instead). Starts over empty.
   */
  take(isDirectory: (p: string) => boolean = isDir): string[] | undefined {
    const overflow = this.overflow;
    const paths = [...this.pending].sort();
    this.pending.clear();
    this.overflow = false;
    if (overflow) return undefined;
    const dirs: string[] = [];
    const kept = new Set<string>();
    for (const p of paths) {
      if (below(p, kept) || !isDirectory(p)) continue;
      kept.add(p);
      dirs.push(p);
    }
    return dirs.length > MAX_FOLDERS ? undefined : dirs;
  }
}

/** Whether a folder above `p` is in `dirs`. */
function below(p: string, dirs: ReadonlySet<string>): boolean {
  for (let dir = path.dirname(p); dir !== p && dirs.size > 0; p = dir, dir = path.dirname(dir)) if (dirs.has(dir)) return true;
  return false;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}
