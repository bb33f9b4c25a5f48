import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { startLab, type Lab } from '../support/lab';
import { captureIO } from '../support/cli';

describe('mail-tls-doctor probe (CLI)', function () {
  this.timeout(30_000);
  let lab: Lab;
  before(async () => {
    lab = await startLab({ only: ['healthy', 'expired', 'refused', 'healthy-imaps', 'tls12-only'] });
  });
  after(() => lab.close());
  const target = (name: string) => `127.0.0.1:${lab.servers[name].port}`;
  const common = () => ['--servername', 'mail.lab.test', '--ca', lab.caFile, '--timeout', '1500'];

  it('prints one JSON document and exits 0 for a healthy server', async () => {
    const io = captureIO();
    const code = await main(['probe', target('healthy'), ...common(), '--json'], io);
    assert.equal(code, 0, io.stderr);
    const doc = JSON.parse(io.stdout);
    assert.equal(doc.schema, 'mail-tls-doctor/probe@1', 'the envelope of every JSON document');
    assert.equal(doc.results.length, 1);
    const r = doc.results[0];
    assert.deepEqual(Object.keys(r.endpoint).sort(), ['caFiles', 'host', 'mode', 'port', 'protocol', 'servername']);
    assert.equal(r.endpoint.protocol, 'smtp');
    assert.equal(r.endpoint.mode, 'starttls', 'an unknown port defaults to SMTP STARTTLS');
    assert.match(r.tls.version, /^TLSv1\.[23]$/);
    assert.deepEqual(Object.keys(r.versions), ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    assert.equal(r.certificates.length, 2);
    assert.ok(Array.isArray(r.findings) && Array.isArray(r.transcript));
  });

  it('exits 1 and explains an error-level finding in readable text', async () => {
    const io = captureIO();
    const code = await main(['probe', target('expired'), ...common()], io);
    assert.equal(code, 1);
    assert.match(io.stdout, /\[cert\.expired\]/);
    assert.match(io.stdout, /Fix: /);
    assert.ok(!io.stdout.includes('\u001b['), 'no colour codes when colour is off');
  });

  it('colours the output on a terminal, and --verbose adds the transcript', async () => {
    const io = captureIO(true);
    await main(['probe', target('tls12-only'), ...common(), '--verbose'], io);
    assert.ok(io.stdout.includes('\u001b['));
    assert.match(io.stdout, /Transcript:/);
    assert.match(io.stdout, /C: STARTTLS/);
    assert.match(io.stdout, /\[tls\.no-tls13\]/, 'info findings show with --verbose');
  });

  it('takes --protocol and --implicit, and probes several targets', async () => {
    const io = captureIO();
    const code = await main(['probe', target('healthy-imaps'), target('healthy'), '--protocol', 'imap', '--implicit', ...common(), '--json'], io);
    const doc = JSON.parse(io.stdout);
    assert.equal(doc.results.length, 2);
    assert.equal(doc.results[0].endpoint.protocol, 'imap');
    assert.deepEqual(
      doc.results[0].findings.filter((f: { severity: string }) => f.severity !== 'info'),
      [],
    );
    // The SMTP STARTTLS server probed as implicit-TLS IMAP: the wrong pair is diagnosed, so exit 1.
    assert.equal(code, 1);
  });

  it('--repeat tells a persistent fault from a glitch', async () => {
    const io = captureIO();
    const code = await main(['probe', target('refused'), '--repeat', '2', '--timeout', '1500', '--servername', 'mail.lab.test'], io);
    assert.equal(code, 1);
    assert.match(io.stdout, /Over 2 runs:/);
    assert.match(io.stdout, /fails in every run \(tcp\.refused 2\/2\): a persistent fault/);
    const j = captureIO();
    await main(['probe', target('refused'), '--repeat', '2', '--json', '--timeout', '1500'], j);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.results.length, 2);
    assert.deepEqual(
      doc.results.map((r: { run: number }) => r.run),
      [1, 2],
    );
    assert.equal(doc.repeat[0].verdict, 'persistent');
  });

  for (const [args, message] of [
    [[], /at least one HOST/],
    [['host name'], /white space/],
    [['mx.example:99999'], /invalid port/],
    [['mx.example', '--protocol', 'http'], /smtp, imap or pop3/],
    [['mx.example', '--starttls', '--implicit'], /exclude each other/],
    [['mx.example', '--timeout', 'soon'], /--timeout must be/],
    [['mx.example', '--repeat', '0'], /--repeat must be/],
    [['mx.example', '--ca', '/nonexistent/ca.pem'], /cannot read/],
    [['mx.example', '--servername', 'a\rb'], /CR/],
    [['mx.example', '--bogus'], /unknown option/],
  ] as const) {
    it(`exits 2 on bad usage: ${args.join(' ') || '(nothing)'}`, async () => {
      const io = captureIO();
      const code = await main(['probe', ...args], io);
      assert.equal(code, 2);
      assert.match(io.stderr, message);
      assert.equal(io.stdout, '');
    });
  }

  it('runs as the bundled dist/cli.js', async function () {
    const cli = path.join(__dirname, '../../dist/cli.js');
    if (!fs.existsSync(cli)) this.skip();
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [cli, 'probe', target('healthy'), ...common(), '--json'], { timeout: 20_000 }, (err, stdout) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout });
      });
    });
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).results[0].trusted, true);
  });

  it('the bundled probe loads only its own command bundle (no config parsers), --version none at all', async function () {
    const dist = path.join(__dirname, '../../dist');
    if (!fs.existsSync(path.join(dist, 'cli.js'))) this.skip();
    // Which dist/ files a run loaded, reported by the process itself as it exits.
    const loaded = (args: string[]) =>
      new Promise<string[]>((resolve, reject) => {
        const report = `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(dist)})).map((f) => require('path').basename(f)))));`;
        execFile(
          process.execPath,
          ['-e', `${report} process.argv.splice(1, 0, 'cli'); require(${JSON.stringify(path.join(dist, 'cli.js'))});`, '--', ...args],
          { timeout: 20_000 },
          (_err, _out, stderr) => {
            const m = /LOADED (\[.*\])/.exec(stderr);
            if (m) resolve((JSON.parse(m[1]) as string[]).sort());
            else reject(new Error(`no report: ${stderr}`));
          },
        );
      });
    assert.deepEqual(await loaded(['probe', target('healthy'), ...common(), '--json']), ['cli-probe.js', 'cli.js']);
    assert.deepEqual(await loaded(['--version']), ['cli.js']);
  });

  for (const [mode, name, extra] of [
    ['STARTTLS', 'healthy', []],
    ['implicit TLS', 'healthy-imaps', ['--protocol', 'imap', '--implicit']],
  ] as const) {
    it(`the bundled probe's first connect goes out before Node's crypto, tls and v8 load (${mode})`, async function () {
      const cli = path.join(__dirname, '../../dist/cli.js');
      if (!fs.existsSync(cli)) this.skip();
      // Node's internal modules loaded when the first connection is opened, and at exit, reported by the process.
      const watch = `const net = require('net'); const connect = net.Socket.prototype.connect; let first;
      net.Socket.prototype.connect = function (...a) { first ??= [...process.moduleLoadList]; return connect.apply(this, a); };
      process.on('exit', () => process.stderr.write('MODULES ' + JSON.stringify({ first, last: process.moduleLoadList })));`;
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['-e', `${watch} process.argv.splice(1, 0, 'cli'); require(${JSON.stringify(cli)});`, '--', 'probe', target(name), ...extra, ...common(), '--json'],
          { timeout: 20_000 },
          (_err, stdout, stderr) => resolve({ stdout, stderr }),
        );
      });
      const m = /MODULES (\{.*\})/.exec(stderr);
      assert.ok(m, stderr);
      const { first, last } = JSON.parse(m[1]) as { first: string[]; last: string[] };
      assert.ok(first, 'a connection was opened');
      // node:v8 comes with the IPv6 pattern's one-time compilation (src/cli/ipPattern.ts), which waits for tls.
      for (const mod of ['NativeModule crypto', 'NativeModule tls', 'NativeModule _tls_wrap', 'NativeModule v8']) {
        assert.ok(!first.includes(mod), `${mod} was loaded before the first connect`);
        assert.ok(last.includes(mod), `${mod} was loaded by the end`);
      }
      assert.equal(JSON.parse(stdout).results[0].trusted, true);
    });
  }
});
