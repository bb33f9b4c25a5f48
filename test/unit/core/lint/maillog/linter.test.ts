import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintMailLog, maillogLinter } from '../../../../../src/core/lint/maillog';

const FIXTURE = path.join(__dirname, '..', '..', '..', '..', 'fixtures', 'logs', 'mail.log');

describe('mail log lint', () => {
  const text = fs.readFileSync(FIXTURE, 'utf8');
  const r = lintMailLog('/var/log/mail.log', text);
  const byId = (id: string) => r.findings.filter((f) => f.id === id);

  it('applies to mail logs by name, and to *.log only when it looks like Postfix', () => {
    for (const p of ['/var/log/mail.log', '/var/log/maillog', '/x/mail.err', '/x/mail.warn', '/x/mail.log.1', 'C:\\logs\\mail.log'])
      assert.ok(maillogLinter.matches(p), p);
    assert.ok(maillogLinter.matches('/x/server.log', text));
    assert.ok(!maillogLinter.matches('/x/server.log', '2024-01-01 GET /index.html 200\nwrong version number\n'));
    assert.ok(!maillogLinter.matches('/x/mail.log.gz'));
  });

  it("a Dovecot line in the system mail log gets Dovecot's advice, kept apart from the same error on Postfix's lines", () => {
    // Debian logs both daemons to /var/log/mail.log; Dovecot 2.3.19's lines as it wrote them here on loopback.
    const log = [
      "Dec  1 00:25:50 mx dovecot: imap-login: Error: Failed to initialize SSL server context: Can't load SSL private key (ssl_key setting): Key is for a different cert than ssl_cert: user=<>, rip=127.0.0.1, lip=127.0.0.1, secured, session=<YuyHkYdhPsp/AAAB>",
      'Dec  1 00:25:51 mx dovecot: imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=203.0.113.5, lip=192.0.2.1, TLS handshaking: SSL_accept() failed: error:0A00010B:SSL routines::wrong version number, session=<x>',
      'Dec  1 00:25:52 mx postfix/smtp[12]: SSL_connect error to a.example[192.0.2.9]:25: error:0A00010B:SSL routines::wrong version number',
      '',
    ].join('\n');
    const found = lintMailLog('/var/log/mail.log', log).findings;
    const [pair] = found.filter((f) => f.id === 'maillog.cert-key-mismatch');
    assert.match(pair.fix, /ssl_cert = </);
    assert.doesNotMatch(pair.fix, /smtpd_tls_chain_files|postfix reload/);
    const wrong = found.filter((f) => f.id === 'maillog.wrong-version-number');
    assert.equal(wrong.length, 2, JSON.stringify(wrong.map((f) => f.title)));
    const dovecot = wrong.find((f) => f.range?.start.line === 1);
    assert.match(dovecot?.title ?? '', /client spoke plain text to a port of this server/);
    assert.match(dovecot?.fix ?? '', /993 \(IMAP\)/);
    assert.doesNotMatch(dovecot?.fix ?? '', /wrappermode|relayhost/);
    assert.match(wrong.find((f) => f.range?.start.line === 2)?.fix ?? '', /wrappermode/);
  });

  it('one finding per distinct server and error, with the count and first/last lines', () => {
    const lost = byId('maillog.postfix-ssl-connect-lost');
    assert.equal(lost.length, 1);
    assert.match(lost[0].title, /legacy\.example\.org:25.*\(3 times\)/);
    assert.equal(lost[0].range?.start.line, 4);
    assert.equal(lost[0].related?.[0].range.start.line, 7);
    assert.equal(lost[0].severity, 'error');
  });

  it('first and last are the earliest and latest lines, also when a line waits for its process to name a server', () => {
    // Line 1's smtp process never names its server, so the line is only grouped when the log ends; line 2 has no process.
    const log = [
      'Jan 14 21:41:57 mx postfix/smtpd[7]: connect from unknown[192.0.2.1]',
      'Jan 14 21:41:58 mx postfix/smtp[932]: SMTPS wrappermode (TCP port 465) requires setting "smtp_tls_wrappermode = yes", and "smtp_tls_security_level = encrypt" (or stronger)',
      'warning: smtp_tls_wrappermode requires "smtp_tls_security_level = encrypt" (or stronger)',
      '',
    ].join('\n');
    const [f] = lintMailLog('/var/log/mail.log', log).findings.filter((x) => x.id === 'maillog.postfix-wrappermode-requires-encrypt');
    assert.equal(f.range?.start.line, 1);
    assert.equal(f.related?.[0].range.start.line, 2);
    assert.match(f.detail, /First seen on line 2, last on line 3\./);
    assert.match(f.evidence?.[0] ?? '', /^Jan 14 21:41:58/);
  });

  it('the OpenSSL reason takes the server of its Postfix process', () => {
    const wv = byId('maillog.wrong-version-number');
    assert.equal(wv.length, 1);
    assert.match(wv[0].title, /relay\.example\.test:587/);
    assert.match(wv[0].fix, /smtp_tls_wrappermode/);
  });

  it('returns the failing servers as endpoints, never the clients of smtpd', () => {
    const eps = r.endpoints.map((e) => `${e.endpoint.host}:${e.endpoint.port}:${e.endpoint.mode}`).sort();
    assert.deepEqual(eps, [
      'alt1.example-mx.test:25:starttls',
      'legacy.example.org:25:starttls',
      'relay.example.test:587:starttls',
      'smtp.partner.test:25:starttls',
    ]);
    assert.ok(r.endpoints.every((e) => /^mail\.log, \d+ failures?$/.test(e.source)));
  });

  it('groups informational lines across servers and reports smtpd-side errors without a server', () => {
    const untrusted = byId('maillog.postfix-untrusted-tls');
    assert.equal(untrusted.length, 1);
    assert.match(untrusted[0].title, /2 times/);
    assert.equal(byId('maillog.no-shared-cipher').length, 1);
  });

  it('never repeats a password found in a log line', () => {
    assert.ok(!JSON.stringify(r).includes('hunter2'));
  });

  it('bounded on huge logs: a million repeated lines become one finding', () => {
    const line = 'Nov 28 04:00:03 mx1 postfix/smtp[2103]: SSL_connect error to legacy.example.org[192.0.2.44]:25: lost connection\n';
    const huge = line.repeat(200_000);
    const out = lintMailLog('/var/log/mail.log', huge);
    assert.equal(out.findings.length, 1);
    assert.match(out.findings[0].title, /200000 times/);
  });

  it('any input: findings or nothing, never an exception', () => {
    for (const t of [
      '',
      '\u0000'.repeat(1000),
      'x'.repeat(100_000),
      'postfix/smtp[1]: SSL_connect error to [::1]:99999: lost connection',
      'to a[b]:1\n'.repeat(1000),
    ]) {
      assert.ok(Array.isArray(lintMailLog('/x/mail.log', t).findings));
    }
  });

  it('counts a lone CR as a line break, as the editor does', () => {
    const lines = text.split(/\r?\n/);
    const cr = lintMailLog('/var/log/mail.log', lines.join('\r'));
    assert.deepEqual(
      cr.findings.map((f) => [f.id, f.range, f.related?.[0].range]),
      r.findings.map((f) => [f.id, f.range, f.related?.[0].range]),
    );
    const mixed = lintMailLog('/var/log/mail.log', lines.map((l, i) => l + (i % 3 === 0 ? '\r' : i % 3 === 1 ? '\r\n' : '\n')).join(''));
    assert.deepEqual(
      mixed.findings.map((f) => f.range),
      r.findings.map((f) => f.range),
    );
  });

  it("a mail log is Postfix's: the finding carries the Postfix variant's detail, not the nodemailer one", () => {
    const log = [
      'Nov 28 04:00:03 mx1 postfix/smtp[2103]: warning: TLS library problem: error:0A00018A:SSL routines:tls_process_ske_dhe:dh key too small:../ssl/statem/statem_clnt.c:2092:',
      'Nov 28 04:00:03 mx1 postfix/smtp[2103]: 4A1B2C3D4E: to=<a@old.example>, relay=mx.old.example[192.0.2.8]:25, delay=1, status=sent (250 ok)',
    ].join('\n');
    const f = lintMailLog('/var/log/mail.log', log).findings.find((x) => x.id === 'maillog.dh-key-too-small');
    assert.ok(f, 'the DH line is explained');
    assert.match(f.detail, /retries without TLS/);
    assert.match(f.fix, /exclude=kEDH/);
  });

  it('a delivery that fails on DNS or the network is no TLS failure', () => {
    const log = [
      'Nov 28 04:00:03 mx1 postfix/smtp[2103]: 4A1B2C3D4E: to=<a@dns.example>, relay=none, delay=3, status=deferred (Host or domain name not found. Name service error for name=dns.example type=MX: Host not found, try again)',
      'Nov 28 05:00:03 mx1 postfix/smtp[2104]: 4A1B2C3D4E: to=<a@dns.example>, relay=none, delay=3603, status=deferred (Host or domain name not found. Name service error for name=dns.example type=MX: Host not found, try again)',
      'Nov 28 05:00:04 mx1 postfix/smtp[2105]: connect to mx.down.example[192.0.2.9]:25: Connection refused',
      'Nov 28 05:00:04 mx1 postfix/smtp[2105]: 5B1B2C3D4E: to=<b@down.example>, relay=none, delay=1, status=deferred (connect to mx.down.example[192.0.2.9]:25: Connection refused)',
    ].join('\n');
    const r = lintMailLog('/var/log/mail.log', log);
    const tls = r.findings.filter((x) => /^maillog\.destination-/.test(x.id));
    assert.deepEqual(
      tls.map((x) => x.title),
      [],
    );
    assert.ok(
      r.findings.some((x) => x.id === 'maillog.dns-temporary'),
      JSON.stringify(r.findings.map((x) => x.id)),
    );
    assert.match(r.findings.find((x) => x.id === 'maillog.dns-temporary')!.fix, /var\/spool\/postfix\/etc\/resolv\.conf/);
  });
});
