import * as assert from 'node:assert/strict';
import { applyEdits } from '../../../../support/applyEdits';
import { lint, only } from '../../../../support/postfixLint';

// A relay at encrypt with SASL and no CA: the edit to "secure" must add the CA bundle of the platform the file shows.
const RELAY = 'myhostname = mail.example.com\nrelayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\nsmtp_tls_security_level = encrypt\n';
const DEBIAN = '/etc/ssl/certs/ca-certificates.crt';
const RHEL = '/etc/pki/tls/certs/ca-bundle.crt';

function caFileAfterEdit(text: string, id: string): string | undefined {
  const f = only(lint('main.cf', text), id);
  return /^smtp_tls_CAfile = (.*)$/m.exec(applyEdits(text, f.edits ?? []))?.[1];
}

describe('the CA bundle an edit adds follows the platform the main.cf shows', () => {
  it('RHEL/CentOS/Fedora (sendmail.postfix of the alternatives system, or /etc/pki paths): /etc/pki/tls/certs/ca-bundle.crt', () => {
    // The stock main.cf of RHEL 7 (Postfix 2.10): /etc/ssl/certs/ca-certificates.crt does not exist there, so a
    // secure level with it would defer every mail ("cannot load Certificate Authority data").
    for (const platform of ['sendmail_path = /usr/sbin/sendmail.postfix\n', 'smtpd_tls_cert_file = /etc/pki/tls/certs/postfix.pem\n']) {
      assert.equal(caFileAfterEdit(RELAY + platform, 'postfix.encrypt-without-verification'), RHEL, platform);
      const verify = RELAY.replace('encrypt', 'secure') + platform;
      assert.equal(caFileAfterEdit(verify, 'postfix.verify-without-ca'), RHEL, platform);
      assert.match(only(lint('main.cf', verify), 'postfix.verify-without-ca').editTitle ?? '', /ca-bundle\.crt/);
      const sts = `myhostname = mail.example.com\nsmtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix\n${platform}`;
      assert.equal(caFileAfterEdit(sts, 'postfix.verify-without-ca'), RHEL, platform);
    }
  });
  it('otherwise the Debian/Ubuntu/Alpine path', () => {
    assert.equal(caFileAfterEdit(RELAY, 'postfix.encrypt-without-verification'), DEBIAN);
    assert.equal(caFileAfterEdit(`${RELAY}sendmail_path = /usr/sbin/sendmail\n`, 'postfix.encrypt-without-verification'), DEBIAN);
  });
});
