/**
 * Every one-click edit of every Postfix rule, judged by the real Postfix installed here: for each fixture in
 * test/fixtures/postfix/ and each finding with edits (main.cf and master.cf), the edited file is written beside
 * the other one into a temporary config directory, and `postconf -c DIR` (every effective value), `postconf -P`
 * (master.cf overrides) and `postconf -M` (services) are read before and after. The edit fails the test when
 *
 * - an effective TLS security level of main.cf or of any master.cf service goes down (the legacy use/enforce
 *   switches are evaluated the way smtpd.c and smtp_tls_policy.c do), apart from the one intended change of
 *   `postfix.encrypt-on-public-mx` (port 25 to "may", RFC 3207);
 * - a protocol list enables a version below what it enabled before, or drops TLS 1.2/1.3 it had;
 * - a cipher grade goes down;
 * - postconf prints a warning it did not print before (an unused parameter, an "overriding earlier entry"
 *   duplicate), or master.cf loses a service;
 * - a protocol list uses the Postfix 3.6+ `>=`/`<=` syntax that it did not use before, while the Postfix version
 *   is unknown or declared older than 3.6 (Postfix 3.5 would reject the whole list and turn TLS off);
 * - the finding is still reported after its own edit.
 *
 * The security model here is written from postconf(5) independently of the linter's own analysis.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../../src/core/finding';
import { lintText } from '../../src/core/lint';
import { applyEdits } from '../support/applyEdits';
import type { LintHost } from '../../src/core/lint/types';
import { findTool } from '../support/mailservers/tools';
import { writePostfixConfig } from '../support/postfixConfig';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'postfix');

/** Every Postfix rule that offers an edit must be exercised by some fixture here. */
const EDIT_RULES = [
  'postfix.legacy-protocols',
  'postfix.protocols-gap',
  'postfix.protocols-syntax',
  'postfix.deprecated-parameter',
  'postfix.obsolete-cipher-grade',
  'postfix.invalid-cipher-grade',
  'postfix.relayhost-needs-wrappermode',
  'postfix.wrappermode-needs-encrypt',
  'postfix.wrappermode-on-starttls-port',
  'postfix.relayhost-mx-lookup',
  'postfix.verify-without-ca',
  'postfix.encrypt-on-public-mx',
  'postfix.duplicate-parameter',
  'postfix.smtps-without-wrappermode',
  'postfix.submission-without-encrypt',
  'postfix.relay-credentials-in-clear',
  'postfix.unknown-parameter',
];

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function postconfRun(postconf: string, dir: string, flags: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(postconf, ['-c', dir, ...flags], { encoding: 'utf8', timeout: 20000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** At most a few postconf processes at a time: the machine is shared. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

interface Snapshot {
  /** main.cf's effective values (postconf -c DIR, all parameters). */
  main: Map<string, string>;
  /** `service/type` -> its -o overrides (postconf -P). */
  services: Map<string, Map<string, string>>;
  serviceList: string[];
  warnings: string[];
  masterWarnings: string[];
}

const clean = (l: string) =>
  l
    .replace(/^postconf: /, '')
    .replace(/\/tmp\/mtd-edit-postconf-\w+/g, 'DIR')
    .trim();

async function snapshot(postconf: string, run: ReturnType<typeof limiter>, files: { main: string; master: string }, sameMaster?: Snapshot): Promise<Snapshot> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-edit-postconf-'));
  try {
    writePostfixConfig(path.join(dir, 'main.cf'), files.main);
    fs.writeFileSync(path.join(dir, 'master.cf'), files.master);
    // -P and -M read master.cf only: with master.cf unchanged their output is the base's.
    const none: Run = { status: 0, stdout: '', stderr: '' };
    const [all, p, m] = await Promise.all([
      run(() => postconfRun(postconf, dir, [])),
      sameMaster ? none : run(() => postconfRun(postconf, dir, ['-P'])),
      sameMaster ? none : run(() => postconfRun(postconf, dir, ['-M'])),
    ]);
    for (const r of [all, p, m]) assert.equal(r.status, 0, r.stderr);
    const main = new Map<string, string>();
    for (const line of all.stdout.split('\n')) {
      const i = line.indexOf(' =');
      if (i > 0) main.set(line.slice(0, i), line.slice(i + 2).trim());
    }
    if (sameMaster) {
      const warnings = all.stderr
        .split('\n')
        .map(clean)
        .filter((l) => l !== '');
      return {
        main,
        services: sameMaster.services,
        serviceList: sameMaster.serviceList,
        warnings: [...new Set([...warnings, ...sameMaster.masterWarnings])].sort(),
        masterWarnings: sameMaster.masterWarnings,
      };
    }
    const services = new Map<string, Map<string, string>>();
    for (const line of p.stdout.split('\n')) {
      const mm = /^([^/\s]+)\/([^/\s]+)\/([^\s=]+)\s*=\s*(.*)$/.exec(line);
      if (!mm) continue;
      const key = `${mm[1]}/${mm[2]}`;
      if (!services.has(key)) services.set(key, new Map());
      services.get(key)!.set(mm[3], mm[4].trim());
    }
    const serviceList = m.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(/\s+/).slice(0, 2).join('/'));
    for (const s of serviceList) if (!services.has(s)) services.set(s, new Map());
    const masterWarnings = [...p.stderr.split('\n'), ...m.stderr.split('\n')].map(clean).filter((l) => l !== '');
    const warnings = [
      ...all.stderr
        .split('\n')
        .map(clean)
        .filter((l) => l !== ''),
      ...masterWarnings,
    ];
    return { main, services, serviceList, warnings: [...new Set(warnings)].sort(), masterWarnings };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- The security model (postconf(5), smtpd.c, smtp_tls_policy.c) ----

const SMTPD_RANK: Record<string, number> = { none: 0, may: 1, encrypt: 2 };
const CLIENT_RANK: Record<string, number> = { none: 0, may: 1, dane: 1, encrypt: 2, fingerprint: 3, verify: 3, secure: 3, 'dane-only': 3 };
const GRADE_RANK: Record<string, number> = { export: 0, null: 0, low: 1, medium: 2, high: 3 };
const NAMES = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

type Values = (name: string) => string;

function level(v: Values, side: 'smtpd' | 'smtp' | 'lmtp'): string {
  const set = v(`${side}_tls_security_level`).toLowerCase();
  if (set) return set;
  const yes = (n: string) => v(n).toLowerCase() === 'yes';
  if (yes(`${side}_enforce_tls`)) return side === 'smtpd' ? 'encrypt' : yes(`${side}_tls_enforce_peername`) ? 'verify' : 'encrypt';
  return yes(`${side}_use_tls`) ? 'may' : 'none';
}

/** The TLS versions a protocol list enables, or 'rejected' when Postfix 3.7 cannot read it. */
function enabled(list: string, client: boolean): number[] | 'rejected' {
  const include = new Set<number>();
  const exclude = new Set<number>();
  let lo = 0;
  let hi = 5;
  const toks = list.split(/[\s,:]+/).filter(Boolean);
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const bound = /^([<>]=)(.*)$/.exec(t);
    if (bound) {
      if (bound[2] === '') continue; // 3.6+: ">=" alone is no bound
      const k = NAMES.findIndex((n) => n.toLowerCase() === bound[2].toLowerCase());
      if (k < 0) return 'rejected';
      if (bound[1] === '>=') lo = Math.max(lo, k);
      else hi = Math.min(hi, k);
      continue;
    }
    const neg = t.startsWith('!');
    const k = NAMES.findIndex((n) => n.toLowerCase() === (neg ? t.slice(1) : t).toLowerCase());
    if (k < 0) return 'rejected';
    (neg ? exclude : include).add(k);
  }
  const allowed = [1, 2, 3, 4, 5].filter((k) => (include.size === 0 || include.has(k)) && !exclude.has(k) && k >= lo && k <= hi);
  if (!client) return allowed;
  const run: number[] = [];
  for (const k of allowed) {
    if (run.length === 0 || k === run[run.length - 1] + 1) run.push(k);
    else break;
  }
  return run;
}

const PROTOCOL_LISTS = ['smtpd', 'smtp', 'lmtp'].flatMap((p) => [`${p}_tls_protocols`, `${p}_tls_mandatory_protocols`]);
const GRADES = ['smtpd', 'smtp', 'lmtp'].flatMap((p) => [`${p}_tls_ciphers`, `${p}_tls_mandatory_ciphers`]);

interface Effective {
  levels: Record<string, string>;
  protocols: Record<string, number[] | 'rejected'>;
  lists: Record<string, string>;
  grades: Record<string, string>;
}

function effective(v: Values): Effective {
  const out: Effective = { levels: {}, protocols: {}, lists: {}, grades: {} };
  for (const side of ['smtpd', 'smtp', 'lmtp'] as const) out.levels[side] = level(v, side);
  for (const n of PROTOCOL_LISTS) {
    out.lists[n] = v(n);
    out.protocols[n] = enabled(v(n), !n.startsWith('smtpd_'));
  }
  for (const n of GRADES) out.grades[n] = v(n).toLowerCase();
  return out;
}

/** main.cf and every service, each as the values its processes see. */
function scopes(s: Snapshot): Map<string, Effective> {
  const out = new Map<string, Effective>();
  const mainV: Values = (n) => s.main.get(n) ?? '';
  out.set('main.cf', effective(mainV));
  for (const [svc, o] of s.services)
    out.set(
      svc,
      effective((n) => (o.has(n) ? o.get(n)! : mainV(n))),
    );
  return out;
}

/** Problems of `after` compared with `before`; `allowLower` names scopes whose smtpd level may drop to "may". */
function compare(before: Snapshot, after: Snapshot, opts: { allowLower: Set<string>; boundsOk: boolean }): string[] {
  const problems: string[] = [];
  const b = scopes(before);
  const a = scopes(after);
  for (const [scope, eb] of b) {
    const ea = a.get(scope);
    if (!ea) {
      problems.push(`${scope}: service lost`);
      continue;
    }
    for (const side of ['smtpd', 'smtp', 'lmtp']) {
      const rank = side === 'smtpd' ? SMTPD_RANK : CLIENT_RANK;
      const rb = rank[eb.levels[side]] ?? 0;
      const ra = rank[ea.levels[side]] ?? 0;
      const allowed = side === 'smtpd' && opts.allowLower.has(scope) && ea.levels[side] === 'may';
      if (ra < rb && !allowed) problems.push(`${scope}: ${side} level lowered ${eb.levels[side]} -> ${ea.levels[side]}`);
    }
    for (const n of PROTOCOL_LISTS) {
      const pb = eb.protocols[n];
      const pa = ea.protocols[n];
      if (pa === 'rejected') {
        if (pb !== 'rejected') problems.push(`${scope}: ${n} is now rejected by Postfix ("${ea.lists[n]}")`);
        continue;
      }
      if (!opts.boundsOk && /[<>]=/.test(ea.lists[n]) && !/[<>]=/.test(eb.lists[n])) {
        problems.push(`${scope}: ${n} = "${ea.lists[n]}" uses >=/<= bounds (Postfix 3.6+) although the version is not known to be 3.6+`);
      }
      if (pb === 'rejected') continue;
      if (pb.length > 0 && (pa.length === 0 || Math.min(...pa) < Math.min(...pb)))
        problems.push(`${scope}: ${n} lowered ${JSON.stringify(pb)} -> ${JSON.stringify(pa)}`);
      for (const modern of [4, 5]) if (pb.includes(modern) && !pa.includes(modern)) problems.push(`${scope}: ${n} lost ${NAMES[modern]}`);
    }
    for (const n of GRADES) {
      if ((GRADE_RANK[ea.grades[n]] ?? 2) < (GRADE_RANK[eb.grades[n]] ?? 2)) problems.push(`${scope}: ${n} lowered ${eb.grades[n]} -> ${ea.grades[n]}`);
    }
  }
  const newWarnings = after.warnings.filter((w) => !before.warnings.includes(w));
  for (const w of newWarnings) problems.push(`new postconf warning: ${w}`);
  return problems;
}

// ---- Fixtures and edits ----

const DIR = '/ws/etc/postfix';

interface Case {
  fixture: string;
  variant: string;
  file: 'main.cf' | 'master.cf';
  finding: Finding;
  texts: { main: string; master: string };
  host: Partial<LintHost>;
}

function lintBoth(texts: { main: string; master: string }, extra: Partial<LintHost>): { main: Finding[]; master: Finding[] } {
  const files: Record<string, string> = { [`${DIR}/main.cf`]: texts.main, [`${DIR}/master.cf`]: texts.master };
  const host: LintHost = { readFile: (p) => files[p], workspaceRoot: '/ws', ...extra };
  return { main: lintText(`${DIR}/main.cf`, texts.main, host).findings, master: lintText(`${DIR}/master.cf`, texts.master, host).findings };
}

const VARIANTS: { name: string; host: Partial<LintHost>; boundsOk: boolean }[] = [
  { name: 'version unknown', host: {}, boundsOk: false },
  { name: 'Postfix 3.5', host: { postfixVersion: '3.5.27' }, boundsOk: false },
  { name: 'Postfix 3.7', host: { postfixVersion: '3.7.11' }, boundsOk: true },
];

function cases(): Case[] {
  const out: Case[] = [];
  for (const d of fs.readdirSync(FIXTURES).sort()) {
    const read = (n: string) => (fs.existsSync(path.join(FIXTURES, d, n)) ? fs.readFileSync(path.join(FIXTURES, d, n), 'utf8') : undefined);
    const main = read('main.cf');
    const master = read('master.cf');
    if (main === undefined && master === undefined) continue;
    const texts = { main: main ?? '', master: master ?? '' };
    for (const v of VARIANTS) {
      const r = lintBoth(texts, v.host);
      for (const [file, list] of [
        ['main.cf', main === undefined ? [] : r.main],
        ['master.cf', master === undefined ? [] : r.master],
      ] as const) {
        for (const f of list) if (f.edits && f.edits.length > 0) out.push({ fixture: d, variant: v.name, file, finding: f, texts, host: v.host });
      }
    }
  }
  return out;
}

/** Port-25 smtpd services: the only scopes encrypt-on-public-mx may move to "may". */
function port25Services(s: Snapshot): string[] {
  return s.serviceList.filter((k) => /^((\S+:)?(smtp|25))\/inet$/.test(k));
}

describe('postfix: every edit keeps or raises the effective security (real postconf)', function () {
  this.timeout(240_000);
  const postconf = findTool('postconf');
  before(function () {
    if (!postconf) {
      console.log('    SKIPPED: postconf is not installed (apt-get install postfix to run this comparison)');
      this.skip();
    }
  });

  const all = cases();
  const run = limiter(4);
  const snapshots = new Map<string, Promise<Snapshot>>();
  const snap = (texts: { main: string; master: string }, base?: Snapshot) => {
    const key = `${texts.main}\u0000${texts.master}`;
    let p = snapshots.get(key);
    if (!p) {
      p = snapshot(postconf!, run, texts, base);
      snapshots.set(key, p);
    }
    return p;
  };

  it('covers every Postfix rule that offers an edit', () => {
    const seen = new Set<string>(all.map((c) => c.finding.id));
    assert.deepEqual(
      EDIT_RULES.filter((id) => !seen.has(id)),
      [],
    );
  });

  // One test per fixture and variant: all its edits, each applied alone to the original files.
  const groups = new Map<string, Case[]>();
  for (const c of all) {
    const k = `${c.fixture} (${c.variant})`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(c);
  }
  for (const [name, group] of groups) {
    it(`${name}: ${group.length} edit(s)`, async () => {
      const variant = VARIANTS.find((v) => v.name === group[0].variant)!;
      const base = await snap(group[0].texts);
      const failures: string[] = [];
      await Promise.all(
        group.map(async (c) => {
          const key = c.file === 'main.cf' ? 'main' : 'master';
          const edited = { ...c.texts, [key]: applyEdits(c.texts[key], c.finding.edits!) };
          const after = await snap(edited, c.file === 'main.cf' ? base : undefined);
          const allowLower = new Set(
            c.finding.id === 'postfix.encrypt-on-public-mx' ? [...port25Services(base), ...(c.file === 'main.cf' ? ['main.cf'] : [])] : [],
          );
          // With the version unknown, a file that already writes ">=" bounds is taken for Postfix 3.6+ (as the linter does).
          const fileUsesBounds =
            /^\s*\S*_tls_(mandatory_)?protocols\s*=.*[<>]=\S/m.test(c.texts.main) || /_tls_(mandatory_)?protocols\s*=\s*[^\n]*[<>]=\S/.test(c.texts.master);
          const boundsOk = variant.boundsOk || (variant.name === 'version unknown' && fileUsesBounds);
          const problems = compare(base, after, { allowLower, boundsOk });
          // The finding must be gone after its own edit (same file, same title).
          const again = lintBoth(edited, c.host)[key];
          if (again.some((f) => f.id === c.finding.id && f.title === c.finding.title)) problems.push('the finding is still reported after its edit');
          for (const p of problems) failures.push(`${c.file} ${c.finding.id} "${c.finding.editTitle}" (${c.finding.title}): ${p}`);
        }),
      );
      assert.deepEqual(failures, []);
    });
  }
});
