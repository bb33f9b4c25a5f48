/**
 * Advice that can be applied blindly: edits in the syntax the user's Postfix reads, pairs of switches converted in
 * one edit, no edit that lowers another service's security. (The real-postconf comparison of every edit is in
 * test/integration/postfixEditsPostconf.test.ts.)
 */
import * as assert from 'node:assert/strict';
import { applyEdits } from '../../../../support/applyEdits';
import { parsePostfixVersion } from '../../../../../src/core/lint/postfix/version';
import { assertFixes, ids, lint, only } from '../../../../support/postfixLint';

const HOST = 'myhostname = mail.example.com\n';

describe('postfix advice: the Postfix version', () => {
  it('parses what postconf mail_version and users write', () => {
    assert.deepEqual(parsePostfixVersion('3.7.11'), { major: 3, minor: 7 });
    assert.deepEqual(parsePostfixVersion('3.5'), { major: 3, minor: 5 });
    assert.deepEqual(parsePostfixVersion('3.10-20250101'), { major: 3, minor: 10 });
    assert.equal(parsePostfixVersion('latest'), undefined);
    assert.equal(parsePostfixVersion(''), undefined);
  });

  const legacy = `${HOST}smtpd_tls_mandatory_protocols = SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3\n`;
  const fixed = (extra: object, name: 'main.cf' = 'main.cf', text = legacy) =>
    applyEdits(text, only(lint(name, text, {}, extra), 'postfix.legacy-protocols').edits!);

  it('unknown version: the edit uses the exclusion form, and the text gives both forms', () => {
    assert.equal(fixed({}), `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`);
  });
  it('declared 3.6 or later (setting / --postfix-version): the bound form', () => {
    assert.equal(fixed({ postfixVersion: '3.6.0' }), `${HOST}smtpd_tls_mandatory_protocols = >=TLSv1.2\n`);
    assert.equal(fixed({ postfixVersion: '3.5.27' }), `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`);
  });
  it('the live config: postconf mail_version of this machine counts only for its own config directory', () => {
    assert.equal(fixed({ localPostfix: { configDirectory: '/ws/etc/postfix', version: '3.7.11' } }), `${HOST}smtpd_tls_mandatory_protocols = >=TLSv1.2\n`);
    assert.equal(
      fixed({ localPostfix: { configDirectory: '/etc/postfix', version: '3.7.11' } }),
      `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`,
    );
    // The live Postfix is 3.5: a declared version does not matter more than... it does: the user knows best.
    assert.equal(
      fixed({ localPostfix: { configDirectory: '/ws/etc/postfix', version: '3.5.9' } }),
      `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`,
    );
  });
  it('compatibility_level in the 3.6+ form means Postfix 3.6 or later; 0-2 say nothing', () => {
    const t36 = `compatibility_level = 3.6\n${legacy}`;
    assert.match(applyEdits(t36, only(lint('main.cf', t36), 'postfix.legacy-protocols').edits!), /= >=TLSv1\.2\n$/);
    const t2 = `compatibility_level = 2\n${legacy}`;
    assert.match(applyEdits(t2, only(lint('main.cf', t2), 'postfix.legacy-protocols').edits!), /= !SSLv2, !SSLv3, !TLSv1, !TLSv1\.1\n$/);
  });
  it('a file written with "!" keeps "!" even on 3.6+', () => {
    const t = `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3\n`;
    assert.equal(
      applyEdits(t, only(lint('main.cf', t, {}, { postfixVersion: '3.8' }), 'postfix.legacy-protocols').edits!),
      `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`,
    );
  });
  it('a bound on a Postfix known to be older than 3.6 is an error, fixed with the exclusion form', () => {
    const t = `${HOST}smtpd_tls_mandatory_protocols = >=TLSv1.2\n`;
    assert.deepEqual(ids(lint('main.cf', t)), []);
    const f = only(lint('main.cf', t, {}, { postfixVersion: '3.5.27' }), 'postfix.protocols-syntax');
    assert.equal(f.severity, 'error');
    assert.match(f.detail, /454 4\.7\.0 TLS not available due to local problem/);
    assert.equal(
      assertFixes('main.cf', t, 'postfix.protocols-syntax', {}, { postfixVersion: '3.5.27' }),
      `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`,
    );
  });
  it('master.cf: the -o value is written without blanks', () => {
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_mandatory_protocols=!SSLv2,!SSLv3\n';
    const out = assertFixes('master.cf', master, 'postfix.legacy-protocols');
    assert.match(out, /-o smtpd_tls_mandatory_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1\.1\n$/);
  });
  it('protocol advice never offers the bound form without naming the version it needs', () => {
    const probeLike = lint('main.cf', `${HOST}smtp_tls_mandatory_protocols = >=TLSv1\n`);
    for (const f of probeLike.findings) if (/>=TLSv1\.2/.test(f.fix)) assert.match(f.fix, /3\.6/);
  });
});

describe('postfix advice: use/enforce switches are converted together', () => {
  it('smtpd_use_tls + smtpd_enforce_tls become one encrypt line, from either finding', () => {
    const text = `${HOST}smtpd_use_tls = yes\nsmtpd_enforce_tls = yes\n`;
    const fs = lint('main.cf', text).findings.filter((f) => f.id === 'postfix.deprecated-parameter');
    assert.equal(fs.length, 2);
    for (const f of fs) {
      assert.equal(applyEdits(text, f.edits!), `${HOST}smtpd_tls_security_level = encrypt\n`);
      assert.match(f.detail, /converted together/);
    }
  });
  it('the client pair with verify stays verify (enforce_peername defaults to yes); with peername = no, encrypt', () => {
    const text = `${HOST}smtp_use_tls = yes\nsmtp_enforce_tls = yes\n`;
    const f = lint('main.cf', text).findings.find((x) => x.id === 'postfix.deprecated-parameter')!;
    assert.equal(applyEdits(text, f.edits!), `${HOST}smtp_tls_security_level = verify\n`);
    const t2 = `${HOST}smtp_enforce_tls = yes\nsmtp_tls_enforce_peername = no\nsmtp_use_tls = yes\n`;
    const f2 = lint('main.cf', t2).findings.find((x) => x.id === 'postfix.deprecated-parameter')!;
    assert.equal(applyEdits(t2, f2.edits!), `${HOST}smtp_tls_security_level = encrypt\n`);
  });
  it('smtpd_enforce_tls = no alone is none, not may', () => {
    const text = `${HOST}smtpd_enforce_tls = no\n`;
    assert.equal(assertFixes('main.cf', text, 'postfix.deprecated-parameter'), `${HOST}smtpd_tls_security_level = none\n`);
  });
  it('switches next to a non-empty level are ignored and removed; an empty level line takes the level', () => {
    assert.equal(
      assertFixes('main.cf', `${HOST}smtpd_use_tls = yes\nsmtpd_tls_security_level = may\n`, 'postfix.deprecated-parameter'),
      `${HOST}smtpd_tls_security_level = may\n`,
    );
    const t = `${HOST}smtpd_tls_security_level =\nsmtpd_enforce_tls = yes\n`;
    assert.equal(assertFixes('main.cf', t, 'postfix.deprecated-parameter'), `${HOST}smtpd_tls_security_level = encrypt\n`);
  });
  it('no edit in main.cf while a master.cf service sets the switches with -o (it would lose its level)', () => {
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_enforce_tls=yes\n';
    const f = only(lint('main.cf', `${HOST}smtpd_use_tls = yes\n`, { 'master.cf': master }), 'postfix.deprecated-parameter');
    assert.equal(f.edits, undefined);
    assert.match(f.detail, /convert the master.cf service first/);
  });
  it('master.cf: the service gets its own level from what it inherits, and a lone -o line is removed', () => {
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_use_tls=yes\n  -o smtpd_enforce_tls=yes\n  -o smtpd_sasl_auth_enable=yes\n';
    const fs = lint('master.cf', master, { 'main.cf': HOST }).findings.filter((f) => f.id === 'postfix.deprecated-parameter');
    assert.equal(fs.length, 2);
    const out = applyEdits(master, fs[1].edits!);
    assert.deepEqual(fs[0].edits, fs[1].edits);
    assert.ok(!ids(lint('master.cf', out, { 'main.cf': HOST })).includes('postfix.deprecated-parameter'));
    assert.equal(out, 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n');
  });
  it('a value other than yes/no gets no edit (Postfix stops on it)', () => {
    assert.equal(only(lint('main.cf', `${HOST}smtpd_use_tls = maybe\n`), 'postfix.deprecated-parameter').edits, undefined);
  });
});

describe('postfix advice: encrypt on the public MX never drops submission', () => {
  const main = `${HOST}smtpd_tls_security_level = encrypt\nsmtpd_sasl_auth_enable = yes\n`;
  const master = 'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n';
  it('main.cf offers no edit while submission inherits the level', () => {
    const f = only(lint('main.cf', main, { 'master.cf': master }), 'postfix.encrypt-on-public-mx');
    assert.equal(f.edits, undefined);
    assert.match(f.detail, /submission in master.cf inherits this level/);
  });
  it('master.cf gives port 25 its own may and leaves main.cf alone', () => {
    const out = assertFixes('master.cf', master, 'postfix.encrypt-on-public-mx', { 'main.cf': main });
    assert.equal(out, 'smtp inet n - y - - smtpd\n  -o smtpd_tls_security_level=may\nsubmission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n');
    assert.ok(!ids(lint('master.cf', out, { 'main.cf': main })).includes('postfix.submission-without-encrypt'));
  });
});

describe('postfix advice: what Postfix then does (misleading texts corrected)', function () {
  this.timeout(20000);
  it('wrappermode below encrypt is an error: the client skips every server', () => {
    const f = only(
      lint('main.cf', `${HOST}relayhost = [smtp.example.net]:465\nsmtp_tls_wrappermode = yes\nsmtp_tls_security_level = may\n`),
      'postfix.wrappermode-needs-encrypt',
    );
    assert.equal(f.severity, 'error');
    assert.match(f.detail, /skips every address/);
  });
  it('verify with smtp_tls_trust_anchor_file has its trust: no verify-without-ca', () => {
    const base = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_tls_security_level = verify\n`;
    assert.ok(ids(lint('main.cf', base)).includes('postfix.verify-without-ca'));
    assert.ok(!ids(lint('main.cf', `${base}smtp_tls_trust_anchor_file = /etc/postfix/relay-ta.pem\n`)).includes('postfix.verify-without-ca'));
  });
  it('certificate problems: STARTTLS stays announced and is answered with 454 (seen live)', () => {
    const cfg = `${HOST}smtpd_tls_cert_file = /etc/ssl/mail/cert.pem\nsmtpd_tls_key_file = /etc/ssl/mail/key.pem\n`;
    const r = lint('main.cf', cfg, { '/ws/etc/ssl/mail/cert.pem': 'not a certificate\n', '/ws/etc/ssl/mail/key.pem': 'nor a key\n' });
    const f = r.findings.find((x) => x.id === 'postfix.cert-unreadable');
    assert.ok(f, JSON.stringify(ids(r)));
    assert.match(f.detail, /454 4\.7\.0 TLS not available due to local problem/);
    assert.doesNotMatch(f.detail, /no STARTTLS|STARTTLS disappears/);
  });
  it('protocols-syntax on the server side names the 454 answer; on the client side the aborted TLS session', () => {
    const s = only(lint('main.cf', `${HOST}smtpd_tls_protocols = TLSv1.4\n`), 'postfix.protocols-syntax');
    assert.match(s.detail, /still announces STARTTLS but answers it with "454 4\.7\.0/);
    const c = only(lint('main.cf', `${HOST}smtp_tls_protocols = TLSv1.4\n`), 'postfix.protocols-syntax');
    assert.match(c.detail, /aborting TLS session/);
  });
});

describe('postfix advice: imprecise claims made precise', () => {
  it('submission with smtpd_tls_auth_only = yes: info, no password in the clear', () => {
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n';
    assert.equal(only(lint('master.cf', master, { 'main.cf': HOST }), 'postfix.submission-without-encrypt').severity, 'warning');
    const f = only(lint('master.cf', master, { 'main.cf': `${HOST}smtpd_tls_auth_only = yes\n` }), 'postfix.submission-without-encrypt');
    assert.equal(f.severity, 'info');
    assert.match(f.detail, /passwords do not travel in the clear/);
  });
  it('an unbracketed relayhost is valid: info and no routing-changing edit, unless it names a submission port', () => {
    const f = only(lint('main.cf', `${HOST}relayhost = relay.example.net\n`), 'postfix.relayhost-mx-lookup');
    assert.equal(f.severity, 'info');
    assert.equal(f.edits, undefined);
    const g = only(lint('main.cf', `${HOST}relayhost = smtp.example.net:587\nsmtp_tls_security_level = encrypt\n`), 'postfix.relayhost-mx-lookup');
    assert.equal(g.severity, 'warning');
    assert.ok(g.edits);
  });
});
