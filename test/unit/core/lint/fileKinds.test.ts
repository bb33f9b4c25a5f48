import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LINTERS, lintersFor } from '../../../../src/core/lint';
import { postfixMainLinter, postfixMasterLinter } from '../../../../src/core/lint/postfix';
import { activationEvents, candidateGlob, candidateNames, globToRegExp, LINT_MAX_BYTES, ownsName, readPlan } from '../../../../src/core/lint/fileKinds';

const root = path.resolve(__dirname, '../../../..');

/** Names a workspace may hold: each linter's own, near misses, and unrelated files. */
const SAMPLES = [
  'main.cf',
  'master.cf',
  'old-main.cf',
  'site.main.cf',
  'x_master.cf',
  'main.cf.proto',
  'main.cf.dpkg-dist',
  '.env',
  '.env.local',
  '.env.production',
  'prod.env',
  'env',
  'mailer.js',
  'mailer.mjs',
  'mailer.cjs',
  'App.jsx',
  'mailer.ts',
  'mailer.mts',
  'mailer.cts',
  'App.tsx',
  'types.d.ts',
  'app.min.js',
  'mail.log',
  'mail.err',
  'mail.warn',
  'mail.info',
  'maillog',
  'mail.log.1',
  'mail.log.12',
  'maillog.3',
  'mail.info.1',
  'mail.log.2.gz',
  'mail.log.old',
  'syslog',
  'postfix.log',
  'MAIL.LOG',
  'report.json',
  'google.com!example.com!1700000000!1700086400.json.gz',
  'package.json',
  'README.md',
  'Makefile',
  'cert.pem',
  'tls_policy',
  'tls_policy.db',
  'mysql_tls_policy.cf',
  'dovecot.conf',
  '10-ssl.conf',
  'dovecot-sql.conf.ext',
  'nginx.conf',
];

describe('linters own their file kinds', () => {
  it('a linter claims by name only names its FileKind lists, and each list has a name it claims', () => {
    for (const linter of LINTERS) {
      for (const name of SAMPLES) {
        if (linter.matches(path.join('/ws/app', name))) assert.ok(ownsName(linter, name), `${linter.format} claims ${name} outside its names`);
      }
      assert.ok(
        SAMPLES.some((n) => ownsName(linter, n) && linter.matches(path.join('/ws/app', n))),
        `${linter.format}: no sample`,
      );
    }
  });

  it('the mail-log linter owns mail.info and numbered rotations, not compressed ones', () => {
    const maillog = LINTERS.find((l) => l.format === 'maillog')!;
    for (const n of ['mail.info', 'mail.log.1', 'mail.log.12', 'maillog.3', 'mail.err']) assert.ok(ownsName(maillog, n) && maillog.matches(`/var/log/${n}`), n);
    for (const n of ['mail.log.2.gz', 'mail.log.old']) assert.ok(!ownsName(maillog, n) && !maillog.matches(`/var/log/${n}`), n);
  });

  it('the editor scan glob is the union of the linters names, in the syntax VS Code reads', () => {
    const glob = candidateGlob();
    assert.equal(glob, `**/{${candidateNames().join(',')}}`);
    for (const n of candidateNames()) {
      assert.doesNotMatch(n, /[{},/\\]/, `${n}: braces or separators do not nest in VS Code globs`);
      assert.ok(
        globToRegExp(n).test(
          n
            .replace(/\[0-9\]/g, '7')
            .replace(/\*/g, 'x')
            .replace(/\?/g, 'y'),
        ),
        n,
      );
    }
    for (const n of SAMPLES) {
      if (lintersFor(path.join('/ws', n)).length > 0)
        assert.ok(
          candidateNames().some((g) => globToRegExp(g).test(n)),
          `${n} is linted but not scanned`,
        );
    }
    assert.equal(globToRegExp('mail.log.[0-9]').test('mail.log.1'), true);
    assert.equal(globToRegExp('*.log').test('a/b.log'), false);
  });

  it("the manifest's activation events are the linters' ones, no more, no fewer (plus the commands and views)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { activationEvents: string[] };
    const fromLinters = activationEvents();
    const manifest = pkg.activationEvents.filter((e) => e.startsWith('onLanguage:') || e.startsWith('workspaceContains:'));
    assert.deepEqual([...manifest].sort(), [...fromLinters].sort());
  });

  it('every main.cf/master.cf name the Postfix linters lint is a `postfix` document in the editor (colours, hovers)', () => {
    type Language = { id: string; filenames?: string[]; filenamePatterns?: string[] };
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { languages: Language[] } };
    const postfix = pkg.contributes.languages.find((l) => l.id === 'postfix');
    assert.ok(postfix, 'no postfix language');
    for (const name of [...postfixMainLinter.files.names, ...postfixMasterLinter.files.names]) {
      assert.ok(postfix.filenames?.includes(name) || postfix.filenamePatterns?.includes(`**/${name}`), `${name} is linted but not a postfix document`);
    }
  });

  it('one byte-limit policy: configs over the limit are skipped with a reason, logs read by their tail', () => {
    assert.deepEqual(readPlan('/etc/postfix/main.cf', LINT_MAX_BYTES), { read: 'all' });
    assert.deepEqual(readPlan('/etc/postfix/main.cf', LINT_MAX_BYTES + 1), { read: 'skip', reason: 'larger than 10 MB (10.0 MB); not linted' });
    for (const log of ['/var/log/mail.log', '/var/log/mail.info', '/var/log/mail.log.1', '/srv/app/postfix.log']) {
      assert.deepEqual(readPlan(log, 50 * 1024 * 1024), { read: 'tail', bytes: LINT_MAX_BYTES }, log);
    }
    assert.equal(readPlan('/srv/app/mailer.js', 20 * 1024 * 1024).read, 'skip');
    assert.equal(readPlan('/srv/app/cert.pem', 20 * 1024 * 1024).read, 'skip');
  });
});
