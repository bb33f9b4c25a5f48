/**
 * Issue 16's new Postfix rules: where passwords and mail travel without (verified) TLS. The configs are written
 * for these tests after patterns seen in real servers (Debian defaults, docker mail servers behind postscreen,
 * relay setups with inline credentials).
 */
import * as assert from 'node:assert/strict';
import { assertFixes, ids, lint, only, slice } from '../../../../support/postfixLint';

const HOST = 'myhostname = mail.example.com\n';
const STOCK_MASTER = 'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n';
const POSTSCREEN_MASTER = 'smtp inet n - n - 1 postscreen\nsmtpd pass - - n - - smtpd\ndnsblog unix - - n - 0 dnsblog\n';

describe('postfix.sasl-before-starttls', () => {
  it('main.cf: SASL on with opportunistic TLS and no smtpd_tls_auth_only; the edit sets auth_only', () => {
    const text = `${HOST}smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n`;
    const f = only(lint('main.cf', text, { 'master.cf': STOCK_MASTER }), 'postfix.sasl-before-starttls');
    assert.equal(f.severity, 'warning');
    assert.equal(slice(text, f.range!), 'yes');
    assert.match(f.title, /port-25 smtpd/);
    assert.equal(assertFixes('main.cf', text, 'postfix.sasl-before-starttls', { 'master.cf': STOCK_MASTER }), `${text}smtpd_tls_auth_only = yes\n`);
  });

  it('is an error without TLS, and follows the obsolete smtpd_use_tls', () => {
    assert.equal(only(lint('main.cf', `${HOST}smtpd_sasl_auth_enable = yes\n`), 'postfix.sasl-before-starttls').severity, 'error');
    assert.equal(only(lint('main.cf', `${HOST}smtpd_use_tls = yes\nsmtpd_sasl_auth_enable = yes\n`), 'postfix.sasl-before-starttls').severity, 'warning');
  });

  it('is quiet with auth_only, encrypt, noplaintext, SASL off, or when port 25 overrides it', () => {
    for (const extra of ['smtpd_tls_auth_only = yes\n', 'smtpd_tls_security_level = encrypt\n', 'smtpd_sasl_security_options = noanonymous, noplaintext\n']) {
      assert.ok(
        !ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n${extra}`)).includes('postfix.sasl-before-starttls'),
        extra,
      );
    }
    assert.ok(!ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\n`)).includes('postfix.sasl-before-starttls'));
    const master = 'smtp inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=no\n';
    assert.ok(
      !ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n`, { 'master.cf': master })).includes(
        'postfix.sasl-before-starttls',
      ),
    );
  });

  it('postscreen in front: main.cf speaks for the pass smtpd; its own -o overrides are judged in master.cf', () => {
    const main = `${HOST}smtpd_tls_security_level = may\nsmtpd_sasl_auth_enable = yes\n`;
    assert.ok(ids(lint('main.cf', main, { 'master.cf': POSTSCREEN_MASTER })).includes('postfix.sasl-before-starttls'));
    const master = `${POSTSCREEN_MASTER.replace('smtpd pass - - n - - smtpd\n', 'smtpd pass - - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n')}`;
    const r = lint('master.cf', master, { 'main.cf': `${HOST}smtpd_tls_security_level = may\n` });
    const f = only(r, 'postfix.sasl-before-starttls');
    assert.match(f.title, /The smtpd service \(the smtpd behind postscreen on port 25\)/);
    assert.equal(f.range?.start.line, 2);
    assert.ok(!ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\n`, { 'master.cf': master })).includes('postfix.sasl-before-starttls'));
  });

  it('master.cf: a service that enables SASL itself without encrypt; loopback and wrapper-mode services are fine', () => {
    const master =
      'submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n127.0.0.1:10025 inet n - n - - smtpd\n  -o smtpd_sasl_auth_enable=yes\nsmtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n';
    const r = lint('master.cf', master, { 'main.cf': `${HOST}smtpd_tls_security_level = may\n` });
    const f = only(r, 'postfix.sasl-before-starttls');
    assert.equal(f.range?.start.line, 1);
    assert.ok(f.evidence?.some((e) => e.includes('smtpd_sasl_auth_enable = yes')));
  });
});

describe('postfix.sasl-client-without-tls and postfix.relay-credentials-in-clear stay apart', () => {
  it('SASL client with no TLS and no relayhost: warning (info with noplaintext); the edit turns on may', () => {
    const text = `${HOST}smtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\nsmtp_sasl_security_options = noanonymous\n`;
    const r = lint('main.cf', text);
    const f = only(r, 'postfix.sasl-client-without-tls');
    assert.equal(f.severity, 'warning');
    assert.ok(!ids(r).includes('postfix.relay-credentials-in-clear'));
    assertFixes('main.cf', text, 'postfix.sasl-client-without-tls');
    // No relayhost means direct delivery to MX hosts too: mandatory TLS belongs in the policy table, never globally.
    assert.doesNotMatch(f.fix, /Set smtp_tls_security_level = encrypt|globally, or per host/);
    assert.match(f.fix, /smtp_tls_security_level = may\b.*smtp_tls_policy_maps/);
    assert.equal(only(lint('main.cf', `${HOST}smtp_sasl_auth_enable = yes\n`), 'postfix.sasl-client-without-tls').severity, 'info');
    const relayed = lint('main.cf', `${text}relayhost = [smtp.example.net]:587\n`);
    assert.ok(!ids(relayed).includes('postfix.sasl-client-without-tls') && ids(relayed).includes('postfix.relay-credentials-in-clear'));
  });
});

describe('postfix.encrypt-without-verification', () => {
  it('credentials to a relay at the encrypt level: info; the edit sets secure and a CA bundle', () => {
    const text = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\nsmtp_tls_security_level = encrypt\n`;
    const f = only(lint('main.cf', text), 'postfix.encrypt-without-verification');
    assert.equal(f.severity, 'info');
    assert.equal(slice(text, f.range!), 'encrypt');
    const fixed = assertFixes('main.cf', text, 'postfix.encrypt-without-verification');
    assert.match(fixed, /smtp_tls_security_level = secure\nsmtp_tls_CAfile = \/etc\/ssl\/certs\/ca-certificates.crt\n/);
    assert.ok(!ids(lint('main.cf', fixed)).includes('postfix.verify-without-ca'));
  });
  it('is quiet without SASL, without a relayhost, at verify/secure, or with a policy table', () => {
    const base = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_tls_security_level = encrypt\n`;
    assert.ok(!ids(lint('main.cf', base)).includes('postfix.encrypt-without-verification'));
    const sasl = `${base}smtp_sasl_auth_enable = yes\n`;
    assert.ok(!ids(lint('main.cf', `${sasl}smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n`)).includes('postfix.encrypt-without-verification'));
    assert.ok(
      !ids(lint('main.cf', sasl.replace('encrypt', 'secure') + 'smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\n')).includes(
        'postfix.encrypt-without-verification',
      ),
    );
  });
});

describe('postfix.inline-credentials', () => {
  it('static:user:pass and inline:{...} are reported with the secret masked everywhere', () => {
    const text = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\nsmtp_tls_security_level = secure\nsmtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\nsmtp_sasl_password_maps = static:apikey:S3cr3tValue42\n`;
    const r = lint('main.cf', text);
    const f = only(r, 'postfix.inline-credentials');
    assert.equal(f.severity, 'warning');
    assert.equal(slice(text, f.range!), 'static:apikey:S3cr3tValue42');
    assert.ok(!JSON.stringify(r).includes('S3cr3tValue42'), 'the password leaked into the output');
    assert.deepEqual(f.evidence, ['smtp_sasl_password_maps = (hidden)']);
    // The table's key is this file's relayhost as written (Postfix looks it up so); without one, an example.
    assert.match(f.fix, /lines "\[smtp\.example\.net\]:587 user:password"/);
    const direct = only(lint('main.cf', `${HOST}smtp_sasl_password_maps = static:apikey:S3cr3tValue42\n`), 'postfix.inline-credentials');
    assert.match(direct.fix, /lines "\[relay\.example\.com\]:587 user:password"/);
    // A list of relays (Postfix 3.5+) is looked up one destination at a time: a line for each, never the list as one key.
    const listed = text.replace('relayhost = [smtp.example.net]:587', 'relayhost = [a.example.net]:587, [b.example.net]:587');
    const both = only(lint('main.cf', listed), 'postfix.inline-credentials');
    assert.match(both.fix, /lines "\[a\.example\.net\]:587 user:password", "\[b\.example\.net\]:587 user:password"\)/);
    const inline = lint('master.cf', 'relay unix - - n - - smtp\n  -o smtp_sasl_password_maps=inline:{[smtp.example.net]:587=user:Pa55word}\n', {
      'main.cf': HOST,
    });
    assert.ok(!JSON.stringify(inline).includes('Pa55word'));
    assert.match(only(inline, 'postfix.inline-credentials').title, /master\.cf/);
    assert.ok(
      !ids(lint('main.cf', `${HOST}smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\nvirtual_uid_maps = static:5000\n`)).includes(
        'postfix.inline-credentials',
      ),
    );
  });
});

describe('postfix.no-outbound-tls', () => {
  it('an MTA that offers TLS but sends in clear text, delivering directly; the edit sets may', () => {
    const text = `${HOST}smtpd_tls_cert_file = /etc/ssl/certs/mail.pem\nsmtpd_tls_key_file = /etc/ssl/private/mail.key\nsmtpd_tls_security_level = may\nsmtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache\n`;
    const f = only(lint('main.cf', text), 'postfix.no-outbound-tls');
    assert.ok(f.evidence?.includes('set here but without effect at level none: smtp_tls_session_cache_database'));
    assert.equal(f.severity, 'warning');
    assert.equal(assertFixes('main.cf', text, 'postfix.no-outbound-tls'), text.replace('smtp_tls_session', 'smtp_tls_security_level = may\nsmtp_tls_session'));
  });
  it('is quiet for a relay client, a policy table, a non-smtp default transport, a server without TLS, or smtp_use_tls', () => {
    assert.ok(!ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\n`)).includes('postfix.no-outbound-tls'), 'a fragment with server settings only');
    const base = `${HOST}smtpd_tls_security_level = may\nsmtp_tls_loglevel = 1\n`;
    assert.ok(ids(lint('main.cf', base)).includes('postfix.no-outbound-tls'));
    for (const extra of [
      'relayhost = [smtp.example.net]:587\n',
      'smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n',
      'default_transport = error\n',
      'smtp_use_tls = yes\n',
      'smtp_tls_security_level = dane\n',
    ]) {
      assert.ok(!ids(lint('main.cf', base + extra)).includes('postfix.no-outbound-tls'), extra);
    }
    assert.ok(!ids(lint('main.cf', HOST)).includes('postfix.no-outbound-tls'));
  });
});

describe('postfix.mandatory-protocols-default', () => {
  it('submission with encrypt and smtps with wrapper mode, protocols set nowhere: info with an -o edit', () => {
    const master =
      'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_auth_only=yes\nsmtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n';
    const r = lint('master.cf', master, { 'main.cf': HOST });
    const fs = r.findings.filter((f) => f.id === 'postfix.mandatory-protocols-default');
    assert.deepEqual(
      fs.map((f) => [f.severity, f.range?.start.line]),
      [
        ['info', 0],
        ['info', 3],
      ],
    );
    assert.match(fs[0].title, /default \(>=TLSv1\), which still allows TLSv1, TLSv1.1/);
    const fixed = assertFixes('master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n', 'postfix.mandatory-protocols-default', {
      'main.cf': HOST,
    });
    assert.match(fixed, /-o smtpd_tls_mandatory_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1\.1\n$/);
  });
  it('is quiet when main.cf sets it, when main.cf is not known, or when TLS is not mandatory', () => {
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n';
    assert.ok(
      !ids(lint('master.cf', master, { 'main.cf': `${HOST}smtpd_tls_mandatory_protocols = >=TLSv1.2\n` })).includes('postfix.mandatory-protocols-default'),
    );
    assert.ok(!ids(lint('master.cf', master)).includes('postfix.mandatory-protocols-default'));
    assert.ok(
      !ids(lint('master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=may\n', { 'main.cf': HOST })).includes(
        'postfix.mandatory-protocols-default',
      ),
    );
  });
});

describe('postfix.opportunistic-override-ignored', () => {
  const MAIN = `${HOST}smtpd_tls_mandatory_ciphers = medium\nsmtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`;
  it('-o smtpd_tls_ciphers on an encrypt or wrapper-mode service does nothing; renaming a stronger grade is the edit', () => {
    const master =
      'submission inet n - - - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_ciphers=high\nsmtps inet n - - - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_ciphers=high\n';
    const fs = lint('master.cf', master, { 'main.cf': MAIN }).findings.filter((f) => f.id === 'postfix.opportunistic-override-ignored');
    assert.deepEqual(
      fs.map((f) => [f.severity, slice(master, f.range!)]),
      [
        ['warning', 'smtpd_tls_ciphers'],
        ['warning', 'smtpd_tls_ciphers'],
      ],
    );
    assert.match(fs[0].detail, /runs with smtpd_tls_mandatory_ciphers = medium/);
    const fixed = assertFixes(
      'master.cf',
      'submission inet n - - - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_ciphers=high\n',
      'postfix.opportunistic-override-ignored',
      {
        'main.cf': MAIN,
      },
    );
    assert.match(fixed, /-o smtpd_tls_mandatory_ciphers=high\n$/);
  });
  it('no edit where renaming would weaken the service, or for protocols; quiet where TLS is opportunistic or the mandatory one is set', () => {
    const weaker = only(
      lint('master.cf', 'submission inet n - - - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_ciphers=low\n', {
        'main.cf': `${HOST}smtpd_tls_mandatory_ciphers = high\n`,
      }),
      'postfix.opportunistic-override-ignored',
    );
    assert.equal(weaker.edits, undefined);
    const protocolsRun = lint('master.cf', 'submission inet n - - - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_protocols=!SSLv2,!SSLv3\n', {
      'main.cf': MAIN,
    });
    const protocols = only(protocolsRun, 'postfix.opportunistic-override-ignored');
    // No advice to tighten a list the service never uses: TLS 1.0/1.1 are not allowed there at all.
    assert.ok(!ids(protocolsRun).includes('postfix.legacy-protocols'));
    assert.equal(protocols.edits, undefined);
    assert.match(protocols.fix, /Set -o smtpd_tls_mandatory_protocols= on this service/);
    for (const master of [
      'smtp inet n - - - - smtpd\n  -o smtpd_tls_security_level=may\n  -o smtpd_tls_ciphers=high\n',
      'submission inet n - - - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_ciphers=high\n  -o smtpd_tls_mandatory_ciphers=high\n',
    ]) {
      assert.ok(!ids(lint('master.cf', master, { 'main.cf': MAIN })).includes('postfix.opportunistic-override-ignored'), master);
    }
  });
});

describe('postfix.encrypt-on-public-mx only on a server that receives mail for domains', () => {
  it('a relay with mydestination = localhost only (clients from mynetworks) may require TLS on port 25', () => {
    const relay = `${HOST}mydestination = localhost, localhost.localdomain, localhost\nmynetworks = 127.0.0.0/8 192.0.2.0/24\nsmtpd_tls_security_level = encrypt\n`;
    assert.ok(!ids(lint('main.cf', relay)).includes('postfix.encrypt-on-public-mx'));
    assert.ok(ids(lint('main.cf', `${relay}virtual_mailbox_domains = example.com\n`)).includes('postfix.encrypt-on-public-mx'));
    assert.ok(ids(lint('main.cf', `${HOST}smtpd_tls_security_level = encrypt\n`)).includes('postfix.encrypt-on-public-mx'));
  });
});
