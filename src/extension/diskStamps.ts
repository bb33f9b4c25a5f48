import * as fs from 'node:fs';

/**
 * Files modified within this time are read every time: file times advance by the kernel's clock tick, so two writes
 * of the same size within one tick look alike (git's "racily clean" case).
 */
const RACY_MS = 2000;

/** What a file is now, as far as `stat` tells (links followed); `absent` when missing; undefined when it cannot tell. */
export function stampOf(fsPath: string): string | undefined {
  try {
    const st = fs.statSync(fsPath, { bigint: true, throwIfNoEntry: false });
    if (!st) return 'absent';
    if (Date.now() - Number(st.mtimeMs) < RACY_MS) return undefined;
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return undefined; // e.g. a path through a file (ENOTDIR), no permission: read every time
  }
}

/**
 * What each file linted from disk was when it was read, so that a change no watcher reported can be found later.
 * VS Code's recursive watcher misses whole folders: one made inside a new folder before the watcher followed that
 * one (`mkdir -p`, `git clone`, `tar x` into the workspace) reports nothing until the window reloads, so a config
 * in it edited or deleted outside the editor would keep its old diagnostics.
 */
export class DiskStamps {
  private readonly stamps = new Map<string, { fsPath: string; stamp: string | undefined }>();

  /** Call just before reading: a change during the read leaves an older stamp, so the next check reads again. */
  note(key: string, fsPath: string): void {
    this.stamps.set(key, { fsPath, stamp: stampOf(fsPath) });
  }

  drop(key: string): void {
    this.stamps.delete(key);
  }

  /** The keys whose file changed, went, or cannot be told (written in the last 2 s); they are forgotten until noted again. */
  changed(): string[] {
    const out: string[] = [];
    for (const [key, { fsPath, stamp }] of this.stamps) {
      if (stamp !== undefined && stampOf(fsPath) === stamp) continue;
      this.stamps.delete(key);
      out.push(key);
    }
    return out;
  }

  get size(): number {
    return this.stamps.size;
  }
}
