/**
 * Command injection through names: a host, servername or EHLO name with CR, LF, NUL, spaces, an over-long label
 * or non-ASCII is refused before any connection (a loopback server counts them), and configs holding such names
 * yield findings, never endpoints. What does reach a dialogue is checked on the server side, line by line.
 */
import * as assert from 'node:assert/strict';
import type { CliIO } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { makeEndpoint, validateHostname } from '../../src/core/endpoint';
import { lintText } from '../../src/core/lint';
import { ConnectionLimiter, probeEndpoint } from '../../src/core/probe';
import { lintResultProblem } from '../fuzz/properties';
import { EMPTY_HOST } from '../fuzz/targets';
import * as lab from '../support/hostile';
import { startHostile, type HostileServer } from '../support/hostile';

/** Names that would split, extend or disguise a command line if they were written into one. */
const BAD_NAMES: Array<[string, string]> = [
  ['CR LF and a command', 'mail.example.test\r\nMAIL FROM:<attacker@example.test>'],
  ['a bare LF', 'mail.example.test\nQUIT'],
  ['a bare CR', 'mail.example.test\r'],
  ['NUL', 'mail.example\u0000.test'],
  ['a space', 'mail.example.test RCPT'],
  ['a tab', 'mail\t.example.test'],
  ['another control character', 'mail\u001b[31m.example.test'],
  ['an over-long label', `${'a'.repeat(64)}.example.test`],
  ['an over-long name', `${'abcdefghi.'.repeat(26)}test`],
  ['non-ASCII', 'mäil.example.test'],
  ['a zero-width space', 'mail\u200b.example.test'],
  ['a loopback address with a CRLF tail', '127.0.0.1\r\nQUIT'],
];

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    color: false,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

describe('injection: names from configs and users never reach a dialogue unvalidated', function () {
  this.timeout(20000);
  let server: HostileServer;
  const stats = lab.connectionStats();
  before(async () => {
    lab.healthyTls();
    server = await startHostile(lab.healthy(), { stats });
  });
  after(() => server.close());

  it('every bad name is refused by host validation', () => {
    for (const [what, name] of BAD_NAMES) assert.equal(validateHostname(name).ok, false, what);
  });

  for (const role of ['host', 'servername', 'EHLO name'] as const) {
    it(`probeEndpoint refuses a bad ${role} with a clear error before connecting`, async () => {
      const before = stats.accepted;
      for (const [what, name] of BAD_NAMES) {
        // The other names are the counting server's, so a probe that skipped validation would connect to it.
        const ep = role === 'host' ? { ...server.endpoint(), host: name } : role === 'servername' ? server.endpoint({ servername: name }) : server.endpoint();
        const opts = { timeoutMs: 1000, scanVersions: false, limiter: new ConnectionLimiter(), ...(role === 'EHLO name' ? { ehloName: name } : {}) };
        await assert.rejects(probeEndpoint(ep, opts), (err: Error) => {
          assert.match(err.message, new RegExp(`invalid ${role}`), what);
          assert.doesNotMatch(err.message, /[\r\n\u0000]/, `${what}: the error message itself is printable`);
          return true;
        });
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(stats.accepted, before, 'no connection was opened');
    });
  }

  it('the CLI refuses bad targets and --servername values with a usage error and no connection', async () => {
    const before = stats.accepted;
    for (const [what, name] of BAD_NAMES) {
      for (const argv of [
        ['probe', `${name}:${server.port}`, '--timeout', '1000'],
        ['probe', `127.0.0.1:${server.port}`, '--servername', name, '--timeout', '1000'],
      ]) {
        const io = capture();
        const code = await main(argv, io);
        assert.equal(code, 2, `${what}: ${io.stderr}`);
        assert.match(io.stderr, /invalid/, what);
        assert.doesNotMatch(io.stderr + io.stdout, /[\r\u0000]/, `${what}: output is escaped`);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stats.accepted, before, 'no connection was opened');
  });

  it('main.cf: a bad relayhost is a finding at the value, and not an endpoint', () => {
    for (const [what, name] of BAD_NAMES) {
      // A config line cannot hold a raw LF; the rest of the name goes on a continuation line, as Postfix reads it.
      const text = `myhostname = mx.example.test\nrelayhost = [${name.replace(/\n/g, '\n ')}]:587\n`;
      const r = lintText('etc/postfix/main.cf', text, EMPTY_HOST);
      assert.equal(lintResultProblem(text, r, 'etc/postfix/main.cf'), undefined, what);
      if (/\r|\n/.test(name)) continue; // the continuation line changes what Postfix sees; the range check above is the point
      const f = r.findings.find((x) => x.id === 'postfix.relayhost-invalid');
      assert.ok(f, `${what}: no finding (${r.findings.map((x) => x.id).join(', ')})`);
      assert.equal(f.range?.start.line, 1, what);
      assert.deepEqual(r.endpoints, [], what);
    }
  });

  it('no linter turns a bad name in any format into an endpoint', () => {
    for (const [what, name] of BAD_NAMES) {
      const js = JSON.stringify(name);
      const files: Array<[string, string]> = [
        ['etc/postfix/main.cf', `relayhost = [${name}]:587\nsmtp_tls_security_level = encrypt\n`],
        ['etc/postfix/master.cf', `relay unix - - n - - smtp\n  -o relayhost=[${name}]:587\n`],
        ['src/mailer.js', `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: ${js}, port: 587, name: ${js}, tls: { servername: ${js} } });\n`],
        ['src/mailer.ts', `import nodemailer from 'nodemailer';\nexport const t = nodemailer.createTransport(\`smtps://user@${name.replace(/[`\\$]/g, '')}:465\`);\n`],
        ['.env', `SMTP_HOST=${name}\nMAIL_URL=smtp://u@${name}:587\n`],
        ['var/log/mail.log', `Nov 28 05:00:01 mx postfix/smtp[1]: 4AB: to=<a@b.test>, relay=${name}[192.0.2.1]:25, status=deferred (TLS is required, but was not offered by host ${name}[192.0.2.1])\n`],
      ];
      for (const [file, text] of files) {
        const r = lintText(file, text, EMPTY_HOST);
        assert.equal(lintResultProblem(text, r, file), undefined, `${file} with ${what}`);
        for (const d of r.endpoints) {
          assert.ok(d.endpoint.host !== name && d.endpoint.servername !== name, `${file} with ${what}: ${JSON.stringify(d.endpoint)}`);
        }
      }
    }
  });

  it('what reaches the server is only well-formed commands, whatever the machine is called', async () => {
    const from = stats.commands.length;
    for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
      const s = await startHostile(lab.healthy(), { protocol, stats });
      try {
        // Discovered the way the editor and `lint` discover it, then probed with the TLS version scan.
        const ep = makeEndpoint(s.host, s.port, { protocol, mode: 'starttls', servername: 'localhost' });
        await probeEndpoint(ep, { timeoutMs: 2000, limiter: new ConnectionLimiter() });
      } finally {
        await s.close();
      }
    }
    const sent = stats.commands.slice(from);
    assert.ok(sent.length >= 6, `${sent.length} commands`);
    const wellFormed = /^(?:(?:EHLO|HELO) (?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.IPv6]+\])|STARTTLS|QUIT|CAPA|STLS|[A-Za-z0-9]+ (?:CAPABILITY|STARTTLS|LOGOUT))$/;
    for (const line of sent) assert.match(line, wellFormed);
    assert.ok(!sent.some((l) => /^(MAIL|RCPT|DATA|AUTH|USER|PASS)\b|^\S+ (LOGIN|AUTHENTICATE)\b/i.test(l)), 'no credentials or mail');
  });
});
