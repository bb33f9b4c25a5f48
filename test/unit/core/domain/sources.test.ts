/** The mail domains a workspace names (offered to the domain check) and the extension's domain-check settings. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../../src/cli/main';
import { captureIO } from '../../../support/cli';
import { parseMailDomain } from '../../../../src/core/domain/name';
import { lintText } from '../../../../src/core/lint';
import { readSettings } from '../../../../src/extension/settings';

const host = { readFile: () => undefined };
const domainsOf = (text: string, file = '/etc/postfix/main.cf') => lintText(file, text, host).domains;

describe('domain sources: relayhost in main.cf', () => {
  it('an unbracketed relayhost name is a mail domain, with the range of the name', () => {
    const text = 'myhostname = mail.example.com\nrelayhost = Relay.Example.NET.\n';
    const [d, ...rest] = domainsOf(text);
    assert.equal(rest.length, 0);
    assert.equal(d.domain, 'relay.example.net');
    assert.equal(d.file, '/etc/postfix/main.cf');
    assert.deepEqual(d.range, { start: { line: 1, character: 12 }, end: { line: 1, character: 30 } });
    assert.equal(text.split('\n')[1].slice(d.range.start.character, d.range.end.character), 'Relay.Example.NET.');
    assert.match(d.source, /relayhost/);
  });

  it('port 25 (by number or service name) still names the domain; other ports, brackets, addresses and placeholders do not', () => {
    assert.deepEqual(
      domainsOf('relayhost = example.org:25\n').map((d) => d.domain),
      ['example.org'],
    );
    assert.deepEqual(
      domainsOf('relayhost = example.org:smtp\n').map((d) => d.domain),
      ['example.org'],
    );
    assert.deepEqual(domainsOf('relayhost = example.org:587\n'), []);
    assert.deepEqual(domainsOf('relayhost = [smtp.example.org]\n'), []);
    assert.deepEqual(domainsOf('relayhost = [smtp.example.org]:587\n'), []);
    assert.deepEqual(domainsOf('relayhost = 192.0.2.1\n'), []);
    assert.deepEqual(domainsOf('relayhost = PH_RELAYHOST\n'), []);
    assert.deepEqual(domainsOf('relayhost = localhost\n'), []);
    assert.deepEqual(domainsOf('relayhost =\n'), []);
  });

  it('several destinations (Postfix 3.5+) give one domain each, each with its own range', () => {
    const text = 'relayhost = a.example.com, [b.example.com]:587 c.example.com\n';
    const ds = domainsOf(text);
    assert.deepEqual(
      ds.map((d) => d.domain),
      ['a.example.com', 'c.example.com'],
    );
    assert.deepEqual(
      ds.map((d) => text.slice(d.range.start.character, d.range.end.character)),
      ['a.example.com', 'c.example.com'],
    );
  });

  it('a relayhost from another parameter ($name) names the domain on the relayhost line', () => {
    const text = 'my_relay = relay.example.com\nrelayhost = $my_relay\n';
    const [d] = domainsOf(text);
    assert.equal(d.domain, 'relay.example.com');
    assert.equal(d.range.start.line, 1);
  });

  it('files that are not main.cf name no domain', () => {
    assert.deepEqual(domainsOf('relayhost = relay.example.com\n', '/w/notes.txt'), []);
  });
});

describe('parseMailDomain', () => {
  it('takes names of two labels or more, lower-cased, without the trailing dot', () => {
    assert.deepEqual(parseMailDomain(' Example.COM. '), { domain: 'example.com' });
    assert.deepEqual(parseMailDomain('xn--bcher-kva.example'), { domain: 'xn--bcher-kva.example' });
  });
  it('refuses what is not a mail domain, saying why', () => {
    for (const [input, why] of [
      ['', /empty/],
      ['localhost', /two labels/],
      ['192.0.2.1', /address/],
      ['::1', /address/],
      ['mail.example.com:25', /./],
      ['exa mple.com', /white space/],
      ['example.com\r\nQUIT', /CR|LF/],
      ['bücher.example', /non-ASCII/],
      ['[example.com]', /./],
    ] as const) {
      const r = parseMailDomain(input);
      assert.ok('error' in r, `accepted ${JSON.stringify(input)}`);
      assert.match(r.error, why);
    }
  });
});

describe('setting mailTlsDoctor.dns.resolver', () => {
  const read = (v: unknown) => readSettings((k) => (k === 'dns.resolver' ? v : undefined));
  it('an address with an optional port is the resolver; empty or unset means the system resolver', () => {
    assert.deepEqual(read('127.0.0.1').settings.dnsResolver, { host: '127.0.0.1', port: 53 });
    assert.deepEqual(read('127.0.0.53:5353').settings.dnsResolver, { host: '127.0.0.53', port: 5353 });
    assert.deepEqual(read('[::1]:53').settings.dnsResolver, { host: '::1', port: 53 });
    assert.equal(read('').settings.dnsResolver, undefined);
    assert.equal(read(undefined).settings.dnsResolver, undefined);
    assert.deepEqual(read('').problems, []);
  });
  it('a name, a bad port or another type is a problem, and the system resolver is used', () => {
    for (const bad of ['dns.google', '127.0.0.1:99999', 53, ['127.0.0.1'], '1.1.1.1\u202e']) {
      const r = read(bad);
      assert.equal(r.settings.dnsResolver, undefined, JSON.stringify(bad));
      assert.deepEqual(r.problemKeys, ['mailTlsDoctor.dns.resolver']);
      assert.ok(!r.problems.join('').includes('\u202e'), 'the value is quoted through the escaper');
    }
  });
});

describe('domain sources: sender domains in nodemailer files (from, auth.user)', () => {
  const files: Record<string, string> = {
    '/w/.env': 'SMTP_USER=Alerts@Mail.Sender.Example\nSMTP_PASS=hunter2-secret\nMAIL_FROM=\'"Billing" <billing@billing.example>\'\n',
  };
  const envHost = { readFile: (p: string) => files[p], workspaceRoot: '/w' };
  const senders = (text: string, file = '/w/app/mailer.js') => lintText(file, text, envHost).domains;

  it('the domain of a literal auth.user, with the range of the value, marked as a sender domain', () => {
    const text =
      "const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: 'smtp.relay.example', port: 587, auth: { user: 'app@users.example', pass: 'pw-literal' } });\n";
    const [d, ...rest] = senders(text);
    assert.equal(rest.length, 0);
    assert.equal(d.domain, 'users.example');
    assert.equal(d.sender, true);
    assert.equal(d.file, '/w/app/mailer.js');
    assert.equal(text.split('\n')[1].slice(d.range.start.character, d.range.end.character), "'app@users.example'");
    assert.match(d.source, /nodemailer auth\.user/);
  });

  it('values from .env resolve (the .env key is named), and from in the defaults and in sendMail counts; the password never appears', () => {
    const text = [
      "import nodemailer from 'nodemailer';",
      'const t = nodemailer.createTransport({ host: process.env.SMTP_HOST, auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS } }, { from: process.env.MAIL_FROM });',
      "await t.sendMail({ from: { name: 'Ops', address: 'ops@ops.example' }, to: 'x@rcpt.example', text: 'hi' });",
      "await t.sendMail({ from: '\"Me\" <me@me.example>', to: 'y@rcpt.example' });",
      '',
    ].join('\n');
    const ds = senders(text);
    assert.deepEqual(
      ds.map((d) => d.domain),
      ['mail.sender.example', 'billing.example', 'ops.example', 'me.example'],
    );
    assert.ok(ds.every((d) => d.sender === true));
    assert.match(ds[0].source, /auth\.user, from \.env SMTP_USER:/);
    assert.match(ds[1].source, /from of the transport defaults, from \.env MAIL_FROM:/);
    assert.deepEqual(
      ds.map((d) => d.range.start.line),
      [1, 1, 2, 3],
    );
    const all = JSON.stringify(lintText('/w/app/mailer.js', text, envHost));
    assert.ok(!all.includes('hunter2-secret'), 'the password reached the lint result');
    assert.ok(!all.includes('x@rcpt.example') && !all.includes('rcpt.example'), 'a recipient is not a sender domain');
  });

  it('the user name of a smtps:// URL gives its domain, never its password; what is not an address gives nothing', () => {
    const url = senders("require('nodemailer').createTransport('smtps://bob%40url.example:s3cret-pw@smtp.url.example:465');\n");
    assert.deepEqual(
      url.map((d) => [d.domain, d.sender]),
      [['url.example', true]],
    );
    assert.match(url[0].source, /in the URL/);
    assert.ok(!JSON.stringify(url).includes('s3cret-pw'));
    for (const user of ["'apikey'", "'user@localhost'", "'a b@example.com'", "'x@192.0.2.1'", 'process.env.NOT_SET', 'getUser()', "'{{ smtp_user }}'"]) {
      assert.deepEqual(senders(`require('nodemailer').createTransport({ host: 'h.example', auth: { user: ${user}, pass: 'p' } });\n`), [], user);
    }
  });

  it('check --from-config takes only destinations: a folder whose only domain is a sender domain names none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-senders-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'mailer.js'),
        "require('nodemailer').createTransport({ host: 'h.example', auth: { user: 'me@self.example', pass: 'p' } });\n",
      );
      const lint = captureIO();
      await main(['lint', dir], lint);
      assert.match(lint.stdout, /domain self\.example \(nodemailer auth\.user: a sender domain/);
      const io = captureIO();
      // The usage error comes before any DNS question (the resolver address is never used).
      assert.equal(await main(['check', '--from-config', dir, '--resolver', '127.0.0.1:9'], io), 2);
      assert.match(io.stderr, /no mail domain named/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('setting mailTlsDoctor.domains.includeSenderDomains', () => {
  const read = (v: unknown) => readSettings((k) => (k === 'domains.includeSenderDomains' ? v : undefined));
  it('off unless set to true; another type is a problem', () => {
    assert.equal(read(undefined).settings.includeSenderDomains, false);
    assert.equal(read(true).settings.includeSenderDomains, true);
    assert.equal(read('yes').settings.includeSenderDomains, false);
    assert.deepEqual(read('yes').problemKeys, ['mailTlsDoctor.domains.includeSenderDomains']);
  });
});
