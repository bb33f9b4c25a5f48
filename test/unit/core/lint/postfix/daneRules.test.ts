import * as assert from 'node:assert/strict';
import { assertFixes, ids, lint, only, slice } from '../../../../support/postfixLint';

const HOST = 'myhostname = mail.example.com\n';

describe('postfix main.cf rules for DANE and MTA-STS senders', () => {
  it('postfix.dane-without-dnssec: dane or dane-only without smtp_dns_support_level = dnssec, with the edit', () => {
    for (const level of ['dane', 'dane-only']) {
      const text = `${HOST}smtp_tls_security_level = ${level}\n`;
      const f = only(lint('main.cf', text), 'postfix.dane-without-dnssec');
      assert.equal(f.severity, 'warning');
      assert.equal(slice(text, f.range!), level);
      assert.equal(assertFixes('main.cf', text, 'postfix.dane-without-dnssec'), `${text}smtp_dns_support_level = dnssec\n`);
    }
    assert.ok(ids(lint('main.cf', `${HOST}smtp_tls_security_level = dane\nsmtp_dns_support_level = enabled\n`)).includes('postfix.dane-without-dnssec'));
    assert.ok(!ids(lint('main.cf', `${HOST}smtp_tls_security_level = dane\nsmtp_dns_support_level = dnssec\n`)).includes('postfix.dane-without-dnssec'));
    assert.ok(!ids(lint('main.cf', `${HOST}smtp_tls_security_level = may\n`)).includes('postfix.dane-without-dnssec'));
  });

  it('postfix.verify-without-ca: an MTA-STS socketmap policy with no CA, once; quiet with a CA', () => {
    const text = `${HOST}smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix\n`;
    const f = only(lint('main.cf', text), 'postfix.verify-without-ca');
    assert.equal(f.severity, 'error');
    assert.match(f.title, /MTA-STS/);
    assert.equal(assertFixes('main.cf', text, 'postfix.verify-without-ca'), `${text}smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\n`);
    assert.ok(!ids(lint('main.cf', `${text}smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\n`)).includes('postfix.verify-without-ca'));
    assert.ok(!ids(lint('main.cf', `${HOST}smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n`)).includes('postfix.verify-without-ca'));
    // The global secure level is reported once (by the client rules), not twice.
    const both = lint('main.cf', `${HOST}smtp_tls_security_level = secure\n${text.slice(HOST.length)}`);
    assert.equal(ids(both).filter((i) => i === 'postfix.verify-without-ca').length, 1);
  });
});
