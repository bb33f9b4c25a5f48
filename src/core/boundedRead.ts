/**
 * Bounded file reads (re-exported by fsread.ts, which documents the rules): bounded by bytes whatever `stat` says,
 * regular files only. No findings here, so the CLI's dispatcher can use it before it loads any.
 */
import * as fs from 'node:fs';

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

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
