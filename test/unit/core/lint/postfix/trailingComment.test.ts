import * as assert from 'node:assert/strict';
import { assertFixes, ids, lint, only, slice } from '../../../../support/postfixLint';

const HOST = 'myhostname = mail.example.com\n';

describe('postfix.trailing-comment: main.cf has no comments after a value', () => {
  it('reports the "#" once and judges the value before it: no relay hosts or protocol words made of the comment', () => {
    const text =
      `${HOST}relayhost = [smtp.example.net]:587   # our ISP relay\n` +
      'smtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n' +
      'smtp_tls_security_level = encrypt   # always TLS to the relay\n' +
      'smtpd_tls_protocols = !SSLv2, !SSLv3   # old clients\n';
    const r = lint('main.cf', text);
    const comments = r.findings.filter((f) => f.id === 'postfix.trailing-comment');
    assert.deepEqual(
      comments.map((f) => [f.severity, slice(text, f.range!)]),
      [
        ['error', '# our ISP relay'],
        ['error', '# always TLS to the relay'],
        ['error', '# old clients'],
      ],
    );
    for (const id of ['postfix.relayhost-invalid', 'postfix.relayhost-mx-lookup', 'postfix.protocols-syntax']) assert.ok(!ids(r).includes(id), id);
    assert.deepEqual(
      r.endpoints.map((e) => `${e.endpoint.host}:${e.endpoint.port}`),
      ['smtp.example.net:587'],
    );
    // The level before the "#" is what the other rules judge (encrypt to a SASL relay: the info about verification).
    assert.ok(ids(r).includes('postfix.encrypt-without-verification'), JSON.stringify(ids(r)));
  });

  it('moves the comment to a line of its own above the setting', () => {
    const text = `${HOST}relayhost = [smtp.example.net]:587   # our ISP relay\n`;
    assert.equal(assertFixes('main.cf', text, 'postfix.trailing-comment'), `${HOST}# our ISP relay\nrelayhost = [smtp.example.net]:587\n`);
  });

  it('never quotes the value (it may hold a password)', () => {
    const text = `${HOST}smtp_sasl_password_maps = static:relayuser:Sup3rSecret # the relay account\n`;
    const f = only(lint('main.cf', text), 'postfix.trailing-comment');
    assert.ok(!JSON.stringify(f).includes('Sup3rSecret'), JSON.stringify(f));
  });

  it('leaves alone a "#" that is no comment: inside a word, in free text and shell commands, in template or inline-table braces', () => {
    for (const line of [
      'smtpd_banner = $myhostname ESMTP #1 mail service',
      'mailbox_command = /usr/bin/procmail -a "$EXTENSION" # deliver',
      'smtp_tls_security_level = may#1',
      'smtpd_tls_security_level = {{ level }} {# from the inventory #}',
      'smtpd_client_restrictions = check_client_access inline:{ 192.0.2.1=OK #x }',
      '# smtp_tls_security_level = encrypt # commented out',
    ]) {
      assert.ok(!ids(lint('main.cf', `${HOST}${line}\n`)).includes('postfix.trailing-comment'), line);
    }
  });
});

describe('postfix.master-syntax-error: a "#" among the arguments of a master.cf entry', () => {
  const MAIN = { 'main.cf': 'myhostname = mail.example.com\nsmtpd_tls_chain_files = /etc/ssl/private/mail.pem\n' };
  it('is an error: the daemon stops ("fatal: unexpected command-line argument: #") and the service takes no mail', () => {
    const text = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt # require TLS\n  -o smtpd_sasl_auth_enable=yes\n';
    const f = only(lint('master.cf', text, MAIN), 'postfix.master-syntax-error');
    assert.equal(f.severity, 'error');
    assert.equal(slice(text, f.range!), '# require TLS');
    assert.match(f.detail, /unexpected command-line argument: #/);
    assert.match(f.fix, /line of its own/);
  });
  it('leaves a pipe command alone: its words after "#" go to the external program', () => {
    const text = 'maildrop unix - n n - - pipe\n  flags=DRhu user=vmail argv=/usr/bin/maildrop -d ${recipient} # deliver\n';
    assert.ok(!ids(lint('master.cf', text, MAIN)).includes('postfix.master-syntax-error'));
  });
});
