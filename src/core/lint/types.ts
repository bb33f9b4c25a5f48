import type { Endpoint } from '../endpoint';
import type { Finding, Range } from '../finding';

/**
 * What a lint may read besides the text it lints (a `.env` beside the code, a certificate file named in
 * `main.cf`). The CLI passes the file system; the editor passes open documents first, then the file system.
 */
export interface LintHost {
  /** The file's text, or undefined when it is absent or unreadable. Never throws. */
  readFile(path: string): string | undefined;
  /**
   * Whether this user may not read `path` (or look into its folder): the lint then cannot tell a missing file from
   * one only root reads, as `/etc/dovecot/private/*.key` and `/etc/ssl/private` are. Absent: unreadable counts as missing.
   */
  readDenied?(path: string): boolean;
  /**
   * The names of the regular files in a folder, or undefined when it cannot be listed. Optional: without it a
   * Dovecot `!include conf.d/*.conf` glob is not expanded (each conf.d file is still linted on its own).
   */
  listDir?(dir: string): string[] | undefined;
  /** The workspace folder holding the file, for `.env` at the root and mirrored paths like `etc/ssl/...`. */
  workspaceRoot?: string;
  /** The clock used for certificate expiry; injectable for tests. */
  now?: Date;
  /** Days before expiry that count as "expires soon" (default 30). */
  expiryWarningDays?: number;
  /** The Postfix version the user declared (setting `mailTlsDoctor.postfix.version`, CLI `--postfix-version`). */
  postfixVersion?: string;
  /** The Postfix installed on this machine (`postconf -d -h config_directory mail_version`), if any. */
  localPostfix?: { configDirectory: string; version: string };
  /**
   * The zero-based line of the file the text starts on, when it is not the file's start: a log over the size bound
   * is linted from its tail (fsread.ts readTail), and its findings name the file's lines, not the tail's.
   */
  firstLine?: number;
  /**
   * The file's bytes start with a UTF-8 byte-order mark (U+FEFF, Notepad's "UTF-8 with BOM"), which the text does
   * not hold: editors hide it, and lintText takes it off, so columns on line 1 count as the editor counts them.
   * Postfix and Dovecot read the mark as text, so their linters report it.
   */
  byteOrderMark?: boolean;
}

/** A mail server a config talks to, with the place that defined it. */
export interface DiscoveredEndpoint {
  endpoint: Endpoint;
  file: string;
  range: Range;
  /** What defined it, in words (shown in brackets, so none of its own): `relayhost in main.cf`, `nodemailer transport`, `mail.log, 3 failures`. */
  source: string;
}

/**
 * A mail domain a config names (an unbracketed relayhost, a policy-map or transport-map entry): what the domain
 * check (src/core/domain) can look at, and the place its findings belong to.
 */
export interface DiscoveredDomain {
  /** Lower case, no trailing dot. */
  domain: string;
  file: string;
  range: Range;
  /** What named it, in words (shown in brackets, so none of its own): `relayhost in main.cf without brackets: ...`, `smtp_tls_policy_maps entry`. */
  source: string;
  /**
   * A sender's own domain (nodemailer `from`, `auth.user`), not a destination the config delivers to: offered to
   * the domain check only when the user asks for sender domains.
   */
  sender?: true;
}

export interface LintResult {
  findings: Finding[];
  endpoints: DiscoveredEndpoint[];
  /** Mail domains the file names, offered to the domain check (absent: none). */
  domains?: DiscoveredDomain[];
}

/**
 * The files a linter owns. The editor's scan glob, the CLI's walk, the read limits and the manifest's activation
 * events are derived from (or, for package.json, checked against) these; see src/core/lint/fileKinds.ts.
 */
export interface FileKind {
  /** What the files are, in words a user knows (`Postfix master.cf`): the CLI names the supported kinds with it. */
  readonly label: string;
  /**
   * Base names this linter may claim, as globs in the subset both VS Code and fileKinds.ts understand: `*`, `?`
   * and `[0-9]`, no braces. `matches()` may still refuse a file by its text; it never claims a name outside these.
   */
  readonly names: readonly string[];
  /** The activation events the manifest needs for this kind, e.g. `workspaceContains:**\/main.cf`. */
  readonly activation: readonly string[];
  /**
   * A file over the shared byte limit (LINT_MAX_BYTES): `skip` it (a part of a config means nothing) or lint its
   * last bytes (`tail`: logs grow without bound and their latest lines matter).
   */
  readonly oversize: 'skip' | 'tail';
  /**
   * A text longer than this (in characters) is taken as generated (a bundle) and not claimed, below the shared byte
   * limit; a file named on the command line is then told why.
   */
  readonly maxLength?: number;
}

export interface Linter {
  /** Short name of the format: `postfix-main`, `postfix-master`, `nodemailer`, `dotenv`, `maillog`. */
  format: string;
  /** The files it owns: names, activation events, what happens to an oversized file. */
  files: FileKind;
  /** Decides from the path (and, when the name is not enough, the text) whether this linter applies. */
  matches(path: string, text?: string): boolean;
  /** Must never throw: bad input yields findings (or none), not an exception. */
  lint(path: string, text: string, host: LintHost): LintResult;
}
