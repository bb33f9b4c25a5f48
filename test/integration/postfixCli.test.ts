import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLint } from '../../src/cli/lint';
import type { CliIO } from '../../src/cli/io';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), color: false };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('mail-tls-doctor lint (CLI, real files)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-lint-cli-'));
    fs.mkdirSync(path.join(dir, 'etc', 'postfix'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'etc', 'postfix', 'main.cf'),
      'myhostname = mail.example.com\nrelayhost = [smtp.gmail.com]:465\nsmtp_sasl_password_maps = static:me:TopSecret99\n',
    );
    fs.writeFileSync(path.join(dir, 'node_modules', 'x', 'main.cf'), 'smtpd_tls_protocols = TLSv1\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('walks a folder, prints file:line:col severity id message, exits 1 on an error', async () => {
    const t = io();
    const code = await runLint([dir], t.cli);
    assert.equal(code, 1);
    const main = path.join(dir, 'etc', 'postfix', 'main.cf');
    assert.match(t.out(), new RegExp(`^${main.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:30 error postfix.relayhost-needs-wrappermode `, 'm'));
    assert.ok(!t.out().includes('node_modules'), 'node_modules must be skipped');
    assert.ok(!t.out().includes('TopSecret99'));
  });

  it('--verbose (-v) prints what each finding means, its fix and evidence under its line; without it, one line each', async () => {
    const plain = io();
    await runLint([dir], plain.cli);
    assert.doesNotMatch(plain.out(), /^ {4}Fix: /m);
    for (const flag of ['--verbose', '-v']) {
      const t = io();
      const code = await runLint([dir, flag], t.cli);
      assert.equal(code, 1);
      const lines = t.out().split('\n');
      const at = lines.findIndex((l) => / error postfix\.relayhost-needs-wrappermode /.test(l));
      assert.ok(at >= 0, t.out());
      const under = lines.slice(
        at + 1,
        lines.findIndex((l, i) => i > at && !l.startsWith('    ')),
      );
      assert.ok(under.length >= 2, t.out());
      assert.ok(
        under.some((l) => /^ {4}Fix: .*smtp_tls_wrappermode/.test(l)),
        under.join('\n'),
      );
      assert.ok(!t.out().includes('TopSecret99'), 'the password stays out of the details and evidence too');
    }
  });

  it('--json carries findings, ranges, edits and endpoints', async () => {
    const t = io();
    await runLint(['--json', path.join(dir, 'etc', 'postfix', 'main.cf')], t.cli);
    const j = JSON.parse(t.out());
    const file = j.files[0];
    const f = file.findings.find((x: { id: string }) => x.id === 'postfix.relayhost-needs-wrappermode');
    assert.deepEqual(f.range, { start: { line: 1, character: 29 }, end: { line: 1, character: 32 } });
    assert.ok(f.edits.length > 0);
    assert.deepEqual(file.endpoints[0].endpoint, { host: 'smtp.gmail.com', port: 465, protocol: 'smtp', mode: 'implicit' });
    assert.ok(!t.out().includes('TopSecret99'));
  });

  it('exit 0 for a clean file; 2 for bad usage; a clear message for files over 10 MB', async () => {
    const clean = path.join(dir, 'clean', 'main.cf');
    fs.mkdirSync(path.dirname(clean));
    fs.writeFileSync(clean, 'smtpd_tls_protocols = >=TLSv1.2\n');
    assert.equal(await runLint([clean], io().cli), 0);
    await assert.rejects(runLint([], io().cli), /give at least one file/);
    await assert.rejects(runLint(['--nope', clean], io().cli), /unknown option/);
    const big = path.join(dir, 'big', 'main.cf');
    fs.mkdirSync(path.dirname(big));
    fs.writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 0x23));
    const t = io();
    assert.equal(await runLint([big], t.cli), 0);
    assert.match(t.err(), /larger than 10 MB/);
  });
});
