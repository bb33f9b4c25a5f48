import * as assert from 'node:assert/strict';
import { makePki, TestPki } from '../../../../support/pki';
import { ids, lintDovecot, only } from '../../../../support/dovecotLint';

const DAY = 86_400_000;
// A copy of the server's config in a workspace that mirrors the server's files under /ws.
const SSL = '/ws/etc/dovecot/conf.d/10-ssl.conf';
const conf = (extra = '') => `ssl = yes\nssl_cert = </etc/ssl/mail/cert.pem\nssl_key = </etc/ssl/mail/key.pem\n${extra}`;
const files = (cert: string, key: string, more: Record<string, string> = {}) => ({
  '/ws/etc/ssl/mail/cert.pem': cert,
  '/ws/etc/ssl/mail/key.pem': key,
  ...more,
});

describe('dovecot certificate-file rules', function () {
  this.timeout(20000);
  let pki: TestPki;
  before(() => {
    pki = makePki('Dovecot Lint');
  });

  it('accepts a healthy full chain with its key', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    assert.deepEqual(ids(lintDovecot(SSL, conf(), files(pki.chain(leaf), leaf.keyPem))), []);
  });

  it('dovecot.cert-expired / dovecot.cert-expiring-soon follow host.now and expiryWarningDays', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com', notAfter: new Date(Date.now() + 10 * DAY) });
    const f = files(pki.chain(leaf), leaf.keyPem);
    assert.equal(only(lintDovecot(SSL, conf(), f), 'dovecot.cert-expiring-soon').range?.start.line, 1);
    assert.ok(!ids(lintDovecot(SSL, conf(), f, { expiryWarningDays: 5 })).includes('dovecot.cert-expiring-soon'));
    assert.equal(only(lintDovecot(SSL, conf(), f, { now: new Date(Date.now() + 20 * DAY) }), 'dovecot.cert-expired').severity, 'error');
    assert.equal(only(lintDovecot(SSL, conf(), f, { now: new Date(Date.now() - 20 * DAY) }), 'dovecot.cert-expired').severity, 'error');
  });

  it('dovecot.cert-key-mismatch: on the ssl_key line, never showing the key', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const r = lintDovecot(SSL, conf(), files(pki.chain(leaf), pki.root.keyPem));
    assert.equal(only(r, 'dovecot.cert-key-mismatch').range?.start.line, 2);
    const out = JSON.stringify(r);
    assert.ok(!out.includes('PRIVATE KEY') && !out.includes(pki.root.keyPem.split('\n')[1]));
  });

  it('dovecot.cert-missing-intermediate: only the leaf; dovecot.cert-ca-is-chain when ssl_ca holds the intermediate', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const missing = only(lintDovecot(SSL, conf(), files(leaf.certPem, leaf.keyPem)), 'dovecot.cert-missing-intermediate');
    assert.equal(missing.severity, 'error');
    // The fix in this config's syntax (2.3: ssl_cert with its "<"), not Postfix's or the other version's.
    assert.match(missing.fix, /`ssl_cert = <\/etc\/letsencrypt\/live\/NAME\/fullchain\.pem`/);
    assert.doesNotMatch(missing.fix, /smtpd_tls|ssl_server_cert_file/);
    const withCa = lintDovecot(
      SSL,
      conf('ssl_ca = </etc/ssl/mail/chain.pem\n'),
      files(leaf.certPem, leaf.keyPem, { '/ws/etc/ssl/mail/chain.pem': pki.intermediate.certPem }),
    );
    const f = only(withCa, 'dovecot.cert-ca-is-chain');
    assert.match(f.title, /Dovecot Lint Intermediate CA/);
    assert.match(f.detail, /verify client certificates/);
    assert.ok(!ids(withCa).includes('dovecot.cert-missing-intermediate'));
    // The chain in ssl_cert's file and a CA for client certificates: fine.
    const ok = lintDovecot(
      SSL,
      conf('ssl_ca = </etc/ssl/mail/chain.pem\n'),
      files(pki.chain(leaf), leaf.keyPem, { '/ws/etc/ssl/mail/chain.pem': pki.intermediate.certPem }),
    );
    assert.deepEqual(ids(ok), []);
  });

  it('an intermediate in the CA file is sent when Dovecot asks for client certificates: no chain finding', () => {
    // Dovecot loads ssl_ca only to verify client certificates, and OpenSSL then completes the leaf-only chain from it
    // (Dovecot 2.3.19, openssl s_client -showcerts: the intermediate is sent with ssl_verify_client_cert = yes, not without).
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const ca = { '/ws/etc/ssl/mail/chain.pem': pki.intermediate.certPem };
    const verified = lintDovecot(SSL, conf('ssl_ca = </etc/ssl/mail/chain.pem\nssl_verify_client_cert = yes\n'), files(leaf.certPem, leaf.keyPem, ca));
    assert.deepEqual(ids(verified), []);
    const v24 =
      'dovecot_config_version = 2.4.0\nssl_server_cert_file = /etc/ssl/mail/cert.pem\nssl_server_key_file = /etc/ssl/mail/key.pem\n' +
      'ssl_server_ca_file = /etc/ssl/mail/chain.pem\n';
    const dovecotConf = '/ws/etc/dovecot/dovecot.conf';
    assert.deepEqual(ids(lintDovecot(dovecotConf, `${v24}ssl_server_request_client_cert = yes\n`, files(leaf.certPem, leaf.keyPem, ca))), []);
    // Not asked for (the default, or no): the CA file is never read, only the leaf is sent.
    assert.equal(only(lintDovecot(dovecotConf, v24, files(leaf.certPem, leaf.keyPem, ca)), 'dovecot.cert-ca-is-chain').severity, 'error');
    const unverified = conf('ssl_ca = </etc/ssl/mail/chain.pem\nssl_verify_client_cert = no\n');
    assert.match(only(lintDovecot(SSL, unverified, files(leaf.certPem, leaf.keyPem, ca)), 'dovecot.cert-ca-is-chain').detail, /read only when/);
  });

  it('Dovecot 2.4 names the files without "<"', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const text = 'dovecot_config_version = 2.4.0\nssl_server_cert_file = /etc/ssl/mail/cert.pem\nssl_server_key_file = /etc/ssl/mail/key.pem\n';
    const r = lintDovecot('/ws/etc/dovecot/dovecot.conf', text, files(leaf.certPem, pki.root.keyPem));
    assert.deepEqual(ids(r).sort(), ['dovecot.cert-key-mismatch', 'dovecot.cert-missing-intermediate']);
    const fix = only(r, 'dovecot.cert-missing-intermediate').fix;
    assert.match(fix, /`ssl_server_cert_file = \/etc\/letsencrypt\/live\/NAME\/fullchain\.pem`/);
    assert.doesNotMatch(fix, /smtpd_tls|ssl_cert = </);
  });

  it('missing files: an error on the live /etc/dovecot, one info summary for a copy whose files are elsewhere', () => {
    const live = lintDovecot('/etc/dovecot/conf.d/10-ssl.conf', conf(), {}, { workspaceRoot: undefined });
    assert.deepEqual(ids(live), ['dovecot.cert-file-missing', 'dovecot.cert-file-missing']);
    assert.equal(live.findings[0].severity, 'error');
    assert.match(live.findings[0].detail, /Can't open file/);
    const copy = lintDovecot(SSL, conf(), {});
    assert.deepEqual(ids(copy), ['dovecot.file-checks-skipped']);
  });

  it('a file this user may not read (a root-only key) is not called missing: an info that it was not checked', () => {
    // As on a live /etc/dovecot linted by the admin's own account: the key's folder is root's alone.
    const denied = (p: string) => p.startsWith('/etc/ssl/mail/');
    const live = lintDovecot('/etc/dovecot/conf.d/10-ssl.conf', conf(), {}, { workspaceRoot: undefined, readDenied: denied });
    assert.deepEqual(ids(live), ['dovecot.cert-file-missing', 'dovecot.cert-file-missing']);
    for (const f of live.findings) {
      assert.equal(f.severity, 'info');
      assert.match(f.title, /which this user may not read: not checked/);
      assert.doesNotMatch(f.detail, /does not start|Can't open file/);
    }
    // A missing !include the lint cannot read is not called missing either.
    const inc = lintDovecot(
      '/etc/dovecot/dovecot.conf',
      '!include /etc/dovecot/private/secret.conf\n',
      {},
      { workspaceRoot: undefined, readDenied: (p) => p.startsWith('/etc/dovecot/private/') },
    );
    assert.deepEqual(ids(inc), []);
  });

  it('dovecot.cert-unreadable: garbage or no certificate in the file', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    assert.equal(only(lintDovecot(SSL, conf(), files('not a pem\n', leaf.keyPem)), 'dovecot.cert-unreadable').severity, 'error');
    const garbled = leaf.certPem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    assert.ok(ids(lintDovecot(SSL, conf(), files(garbled, leaf.keyPem))).includes('dovecot.cert-unreadable'));
  });
});
