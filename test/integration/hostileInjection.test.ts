/**
 * Command injection through names: a host, servername or EHLO name with CR, LF, NUL, spaces, an over-long label
 * or non-ASCII is refused with a finding before any connection (a loopback server counts them), and configs holding such names
 * yield findings, never endpoints. What does reach a dialogue is checked on the server side, line by line.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { makeEndpoint, printable, validateHostname } from '../../src/core/endpoint';
import type { Finding } from '../../src/core/finding';
import { lintText } from '../../src/core/lint';
import { ConnectionLimiter, probeEndpoint } from '../../src/core/probe';
import { formatResult, type Painter } from '../../src/core/probe/report';
import { lintResultProblem } from '../fuzz/properties';
import { EMPTY_HOST } from '../fuzz/targets';
import * as lab from '../support/hostile';
import { startHostile, type HostileServer } from '../support/hostile';
import { captureIO } from '../support/cli';

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

const PLAIN: Painter = { red: (t) => t, yellow: (t) => t, green: (t) => t, cyan: (t) => t, dim: (t) => t, bold: (t) => t };

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

  const ids = { host: 'endpoint.invalid-host', servername: 'endpoint.invalid-servername', 'EHLO name': 'endpoint.invalid-ehlo-name' } as const;
  for (const role of ['host', 'servername', 'EHLO name'] as const) {
    it(`probeEndpoint refuses a bad ${role} with a clear finding before connecting`, async () => {
      const before = stats.accepted;
      for (const [what, name] of BAD_NAMES) {
        // The other names are the counting server's, so a probe that skipped validation would connect to it.
        const ep = role === 'host' ? { ...server.endpoint(), host: name } : role === 'servername' ? server.endpoint({ servername: name }) : server.endpoint();
        const opts = { timeoutMs: 1000, scanVersions: false, limiter: new ConnectionLimiter(), ...(role === 'EHLO name' ? { ehloName: name } : {}) };
        const results = await probeEndpoint(ep, opts);
        assert.equal(results.length, 1, what);
        const [r] = results;
        assert.equal(r.address, undefined, `${what}: no address was probed`);
        assert.equal(r.tls, null, what);
        assert.deepEqual(
          r.findings.map((f) => f.id),
          [ids[role]],
          what,
        );
        const f = r.findings[0];
        assert.equal(f.severity, 'error', what);
        assert.ok(f.title.includes(`the ${role} "${printable(name)}"`), `${what}: the title names the value, escaped: ${f.title}`);
        const check = validateHostname(name);
        assert.ok(!check.ok && f.title.includes(check.reason), `${what}: the title gives the reason: ${f.title}`);
        // Nothing built from the name (finding, transcript, the CLI's rendering) can split a line.
        const shown = [f.title, f.detail, f.fix, ...(f.evidence ?? []), ...r.transcript.map((l) => l.text), formatResult(r, PLAIN, true)].join('\n');
        for (const line of shown.split('\n')) assert.doesNotMatch(line, /[\r\u0000\u001b]/, `${what}: printable`);
        assert.doesNotMatch(formatResult(r, PLAIN, true), /\n(MAIL|QUIT|RCPT)/, `${what}: the rendering keeps the name on one line`);
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
        const io = captureIO();
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

  /**
   * Every format that names a server says so when the name is bad, at the line that holds it, in printable words,
   * without the password of a URL, and before anything could connect: no endpoint comes out of it.
   */
  const PASSWORD = 'Inj3ct-Pw-0451';
  const printableFinding = (f: Finding) => !/[\r\n\u0000]/.test([f.title, f.detail, f.fix, ...(f.evidence ?? [])].join(' '));
  const js = (name: string) => JSON.stringify(name);
  const namedIn: Array<{ format: string; file: string; id: string; line: number; text: (name: string) => string | undefined; label?: RegExp }> = [
    // A master.cf line cannot hold a raw line break: the rest of the name goes on a continuation line, where it is another field.
    {
      format: 'master.cf -o relayhost=',
      file: 'etc/postfix/master.cf',
      id: 'postfix.relayhost-invalid',
      line: 1,
      text: (n) => `relay unix - - n - - smtp\n  -o relayhost=[${n.replace(/\r\n|\n|\r/g, '\n   ')}]:587\n`,
    },
    {
      format: 'nodemailer host',
      file: 'src/mailer.js',
      id: 'nodemailer.invalid-host',
      line: 1,
      label: /^host /,
      text: (n) => `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: ${js(n)}, port: 465 });\n`,
    },
    {
      format: 'nodemailer name (EHLO)',
      file: 'src/mailer.js',
      id: 'nodemailer.invalid-host',
      line: 2,
      label: /^name \(the EHLO name\) /,
      text: (n) => `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: 'smtp.example.test', port: 465,\n  name: ${js(n)} });\n`,
    },
    {
      format: 'nodemailer tls.servername',
      file: 'src/mailer.js',
      id: 'nodemailer.invalid-host',
      line: 2,
      label: /^tls\.servername /,
      text: (n) =>
        `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: '127.0.0.1', port: 465,\n  tls: { servername: ${js(n)} } });\n`,
    },
    {
      format: 'nodemailer URL',
      file: 'src/mailer.ts',
      id: 'nodemailer.invalid-host',
      line: 1,
      label: /from the connection URL/,
      text: (n) =>
        `import nodemailer from 'nodemailer';\nexport const t = nodemailer.createTransport(\`smtps://user:${PASSWORD}@${n.replace(/[`\\$]/g, '')}:465\`);\n`,
    },
    // dotenv reads "\n" in a double-quoted value as a line break; a CR has no escape and would end the line.
    {
      format: '.env SMTP_HOST',
      file: '.env',
      id: 'dotenv.invalid-host',
      line: 1,
      text: (n) => (n.includes('\r') ? undefined : `# mail\nSMTP_HOST="${n.replace(/\n/g, '\\n')}"\n`),
    },
    {
      format: '.env MAIL_URL',
      file: '.env',
      id: 'dotenv.invalid-host',
      line: 1,
      text: (n) => (n.includes('\r') ? undefined : `SMTP_PORT=587\nMAIL_URL="smtp://user:${PASSWORD}@${n.replace(/\n/g, '\\n')}:587"\n`),
    },
  ];
  for (const c of namedIn) {
    it(`${c.format}: a bad name is a clear finding at its line, and no endpoint`, () => {
      for (const [what, name] of BAD_NAMES) {
        const text = c.text(name);
        if (text === undefined) continue;
        const r = lintText(c.file, text, EMPTY_HOST);
        assert.equal(lintResultProblem(text, r, c.file), undefined, what);
        const f = r.findings.find((x) => x.id === c.id && (!c.label || c.label.test(x.title)));
        assert.ok(f, `${what}: no ${c.id} (${r.findings.map((x) => `${x.id}: ${x.title}`).join('; ')})`);
        assert.equal(f.severity, 'error', what);
        assert.equal(f.range?.start.line, c.line, what);
        assert.ok(printableFinding(f), `${what}: ${JSON.stringify(f)}`);
        assert.ok(!JSON.stringify(r).includes(PASSWORD), `${what}: the URL's password shows`);
        // The EHLO name is not part of an endpoint (a probe says its own): the server may still be probed.
        if (c.format.includes('EHLO'))
          assert.ok(
            r.endpoints.every((d) => d.endpoint.host === 'smtp.example.test' && d.endpoint.servername === undefined),
            what,
          );
        else assert.deepEqual(r.endpoints, [], what);
      }
    });
  }

  it('the CLI lint prints those findings, escaped and without the password, and opens no connection', async () => {
    const before = stats.accepted;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-injection-'));
    try {
      const name = BAD_NAMES[0][1];
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(
        path.join(dir, 'src', 'mailer.js'),
        `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: ${js(name)}, port: ${server.port} });\n`,
      );
      fs.writeFileSync(path.join(dir, '.env'), `MAIL_URL="smtp://user:${PASSWORD}@${name.replace(/\r/g, '').replace(/\n/g, '\\n')}:${server.port}"\n`);
      for (const argv of [
        ['lint', dir],
        ['lint', dir, '--json'],
      ]) {
        const io = captureIO();
        const code = await main(argv, io);
        assert.equal(code, 1, io.stderr);
        for (const id of ['nodemailer.invalid-host', 'dotenv.invalid-host']) assert.ok(io.stdout.includes(id), `${argv.join(' ')}: ${id}\n${io.stdout}`);
        assert.doesNotMatch(io.stdout, /[\r\u0000]/, 'printable');
        // The injected command may be quoted, escaped, inside a finding; it never starts a line of its own.
        assert.doesNotMatch(io.stdout, /(^|\n)\s*MAIL FROM/, 'the injected command stays inside its quote');
        assert.ok(!io.stdout.includes(PASSWORD));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stats.accepted, before, 'no connection was opened');
  });

  it('no linter turns a bad name in any format into an endpoint', () => {
    for (const [what, name] of BAD_NAMES) {
      const js = JSON.stringify(name);
      const files: Array<[string, string]> = [
        ['etc/postfix/main.cf', `relayhost = [${name}]:587\nsmtp_tls_security_level = encrypt\n`],
        ['etc/postfix/master.cf', `relay unix - - n - - smtp\n  -o relayhost=[${name}]:587\n`],
        [
          'src/mailer.js',
          `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: ${js}, port: 587, name: ${js}, tls: { servername: ${js} } });\n`,
        ],
        [
          'src/mailer.ts',
          `import nodemailer from 'nodemailer';\nexport const t = nodemailer.createTransport(\`smtps://user@${name.replace(/[`\\$]/g, '')}:465\`);\n`,
        ],
        ['.env', `SMTP_HOST=${name}\nMAIL_URL=smtp://u@${name}:587\n`],
        [
          'var/log/mail.log',
          `Nov 28 05:00:01 mx postfix/smtp[1]: 4AB: to=<a@b.test>, relay=${name}[192.0.2.1]:25, status=deferred (TLS is required, but was not offered by host ${name}[192.0.2.1])\n`,
        ],
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
