/**
 * Which files get linted, derived from the linters' own FileKind declarations (src/core/lint/types.ts): the editor's
 * scan glob, the CLI's walk, the manifest's activation events, and one byte-limit policy for the CLI and the editor.
 */
import { LINTERS, lintersFor } from './index';
import type { Linter } from './types';

/** The one byte limit: a file over it is skipped (configs, code, reports) or linted by its tail (logs). */
export const LINT_MAX_BYTES = 10 * 1024 * 1024;

/** Base-name glob (`*`, `?`, `[0-9]`) as a case-insensitive regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/\\\\]*';
    else if (c === '?') re += '[^/\\\\]';
    else if (c === '[') {
      const close = glob.indexOf(']', i);
      re += glob.slice(i, close + 1);
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** Whether a base name is one of the names a linter owns. */
export function ownsName(linter: Linter, baseName: string): boolean {
  return linter.files.names.some((g) => globToRegExp(g).test(baseName));
}

/** Whether some linter owns the base name (what the editor's scan glob matches). */
export function isCandidateName(baseName: string, linters: readonly Linter[] = LINTERS): boolean {
  return linters.some((l) => ownsName(l, baseName));
}

/** Every base-name glob of every linter, once, in linter order. */
export function candidateNames(linters: readonly Linter[] = LINTERS): string[] {
  return [...new Set(linters.flatMap((l) => l.files.names))];
}

/** The editor's workspace scan and watcher glob: `**\/{main.cf,...}`. */
export function candidateGlob(linters: readonly Linter[] = LINTERS): string {
  return `**/{${candidateNames(linters).join(',')}}`;
}

/** The activation events the manifest must list (package.json is checked against this by a test). */
export function activationEvents(linters: readonly Linter[] = LINTERS): string[] {
  return [...new Set(linters.flatMap((l) => l.files.activation))];
}

export type ReadPlan =
  | { read: 'all' }
  /** Read only the last `bytes` bytes, and drop the partial first line. */
  | { read: 'tail'; bytes: number }
  | { read: 'skip'; reason: string };

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

/** How a file of `size` bytes is read for linting, by the linters that own its name. */
export function readPlan(filePath: string, size: number): ReadPlan {
  if (size <= LINT_MAX_BYTES) return { read: 'all' };
  if (lintersFor(filePath).some((l) => l.files.oversize === 'tail')) return { read: 'tail', bytes: LINT_MAX_BYTES };
  return { read: 'skip', reason: `larger than ${mb(LINT_MAX_BYTES)} (${(size / 1024 / 1024).toFixed(1)} MB); not linted` };
}

/** How much of a file's start is looked at to tell text from binary (as git and grep do: a NUL byte there). */
const SNIFF_BYTES = 8192;

/**
 * Why a config file's bytes are no text its readers take, if they are not: a UTF-16 file (Windows tools write one
 * with a byte order mark; Postfix, dotenv and Node read UTF-8, so the program sees nothing it knows) or binary data
 * (a NUL byte in the first 8 KB). Linting either would report every line, or nothing, about a file nobody reads.
 * Logs are not asked (see notTextFor).
 */
export function notText(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return 'UTF-16 text (it starts with a UTF-16 byte order mark); not linted: save it as UTF-8, the encoding Postfix, dotenv and Node read';
  }
  const n = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return 'binary data (a NUL byte at byte ' + i + '); not linted';
  return undefined;
}

/**
 * notText for a file the linters of `filePath` would read; never for a log (a kind read by its tail): a crashed
 * syslog leaves runs of NUL bytes in a log whose other lines still matter. The CLI and the editor's reads ask this.
 */
export function notTextFor(filePath: string, bytes: Uint8Array): string | undefined {
  return lintersFor(filePath).some((l) => l.files.oversize === 'tail') ? undefined : notText(bytes);
}
