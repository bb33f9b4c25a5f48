import * as assert from 'node:assert/strict';
import { makePki, TestPki } from '../../../../support/pki';
import { lintText } from '../../../../../src/core/lint';
import { ids, lint, memoryHost, only } from '../../../../support/postfixLint';

const DAY = 86_400_000;

describe('postfix certificate-file rules', function () {
  this.timeout(20000);
  let pki: TestPki;
  before(() => {
    pki = makePki('Postfix Lint');
  });
  // The files live in the workspace at the path main.cf names (mirrored under /ws).
  const cfg = (extra = '') =>
    `myhostname = mail.example.com\nsmtpd_tls_cert_file = /etc/ssl/mail/cert.pem\nsmtpd_tls_key_file = /etc/ssl/mail/key.pem\n${extra}`;
  const files = (cert: string, key: string) => ({ '/ws/etc/ssl/mail/cert.pem': cert, '/ws/etc/ssl/mail/key.pem': key });

  it('accepts a healthy full chain with its key', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    assert.deepEqual(ids(lint('main.cf', cfg(), files(pki.chain(leaf), leaf.keyPem))), []);
  });

  it('postfix.cert-missing-intermediate: the file holds only the leaf', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const f = only(lint('main.cf', cfg(), files(leaf.certPem, leaf.keyPem)), 'postfix.cert-missing-intermediate');
    assert.equal(f.severity, 'error');
    assert.equal(f.range?.start.line, 1);
  });

  it('postfix.cert-expired and postfix.cert-expiring-soon follow host.now and expiryWarningDays', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com', notAfter: new Date(Date.now() + 10 * DAY) });
    const f = files(pki.chain(leaf), leaf.keyPem);
    assert.equal(only(lint('main.cf', cfg(), f), 'postfix.cert-expiring-soon').severity, 'warning');
    assert.ok(!ids(lint('main.cf', cfg(), f, { expiryWarningDays: 5 })).includes('postfix.cert-expiring-soon'));
    assert.equal(only(lint('main.cf', cfg(), f, { now: new Date(Date.now() + 20 * DAY) }), 'postfix.cert-expired').severity, 'error');
  });

  it('postfix.cert-expiring-soon says the time left as the probe does (4.99 days is "4 days 23 h", not "4 days")', () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const leaf = pki.leaf({ cn: 'mail.example.com', notAfter: new Date(now.getTime() + 5 * DAY - 15 * 60_000) });
    const f = only(lint('main.cf', cfg(), files(pki.chain(leaf), leaf.keyPem), { now }), 'postfix.cert-expiring-soon');
    assert.match(f.title, /^The server certificate expires in 4 days 23 h \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.$/);
  });

  it('postfix.cert-key-mismatch: never shows the key', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const r = lint('main.cf', cfg(), files(pki.chain(leaf), pki.root.keyPem));
    const f = only(r, 'postfix.cert-key-mismatch');
    assert.equal(f.range?.start.line, 2);
    const out = JSON.stringify(r);
    assert.ok(!out.includes('PRIVATE KEY') && !out.includes(pki.root.keyPem.split('\n')[1]));
  });

  it('postfix.cert-weak-key: a 1024-bit RSA key', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com', keyBits: 1024 });
    assert.equal(only(lint('main.cf', cfg(), files(pki.chain(leaf), leaf.keyPem)), 'postfix.cert-weak-key').severity, 'error');
  });

  it('postfix.cert-hostname: the certificate does not cover myhostname', () => {
    const leaf = pki.leaf({ cn: 'other.example.com' });
    const f = only(lint('main.cf', cfg(), files(pki.chain(leaf), leaf.keyPem)), 'postfix.cert-hostname');
    assert.match(f.title, /mail\.example\.com/);
    const wild = pki.leaf({ cn: '*.example.com' });
    assert.ok(!ids(lint('main.cf', cfg(), files(pki.chain(wild), wild.keyPem))).includes('postfix.cert-hostname'));
  });

  it('postfix.cert-file-missing: names where it looked; smtpd_tls_chain_files positions each file', () => {
    const text = 'smtpd_tls_chain_files = /etc/ssl/mail/key.pem,\n    /etc/ssl/mail/full.pem\n';
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    const r = lint('main.cf', text, { '/ws/etc/ssl/mail/key.pem': leaf.keyPem });
    const f = only(r, 'postfix.cert-file-missing');
    assert.deepEqual(f.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 26 } });
    assert.ok(f.evidence?.some((e) => e.includes('/ws/etc/ssl/mail/full.pem')));
    const ok = lint('main.cf', text, { '/ws/etc/ssl/mail/key.pem': leaf.keyPem, '/ws/etc/ssl/mail/full.pem': pki.chain(leaf) });
    assert.deepEqual(ids(ok), []);
  });

  it('a file this user may not read (/etc/ssl/private) is not called missing on the live config: an info that it was not checked', () => {
    const text = 'smtpd_tls_cert_file = /etc/ssl/certs/mail.pem\nsmtpd_tls_key_file = /etc/ssl/private/mail.key\n';
    const host = memoryHost({ '/etc/ssl/certs/mail.pem': pki.chain(pki.leaf({ cn: 'mail.example.com' })) }, { workspaceRoot: undefined });
    const missing = lintText('/etc/postfix/main.cf', text, host);
    assert.equal(only(missing, 'postfix.cert-file-missing').severity, 'error');
    const denied = lintText('/etc/postfix/main.cf', text, { ...host, readDenied: (p) => p.startsWith('/etc/ssl/private/') });
    const f = only(denied, 'postfix.cert-file-missing');
    assert.equal(f.severity, 'info');
    assert.match(f.title, /mail\.key, which this user may not read: not checked/);
    assert.match(f.fix, /sudo mail-tls-doctor lint \/etc\/postfix/);
  });

  it('postfix.cert-unreadable: garbage in the certificate file', () => {
    assert.ok(ids(lint('main.cf', cfg(), files('not a pem file', 'x'))).includes('postfix.cert-unreadable'));
  });

  it('checks certificate overrides of a master.cf service', () => {
    const leaf = pki.leaf({ cn: 'mail.example.com', notAfter: new Date(Date.now() - DAY), notBefore: new Date(Date.now() - 10 * DAY) });
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_chain_files=/etc/ssl/mail/sub.pem\n';
    const r = lint('master.cf', master, { 'main.cf': 'myhostname = mail.example.com\n', '/ws/etc/ssl/mail/sub.pem': leaf.keyPem + pki.chain(leaf) });
    assert.equal(only(r, 'postfix.cert-expired').range?.start.line, 2);
  });
});
