import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { isTermSafe } from '../../../../src/core/escape';
import { findingSpec, type FindingId } from '../../../../src/core/findings';
import { FINGERPRINT_KEY } from '../../../../src/core/report/sarif';
import { runMain } from '../../../support/cli';
import { validateSarifLogs } from '../../../support/sarif';

const ERRORS = 'relayhost = smtp.gmail.com:465\nsmtp_sasl_auth_enable = yes\nsmtp_tls_security_level = may\n';
const WARNING_ONLY = 'relayhost = smtp.example.com:587\nsmtp_tls_security_level = encrypt\n';
const INFO_ONLY = 'relayhost = [smtp.example.com]:587\nsmtp_tls_security_level = encrypt\nsmtpd_tls_protocols = !SSLv2, !SSLv3\n';

describe('CLI output formats, --fail-on and help', function () {
  this.timeout(60_000);
  let dir: string;
  const toValidate: Record<string, Sarif.Log> = {};
  let cwd: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    return name;
  };
  const run = runMain;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-formats-'));
    cwd = process.cwd();
    process.chdir(dir);
    write('errors/main.cf', ERRORS);
    write('warn/main.cf', WARNING_ONLY);
    write('info/main.cf', INFO_ONLY);
  });
  after(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the fixtures hold what the threshold tests assume (worst severity error, warning, info)', async () => {
    for (const [folder, worst] of [
      ['errors', 'error'],
      ['warn', 'warning'],
      ['info', 'info'],
    ] as const) {
      const doc = JSON.parse((await run('lint', folder, '--json')).stdout) as { files: { findings: { severity: string }[] }[] };
      const severities = new Set(doc.files.flatMap((f) => f.findings.map((x) => x.severity)));
      const rank = ['error', 'warning', 'info'];
      assert.equal(
        rank.find((s) => severities.has(s)),
        worst,
        folder,
      );
    }
  });

  for (const [folder, expected] of [
    ['errors', { error: 1, warning: 1, info: 1, never: 0 }],
    ['warn', { error: 0, warning: 1, info: 1, never: 0 }],
    ['info', { error: 0, warning: 0, info: 1, never: 0 }],
  ] as const) {
    it(`--fail-on decides the exit code (${folder})`, async () => {
      for (const [level, code] of Object.entries(expected)) {
        for (const format of ['text', 'json', 'jsonl', 'sarif']) {
          const r = await run('lint', folder, '--fail-on', level, '--format', format);
          assert.equal(r.code, code, `${folder} --fail-on ${level} --format ${format}: ${r.stderr}`);
        }
      }
      // The default is error.
      assert.equal((await run('lint', folder)).code, expected.error);
    });
  }

  it('--json is --format json; conflicting formats and bad values exit 2 with one line', async () => {
    const a = await run('lint', 'warn', '--json');
    const b = await run('lint', 'warn', '--format', 'json');
    assert.equal(a.stdout, b.stdout);
    for (const argv of [
      ['lint', 'warn', '--json', '--format', 'sarif'],
      ['lint', 'warn', '--format', 'xml'],
      ['lint', 'warn', '--fail-on', 'sometimes'],
      ['lint', 'warn', '--format'],
      ['lint', 'warn', '--bogus'],
      ['probe', 'mx.example', '--bogus'],
      ['explain', 'x', '--bogus'],
      ['report', 'x.jsonl', '--bogus'],
    ]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^mail-tls-doctor ${argv[0]}: .*\\(see: mail-tls-doctor help ${argv[0]}\\)\\n$`));
    }
  });

  it("help COMMAND and COMMAND --help print that command's usage and exit 0", async () => {
    for (const cmd of ['probe', 'lint', 'explain', 'report', 'check']) {
      const a = await run('help', cmd);
      const b = await run(cmd, '--help');
      const c = await run(cmd, 'whatever', '-h');
      assert.equal(a.code, 0);
      assert.equal(b.code, 0);
      assert.equal(c.code, 0);
      assert.equal(a.stdout, b.stdout);
      assert.equal(a.stdout, c.stdout);
      assert.match(a.stdout, new RegExp(`^Usage: mail-tls-doctor ${cmd} `));
      assert.match(a.stdout, /--fail-on error\|warning\|info\|never/);
      // docs/ci.md's exit codes hold for every command (main.ts turns any uncaught error into 3).
      assert.match(a.stdout, /\b3 internal error\b/, cmd);
    }
    // The JSON shape check's usage shows opens with its schema, as every JSON document does.
    assert.match((await run('help', 'check')).stdout, /\{"schema":"mail-tls-doctor\/check@1","domains":\[/);
    assert.match((await run('help', 'probe')).stdout, /--shard K\/N/);
    assert.match((await run('help', 'report')).stdout, /sarif\|json\|jsonl\|markdown\|text/);
    const bad = await run('help', 'frobnicate');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a command/);
    // After --, --help is an operand (a file named so), not a request for help.
    assert.notEqual((await run('lint', '--', '--help')).stdout.startsWith('Usage:'), true);
  });

  it('every JSON document opens with its versioned schema; JSON Lines records and SARIF carry none', async () => {
    const lint = JSON.parse((await run('lint', '.', '--json')).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(lint), ['schema', 'files', 'problems']);
    assert.equal(lint.schema, 'mail-tls-doctor/lint@1');
    const explain = JSON.parse((await run('explain', 'Error: ssl3_get_record:wrong version number', '--json')).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(explain), ['schema', 'matches']);
    assert.equal(explain.schema, 'mail-tls-doctor/explain@1');
    write('run.jsonl', (await run('lint', '.', '--format', 'jsonl')).stdout);
    for (const line of fs.readFileSync('run.jsonl', 'utf8').trimEnd().split('\n'))
      assert.equal((JSON.parse(line) as Record<string, unknown>).schema, undefined);
    const report = JSON.parse((await run('report', 'run.jsonl', '--json')).stdout) as Record<string, unknown>;
    assert.equal(report.schema, 'mail-tls-doctor/report@1');
    assert.equal((report.files as unknown[]).length, 3);
    const sarif = JSON.parse((await run('lint', '.', '--format', 'sarif')).stdout) as Record<string, unknown>;
    assert.equal(sarif.schema, undefined);
    assert.match(String(sarif.$schema), /sarif/);
  });

  it('report given a TLS-RPT report or a mail log says what it is and the command that reads it, and that command works', async () => {
    // The RFC 8460 example report (test/fixtures/tlsrpt): one policy with certificate-expired failures.
    const tlsrpt = fs.readFileSync(path.join(__dirname, '../../../fixtures/tlsrpt/rfc8460-example.json'), 'utf8');
    // Removed at the end: other cases lint this folder and count its files.
    const made = ['sender.json', 'mail.log', 'sender.json.jsonl', 'mail.log.jsonl', 'bad.jsonl'];
    try {
      write('sender.json', tlsrpt);
      write('mail.log', 'Jan  1 10:00:00 mx postfix/smtp[123]: SSL_connect error to mx.example.com[192.0.2.1]:25: lost connection\n');
      for (const [file, kind] of [
        ['sender.json', /This is a TLS-RPT report \(RFC 8460\), not a run's JSON Lines: `mail-tls-doctor lint sender\.json --format jsonl`/],
        ['mail.log', /Mail logs and TLS-RPT reports are not a run's JSON Lines: `mail-tls-doctor lint mail\.log --format jsonl`/],
      ] as const) {
        const r = await run('report', file);
        assert.equal(r.code, 2);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, kind);
        // What it suggests works: lint's JSON Lines merge into a report with the file's findings.
        write(`${file}.jsonl`, (await run('lint', file, '--format', 'jsonl')).stdout);
        const merged = await run('report', `${file}.jsonl`, '--fail-on', 'never');
        assert.equal(merged.code, 0, merged.stderr);
        assert.match(merged.stdout, file === 'sender.json' ? /tlsrpt\.certificate-expired/ : /maillog\./);
      }
      // A run's JSON Lines with a bad record gets no such hint.
      write('bad.jsonl', '{"type":"bogus"}\n');
      assert.doesNotMatch((await run('report', 'bad.jsonl')).stderr, /TLS-RPT|Mail logs/);
    } finally {
      for (const f of made) fs.rmSync(path.join(dir, f), { force: true });
    }
  });

  it('the commands in that hint quote a hostile file name for a POSIX shell, and a name with control characters is not printed', async () => {
    const tlsrpt = fs.readFileSync(path.join(__dirname, '../../../fixtures/tlsrpt/rfc8460-example.json'), 'utf8');
    const hostile = "sender's report; touch pwned $(touch pwned2) *.json";
    const escape = 'evil\u001b]0;owned\u0007\nline.log';
    try {
      write(hostile, tlsrpt);
      write(escape, 'Jan  1 10:00:00 mx postfix/smtp[123]: SSL_connect error to mx.example.com[192.0.2.1]:25: lost connection\n');
      const r = await run('report', hostile);
      assert.equal(r.code, 2);
      const commands = [...r.stderr.matchAll(/`(mail-tls-doctor [^`]*)`/g)].map((m) => m[1]);
      assert.equal(commands.length, 3, r.stderr);
      for (const c of commands) {
        // What a shell makes of the command as printed: the same file name, one word, and nothing run.
        const argv = execFileSync('/bin/sh', ['-c', c.replace(/^mail-tls-doctor /, "printf '%s\\0' ")], { cwd: dir, encoding: 'utf8' }).split('\0');
        assert.ok(argv.includes(hostile), `${c} -> ${JSON.stringify(argv)}`);
      }
      for (const f of ['pwned', 'pwned2', 'pwned3']) assert.ok(!fs.existsSync(path.join(dir, f)), f);
      // The lint command as the shell reads it lints that file.
      const lintArgv = execFileSync('/bin/sh', ['-c', commands[0].replace(/^mail-tls-doctor /, "printf '%s\\0' ")], { cwd: dir, encoding: 'utf8' })
        .split('\0')
        .slice(0, -1);
      assert.match((await run(...lintArgv)).stdout, /tlsrpt\.certificate-expired/);

      const e = await run('report', escape);
      assert.equal(e.code, 2);
      assert.equal(e.stderr.trimEnd().split('\n').length, 1, e.stderr);
      assert.ok(isTermSafe(e.stderr.trimEnd()), JSON.stringify(e.stderr));
      assert.match(e.stderr, /`mail-tls-doctor lint FILE --format jsonl`.*\(FILE: the file, renamed: its name holds control characters\)/);
    } finally {
      for (const f of [hostile, escape, 'pwned', 'pwned2', 'pwned3']) fs.rmSync(path.join(dir, f), { force: true });
    }
  });

  it('report --format jsonl writes the merged records, each once, and merging its output again changes nothing', async () => {
    write('a.jsonl', (await run('lint', 'errors', 'warn', '--format', 'jsonl')).stdout);
    write('b.jsonl', (await run('lint', 'warn', 'info', '--format', 'jsonl')).stdout);
    const merged = await run('report', 'a.jsonl', 'b.jsonl', '--format', 'jsonl', '--fail-on', 'never');
    assert.equal(merged.code, 0);
    const lines = merged.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, 'warn/main.cf, read from both files, once');
    const files = lines.map((l) => (JSON.parse(l) as { type: string; file: string }).file).sort();
    assert.deepEqual(files, ['errors/main.cf', 'info/main.cf', 'warn/main.cf'].map((f) => path.normalize(f)).sort());
    write('merged.jsonl', merged.stdout);
    const again = (await run('report', 'merged.jsonl', '--json')).stdout;
    assert.equal(again, (await run('report', 'a.jsonl', 'b.jsonl', '--json')).stdout);
    assert.equal((await run('report', 'merged.jsonl', 'a.jsonl', '--format', 'jsonl')).stdout, merged.stdout);
  });

  it('JSON Lines: one object per linted file, each a lint record', async () => {
    const r = await run('lint', '.', '--format', 'jsonl');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const recs = lines.map((l) => JSON.parse(l) as { type: string; file: string; findings: unknown[] });
    assert.deepEqual(
      recs.map((x) => x.type),
      ['lint', 'lint', 'lint'],
    );
    assert.deepEqual(recs.map((x) => x.file).sort(), ['errors/main.cf', 'info/main.cf', 'warn/main.cf']);
  });

  it('SARIF from lint passes the validator, has one rule per id and locates each finding at its file and range', async () => {
    const json = JSON.parse((await run('lint', 'errors', 'warn', 'info', '--json')).stdout) as {
      files: {
        file: string;
        findings: { id: string; severity: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
      }[];
    };
    const r = await run('lint', 'errors', 'warn', 'info', '--format', 'sarif');
    const log = JSON.parse(r.stdout) as Sarif.Log;
    toValidate.lint = log;
    const run0 = log.runs[0];
    const rules = run0.tool.driver.rules!;
    const ids = json.files.flatMap((f) => f.findings.map((x) => x.id));
    assert.deepEqual(
      rules.map((x) => x.id),
      [...new Set(ids)].sort(),
      'one rule per finding id',
    );
    for (const rule of rules) {
      assert.equal(rule.shortDescription?.text, findingSpec(rule.id as FindingId).title, 'the registry title');
      assert.match(rule.help!.text, new RegExp(`docs/findings-postfix\\.md`));
    }
    assert.equal(run0.results!.length, ids.length);
    const want = json.files
      .flatMap((f) =>
        f.findings.map(
          (x) =>
            `${x.id}@${f.file}:${x.range.start.line + 1}:${x.range.start.character + 1}-${x.range.end.line + 1}:${x.range.end.character + 1}:${x.severity}`,
        ),
      )
      .sort();
    const level = { error: 'error', warning: 'warning', note: 'info' } as Record<string, string>;
    const got = run0
      .results!.map((res) => {
        const loc = res.locations![0].physicalLocation!;
        assert.equal(loc.artifactLocation!.uriBaseId, 'SRCROOT');
        const g = loc.region!;
        assert.equal(rules[res.ruleIndex!].id, res.ruleId);
        return `${res.ruleId}@${loc.artifactLocation!.uri}:${g.startLine}:${g.startColumn}-${g.endLine}:${g.endColumn}:${level[res.level!]}`;
      })
      .sort();
    assert.deepEqual(got, want);
    assert.equal(run0.originalUriBaseIds!.SRCROOT.uri, `file://${fs.realpathSync(dir)}/`.replace(/\/\/+$/, '/'));
  });

  it('SARIF fingerprints stay the same when lines move, and differ between findings', async () => {
    const before = JSON.parse((await run('lint', 'errors', '--format', 'sarif')).stdout) as Sarif.Log;
    write('errors/main.cf', `# a comment added above\n\n${ERRORS}`);
    const after = JSON.parse((await run('lint', 'errors', '--format', 'sarif')).stdout) as Sarif.Log;
    write('errors/main.cf', ERRORS);
    const fp = (log: Sarif.Log) => log.runs[0].results!.map((r) => `${r.ruleId} ${r.partialFingerprints![FINGERPRINT_KEY]}`).sort();
    const lines = (log: Sarif.Log) => log.runs[0].results!.map((r) => r.locations![0].physicalLocation!.region!.startLine!).sort();
    assert.deepEqual(fp(after), fp(before));
    assert.notDeepEqual(lines(after), lines(before), 'the lines did move');
    assert.equal(new Set(fp(before)).size, before.runs[0].results!.length);
  });

  it('explain speaks every format; --fail-on applies to what it recognised', async () => {
    const text = 'Error: ssl3_get_record:wrong version number';
    const jsonl = await run('explain', text, '--format', 'jsonl');
    const rec = JSON.parse(jsonl.stdout.trim()) as { type: string; matches: { id: string; severity: string }[] };
    assert.equal(rec.type, 'explain');
    assert.ok(rec.matches.length > 0);
    const sarif = await run('explain', text, '--format', 'sarif');
    const log = JSON.parse(sarif.stdout) as Sarif.Log;
    toValidate.explain = log;
    assert.deepEqual(
      log.runs[0].results!.map((r) => r.ruleId),
      rec.matches.map((m) => m.id),
    );
    assert.equal(jsonl.code, 0, 'without --fail-on: 0 when recognised');
    assert.equal((await run('explain', 'all is well')).code, 1, 'without --fail-on: 1 when nothing recognised');
    assert.equal((await run('explain', 'all is well', '--fail-on', 'info')).code, 0);
    assert.equal((await run('explain', text, '--fail-on', 'never')).code, 0);
    assert.equal((await run('explain', text, '--fail-on', 'info')).code, 1);
  });

  it("the SARIF logs above pass Microsoft's validator, and it does catch a broken one", async () => {
    assert.deepEqual(Object.keys(toValidate).sort(), ['explain', 'lint']);
    const v = await validateSarifLogs<string>({ ...toValidate, broken: { version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ ruleId: 'x' }] }] } });
    assert.deepEqual(v.lint.errors, []);
    assert.deepEqual(v.explain.errors, []);
    assert.ok(v.broken.errors.length > 0, 'a log without driver name and messages must fail');
  });
});
