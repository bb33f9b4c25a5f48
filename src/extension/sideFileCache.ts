import * as nodePath from 'node:path';
import { stampOf } from './diskStamps';

/** A text over this size is read again each time rather than kept (a big policy or transport map). */
const MAX_TEXT_CHARS = 1024 * 1024;
/** All kept texts together; past it the cache starts over. */
const MAX_TOTAL_CHARS = 16 * 1024 * 1024;
/** Paths and folders remembered only for their readers; past it they start over (the next lints note them again). */
const MAX_NOTED = 20_000;

/**
 * What the lints read from disk besides the file they lint: the master.cf beside a main.cf (and main.cf beside a
 * master.cf), the certificate, key and CA files and the maps a main.cf names, the `.env` files of a nodemailer
 * transport. A debounced keystroke's lint read each of them again, and most do not exist: in the extension host a
 * failed open costs its thrown error (0.2-0.4 ms of profile time each).
 *
 * A kept text is used only while the file's `stat` is what it was before it was read (device, inode, size,
 * modification and change times; "absent" for a missing file, asked without an error): one `stat` per side file
 * and lint, no open, no thrown error. A file modified in the last 2 s is not kept (see RACY_MS). It does not rely on the workspace watcher, which misses changes (in the
 * test host it reports no event at all for files in a folder made together with its parent, `mkdir -p`), follows
 * symbolic links to their target, and covers files outside the workspace the same way. The bytes are kept, never a
 * verdict: a certificate is judged again on every lint, against the time of that lint.
 *
 * It also remembers which linted file read which path: when the watcher does report a change, the lint service
 * forgets the path (`invalidate`) and lints its readers again, so a renewed certificate shows without an edit.
 * Reads whose text is not kept count too (`noteRead`: an open document's text, a file just written or too big),
 * and so do folder listings (`noteListing`): a Dovecot file is judged with every `conf.d/*.conf` its dovecot.conf
 * includes, so a file added to or removed from conf.d (`listingChanged`) changes the lint of the config's other files.
 */
export class SideFileCache {
  private readonly texts = new Map<string, { text: string | undefined; stamp: string; key: string; readers: Set<string> }>();
  private chars = 0;
  /** Readers of paths whose text is not kept, and of folder listings, by comparable path. */
  private readonly noted = new Map<string, Set<string>>();
  private readonly listings = new Map<string, Set<string>>();
  /** Counts changes to the set of kept paths, so a caller can tell cheaply whether `paths()` changed. */
  private changes = 0;

  /** The text of `fsPath` (undefined: absent or unreadable), from the cache or `readDisk`; `reader` is the linted file. */
  read(fsPath: string, readDisk: (p: string) => string | undefined, reader: string): string | undefined {
    const stamp = stampOf(fsPath);
    const hit = this.texts.get(fsPath);
    if (hit && stamp !== undefined && hit.stamp === stamp) {
      hit.readers.add(reader);
      return hit.text;
    }
    // Stamped before the read: a change during the read leaves an old stamp, so the next lint reads again.
    const text = readDisk(fsPath);
    if (hit) this.forget(fsPath, hit);
    if (stamp === undefined || (text !== undefined && text.length > MAX_TEXT_CHARS)) {
      this.noteRead(fsPath, reader);
      return text;
    }
    if (text !== undefined && this.chars + text.length > MAX_TOTAL_CHARS) this.clear();
    this.chars += text?.length ?? 0;
    this.texts.set(fsPath, { text, stamp, key: comparable(fsPath), readers: new Set([reader, ...(hit?.readers ?? [])]) });
    if (!hit) this.changes++;
    return text;
  }

  /** `reader` used the text of `fsPath` without this cache (an open document's): a change there is the reader's too. */
  noteRead(fsPath: string, reader: string): void {
    note(this.noted, comparable(fsPath), reader);
  }

  /** `reader` listed the folder `dir` (a glob include): a file created or deleted there changes its lint. */
  noteListing(dir: string, reader: string): void {
    note(this.listings, comparable(dir), reader);
  }

  /**
   * `fsPath` was created or deleted: the files that listed its folder (or a listed folder below it, when a folder
   * went), forgotten here until their next lint notes them again.
   */
  listingChanged(fsPath: string): string[] {
    const key = comparable(fsPath);
    return take(this.listings, (k) => k === nodePath.dirname(key) || within(k, key));
  }

  /**
   * Forgets `fsPath` and everything under it (an event may name a folder that was moved or deleted), compared
   * without regard to case (a case-insensitive disk may spell a path two ways; forgetting too much only costs a
   * read). Returns the files that had read what was forgotten.
   */
  invalidate(fsPath: string): string[] {
    const gone = comparable(fsPath);
    const readers = new Set<string>(this.noted.size > 0 ? take(this.noted, (k) => within(k, gone)) : []);
    for (const [p, entry] of this.texts) {
      if (!within(entry.key, gone)) continue;
      this.forget(p, entry);
      for (const r of entry.readers) readers.add(r);
    }
    return [...readers];
  }

  /**
   * Asks `stat` again for every kept path and forgets those that changed (or cannot be told, e.g. written in the last
   * 2 s). Returns the files that had read them: what a missed or absent watcher event would have linted again.
   */
  stale(): string[] {
    const readers = new Set<string>();
    for (const [p, entry] of this.texts) {
      if (stampOf(p) === entry.stamp) continue;
      this.forget(p, entry);
      for (const r of entry.readers) readers.add(r);
    }
    return [...readers];
  }

  /** Every linted file that read a kept path. */
  readers(): string[] {
    const all = new Set<string>();
    for (const entry of this.texts.values()) for (const r of entry.readers) all.add(r);
    return [...all];
  }

  /** The kept paths (missing files included: one that appears is a change too). */
  paths(): IterableIterator<string> {
    return this.texts.keys();
  }

  /** Changes whenever a path is kept or forgotten. */
  get generation(): number {
    return this.changes;
  }

  clear(): void {
    this.texts.clear();
    this.noted.clear();
    this.listings.clear();
    this.chars = 0;
    this.changes++;
  }

  get size(): number {
    return this.texts.size;
  }

  private forget(p: string, entry: { text: string | undefined }): void {
    this.texts.delete(p);
    this.chars -= entry.text?.length ?? 0;
    this.changes++;
  }
}

/** `key` is `gone` or lies below it. */
function within(key: string, gone: string): boolean {
  return key === gone || key.startsWith(gone.endsWith(nodePath.sep) ? gone : gone + nodePath.sep);
}

function note(map: Map<string, Set<string>>, key: string, reader: string): void {
  const readers = map.get(key);
  if (readers) {
    readers.add(reader);
    return;
  }
  if (map.size >= MAX_NOTED) map.clear();
  map.set(key, new Set([reader]));
}

/** Removes the entries whose key matches and returns their readers. */
function take(map: Map<string, Set<string>>, matches: (key: string) => boolean): string[] {
  const out = new Set<string>();
  for (const [k, readers] of map) {
    if (!matches(k)) continue;
    map.delete(k);
    for (const r of readers) out.add(r);
  }
  return [...out];
}

function comparable(p: string): string {
  return nodePath.resolve(p).toLowerCase();
}
