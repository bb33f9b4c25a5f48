/**
 * The parser must read main.cf the way Postfix does: for each fixture, `postconf -c DIR -n` (the real Postfix
 * installed here) gives the effective name = value pairs, and its "unused parameter" / "overriding earlier entry"
 * warnings name the unknown and the duplicated parameters.
 */
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMainCf } from '../../src/core/lint/postfix';
import { isKnownParameter } from '../../src/core/lint/postfix/params';
import { referencedNames } from '../../src/core/lint/postfix/rules/names';
import { findTool } from '../support/mailservers/tools';
import { writePostfixConfig } from '../support/postfixConfig';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'postfix');

function runPostconf(postconf: string, d: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-postconf-'));
  writePostfixConfig(path.join(tmp, 'main.cf'), fs.readFileSync(path.join(FIXTURES, d, 'main.cf')));
  // postconf reads master.cf beside main.cf too (it warns without one).
  const master = path.join(FIXTURES, d, 'master.cf');
  fs.writeFileSync(path.join(tmp, 'master.cf'), fs.existsSync(master) ? fs.readFileSync(master) : '');
  return new Promise((resolve) => {
    execFile(postconf, ['-c', tmp, '-n'], { encoding: 'utf8', timeout: 15000 }, (err, stdout, stderr) => {
      fs.rmSync(tmp, { recursive: true, force: true });
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const norm = (v: string) => v.replace(/\s+/g, ' ').trim();

describe('postfix: main.cf parses the way postconf reads it', function () {
  const postconf = findTool('postconf');
  before(function () {
    if (!postconf) {
      console.log('    SKIPPED: postconf is not installed (apt-get install postfix to run this comparison)');
      this.skip();
    }
  });

  const dirs = fs
    .readdirSync(FIXTURES)
    .filter((d) => fs.existsSync(path.join(FIXTURES, d, 'main.cf')))
    .sort();
  // Every run at once: each is a process of its own (writePostfixConfig spares them Postfix's wait for a fresh main.cf).
  const results = new Map<string, Promise<{ status: number; stdout: string; stderr: string }>>();
  before(function () {
    if (!postconf) return;
    for (const d of dirs) results.set(d, runPostconf(postconf, d));
  });
  it('has fixtures to compare', () => assert.ok(dirs.length >= 5));

  for (const d of dirs) {
    it(d, async () => {
      const text = fs.readFileSync(path.join(FIXTURES, d, 'main.cf'), 'utf8');
      {
        const r = await results.get(d)!;
        assert.equal(r.status, 0, r.stderr);
        const theirs = new Map<string, string>();
        for (const line of r.stdout.split('\n')) {
          const i = line.indexOf(' =');
          if (i > 0) theirs.set(line.slice(0, i), norm(line.slice(i + 2)));
        }
        theirs.delete('config_directory');
        const unusedTheirs = new Set([...r.stderr.matchAll(/unused parameter: ([^=\s]+)=/g)].map((m) => m[1]));
        const overriddenTheirs = new Set([...r.stderr.matchAll(/overriding earlier entry: ([^=\s]+)=/g)].map((m) => m[1]));

        const cf = parseMainCf(text);
        const mine = new Map<string, string>();
        for (const s of cf.settings) mine.set(s.name, norm(s.value));
        const used = referencedNames(cf.settings);
        const known = new Map([...mine].filter(([n]) => isKnownParameter(n) || used.has(n)));
        const unusedMine = new Set([...mine.keys()].filter((n) => !known.has(n)));
        const counts = new Map<string, number>();
        for (const s of cf.settings) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
        const overriddenMine = new Set([...counts].filter(([, c]) => c > 1).map(([n]) => n));

        assert.deepEqual(Object.fromEntries([...known].sort()), Object.fromEntries([...theirs].sort()));
        assert.deepEqual([...unusedMine].sort(), [...unusedTheirs].sort());
        assert.deepEqual([...overriddenMine].sort(), [...overriddenTheirs].sort());
      }
    });
  }

  it('the parameter data matches this Postfix when it is the version the data came from', function () {
    const version = execFileSync(postconf!, ['-dh', 'mail_version'], { encoding: 'utf8' }).trim();
    const data = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'postfix-params.json'), 'utf8'));
    if (version !== data.postfixVersion) {
      console.log(`    SKIPPED: installed Postfix ${version}, data from ${data.postfixVersion}`);
      this.skip();
    }
    const names = execFileSync(postconf!, ['-d'], { encoding: 'utf8', maxBuffer: 1 << 24 })
      .split('\n')
      .map((l) => l.split(' =')[0])
      .filter(Boolean);
    for (const n of names) assert.ok(isKnownParameter(n), n);
  });
});
