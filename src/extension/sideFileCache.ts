import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** A text over this size is read again each time rather than kept (a big policy or transport map). */
const MAX_TEXT_CHARS = 1024 * 1024;
/** All kept texts together; past it the cache starts over. */
const MAX_TOTAL_CHARS = 16 * 1024 * 1024;

/**
 * What the lints read from disk besides the file they lint: the master.cf beside a main.cf (and main.cf beside a
 * master.cf), the certificate, key and CA files and the maps a main.cf names, the `.env` files of a nodemailer
 * transport. A debounced keystroke's lint asked the disk for each of them (most do not exist: a failed open and a
 * thrown error each). The bytes are kept, never a verdict: a certificate is judged again on every lint, against
 * the time of that lint.
 *
 * The lint service drops an entry on a workspace watcher event for its path (or a folder above it), on save and
 * close of a document of that path, and everything before a full scan (a missed event heals there). Only files the
 * workspace watcher sees are kept (`watched`): inside a workspace folder, not through a symbolic link (at any
 * level: a link's target can change with no event for the link), not where VS Code's watcher ignores changes.
 * Open documents never come from here: the caller asks the editor first.
 *
 * It also remembers which linted file read which path, so that a change on disk re-lints the files that read it.
 * No `vscode` import: the workspace's folders come in through `watched`.
 */
export class SideFileCache {
  /** Per path as read: its text, or `live` for a path the watcher does not see (read from disk every time). */
  private readonly texts = new Map<string, { text: string | undefined; live: boolean; key: string; readers: Set<string> }>();
  private chars = 0;

  constructor(private readonly watched: (fsPath: string) => boolean) {}

  /** The text of `fsPath` (undefined: absent or unreadable), from the cache or `readDisk`; `reader` is the linted file. */
  read(fsPath: string, readDisk: (p: string) => string | undefined, reader: string): string | undefined {
    const hit = this.texts.get(fsPath);
    if (hit) {
      hit.readers.add(reader);
      return hit.live ? readDisk(fsPath) : hit.text;
    }
    // Whether the watcher sees a path changes only with an event for it (a link made or removed), so that answer
    // is kept like a text.
    const live = !this.watched(fsPath);
    const text = readDisk(fsPath);
    if (!live && text !== undefined && text.length > MAX_TEXT_CHARS) return text;
    if (!live && text !== undefined && this.chars + text.length > MAX_TOTAL_CHARS) this.clear();
    if (!live) this.chars += text?.length ?? 0;
    this.texts.set(fsPath, { text: live ? undefined : text, live, key: comparable(fsPath), readers: new Set([reader]) });
    return text;
  }

  /**
   * Forgets `fsPath` and everything under it (an event may name a folder that was moved or deleted), compared
   * without regard to case (a case-insensitive disk may spell a path two ways; forgetting too much only costs a
   * read). Returns the files that had read what was forgotten.
   */
  invalidate(fsPath: string): string[] {
    if (this.texts.size === 0) return [];
    const gone = comparable(fsPath);
    const below = gone.endsWith(nodePath.sep) ? gone : gone + nodePath.sep;
    const readers = new Set<string>();
    for (const [p, entry] of this.texts) {
      if (entry.key !== gone && !entry.key.startsWith(below)) continue;
      this.texts.delete(p);
      if (!entry.live) this.chars -= entry.text?.length ?? 0;
      for (const r of entry.readers) readers.add(r);
    }
    return [...readers];
  }

  clear(): void {
    this.texts.clear();
    this.chars = 0;
  }

  get size(): number {
    return this.texts.size;
  }
}

function comparable(p: string): string {
  return nodePath.resolve(p).toLowerCase();
}

const UNWATCHED = /[\\/](node_modules|\.git|\.hg)([\\/]|$)/;

/**
 * True when VS Code's workspace watcher reports changes of `fsPath`: the path lies in one of `roots` (workspace
 * folders), not under node_modules, .git or .hg (VS Code's default `files.watcherExclude` leaves those out), and no
 * part of it between the folder and the file is a symbolic link (its real path is the folder's real path plus the
 * same relative path). A missing file counts by its nearest existing folder: the watcher reports its creation.
 */
export function watchedPath(fsPath: string, roots: readonly string[]): boolean {
  const abs = nodePath.resolve(fsPath);
  const root = roots.map((r) => nodePath.resolve(r)).find((r) => isWithin(abs, r));
  if (root === undefined) return false;
  const rel = nodePath.relative(root, abs);
  if (UNWATCHED.test(nodePath.sep + rel)) return false;
  // A missing file (or folder) by its nearest existing folder: the watcher reports the creation of the first
  // missing part, and an event for a folder forgets everything below it.
  let real: string | undefined;
  for (let at = abs, missing = ''; real === undefined; at = nodePath.dirname(at)) {
    try {
      real = nodePath.join(fs.realpathSync.native(at), missing);
    } catch {
      if (at === root) return false;
      missing = nodePath.join(nodePath.basename(at), missing);
    }
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync.native(root);
  } catch {
    return false;
  }
  return nodePath.relative(realRoot, real) === rel;
}

function isWithin(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(nodePath.sep) ? root : root + nodePath.sep);
}
