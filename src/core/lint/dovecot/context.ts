/**
 * What a Dovecot rule sees: the file's own parse (findings go on its lines only), the settings of the whole
 * configuration as far as it can be read (the dovecot.conf that includes a conf.d file and everything it includes,
 * this file at its own place), the version it is for, and how to report.
 */
import * as nodePath from 'node:path';
import { printable } from '../../endpoint';
import type { Finding, TextEdit } from '../../finding';
import type { FindingInput } from '../postfix/context';
import { serverFileCandidates as candidates, type ServerHome } from '../serverPaths';
import { makeFinding, type FindingId } from '../../findings';
import { position, range } from '../../plain';
import type { LintHost } from '../types';
import { resolveNamedFilters } from './namedFilters';
import { deniedAmong } from '../denied';
import { parseDovecotConf as parseRaw, type DovecotConf, type DovecotSetting, type Include } from './parser';
import { templateOf, type DovecotTemplate } from './template';
import { detectVersion, type VersionInfo } from './version';

export interface DovecotContext {
  file: string;
  conf: DovecotConf;
  host: LintHost;
  version: VersionInfo;
  /** Settings of the whole readable configuration in Dovecot's order, this file's at its place (the last of a name wins). */
  all: DovecotSetting[];
  /** This config is the live one of this machine (under /etc/dovecot/): missing files are real. */
  live: boolean;
  /**
   * `all` is the whole configuration: the file's own dovecot.conf was read (not stood in for), it includes this file,
   * and every include was read (no missing `!include_try` but on the live config, where missing is missing; no folder
   * that could not be listed, none inside a section, no template among the files). Only then may a rule say a
   * setting is set nowhere.
   */
  complete: boolean;
  /** The directory of the main dovecot.conf (a conf.d file's parent), for /etc/dovecot/... paths in a copy. */
  home: string;
  /** Where files the config names are looked for (live or a copy, /etc/dovecot/ mapped to `home`). */
  serverHome: ServerHome;
  /** This file's template markup (Jinja, ERB, `${VAR}`, `%name`), when it is a template. */
  template?: DovecotTemplate;
  findings: Finding[];
}

/** A file as Dovecot reads it: parsed, with 2.4's `ssl_server { cert_file = }` under its full setting name. */
function parseDovecotConf(text: string): DovecotConf {
  return resolveNamedFilters(parseRaw(text));
}

/** Bounds on following includes: a loop or a fan of includes must not run away. */
const MAX_INCLUDED_FILES = 100;
const MAX_INCLUDE_DEPTH = 8;

export function isLiveDovecot(path: string): boolean {
  return /^\/etc\/dovecot\//.test(nodePath.resolve(path));
}

/**
 * The dovecot.conf that holds this file: itself, `../dovecot.conf` for a file in a conf.d folder, else the one beside
 * it (docker-mailserver keeps dovecot.conf and its NN-*.conf files in one folder). Read only when it exists.
 */
export function mainConfPath(path: string): string {
  const base = nodePath.basename(path).toLowerCase();
  if (base === 'dovecot.conf') return path;
  const dir = nodePath.dirname(path);
  if (nodePath.basename(dir).toLowerCase() === 'conf.d') return nodePath.join(nodePath.dirname(dir), 'dovecot.conf');
  return nodePath.join(dir, 'dovecot.conf');
}

/**
 * What stands for a conf.d file's missing dovecot.conf: every distribution's stock one includes the folder
 * (`!include conf.d/*.conf`), and a repository that ships conf.d overrides alone (an Ansible role, a Salt pillar)
 * is meant for it, so `ssl = required` in 10-ssl.conf is seen from 10-auth.conf. Nothing for other folders.
 */
function stockMainText(path: string): string | undefined {
  return nodePath.basename(nodePath.dirname(path)).toLowerCase() === 'conf.d' ? `!include ${nodePath.basename(nodePath.dirname(path))}/*.conf\n` : undefined;
}

export function buildContext(path: string, text: string, host: LintHost): DovecotContext {
  const conf = parseDovecotConf(text);
  // The mark lintText took off (or the editor hides) is still line 1's first bytes to Dovecot.
  if (host.byteOrderMark && !conf.problems.some((p) => p.kind === 'byte-order-mark')) {
    conf.problems.unshift({
      kind: 'byte-order-mark',
      line: 0,
      range: range(position(0, 0), position(0, 0)),
      excerpt: `\uFEFF${(conf.lines[0] ?? '').slice(0, 200)}`,
    });
  }
  const mainPath = mainConfPath(path);
  const isMain = mainPath === path;
  const live = isLiveDovecot(path);
  const home: ServerHome = { live, prefix: '/etc/dovecot/', dir: nodePath.dirname(mainPath) };
  const walk: Walk = { host, home, seen: new Set(), own: { path: nodePath.resolve(path), text, conf }, ownPlaced: false, partial: false };
  let mainSettings: DovecotSetting[] | undefined;
  let all: DovecotSetting[] = [];
  if (!isMain) {
    const realMain = safeRead(host, mainPath);
    const mainText = realMain ?? stockMainText(path);
    if (realMain === undefined) walk.partial = true;
    if (mainText !== undefined) {
      walk.seen.add(nodePath.resolve(mainPath));
      // Only a real dovecot.conf tells the version (one without dovecot_config_version is 2.3's).
      if (realMain !== undefined) mainSettings = parseDovecotConf(realMain).settings;
      // This file's settings land where dovecot.conf includes it (`!include conf.d/*.conf`), in glob order.
      all = expand(mainPath, mainText, walk, 0);
    }
  }
  if (!walk.ownPlaced) {
    // A conf.d file its dovecot.conf does not include is no part of that config.
    if (!isMain) walk.partial = true;
    walk.seen.add(walk.own.path);
    all = all.concat(expand(path, text, walk, 0, conf));
  }
  return {
    file: path,
    conf,
    host,
    version: detectVersion(conf.settings, mainSettings, isMain),
    all,
    live,
    complete: !walk.partial,
    home: home.dir,
    serverHome: home,
    template: templateOf(conf),
    findings: [],
  };
}

/** One walk over the includes: what was read (each file once), and the linted file, placed where it is included. */
interface Walk {
  host: LintHost;
  home: ServerHome;
  seen: Set<string>;
  own: { path: string; text: string; conf: DovecotConf };
  ownPlaced: boolean;
  /** Something of the config could not be read or expanded (see DovecotContext.complete). */
  partial: boolean;
}

/** The settings of a file with those of the files it includes, in Dovecot's order (a glob's files sorted). */
function expand(path: string, text: string, walk: Walk, depth: number, parsed?: DovecotConf): DovecotSetting[] {
  const conf = parsed ?? parseDovecotConf(text);
  if (templateOf(conf) !== undefined) walk.partial = true;
  if (conf.includes.length === 0) return conf.settings;
  if (depth >= MAX_INCLUDE_DEPTH) {
    walk.partial = true;
    return conf.settings;
  }
  const out: DovecotSetting[] = [];
  let si = 0;
  for (const inc of conf.includes) {
    while (si < conf.settings.length && conf.settings[si].line < inc.line) out.push(conf.settings[si++]);
    if (inc.sections.length > 0) {
      walk.partial = true;
      continue;
    }
    const glob = /[*?[]/.test(inc.path);
    const listed = glob ? listGlob(walk.host, walk.home, path, inc.path) : undefined;
    const files = glob ? (listed?.files ?? []) : [findInclude(walk.host, walk.home, path, inc.path)];
    if ((glob && listed?.unread) || ((glob ? listed === undefined : files[0] === undefined) && !knownAbsent(walk, path, inc))) walk.partial = true;
    for (const found of files) {
      if (!found || walk.seen.has(found.path)) continue;
      if (walk.seen.size >= MAX_INCLUDED_FILES) {
        walk.partial = true;
        continue;
      }
      walk.seen.add(found.path);
      if (found.path === walk.own.path) {
        walk.ownPlaced = true;
        out.push(...expand(found.path, walk.own.text, walk, depth + 1, walk.own.conf));
      } else out.push(...expand(found.path, found.text, walk, depth + 1));
    }
  }
  while (si < conf.settings.length) out.push(conf.settings[si++]);
  return out;
}

/**
 * An include that found nothing adds nothing for sure only as an `!include_try` of the live config (a missing file is
 * really missing there; a copy may just lack it), when the folder could be listed and this user is not refused it.
 */
function knownAbsent(walk: Walk, from: string, inc: Include): boolean {
  if (!inc.optional || !walk.home.live) return false;
  const glob = /[*?[]/.test(inc.path);
  if (glob && !walk.host.listDir) return false;
  const target = nodePath.resolve(nodePath.dirname(from), inc.path);
  return deniedAmong(walk.host, [glob ? nodePath.dirname(target) : target]) === undefined;
}

/**
 * The files a glob include names (`!include conf.d/*.conf`), sorted as glob(3) sorts them, when the host can list
 * the folder (only the last part may be a pattern, as in every real config); none otherwise. The folder is looked
 * for as an included file is.
 */
export function globInclude(host: LintHost, home: ServerHome, from: string, include: string): Array<{ path: string; text: string }> {
  return listGlob(host, home, from, include)?.files ?? [];
}

/** globInclude, undefined when no folder could be listed; `unread` when a matching file could not be read. */
function listGlob(
  host: LintHost,
  home: ServerHome,
  from: string,
  include: string,
): { files: Array<{ path: string; text: string }>; unread: boolean } | undefined {
  const dir = nodePath.dirname(include);
  if (!host.listDir || /[*?[]/.test(dir)) return undefined;
  const pattern = globPattern(nodePath.basename(include));
  for (const c of candidates(dir, from, host.workspaceRoot, home)) {
    let names: string[] | undefined;
    try {
      names = host.listDir(c);
    } catch {
      names = undefined;
    }
    if (names === undefined) continue;
    const out: Array<{ path: string; text: string }> = [];
    let unread = false;
    for (const name of names.filter((n) => pattern.test(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const file = nodePath.join(c, name);
      const text = safeRead(host, file);
      if (text === undefined) unread = true;
      else out.push({ path: nodePath.resolve(file), text });
    }
    return { files: out, unread };
  }
  return undefined;
}

/** glob(3)'s `*`, `?` and `[...]` for one path component, case-sensitive; a leading dot is matched only by a dot. */
function globPattern(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (close > 0) {
      const body = glob
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\[\]]/g, '\\$&');
  }
  return new RegExp(glob.startsWith('.') ? `^${re}$` : `^(?!\\.)${re}$`);
}

/**
 * An included file, looked for as the certificate files are: an absolute path as written only on the live config (a
 * copy's /etc/dovecot/x.conf is another machine's file), under the workspace mirror, beside the copy's dovecot.conf;
 * a relative one beside the including file.
 */
export function findInclude(host: LintHost, home: ServerHome, from: string, include: string): { path: string; text: string } | undefined {
  for (const c of candidates(include, from, host.workspaceRoot, home)) {
    const text = safeRead(host, c);
    if (text !== undefined) return { path: nodePath.resolve(c), text };
  }
  return undefined;
}

function safeRead(host: LintHost, p: string): string | undefined {
  try {
    return host.readFile(p);
  } catch {
    return undefined;
  }
}

/** The last server-scoped (global) value of a setting in the whole readable configuration. */
export function globalValue(ctx: DovecotContext, name: string): string | undefined {
  for (let i = ctx.all.length - 1; i >= 0; i--) {
    const s = ctx.all[i];
    if (s.name === name && s.sections.length === 0) return s.value;
  }
  return undefined;
}

/** Whether a later setting of the same name and scope, anywhere in the configuration, wins over `s` (Dovecot keeps the last). */
export function overriddenLater(ctx: DovecotContext, s: DovecotSetting): boolean {
  let known = lastOfScope.get(ctx.all);
  if (!known) {
    // Built once per configuration: asked per setting, a scan each time would be quadratic in a long file.
    known = { last: new Map(ctx.all.map((x) => [scopedName(x), x])), members: new Set(ctx.all) };
    lastOfScope.set(ctx.all, known);
  }
  const winner = known.last.get(scopedName(s));
  return winner !== undefined && winner !== s && known.members.has(s);
}

const lastOfScope = new WeakMap<readonly DovecotSetting[], { last: Map<string, DovecotSetting>; members: Set<DovecotSetting> }>();

function scopedName(x: DovecotSetting): string {
  return `${x.sections.map((q) => `${q.name} ${q.arg}`).join('/')}/${x.name}`;
}

export function report(ctx: DovecotContext, id: FindingId, f: FindingInput): void {
  const noEdits = !f.edits || f.edits.length === 0;
  ctx.findings.push(
    makeFinding(id, {
      ...f,
      evidence: f.evidence && f.evidence.length > 0 ? f.evidence : undefined,
      edits: noEdits ? undefined : f.edits,
      editTitle: noEdits ? undefined : f.editTitle,
      file: ctx.file,
    }),
  );
}

/** `line N: text` of a setting, for evidence: escaped for display (lintText masks secret-named values on top). */
export function lineEvidence(ctx: DovecotContext, s: DovecotSetting): string {
  return `line ${s.line + 1}: ${printable((ctx.conf.lines[s.line] ?? '').trim(), 200)}`;
}

/** The edit that replaces a setting's whole value. */
export function replaceValue(s: DovecotSetting, value: string): TextEdit {
  return { range: s.valueRange, newText: value };
}

/** The edit that rewrites a whole one-line setting as `name = value` (keeping its indentation). */
export function replaceSetting(ctx: DovecotContext, s: DovecotSetting, name: string, value: string): TextEdit {
  const end = s.valueRange.end;
  return { range: range(position(s.line, s.nameRange.start.character), position(end.line, end.character)), newText: `${name} = ${value}` };
}
