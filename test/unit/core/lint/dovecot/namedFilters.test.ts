import * as assert from 'node:assert/strict';
import { makePki, TestPki } from '../../../../support/pki';
import { ids, lintDovecot, only } from '../../../../support/dovecotLint';

const DAY = 86_400_000;
const MAIN = '/ws/etc/dovecot/dovecot.conf';
const SSL = '/ws/etc/dovecot/conf.d/10-ssl.conf';
const V24 = 'dovecot_config_version = 2.4.0\n';
// Dovecot 2.4's grouped form, as doveconf 2.4 prints it (doc.dovecot.org 2.4, Config Syntax, Named Filters).
const GROUPED = 'ssl = required\nssl_server {\n  cert_file = /etc/ssl/mail/cert.pem\n  key_file = /etc/ssl/mail/key.pem\n}\n';

describe('dovecot 2.4 named filters: ssl_server { cert_file = ... } is ssl_server_cert_file', function () {
  this.timeout(20000);
  let pki: TestPki;
  before(() => {
    pki = makePki('Dovecot Named Filters');
  });

  it("the certificate and key named inside ssl_server { } are judged as the server's", () => {
    const leaf = pki.leaf({ cn: 'mail.example.com', notAfter: new Date(Date.now() - DAY) });
    const files = { '/ws/etc/ssl/mail/cert.pem': pki.chain(leaf), '/ws/etc/ssl/mail/key.pem': pki.root.keyPem };
    const r = lintDovecot(MAIN, `${V24}${GROUPED}`, files);
    assert.deepEqual(ids(r).sort(), ['dovecot.cert-expired', 'dovecot.cert-key-mismatch']);
    // On the lines as written.
    assert.equal(only(r, 'dovecot.cert-expired').range?.start.line, 3);
    assert.equal(only(r, 'dovecot.cert-key-mismatch').range?.start.line, 4);
    // The full name inside the filter is the same setting.
    const full = `${V24}ssl_server {\n  ssl_server_cert_file = /etc/ssl/mail/cert.pem\n  ssl_server_key_file = /etc/ssl/mail/key.pem\n}\n`;
    assert.deepEqual(ids(lintDovecot(MAIN, full, files)).sort(), ['dovecot.cert-expired', 'dovecot.cert-key-mismatch']);
  });

  it('a conf.d file alone written that way reads as 2.4 (only 2.4 has the filter); a 2.3 name inside it is still 2.3', () => {
    assert.deepEqual(ids(lintDovecot(SSL, GROUPED)), ['dovecot.file-checks-skipped']);
    const f = only(lintDovecot(MAIN, `${V24}ssl_server {\n  ssl_cert = </etc/ssl/x.pem\n}\n`), 'dovecot.version-mismatch');
    assert.match(f.title, /ssl_cert is a Dovecot 2\.3 name/);
  });

  it('in a 2.3 config the 2.4 name is named, with no edit (2.3 has no ssl_server section for a rename to fix)', () => {
    const f = only(lintDovecot(MAIN, 'ssl_server {\n  cert_file = /etc/ssl/x.pem\n}\n'), 'dovecot.version-mismatch');
    assert.match(f.title, /ssl_server_cert_file is a Dovecot 2\.4 name/);
    assert.equal(f.range?.start.line, 1);
    assert.equal(f.edits, undefined);
    assert.match(f.detail, /"Unknown setting: ssl_server \{"/);
  });

  it('ssl_client { } settings are the client side: not judged as the server certificate', () => {
    assert.deepEqual(ids(lintDovecot(MAIN, `${V24}ssl_client {\n  cert_file = /etc/ssl/client.pem\n}\n`, {}, { workspaceRoot: undefined })), []);
  });
});
