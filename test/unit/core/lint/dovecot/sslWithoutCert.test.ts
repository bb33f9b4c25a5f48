/**
 * dovecot.ssl-without-cert: TLS on (`ssl = yes` / `required`) with no server certificate, or a certificate without
 * its key (or the reverse), anywhere in a configuration read whole. OpenMandriva's stock conf.d/10-ssl.conf is the
 * real case: `ssl = yes` with its ssl_cert and ssl_key lines commented out.
 */
import * as assert from 'node:assert/strict';
import { ids, lintDovecot, only } from '../../../../support/dovecotLint';

const MAIN = '/ws/dovecot/dovecot.conf';
const SSL = '/ws/dovecot/conf.d/10-ssl.conf';
const AUTH = '/ws/dovecot/conf.d/10-auth.conf';
const ID = 'dovecot.ssl-without-cert';
const V24 = 'dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n';
const STOCK_MAIN = 'protocols = imap pop3\n!include conf.d/*.conf\n!include_try local.conf\n';
const LOCAL = { '/ws/dovecot/local.conf': '# nothing\n' };
// OpenMandriva's 10-ssl.conf, shortened: TLS on, certificate lines commented out.
const MANDRIVA_SSL =
  '##\n## SSL settings\n##\n\nssl = yes\n\n#ssl_cert = </etc/pki/dovecot/certs/dovecot.pem\n#ssl_key = </etc/pki/dovecot/private/dovecot.pem\n';
const tree = (ssl: string, more: Record<string, string> = {}) => ({
  [MAIN]: STOCK_MAIN,
  [SSL]: ssl,
  [AUTH]: 'auth_mechanisms = plain\n',
  ...LOCAL,
  ...more,
});
const lintIn = (files: Record<string, string>, file: string) => lintDovecot(file, files[file], files);
const has = (files: Record<string, string>, file: string) => ids(lintIn(files, file)).includes(ID);

describe('dovecot.ssl-without-cert', () => {
  it("OpenMandriva's 10-ssl.conf (ssl = yes, certificate lines commented out): an error on the ssl line, in that file only", () => {
    const files = tree(MANDRIVA_SSL);
    const f = only(lintIn(files, SSL), ID);
    assert.equal(f.severity, 'error');
    assert.equal(f.range?.start.line, 4);
    assert.match(f.title, /neither ssl_cert nor ssl_key/);
    assert.match(f.detail, /Can't load SSL certificate \(ssl_cert setting\): The certificate is empty/);
    assert.match(f.fix, /ssl_cert = <\/etc\/letsencrypt/);
    assert.deepEqual(f.evidence, ['line 5: ssl = yes']);
    // The other files of the same config say nothing of it.
    assert.ok(!has(files, MAIN));
    assert.ok(!has(files, AUTH));
  });

  it('ssl = required, a certificate without its key, a key without its certificate; 2.4 names', () => {
    assert.match(only(lintDovecot(MAIN, 'ssl = required\n'), ID).detail, /no client outside login_trusted_networks can log in/);
    const noKey = only(lintDovecot(MAIN, 'ssl = yes\nssl_cert = </etc/ssl/certs/mail.pem\n'), ID);
    assert.match(noKey.title, /but ssl_key is set/);
    assert.match(noKey.detail, /Couldn't parse private SSL key \(ssl_key setting\)/);
    assert.match(only(lintDovecot(MAIN, 'ssl = yes\nssl_key = </etc/ssl/private/mail.key\n'), ID).title, /but ssl_cert is set/);
    assert.match(only(lintDovecot(MAIN, `${V24}ssl = yes\n`), ID).title, /neither ssl_server_cert_file nor ssl_server_key_file/);
    // Set in another file of the config, or through 2.4's ssl_server { } filter: nothing.
    assert.ok(!has(tree(MANDRIVA_SSL, { '/ws/dovecot/conf.d/99-cert.conf': 'ssl_cert = </c.pem\nssl_key = </k.pem\n' }), SSL));
    assert.ok(!ids(lintDovecot(MAIN, `${V24}ssl = yes\nssl_server {\n  cert_file = /c.pem\n  key_file = /k.pem\n}\n`)).includes(ID));
  });

  it('in a filter: protocol imap { ssl = yes } under a global ssl = no; not for a protocol not served, nor when overridden later', () => {
    const f = only(lintDovecot(MAIN, 'protocols = imap\nssl = no\nprotocol imap {\n  ssl = required\n}\n'), ID);
    assert.equal(f.range?.start.line, 3);
    assert.ok(!ids(lintDovecot(MAIN, 'protocols = imap\nssl = no\nprotocol pop3 {\n  ssl = yes\n}\n')).includes(ID));
    // The last global ssl of the whole config wins: ssl = no in a later file.
    assert.ok(!has(tree(MANDRIVA_SSL, { '/ws/dovecot/conf.d/99-off.conf': 'ssl = no\n' }), SSL));
    // Listener flags (inet_listener imaps { ssl = yes }) are not the ssl setting.
    assert.ok(!ids(lintDovecot(MAIN, 'ssl = no\nservice imap-login {\n  inet_listener imaps {\n    ssl = yes\n  }\n}\n')).includes(ID));
  });

  it('on the live /etc/dovecot a missing !include_try adds nothing (OpenMandriva: local.conf, sni.d/*.conf), unless this user may not read it', () => {
    const live = {
      '/etc/dovecot/dovecot.conf': '!include conf.d/*.conf\n!include_try local.conf\n!include_try sni.d/*.conf\n',
      '/etc/dovecot/conf.d/10-ssl.conf': MANDRIVA_SSL,
    };
    const ssl = '/etc/dovecot/conf.d/10-ssl.conf';
    assert.equal(only(lintDovecot(ssl, MANDRIVA_SSL, live), ID).range?.start.line, 4);
    assert.ok(!ids(lintDovecot(ssl, MANDRIVA_SSL, live, { readDenied: (p) => p === '/etc/dovecot/local.conf' })).includes(ID));
    assert.ok(!ids(lintDovecot(ssl, MANDRIVA_SSL, live, { readDenied: (p) => p === '/etc/dovecot/sni.d' })).includes(ID));
  });

  it('a certificate from the environment, a template, an SNI (local_name) or local filter: set', () => {
    for (const cert of ['ssl_cert = $ENV:CERT\nssl_key = $ENV:KEY', 'ssl_cert = <%{env:CERT}\nssl_key = <%{env:KEY}']) {
      assert.ok(!ids(lintDovecot(MAIN, `ssl = yes\n${cert}\n`)).includes(ID), cert);
    }
    const sni = 'local_name mail.example.com {\n  ssl_cert = </etc/ssl/mail.pem\n  ssl_key = </etc/ssl/mail.key\n}\n';
    assert.ok(!has(tree(MANDRIVA_SSL, { '/ws/dovecot/conf.d/99-sni.conf': sni }), SSL));
    assert.ok(!ids(lintDovecot(MAIN, `ssl = yes\n${sni.replace('local_name mail.example.com', 'local 192.0.2.1')}`)).includes(ID));
    // A templated file (Jinja) or a templated ssl value: what it renders is not known.
    assert.ok(!ids(lintDovecot(MAIN, 'ssl = yes\n{% if tls %}\nssl_cert = </c.pem\n{% endif %}\n')).includes(ID));
    assert.ok(!has(tree(MANDRIVA_SSL, { '/ws/dovecot/conf.d/20-tls.conf': 'ssl_cert = <{{ cert }}\n{% if key %}ssl_key = <{{ key }}{% endif %}\n' }), SSL));
    assert.ok(!ids(lintDovecot(MAIN, 'ssl = {{ dovecot_ssl }}\n')).includes(ID));
  });

  it('nothing when the config is not known whole: a conf.d file alone, a missing include, an unlisted folder, an include in a section', () => {
    // conf.d/10-ssl.conf without its dovecot.conf (an Ansible role's overrides).
    assert.ok(!ids(lintDovecot(SSL, MANDRIVA_SSL)).includes(ID));
    // A missing !include_try may hold the certificate, and an unreadable !include too.
    const { '/ws/dovecot/local.conf': _local, ...files } = tree(MANDRIVA_SSL);
    assert.ok(!has(files, SSL));
    assert.ok(!ids(lintDovecot(MAIN, 'ssl = yes\n!include tls.conf\n')).includes(ID));
    // A glob whose folder cannot be listed (a host without listDir).
    const all = tree(MANDRIVA_SSL);
    assert.ok(!ids(lintDovecot(SSL, MANDRIVA_SSL, all, { listDir: undefined })).includes(ID));
    // An include inside a section is not followed.
    assert.ok(
      !ids(lintDovecot(MAIN, 'ssl = yes\nlocal_name mail.example.com {\n  !include sni.conf\n}\n', { '/ws/dovecot/sni.conf': 'ssl_cert = </c\n' })).includes(
        ID,
      ),
    );
    // A conf.d file its dovecot.conf does not include is no part of that config.
    assert.ok(!has({ ...tree(MANDRIVA_SSL), [MAIN]: '!include conf.d/10-auth.conf\n' }, SSL));
  });

  it("no ssl line anywhere: Dovecot 2.3's default ssl = yes applies; said once, on dovecot.conf's line 1", () => {
    // A minimal dovecot.conf (a mail-dev container): doveconf -d says ssl = yes, and no certificate is set.
    const f = only(lintDovecot(MAIN, 'protocols = imap\nmail_location = maildir:~/Maildir\n'), ID);
    assert.equal(f.range?.start.line, 0);
    assert.match(f.title, /default ssl = yes applies, but neither ssl_cert nor ssl_key is set/);
    assert.match(f.detail, /Can't load SSL certificate \(ssl_cert setting\): The certificate is empty/);
    // In a whole stock tree without any ssl line: dovecot.conf only, not the conf.d files.
    const files = { [MAIN]: STOCK_MAIN, [AUTH]: 'auth_mechanisms = plain\n', ...LOCAL };
    assert.ok(has(files, MAIN));
    assert.ok(!has(files, AUTH));
    // ssl = no, a certificate and key, a 2.4 config (not observed there), or a config not read whole: nothing.
    for (const text of [
      'ssl = no\nprotocols = imap\n',
      'ssl_cert = </c.pem\nssl_key = </k.pem\n',
      `${V24}protocols = imap\n`,
      '!include missing.conf\nprotocols = imap\n',
    ]) {
      assert.ok(!ids(lintDovecot(MAIN, text)).includes(ID), text);
    }
  });

  it('a config that may be for Dovecot 2.2 (end of life) says that 2.2 falls back to its built-in certificate paths', () => {
    assert.match(only(lintDovecot(MAIN, 'ssl = yes\n'), ID).detail, /Dovecot 2\.2 .*built-in ssl_cert = <\/etc\/ssl\/certs\/dovecot\.pem/);
    assert.match(only(lintDovecot(MAIN, 'protocols = imap\n'), ID).detail, /Dovecot 2\.2/);
    // ssl_min_protocol is 2.3's: not 2.2.
    assert.doesNotMatch(only(lintDovecot(MAIN, 'ssl = yes\nssl_min_protocol = TLSv1.2\n'), ID).detail, /2\.2/);
  });
});
