/**
 * The parser must read master.cf the way Postfix does: for each master.cf fixture (as committed, and again with
 * CRLF line ends), `postconf -M` (the real Postfix installed here) lists the services it sees and `postconf -P`
 * the `-o` overrides it takes from them (`service/type/name = value`, the last one of a name winning).
 *
 * The glued form `-oname=value` is left out of the fixtures: postconf 3.7 mangles it (it splits the argument at
 * every "o", so `-osyslog_name=x` becomes `-o sysl -o g_name=x`), while the daemons' getopt reads it fine.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMasterCf } from '../../src/core/lint/postfix';
import { findTool } from '../support/mailservers/tools';
import { writePostfixConfig } from '../support/postfixConfig';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'postfix');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function postconfRun(postconf: string, dir: string, flag: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(postconf, ['-c', dir, flag], { encoding: 'utf8', timeout: 15000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** postconf -M and -P on `master` beside a minimal main.cf, both at once. */
async function runPostconf(postconf: string, master: string): Promise<{ m: Run; p: Run }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-master-postconf-'));
  try {
    writePostfixConfig(path.join(tmp, 'main.cf'), '# minimal main.cf: postconf reads master.cf beside it\n');
    fs.writeFileSync(path.join(tmp, 'master.cf'), master);
    const [m, p] = await Promise.all([postconfRun(postconf, tmp, '-M'), postconfRun(postconf, tmp, '-P')]);
    return { m, p };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const norm = (v: string) => v.replace(/\s+/g, ' ').trim();

/** White-space separated fields of one `postconf -M` line; "{ ... }" keeps its blanks (as postconf prints it). */
function fieldsOf(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of line) {
    if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if (depth === 0 && /\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** `service type command` of each entry, in file order. */
function servicesOf(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = fieldsOf(l);
      return `${f[0]} ${f[1]} ${f[7]}`;
    });
}

function overridesOf(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(' =');
    if (i > 0) out[line.slice(0, i)] = norm(line.slice(i + 2));
  }
  return out;
}

interface Case {
  name: string;
  text: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const d of fs.readdirSync(FIXTURES).sort()) {
    const f = path.join(FIXTURES, d, 'master.cf');
    if (!fs.existsSync(f)) continue;
    const text = fs.readFileSync(f, 'utf8');
    out.push({ name: d, text });
    // The same entries with Windows line ends: Postfix takes the CR for white space, and so must we.
    out.push({ name: `${d} (CRLF)`, text: text.replace(/\r?\n/g, '\r\n') });
  }
  return out;
}

describe('postfix: master.cf parses the way postconf -M / -P read it', function () {
  const postconf = findTool('postconf');
  const all = cases();
  // Every run at once: each is a process of its own (writePostfixConfig spares them Postfix's wait for a fresh main.cf).
  const results = new Map<string, Promise<{ m: Run; p: Run }>>();
  before(function () {
    if (!postconf) {
      console.log('    SKIPPED: postconf is not installed (apt-get install postfix to run this comparison)');
      this.skip();
    }
    for (const c of all) results.set(c.name, runPostconf(postconf, c.text));
  });

  it('has master.cf fixtures to compare, tricky ones included', () => {
    assert.ok(all.length >= 8, `only ${all.length} cases`);
    for (const d of ['master-continuations', 'master-braces', 'master-options'])
      assert.ok(
        all.some((c) => c.name === d),
        d,
      );
  });

  for (const c of all) {
    it(c.name, async () => {
      const { m, p } = await results.get(c.name)!;
      assert.equal(m.status, 0, m.stderr);
      assert.equal(p.status, 0, p.stderr);
      const cf = parseMasterCf(c.text);
      assert.ok(cf.services.length > 0, 'no services parsed');

      const mineServices = cf.services.map((s) => `${s.name.text} ${s.type.text} ${s.command.text}`);
      assert.deepEqual(mineServices, servicesOf(m.stdout));

      const mine: Record<string, string> = {};
      for (const s of cf.services) for (const o of s.overrides) mine[`${s.name.text}/${s.type.text}/${o.name}`] = norm(o.value);
      assert.deepEqual(sorted(mine), sorted(overridesOf(p.stdout)));
    });
  }
});

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
