/**
 * `mail-tls-doctor lint PATH... [--format text|json|jsonl|sarif] [--fail-on ...]`: walks files and folders, lints every file a registered linter claims
 * (Postfix main.cf/master.cf, nodemailer code, .env, mail logs...) and prints one line per finding. Knows no
 * format itself: formats come from the lint registry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { endpointLabel, printable } from '../core/endpoint';
import { compareSeverity, Finding } from '../core/finding';
import { termSafe as t } from '../core/escape';
import { wrap } from '../core/probe/report';
import { listFiles, readBounded, readDenied, readTail, readTextBounded } from '../core/fsread';
import { LINTERS, lintersFor, lintText } from '../core/lint';
import { LINT_MAX_BYTES, notTextFor, readPlan } from '../core/lint/fileKinds';
import { decodeReportBytes, MAX_COMPRESSED_BYTES } from '../core/tlsrpt';
import { looksLikeTlsRpt } from '../core/tlsrpt/parse';
import { detectLocalPostfix } from '../core/lint/postfix/localPostfix';
import { parsePostfixVersion } from '../core/lint/postfix/version';
import type { DiscoveredDomain, DiscoveredEndpoint, LintHost } from '../core/lint/types';
import { CliIO, EXIT_USAGE, paint, UsageError } from './io';
import { RunOutput, takeCommonOptions } from './output';
import { plural } from '../core/wording';

/** The shared byte limit (src/core/lint/fileKinds.ts): bigger configs are refused with a message, logs read by their tail. */
export const MAX_FILE_BYTES = LINT_MAX_BYTES;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.hg', '.svn']);
/** A folder argument such as `/` must not turn into a whole-disk crawl. */
const MAX_FILES_VISITED = 100_000;
/** Entries looked at in the folder a link points to, to tell whether it holds configs. */
const MAX_LINK_PEEK = 1000;

/**
 * A problem of the walk itself (no file report): a path that does not exist, a folder that cannot be read. Callers
 * decide by `kind` (a missing path is bad usage); the words are made at the edge by pathProblemText.
 */
export interface PathProblem {
  kind: 'missing' | 'unreadable-folder' | 'too-many-entries' | 'symlink';
  level: 'error' | 'warning';
  path: string;
  /** What is wrong with the path, without the path: `no such file or folder`. */
  message: string;
}

/** The level of each kind: what was asked for and not linted is an error; what the walk chose to pass over, a warning. */
const PROBLEM_LEVEL: Record<PathProblem['kind'], PathProblem['level']> = {
  missing: 'error',
  'unreadable-folder': 'error',
  'too-many-entries': 'warning',
  symlink: 'warning',
};

/** A path problem in words (`gone/main.cf: no such file or folder`), as the text, JSON and SARIF outputs say it. */
export function pathProblemText(p: PathProblem): string {
  return `${p.path}: ${p.message}`;
}

export interface FileReport {
  file: string;
  findings: Finding[];
  endpoints: DiscoveredEndpoint[];
  /** Mail domains the file names (for `check --from-config`); absent when none. */
  domains?: DiscoveredDomain[];
  skipped?: string;
}

export async function runLint(args: string[], io: CliIO): Promise<number> {
  const { common, rest } = takeCommonOptions(args);
  const paths: string[] = [];
  let dashes = false;
  let postfixVersion: string | undefined;
  let verbose = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (dashes) paths.push(a);
    else if (a === '--') dashes = true;
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--postfix-version' || a.startsWith('--postfix-version=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (v === undefined || !parsePostfixVersion(v)) throw new UsageError('--postfix-version needs a version such as 3.5 or 3.7.11');
      postfixVersion = v;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option "${printable(a)}"`);
    else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError('give at least one file or folder to lint');

  const c = paint(io.color);
  const counts = { error: 0, warning: 0, info: 0 };
  const out = new RunOutput('lint', io, common, {
    text: (r) => {
      if (r.type !== 'lint') return undefined;
      for (const f of r.findings) counts[f.severity]++;
      return renderFileText(r, c, io, verbose);
    },
  });
  const reports: FileReport[] = [];
  const problems: PathProblem[] = [];
  for (const r of lintPaths(paths, problems, io.signal, postfixVersion)) {
    reports.push(r);
    out.emit({ type: 'lint', ...r });
  }
  // JSON Lines are what `report` merges: a PATH that was not linted is a record there, or the merged report
  // would pass for a complete one (JSON and SARIF say it at the end, in problems and notifications).
  if (common.format === 'jsonl')
    for (const p of problems) out.emit({ type: 'lint', file: p.path, findings: [], endpoints: [], skipped: p.message, skippedLevel: p.level });
  if (common.format !== 'json') for (const p of problems) io.err(`${t(pathProblemText(p))}\n`);
  // Text prints each skipped file as it goes and JSON holds them; in SARIF and JSON Lines runs (CI) the log says it too.
  if (common.format === 'sarif' || common.format === 'jsonl') for (const r of reports) if (r.skipped) io.err(`${t(r.file)}: ${t(r.skipped)}\n`);
  const code = out.finish({
    json: () => ({ files: reports, problems: problems.map(pathProblemText) }),
    // SARIF (code scanning) says it too, as the skipped files are said: a CI run whose path is gone must show why.
    notifications: problems.map((p) => ({ level: p.level, path: p.path, text: pathProblemText(p) })),
    text: () => {
      const linted = reports.filter((r) => !r.skipped).length;
      io.err(`${linted} file${linted === 1 ? '' : 's'} linted: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info\n`);
      return undefined;
    },
  });
  // A path named on the command line that does not exist is bad usage even when the others were linted (as in
  // probe and check --from-config): a CI job whose config moved must not pass on the rest.
  if (problems.some((p) => p.kind === 'missing')) return EXIT_USAGE;
  return code;
}

/**
 * Lints every file under the paths, one report per file as soon as it is done. Shared with
 * `probe --from-config`, which probes the endpoints the configs name.
 */
export function* lintPaths(paths: readonly string[], problems: PathProblem[], signal?: AbortSignal, postfixVersion?: string): Generator<FileReport> {
  const problem: ProblemSink = (kind, at, message) => problems.push({ kind, level: PROBLEM_LEVEL[kind], path: at, message });
  // A file reached twice (`lint . etc/postfix`, a folder and a file in it) is linted once: twice would report
  // each finding twice, and in SARIF as two results with one fingerprint.
  const done = new Set<string>();
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      problem('missing', p, 'no such file or folder');
      continue;
    }
    const root = st.isDirectory() ? path.resolve(p) : process.cwd();
    const files = st.isDirectory() ? walk(p, problem) : [p];
    for (const f of files) {
      if (signal?.aborted) return;
      const key = path.resolve(f);
      if (done.has(key)) continue;
      done.add(key);
      const r = lintFile(f, root, st.isDirectory(), postfixVersion);
      if (r) yield r;
    }
  }
}

type ProblemSink = (kind: PathProblem['kind'], at: string, message: string) => void;

function walk(dir: string, problem: ProblemSink): string[] {
  const out: string[] = [];
  const stack = [dir];
  let visited = 0;
  while (stack.length > 0) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      problem('unreadable-folder', d, 'cannot read the folder');
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const e of entries) {
      if (++visited > MAX_FILES_VISITED) {
        problem('too-many-entries', dir, `stopped after ${MAX_FILES_VISITED} entries`);
        return out.sort();
      }
      const full = path.join(d, e.name);
      // Symbolic links are not followed: a link loop or a link to / must not run away, and a link must not pull
      // a file from outside the folder (a token, ~/.netrc) into the output. One that looks lintable is named.
      if (e.isSymbolicLink()) {
        if (lintersFor(full).length > 0) problem('symlink', full, 'a symbolic link; not followed (lint its target by name to include it)');
        else {
          // `postfix -> /etc/postfix`: one look into the target, so that "0 files linted" does not hide the configs.
          const n = configsBehindFolderLink(full);
          if (n > 0)
            problem('symlink', full, `a symbolic link to a folder with ${plural(n, 'mail config file')}; not followed (lint it by name to include it)`);
        }
      } else if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
      } else if (e.isFile() && (lintersFor(full).length > 0 || sniffedTlsRpt(full))) {
        out.push(full);
      }
    }
  }
  return out.sort();
}

/** How much of a `.json` file the walk reads to tell a TLS-RPT report (looksLikeTlsRpt looks at as much). */
const SNIFF_BYTES = 16 * 1024;

/**
 * A `.json` whose name is not an RFC 8460 one (`report.json`, a download renamed) is a TLS-RPT report when its
 * first bytes say so: one bounded read per such file, so package.json and other JSON cost 16 KB and say nothing.
 */
function sniffedTlsRpt(file: string): boolean {
  if (!/\.json$/i.test(file)) return false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    // The walk saw a regular file; a FIFO put there since does not block (O_NONBLOCK: the read fails, caught below).
    const buf = Buffer.allocUnsafe(SNIFF_BYTES);
    const bytes = buf.subarray(0, fs.readSync(fd, buf, 0, SNIFF_BYTES, 0));
    // Most JSON is told apart on the bytes, without decoding: an object, with a "policies" key (any case).
    let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
    if (bytes[i] !== 0x7b || (bytes.indexOf('olicies"') < 0 && bytes.indexOf('OLICIES"') < 0)) return false;
    return looksLikeTlsRpt(bytes.toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function lintFile(file: string, root: string, fromFolder: boolean, postfixVersion?: string): FileReport | undefined {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { file, findings: [], endpoints: [], skipped: 'cannot be read' };
  }
  const plan = readPlan(file, size);
  if (plan.read === 'skip') return { file, findings: [], endpoints: [], skipped: plan.reason };
  let text: string | undefined;
  // A log read by its tail: its findings name the file's lines (the tail's first line is the file's `firstLine`).
  let firstLine: number | undefined;
  if (plan.read === 'tail') {
    const tail = readTail(file, plan.bytes);
    text = tail?.data.toString('utf8');
    firstLine = tail?.firstLine;
  } else if (/\.gz$/i.test(file)) text = readText(file);
  else {
    // A bounded read whatever stat said: /proc files report size 0 and stream without end; a file may grow.
    const read = readBounded(file, LINT_MAX_BYTES);
    if (!read.ok) {
      const skipped =
        read.reason === 'too-large'
          ? `larger than ${LINT_MAX_BYTES / 1024 / 1024} MB; not linted`
          : read.reason === 'not-a-file'
            ? 'not a regular file; not linted'
            : `cannot be read (${readFailure(read.message)})`;
      return { file, findings: [], endpoints: [], skipped };
    }
    const notTextReason = notTextFor(file, read.data);
    if (notTextReason) return { file, findings: [], endpoints: [], skipped: notTextReason };
    text = read.data.toString('utf8');
  }
  if (text === undefined) return { file, findings: [], endpoints: [], skipped: 'cannot be read' };
  // A file named explicitly is linted even when no linter claims it by name, so the user hears about it. Found in a
  // folder, a file whose name fits but whose text no linter reads (an nginx conf.d file, a .js file without a
  // transport) is not one of the files linted: listing it, and counting it, would claim a check that never ran.
  if (lintersFor(file, text).length === 0) return fromFolder ? undefined : { file, findings: [], endpoints: [], skipped: notLinted(file, text) };
  const host: LintHost = { readFile: readText, readDenied, listDir: listFiles, workspaceRoot: root, postfixVersion, ...(firstLine ? { firstLine } : {}) };
  // The live config of this machine's Postfix gets advice for its exact version (postconf mail_version, asked once).
  if (postfixVersion === undefined && /(^|[\\/])([^\\/]*[._-])?(main|master)\.cf$/i.test(file)) host.localPostfix = detectLocalPostfix();
  const r = lintText(file, text, host);
  r.findings.sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0) || compareSeverity(a.severity, b.severity));
  return { file, findings: r.findings, endpoints: r.endpoints, ...(r.domains.length ? { domains: r.domains } : {}) };
}

/** Why a file named on the command line is not linted: its name fits no linter, or its text is not what the linter reads. */
function notLinted(file: string, text: string): string {
  const byName = lintersFor(file);
  const tooLong = byName.find((l) => l.files.maxLength !== undefined && text.length > l.files.maxLength);
  if (tooLong && tooLong.files.maxLength !== undefined) {
    return `not linted: over ${tooLong.files.maxLength.toLocaleString('en-US')} characters, the limit for ${tooLong.files.label}: a file that big is taken as generated`;
  }
  if (byName.length > 0) return `not linted: the name fits ${byName.map((l) => l.files.label).join(' or ')}, but the text does not read as one`;
  return `no linter for this kind of file (supported: ${LINTERS.map((l) => l.files.label).join(', ')})`;
}

/** An errno code in words a user acts on. */
function readFailure(code: string): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EIO') return 'input/output error';
  return code;
}

/**
 * Reads a file for the lints (also certificate files they name): regular files only, at most MAX_FILE_BYTES + 1
 * bytes read; undefined when absent, unreadable or too big.
 */
function readText(p: string): string | undefined {
  // Gzipped TLS-RPT reports (`*.json.gz`) are linted as the JSON they hold, decompressed with a cap.
  if (/\.gz$/i.test(p)) {
    const gz = readBounded(p, Math.min(MAX_FILE_BYTES, MAX_COMPRESSED_BYTES));
    if (!gz.ok) return undefined;
    const d = decodeReportBytes(gz.data);
    return d.ok ? d.text : undefined;
  }
  return readTextBounded(p, MAX_FILE_BYTES);
}

function renderFileText(r: FileReport, c: ReturnType<typeof paint>, io: CliIO, verbose: boolean): string {
  const colour = { error: c.red, warning: c.yellow, info: c.cyan };
  if (r.skipped) {
    io.err(`${t(r.file)}: ${t(r.skipped)}\n`);
    return '';
  }
  const lines: string[] = [];
  for (const f of r.findings) {
    const line = (f.range?.start.line ?? 0) + 1;
    const col = (f.range?.start.character ?? 0) + 1;
    lines.push(`${t(r.file)}:${line}:${col} ${colour[f.severity](f.severity)} ${c.dim(t(f.id))} ${t(f.title)}\n`);
    // --verbose: what it means and the fix under each finding (as `probe` prints them), and its evidence.
    if (verbose) {
      const under = [...wrap(t(f.detail), '    '), ...wrap(`Fix: ${t(f.fix)}`, '    '), ...(f.evidence ?? []).slice(0, 6).map((e) => c.dim(`    > ${t(e)}`))];
      lines.push(under.map((l) => `${l}\n`).join(''));
    }
  }
  for (const e of r.endpoints) {
    lines.push(`${c.dim(`${t(r.file)}:${e.range.start.line + 1}:${e.range.start.character + 1} endpoint ${t(endpointLabel(e.endpoint))} (${t(e.source)})`)}\n`);
  }
  for (const d of r.domains ?? []) {
    lines.push(
      `${c.dim(`${t(r.file)}:${d.range.start.line + 1}:${d.range.start.character + 1} domain ${t(d.domain)} (${t(d.source)}; mail-tls-doctor check ${t(d.domain)})`)}\n`,
    );
  }
  return lines.join('');
}

/** Files a linter claims by name directly in the folder a link points to (none when it is no folder); a bounded look. */
function configsBehindFolderLink(link: string): number {
  let d: fs.Dir | undefined;
  try {
    if (!fs.statSync(link).isDirectory()) return 0;
    d = fs.opendirSync(link);
    let n = 0;
    let seen = 0;
    for (let e = d.readSync(); e !== null && seen < MAX_LINK_PEEK; e = d.readSync(), seen++) if (lintersFor(e.name).length > 0) n++;
    return n;
  } catch {
    return 0;
  } finally {
    try {
      d?.closeSync();
    } catch {
      // already closed
    }
  }
}
