import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { LINTERS } from '../../../src/core/lint';
import { LINT_MAX_BYTES } from '../../../src/core/lint/fileKinds';
import { lintPaths, pathProblemText, type PathProblem } from '../../../src/cli/lint';
import { runMain } from '../../support/cli';
import { validateSarif } from '../../support/sarif';

describe('CLI lint: files named on the command line', function () {
  this.timeout(30_000);
  let dir: string;
  const run = runMain;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-lint-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file no linter reads names every supported kind; a supported name with other text says so', async () => {
    const exim = path.join(dir, 'exim4.conf');
    fs.writeFileSync(exim, 'tls_advertise_hosts = *\ntls_require_ciphers = NORMAL\n');
    const plain = path.join(dir, 'util.js');
    fs.writeFileSync(plain, 'module.exports = (a, b) => a + b;\n');
    const r = await run('lint', exim, plain, '--format', 'json');
    assert.equal(r.code, 0);
    const files = (JSON.parse(r.stdout) as { files: Array<{ file: string; skipped?: string }> }).files;
    const skipped = new Map(files.map((f) => [path.basename(f.file), f.skipped ?? '']));
    for (const l of LINTERS) assert.ok(skipped.get('exim4.conf')?.includes(l.files.label), `${l.format} not named: ${skipped.get('exim4.conf')}`);
    assert.doesNotMatch(skipped.get('exim4.conf') ?? '', /registered formats/);
    assert.equal(skipped.get('util.js'), 'not linted: the name fits nodemailer code (.js, .ts and their variants), but the text does not read as one');
  });

  it('a named path that does not exist exits 2 even when the other paths were linted clean or with findings', async () => {
    const cf = path.join(dir, 'exit', 'main.cf');
    fs.mkdirSync(path.dirname(cf), { recursive: true });
    fs.writeFileSync(cf, 'smtp_tls_security_level = may\n');
    const clean = await run('lint', cf, path.join(dir, 'moved-away'), '--format', 'sarif');
    assert.equal(clean.code, 2);
    assert.match(clean.stderr, /moved-away: no such file or folder/);
    assert.equal(JSON.parse(clean.stdout).version, '2.1.0', 'the log of what was linted is still written');
    assert.equal((await run('lint', cf)).code, 0);
  });

  it('lintPaths reports walk problems as kinds callers test, and says them in the words the outputs print', function () {
    const ws = path.join(dir, 'kinds');
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(dir, 'outside.cf'), 'smtp_tls_security_level = may\n');
    try {
      fs.symlinkSync(path.join(dir, 'outside.cf'), path.join(ws, 'main.cf'));
    } catch {
      this.skip(); // no symbolic links here (Windows without the privilege)
    }
    const gone = path.join(dir, 'moved-away.cf');
    const problems: PathProblem[] = [];
    assert.deepEqual([...lintPaths([ws, gone], problems)], []);
    assert.deepEqual(
      problems.map((p) => [p.kind, p.level, p.path]),
      [
        ['symlink', 'warning', path.join(ws, 'main.cf')],
        ['missing', 'error', gone],
      ],
    );
    assert.deepEqual(problems.map(pathProblemText), [
      `${path.join(ws, 'main.cf')}: a symbolic link; not followed (lint its target by name to include it)`,
      `${gone}: no such file or folder`,
    ]);
  });

  it('a link to a folder holding configs (postfix -> /etc/postfix) is named with how many, not followed; other folder links stay silent', function () {
    const ws = path.join(dir, 'linkdirs');
    const target = path.join(dir, 'etc-postfix');
    const plain = path.join(dir, 'releases');
    fs.mkdirSync(ws);
    fs.mkdirSync(target);
    fs.mkdirSync(plain);
    fs.writeFileSync(path.join(target, 'main.cf'), 'relayhost = [smtp.example.com]:465\n');
    fs.writeFileSync(path.join(target, 'master.cf'), '');
    fs.writeFileSync(path.join(target, 'README'), '');
    fs.writeFileSync(path.join(plain, 'index.html'), '');
    try {
      fs.symlinkSync(target, path.join(ws, 'postfix'));
      fs.symlinkSync(plain, path.join(ws, 'current'));
      fs.symlinkSync(path.join(dir, 'nowhere'), path.join(ws, 'dangling'));
    } catch {
      this.skip();
    }
    const problems: PathProblem[] = [];
    assert.deepEqual([...lintPaths([ws], problems)], []);
    assert.deepEqual(problems.map(pathProblemText), [
      `${path.join(ws, 'postfix')}: a symbolic link to a folder with 2 mail config files; not followed (lint it by name to include it)`,
    ]);
  });

  it('a file reached twice (a folder and a file in it) is linted once: one SARIF result per finding', async () => {
    const ws = path.join(dir, 'twice');
    fs.mkdirSync(path.join(ws, 'etc', 'postfix'), { recursive: true });
    fs.writeFileSync(
      path.join(ws, 'etc', 'postfix', 'main.cf'),
      'smtp_tls_security_level = none\nsmtp_sasl_auth_enable = yes\nrelayhost = [smtp.example.com]:587\n',
    );
    const r = await run('lint', ws, path.join(ws, 'etc', 'postfix'), path.join(ws, 'etc', 'postfix', 'main.cf'), '--format', 'sarif');
    const results = (JSON.parse(r.stdout) as Sarif.Log).runs[0].results ?? [];
    assert.ok(results.length > 0);
    const prints = results.map((x) => x.partialFingerprints?.['mailTlsDoctorFinding/v1']);
    assert.equal(new Set(prints).size, prints.length, `duplicate results: ${JSON.stringify(prints)}`);
    const text = await run('lint', ws, path.join(ws, 'etc', 'postfix', 'main.cf'));
    assert.match(text.stderr, /^1 file linted/m);
  });

  it('a nodemailer file over its length limit (a bundle) is told so, not "the text does not read as one"', async () => {
    const bundle = path.join(dir, 'bundle.js');
    fs.writeFileSync(bundle, `require('nodemailer').createTransport({ host: 'smtp.example.com', port: 587, secure: true });\n${'// filler\n'.repeat(110_000)}`);
    const r = await run('lint', bundle, '--format', 'json');
    const files = (JSON.parse(r.stdout) as { files: Array<{ skipped?: string }> }).files;
    assert.equal(
      files[0].skipped,
      'not linted: over 1,000,000 characters, the limit for nodemailer code (.js, .ts and their variants): a file that big is taken as generated',
    );
  });
});

describe('CLI lint: files that are no text', function () {
  this.timeout(120_000);
  let dir: string;
  let cwd: string;
  const run = runMain;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-notext-'));
    cwd = process.cwd();
    process.chdir(dir);
    fs.mkdirSync('bin');
    // A main.cf of binary data: every line would be a syntax error.
    fs.writeFileSync('bin/main.cf', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256)));
    fs.mkdirSync('u16');
    // As Windows PowerShell 5 writes `echo ... > .env`: UTF-16LE with a byte order mark.
    fs.writeFileSync('u16/.env', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('SMTP_PORT=465\nSMTP_SECURE=false\n', 'utf16le')]));
    fs.mkdirSync('log');
    // A mail log with a run of NUL bytes (a crash while syslog wrote) is still read: its other lines matter.
    fs.writeFileSync(
      'log/mail.log',
      Buffer.concat([
        Buffer.alloc(64),
        Buffer.from(
          'Jan 10 10:00:00 mx postfix/smtp[123]: 4F9D22E3A: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=4.7.5, status=deferred (Server certificate not verified)\n',
        ),
      ]),
    );
  });
  after(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('binary and UTF-16 configs are skipped with the reason, in text, JSON, and SARIF (notifications and standard error)', async () => {
    const text = await run('lint', '.');
    assert.match(text.stderr, /bin[\\/]main\.cf: binary data \(a NUL byte at byte 145\); not linted/);
    assert.match(text.stderr, /u16[\\/]\.env: UTF-16 text .*save it as UTF-8/);
    assert.doesNotMatch(text.stdout, /syntax-error/);
    assert.match(text.stdout, /log[\\/]mail\.log:\d+:\d+ /, 'the log with NUL bytes is linted');

    const json = JSON.parse((await run('lint', '.', '--format', 'json')).stdout) as { files: Array<{ file: string; skipped?: string }> };
    assert.deepEqual(
      json.files.filter((f) => f.skipped).map((f) => f.file.split(path.sep).join('/')),
      ['bin/main.cf', 'u16/.env'],
    );

    const sarif = await run('lint', '.', '--format', 'sarif');
    assert.match(sarif.stderr, /bin[\\/]main\.cf: binary data/);
    const log = JSON.parse(sarif.stdout) as Sarif.Log;
    const notes = log.runs[0].invocations?.[0].toolExecutionNotifications ?? [];
    assert.deepEqual(
      notes.map((n) => [n.level, n.locations?.[0].physicalLocation?.artifactLocation?.uri, (n.message.text ?? '').split(':')[0]]),
      [
        ['warning', 'bin/main.cf', 'bin/main.cf'],
        ['warning', 'u16/.env', 'u16/.env'],
      ],
    );
    const verdict = await validateSarif(log);
    assert.deepEqual(verdict.errors, []);
    // A clean run has no invocations block: the log is the same as before for every run that skipped nothing.
    const clean = JSON.parse((await run('lint', 'log', '--format', 'sarif')).stdout) as Sarif.Log;
    assert.equal(clean.runs[0].invocations, undefined);
  });
});

describe('CLI lint: what CI sees of a missing path, and TLS-RPT reports under any .json name', function () {
  this.timeout(120_000);
  let dir: string;
  let cwd: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-paths-'));
    cwd = process.cwd();
    process.chdir(dir);
    fs.mkdirSync('reports');
    // An RFC 8460 report saved under a name of one's own, beside JSON that is no report.
    const rfc = fs.readFileSync(path.join(__dirname, '../../fixtures/tlsrpt/rfc8460-example.json'), 'utf8');
    fs.writeFileSync('reports/report.json', rfc);
    fs.writeFileSync('reports/package.json', JSON.stringify({ name: 'x', version: '1.0.0', policies: 'not a report' }));
    fs.writeFileSync('reports/data.json', '[1, 2, 3]\n');
    fs.writeFileSync('reports/broken.json', '{ "policies": [');
  });
  after(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing path is an error notification in SARIF (run not successful), exit 2, and still on standard error', async () => {
    const r = await runMain('lint', 'reports', 'gone/main.cf', '--format', 'sarif');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /gone[\\/]main\.cf: no such file or folder/);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    const inv = log.runs[0].invocations?.[0];
    assert.equal(inv?.executionSuccessful, false);
    assert.deepEqual(
      (inv?.toolExecutionNotifications ?? []).map((n) => [n.level, n.message.text, n.locations?.[0].physicalLocation?.artifactLocation?.uri]),
      [['error', 'gone/main.cf: no such file or folder', 'gone/main.cf']],
    );
    assert.deepEqual((await validateSarif(log)).errors, []);
  });

  it('reads a TLS-RPT report in a folder whatever its .json name, and says nothing of other JSON', async () => {
    const r = await runMain('lint', 'reports', '--format', 'json', '--fail-on', 'never');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { files: Array<{ file: string; findings: Array<{ id: string }> }>; problems: string[] };
    assert.deepEqual(
      doc.files.map((f) => f.file.split(path.sep).join('/')),
      ['reports/report.json'],
    );
    assert.ok(
      doc.files[0].findings.some((f) => f.id.startsWith('tlsrpt.')),
      JSON.stringify(doc.files[0].findings),
    );
    assert.deepEqual(doc.problems, []);
    assert.match((await runMain('lint', 'reports')).stderr, /^1 file linted: /);
  });
});

describe('CLI lint: the summary line', function () {
  this.timeout(30_000);
  it('counts in words ("0 errors, 1 warning"), never "error(s)"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-summary-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.cf'), 'myhostname = mail.example.com\n');
      const r = await runMain('lint', dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^1 file linted: \d+ errors?, \d+ warnings?, \d+ info$/m);
      assert.doesNotMatch(r.stderr + r.stdout, /\(s\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI lint: endpoint and domain lines', function () {
  this.timeout(30_000);
  it('put what named the server in one pair of brackets, never brackets inside brackets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-sources-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.cf'), 'myhostname = mail.example.com\nrelayhost = relay.example.net\n');
      fs.writeFileSync(
        path.join(dir, 'mail.js'),
        "const nodemailer = require('nodemailer');\nconst t = nodemailer.createTransport({ service: 'gmail', auth: { user: 'u', pass: process.env.P } });\nt.sendMail({ from: 'me@sender.example', to: 'you@example.net' });\n",
      );
      fs.writeFileSync(path.join(dir, 'mail.log'), 'Jan  1 00:00:01 mx postfix/smtp[1]: SSL_connect error to mx.example.org[192.0.2.7]:25: lost connection\n');
      const r = await runMain('lint', dir);
      const lines = r.stdout.split('\n').filter((l) => / (endpoint|domain) /.test(l));
      assert.equal(lines.length, 5, r.stdout);
      for (const l of lines) assert.doesNotMatch(l, /\([^()]*\(/, l);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI lint: a folder', function () {
  this.timeout(30_000);
  it('lists and counts only files a linter read: an nginx conf.d file or a .js without a transport is not "linted"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-claimed-'));
    try {
      fs.mkdirSync(path.join(dir, 'conf.d'));
      fs.writeFileSync(path.join(dir, 'conf.d', '10-site.conf'), 'server {\n  listen 80;\n  server_name example.com;\n}\n');
      fs.writeFileSync(path.join(dir, 'util.js'), 'module.exports = (a, b) => a + b;\n');
      fs.writeFileSync(path.join(dir, 'main.cf'), 'myhostname = mail.example.com\n');
      const json = JSON.parse((await runMain('lint', dir, '--format', 'json')).stdout) as { files: Array<{ file: string }> };
      assert.deepEqual(
        json.files.map((f) => path.basename(f.file)),
        ['main.cf'],
      );
      assert.match((await runMain('lint', dir)).stderr, /^1 file linted: /m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI lint: a mail log over the size bound is read by its tail', function () {
  this.timeout(30_000);
  it('from its first whole line: a tail that starts exactly on a line keeps that line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-tail-'));
    try {
      const tls = 'Nov 28 04:00:03 mx1 postfix/smtp[2103]: SSL_connect error to legacy.example.org[192.0.2.44]:25: lost connection\n';
      const filler = 'Nov 28 04:00:00 mx1 postfix/qmgr[9]: 1A2B3C: removed\n';
      // The bound's tail starts exactly at the TLS line, which is its only error.
      const head = filler.repeat(20);
      const rest = filler.repeat(Math.ceil((LINT_MAX_BYTES - tls.length) / filler.length));
      const body = `${tls}${rest}`.slice(0, LINT_MAX_BYTES - 1) + '\n';
      const file = path.join(dir, 'mail.log');
      fs.writeFileSync(file, head + body);
      const r = await runMain('lint', file, '--format', 'json', '--fail-on', 'never');
      const ids = (JSON.parse(r.stdout) as { files: Array<{ findings: Array<{ id: string }> }> }).files.flatMap((f) => f.findings.map((x) => x.id));
      assert.ok(ids.includes('maillog.postfix-ssl-connect-lost'), JSON.stringify(ids));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("CLI lint: a mail log's tail names the file's lines", function () {
  this.timeout(60_000);
  it('a finding in the tail of a log over the bound gives its line in the file, not in the tail', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-tailline-'));
    try {
      const filler = 'Nov 28 04:00:00 mx1 postfix/qmgr[9]: 1A2B3C: removed\n';
      const tls = 'Nov 28 04:00:03 mx1 postfix/smtp[2103]: SSL_connect error to legacy.example.org[192.0.2.44]:25: lost connection\n';
      const before = Math.ceil(LINT_MAX_BYTES / filler.length) + 1000;
      const file = path.join(dir, 'mail.log');
      fs.writeFileSync(file, `${filler.repeat(before)}${tls}${filler.repeat(3)}`);
      const r = await runMain('lint', file, '--format', 'json', '--fail-on', 'never');
      const findings = (JSON.parse(r.stdout) as { files: Array<{ findings: Array<{ id: string; detail: string; range?: { start: { line: number } } }> }> })
        .files[0].findings;
      const f = findings.find((x) => x.id === 'maillog.postfix-ssl-connect-lost');
      assert.ok(f, JSON.stringify(findings.map((x) => x.id)));
      assert.equal(f.range?.start.line, before, 'the zero-based line of the TLS error in the file');
      assert.match(f.detail, new RegExp(`First seen on line ${before + 1}\\.`));
      const text = await runMain('lint', file, '--fail-on', 'never');
      assert.match(text.stdout, new RegExp(`mail\\.log:${before + 1}:1 error maillog\\.postfix-ssl-connect-lost `));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI: path problems of the walk reach the terminal escaped', function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-pathesc-'));
    // A folder's entry names are anyone's text: a link named with an escape sequence that clears the screen.
    fs.writeFileSync(path.join(dir, 'target.log'), 'no postfix here\n');
    try {
      fs.symlinkSync(path.join(dir, 'target.log'), path.join(dir, 'evil\u001b[2J\rX.log'));
    } catch {
      this.skip(); // no such names or links here (Windows)
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const command of [['lint'], ['probe', '--from-config'], ['check', '--from-config']]) {
    it(`${command.join(' ')}: a path with ESC and CR is printed as visible escapes`, async () => {
      const r = await runMain(...command, dir);
      assert.match(r.stderr, /evil\\x1b\[2J\\rX\.log: a symbolic link; not followed/);
      assert.doesNotMatch(r.stderr, /[\u001b\r]/, 'a raw ESC or CR reached the terminal');
    });
  }
});
