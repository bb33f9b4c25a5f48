/**
 * Every file read of the CLI and the extension goes through here: bounded by bytes whatever `stat` says (files in
 * /proc report size 0 and never end; a file can grow between the stat and the read), regular files only (a FIFO
 * would block the reader forever, a device never ends), and the workspace boundary checked on real paths.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Finding } from './finding';
import { makeFinding } from './findings';

// Bounded reads live in a module of their own, without findings, so the CLI's dispatcher can read a CA file
// before it loads any (src/cli/earlyConnect.ts).
export { formatBytes, readBounded, readTextBounded, type BoundedRead } from './boundedRead';

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
