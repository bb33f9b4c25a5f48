import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIO } from '../../support/cli';

// markdown-it ships no types: required as in escape.test.ts.
const MarkdownIt = require('markdown-it');

describe('CLI report: files a shard did not lint', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-report-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('are listed with the reason in Markdown (escaped) and text, not dropped', async () => {
    const shard = path.join(dir, 'shard-1.jsonl');
    const records = [
      { type: 'lint', file: 'etc/postfix/main.cf', findings: [], endpoints: [], skipped: 'binary data (a NUL byte at byte 3); not linted' },
      { type: 'lint', file: '[x](https://evil.example)<img src=x>/.env', findings: [], endpoints: [], skipped: 'UTF-16 text; not linted' },
    ];
    fs.writeFileSync(shard, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const io = captureIO();
    assert.equal(await main(['report', shard, '--format', 'markdown'], io), 0);
    assert.match(io.stdout, /## Files not linted\n\n- etc\/postfix\/main\.cf: binary data \(a NUL byte at byte 3\); not linted\n/);
    const renderer = new MarkdownIt({ html: true, linkify: true });
    renderer.linkify.set({ fuzzyLink: false });
    const html = String(renderer.render(io.stdout));
    assert.doesNotMatch(html, /<a |<img/);
    assert.match(html, /UTF-16 text; not linted/);
    const text = captureIO();
    await main(['report', shard], text);
    assert.match(text.stdout, /^etc\/postfix\/main\.cf: binary data \(a NUL byte at byte 3\); not linted$/m);
  });

  it("keep a lint PATH that does not exist (docs/ci.md): the shard's JSON Lines name it, the merged SARIF run is unsuccessful", async () => {
    const conf = path.join(dir, 'conf');
    fs.mkdirSync(conf);
    fs.writeFileSync(path.join(conf, 'main.cf'), 'smtpd_tls_security_level = may\n');
    const gone = path.join(dir, 'moved-away');
    const lint = captureIO();
    assert.equal(await main(['lint', conf, gone, '--format', 'jsonl'], lint), 2);
    const shard = path.join(dir, 'lint-shard.jsonl');
    fs.writeFileSync(shard, lint.stdout);
    const sarif = captureIO();
    await main(['report', shard, '--format', 'sarif'], sarif);
    const [invocation] =
      (
        JSON.parse(sarif.stdout) as {
          runs: { invocations?: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[];
        }
      ).runs[0].invocations ?? [];
    assert.ok(invocation, 'no invocations: the merged report passes for a complete run');
    assert.equal(invocation.executionSuccessful, false);
    assert.deepEqual(
      invocation.toolExecutionNotifications.map((n) => [n.level, n.message.text]),
      [['error', `${gone}: no such file or folder`]],
    );
    const markdown = captureIO();
    await main(['report', shard, '--format', 'markdown'], markdown);
    assert.match(markdown.stdout, /## Files not linted\n\n- .*moved-away: no such file or folder\n/);
    // The summary counts files as lint's own does: the linted ones, and what was not linted apart.
    const text = captureIO();
    await main(['report', shard], text);
    assert.match(text.stdout, /^0 endpoints, 1 file linted, 1 not linted: 0 errors, 0 warnings, 0 info$/m);
    const json = captureIO();
    await main(['report', shard, '--format', 'json'], json);
    const { summary } = JSON.parse(json.stdout) as { summary: { files: number; notLinted: number } };
    assert.deepEqual([summary.files, summary.notLinted], [1, 1]);
  });
});

describe('CLI report: empty shards', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-report-empty-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('all empty is an input error (exit 2, says so); one empty shard among others merges as before', async () => {
    const empty1 = path.join(dir, 'shard-1.jsonl');
    const empty2 = path.join(dir, 'shard-2.jsonl');
    const full = path.join(dir, 'shard-3.jsonl');
    fs.writeFileSync(empty1, '');
    fs.writeFileSync(empty2, '\n\n');
    fs.writeFileSync(full, `${JSON.stringify({ type: 'lint', file: 'etc/postfix/main.cf', findings: [], endpoints: [] })}\n`);
    for (const format of ['sarif', 'text', 'json']) {
      const io = captureIO();
      assert.equal(await main(['report', empty1, empty2, '--format', format], io), 2, format);
      assert.match(io.stderr, /all 2 input files hold no records: .*the run produced nothing/, format);
      assert.equal(io.stdout, '', format);
    }
    const one = captureIO();
    assert.equal(await main(['report', empty1], one), 2);
    assert.match(one.stderr, /shard-1\.jsonl holds no records/);
    const mixed = captureIO();
    assert.equal(await main(['report', empty1, full, empty2, '--format', 'json'], mixed), 0, mixed.stderr);
    assert.equal((JSON.parse(mixed.stdout) as { files: unknown[] }).files.length, 1);
  });
});
