/**
 * Every file read of the CLI and the extension goes through here: bounded by bytes whatever `stat` says (files in
 * /proc report size 0 and never end; a file can grow between the stat and the read), regular files only (a FIFO
 * would block the reader forever, a device never ends), and the workspace boundary checked on real paths.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Finding } from './finding';
import { makeFinding } from './findings';

export type BoundedRead = { ok: true; data: Buffer } | { ok: false; reason: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; message: string };

const CHUNK = 64 * 1024;

/**
 * Reads a regular file, at most `maxBytes + 1` bytes of it (rounded up to 8): more than `maxBytes` is `too-large`,
 * without reading on.
 * Opens with O_NONBLOCK, so a file swapped for a FIFO after a check cannot block, and checks the opened file.
 */
export function readBounded(path: string, maxBytes: number): BoundedRead {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    if (!fs.fstatSync(fd).isFile()) return { ok: false, reason: 'not-a-file', message: 'not a regular file' };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Whole 8-byte units: /proc files such as pagemap refuse (EINVAL) reads of other sizes. So at most
      // maxBytes + 8 bytes are ever read, and one byte more than maxBytes is enough to refuse the file.
      const want = Math.min(CHUNK, Math.ceil((maxBytes + 1 - total) / 8) * 8);
      const buf = Buffer.allocUnsafe(want);
      const n = fs.readSync(fd, buf, 0, want, null);
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, reason: 'too-large', message: `larger than ${formatBytes(maxBytes)}` };
    }
    return { ok: true, data: Buffer.concat(chunks, total) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: 'no such file' };
    if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', message: 'a folder, not a file' };
    return { ok: false, reason: 'unreadable', message: code ?? (err as Error).message };
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

/** `readBounded` as UTF-8 text, or undefined for anything that is not a readable regular file within the bound. */
export function readTextBounded(path: string, maxBytes: number): string | undefined {
  const r = readBounded(path, maxBytes);
  return r.ok ? r.data.toString('utf8') : undefined;
}

/** A log's last bytes (readTail) and where they sit in the file. */
export interface Tail {
  data: Buffer;
  /**
   * The zero-based number of the file's line `data` starts on (0 for a file read whole), counted as the editor
   * counts lines: findings in a tail name the line an admin finds with `sed -n`, the editor or "Open line".
   */
  firstLine: number;
}

/**
 * The last `maxBytes` bytes of a regular file (a log too big to read whole), starting on a line: when the tail
 * starts mid-line, the partial first line is dropped (a half entry would be read as a whole one). The byte before
 * the tail tells whether it starts on a line. Undefined for anything that is not a readable regular file. The
 * buffer is the bound: a file that grows while it is read is read no further. The bytes before the tail are read
 * only to count their lines (in fixed chunks, through the same open file; about 0.3 s a gigabyte from the cache).
 */
export function readTail(path: string, maxBytes: number): Tail | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return undefined;
    const start = Math.max(0, st.size - maxBytes);
    // One byte more in front when the tail starts past 0: whether that byte ends a line.
    const from = Math.max(0, start - 1);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + (start - from));
    const data = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, from));
    if (start === 0) return { data, firstLine: 0 };
    const nl = data.indexOf(0x0a);
    const cut = nl < 0 ? data.length : nl + 1;
    return { data: data.subarray(cut), firstLine: countLineBreaks(fd, from + cut, st) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

const COUNT_CHUNK = 1024 * 1024;

/**
 * Where the last count of a file stopped, by device and inode. A log only grows, and the editor lints a changed
 * log again on every change: without this each lint read the whole file again (about 0.3 s a gigabyte from the
 * cache, far more from disk, on the extension host's thread). A mark is used only for the same file, at least as
 * long, whose bytes just before the mark are still the ones seen (a log emptied by copytruncate and written
 * again, or a file rewritten in place, is counted from its start).
 */
interface CountMark {
  end: number;
  breaks: number;
  crAtEnd: boolean;
  before: Buffer;
}
const MARK_BYTES = 256;
const MAX_MARKS = 32;
const marks = new Map<string, CountMark>();

/** Line breaks in bytes [0, end) of an open file, as src/core/lint/lines.ts counts them: CRLF, LF, a lone CR. */
function countLineBreaks(fd: number, end: number, st: fs.Stats): number {
  // No inode (some Windows file systems report 0): no way to tell files apart, so no mark.
  const key = st.ino ? `${st.dev}:${st.ino}` : undefined;
  const mark = key === undefined ? undefined : marks.get(key);
  const resume = mark !== undefined && mark.end <= end && sameBytes(fd, mark.end - mark.before.length, mark.before);
  let pos = resume ? mark.end : 0;
  let breaks = resume ? mark.breaks : 0;
  // A CR that ended the previous chunk: a break of its own unless this chunk starts with its LF.
  let crAtEnd = resume ? mark.crAtEnd : false;
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(end - pos, COUNT_CHUNK)));
  while (pos < end) {
    const got = fs.readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (got === 0) break;
    const b = got === buf.length ? buf : buf.subarray(0, got);
    if (crAtEnd && b[0] !== 0x0a) breaks++;
    for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) breaks++;
    for (let i = b.indexOf(0x0d); i >= 0; i = b.indexOf(0x0d, i + 1)) if (i + 1 < got && b[i + 1] !== 0x0a) breaks++;
    crAtEnd = b[got - 1] === 0x0d;
    pos += got;
  }
  const before = Buffer.alloc(Math.min(pos, MARK_BYTES));
  if (key !== undefined && before.length === fs.readSync(fd, before, 0, before.length, pos - before.length)) {
    marks.delete(key);
    marks.set(key, { end: pos, breaks, crAtEnd, before });
    if (marks.size > MAX_MARKS) marks.delete(marks.keys().next().value as string);
  }
  return crAtEnd ? breaks + 1 : breaks;
}

function sameBytes(fd: number, at: number, expected: Buffer): boolean {
  const got = Buffer.alloc(expected.length);
  return fs.readSync(fd, got, 0, got.length, at) === got.length && got.equals(expected);
}

/** A folder's listing is capped: a config folder holds tens of files, not a million. */
const MAX_LISTED = 1000;

/**
 * The names of the files in a folder, at most 1000, sorted as C's glob(3) sorts them (byte order); undefined when
 * the folder cannot be read. Never throws. A link to a file counts, as for Dovecot's `!include conf.d/*.conf` (conf.d
 * files linked in by GNU Stow, a configuration manager, NixOS); a link to a folder or to nothing does not. The
 * folder is read entry by entry, so a huge one costs no more than its first 1000 files.
 */
export function listFiles(dir: string): string[] | undefined {
  let d: fs.Dir | undefined;
  try {
    d = fs.opendirSync(dir);
    const out: string[] = [];
    for (let e = d.readSync(); e !== null && out.length < MAX_LISTED; e = d.readSync()) {
      if (e.isFile() || (e.isSymbolicLink() && isFileBehindLink(nodePath.join(dir, e.name)))) out.push(e.name);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch {
    return undefined;
  } finally {
    try {
      d?.closeSync();
    } catch {
      // already closed
    }
  }
}

function isFileBehindLink(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

/** Whether the file system refuses this user read access to `path` (EACCES/EPERM), as opposed to it being absent. */
export function readDenied(path: string): boolean {
  try {
    fs.accessSync(path, fs.constants.R_OK);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

function isWithin(child: string, root: string): boolean {
  const rel = nodePath.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

/**
 * The workspace boundary on real paths: when `path` lies in one of the `roots` (workspace folders) but its real
 * path (links resolved, at any level) lies in none of their real paths, returns that real path: a symbolic link
 * out of the workspace. Undefined otherwise (inside, not in any root, or not resolvable).
 */
export function linkOutside(path: string, roots: readonly string[]): string | undefined {
  const abs = nodePath.resolve(path);
  if (!roots.some((r) => isWithin(abs, nodePath.resolve(r)))) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    return undefined;
  }
  const realRoots = roots.map((r) => {
    try {
      return fs.realpathSync(r);
    } catch {
      return nodePath.resolve(r);
    }
  });
  return realRoots.some((r) => isWithin(real, r)) ? undefined : real;
}

/** The finding on a workspace file that is a link out of the workspace and was therefore not read. */
export function linkOutsideFinding(file: string): Finding {
  return makeFinding('lint.link-outside-workspace', {
    severity: 'warning',
    title: 'This file is a symbolic link to a file outside the workspace; it was not read (restricted mode).',
    detail:
      'In an untrusted workspace, Mail TLS Doctor reads no file outside the workspace folders through a link: a ' +
      'repository could point main.cf or .env at your credentials and have them shown as findings or used as host names.',
    fix: 'Trust the workspace if you trust the link, or replace the link with a copy of the file.',
    file,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  });
}
