import * as assert from 'node:assert/strict';
import { weakCipherWords } from '../../../../../src/core/lint/dovecot/rules/ciphers';
import { floorFor } from '../../../../../src/core/lint/dovecot/rules/protocols';
import { applyEdits } from '../../../../support/applyEdits';
import { editRemoves, ids, lintDovecot, only } from '../../../../support/dovecotLint';

const MAIN = '/ws/dovecot/dovecot.conf';
/** A certificate and key: without them (and without ssl = no) Dovecot 2.3's default ssl = yes fails every TLS connection. */
const CERT = 'ssl_cert = </etc/ssl/x.pem\nssl_key = </etc/ssl/x.key\n';
/** The ids, without the note that a workspace copy's certificate files were not checked. */
const rulesOn = (r: Parameters<typeof ids>[0]) => ids(r).filter((id) => id !== 'dovecot.file-checks-skipped');
const SSL = '/ws/dovecot/conf.d/10-ssl.conf';
const V24 = 'dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n';

describe('dovecot TLS rules', () => {
  it('dovecot.ssl-disabled: ssl = no is an error; the edit (ssl = yes) is offered only when a certificate is set', () => {
    const text = 'ssl = no\nssl_cert = </etc/ssl/x.pem\nssl_key = </etc/ssl/x.key\n';
    const f = only(lintDovecot(MAIN, text), 'dovecot.ssl-disabled');
    assert.equal(f.severity, 'error');
    assert.match(f.fix, /ssl_cert = <\/etc\/letsencrypt/);
    editRemoves(MAIN, text, f);
    assert.equal(only(lintDovecot(MAIN, 'ssl = no\n'), 'dovecot.ssl-disabled').edits, undefined);
    // Listening on loopback only (a webmail on the same host): info.
    assert.equal(only(lintDovecot(MAIN, 'listen = 127.0.0.1, ::1\nssl = no\n'), 'dovecot.ssl-disabled').severity, 'info');
    // An LMTP-only server, or ssl = no for LMTP only: nothing.
    assert.deepEqual(ids(lintDovecot(MAIN, 'protocols = lmtp\nssl = no\n')), []);
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}protocol lmtp {\n  ssl = no\n}\n`)), []);
    // 2.4 syntax in the fix of a 2.4 config.
    assert.match(only(lintDovecot(MAIN, `${V24}ssl = no\n`), 'dovecot.ssl-disabled').fix, /ssl_server_cert_file = \/etc/);
  });

  it('dovecot.cleartext-auth: 2.3 disable_plaintext_auth = no and 2.4 auth_allow_cleartext = yes, not with ssl = required', () => {
    const t23 = 'ssl = yes\ndisable_plaintext_auth = no\n';
    const f = only(lintDovecot(MAIN, t23), 'dovecot.cleartext-auth');
    assert.equal(f.severity, 'warning');
    assert.match(f.detail, /localhost/);
    assert.match(f.detail, /login_trusted_networks/);
    assert.match(editRemoves(MAIN, t23, f), /disable_plaintext_auth = yes/);
    const t24 = `${V24}auth_allow_cleartext = yes\n`;
    assert.match(editRemoves(MAIN, t24, only(lintDovecot(MAIN, t24), 'dovecot.cleartext-auth')), /auth_allow_cleartext = no/);
    // No certificate anywhere: that is another finding (sslWithoutCert.test.ts), and no cleartext one.
    assert.deepEqual(ids(lintDovecot(MAIN, 'ssl = required\ndisable_plaintext_auth = no\n')), ['dovecot.ssl-without-cert']);
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}disable_plaintext_auth = yes\n`)), []);
  });

  it('dovecot.file-without-prefix: a 2.3 ssl_cert/ssl_key path without "<"; the edit adds it', () => {
    const text = 'ssl_cert = /etc/ssl/certs/mail.pem\nssl_key = </etc/ssl/private/mail.key\n';
    const f = only(lintDovecot(SSL, text), 'dovecot.file-without-prefix');
    assert.equal(f.severity, 'error');
    assert.equal(f.range?.start.line, 0);
    assert.match(f.detail, /You probably forgot '<'/);
    assert.match(editRemoves(SSL, text, f), /^ssl_cert = <\/etc\/ssl\/certs\/mail.pem$/m);
    // Not in a 2.4 config (its *_file settings take the path), not for inline PEM or a variable.
    assert.ok(!ids(lintDovecot(MAIN, `${V24}ssl_server_cert_file = /etc/ssl/x.pem\n`)).includes('dovecot.file-without-prefix'));
    // `$CERT` (upper case, no Dovecot setting's name) is a substitution of a templated file: noted as such, not judged.
    assert.deepEqual(ids(lintDovecot(SSL, 'ssl_cert = $CERT\n')), ['dovecot.template-file']);
  });

  it('dovecot.legacy-protocols: ssl_min_protocol below TLSv1.2; the edit sets TLSv1.2', () => {
    for (const v of ['TLSv1', 'TLSv1.1', 'SSLv3', 'ANY']) {
      const text = `ssl_min_protocol = ${v}\n`;
      const f = only(lintDovecot(SSL, text), 'dovecot.legacy-protocols');
      assert.equal(f.severity, 'warning');
      assert.match(f.detail, /RFC 8996/);
      assert.equal(editRemoves(SSL, text, f), 'ssl_min_protocol = TLSv1.2\n');
    }
    assert.deepEqual(ids(lintDovecot(SSL, 'ssl_min_protocol = TLSv1.2\n')), []);
    assert.deepEqual(ids(lintDovecot(SSL, 'ssl_min_protocol = TLSv1.3\n')), []);
  });

  it('dovecot.removed-setting: ssl_protocols is converted by 2.3 (warning) and refused by 2.4 (error); never a lower floor', () => {
    const text = 'ssl_protocols = !SSLv3 !TLSv1\n';
    const f = only(lintDovecot(MAIN, text), 'dovecot.removed-setting');
    assert.equal(f.severity, 'warning');
    assert.equal(editRemoves(MAIN, text, f), 'ssl_min_protocol = TLSv1.2\n');
    assert.equal(only(lintDovecot(MAIN, `${V24}ssl_protocols = TLSv1.2\n`), 'dovecot.removed-setting').severity, 'error');
    assert.equal(floorFor('TLSv1.3'), 'TLSv1.3');
    assert.equal(floorFor('!SSLv3 !TLSv1 !TLSv1.1 !TLSv1.2'), 'TLSv1.3');
    assert.equal(floorFor('!SSLv3'), 'TLSv1.2');
  });

  it('dovecot.removed-setting: a config that may be for Dovecot 2.2 gets edits titled for 2.3 and later, and the 2.2 way in the fix', () => {
    // Without dovecot_config_version the text is 2.3's or 2.2's; 2.2 refuses to start with ssl_min_protocol, and
    // without ssl_dh_parameters_length falls back to 1024-bit DH parameters.
    const protocols = only(lintDovecot(MAIN, 'ssl_protocols = !SSLv3 !TLSv1\n'), 'dovecot.removed-setting');
    assert.equal(protocols.editTitle, 'Replace with ssl_min_protocol = TLSv1.2 (Dovecot 2.3 and later)');
    assert.match(protocols.fix, /Dovecot 2\.2 .*does not know ssl_min_protocol.*keep ssl_protocols, excluding !SSLv3 !TLSv1 !TLSv1\.1/);
    const dh = only(lintDovecot(MAIN, 'ssl = yes\nssl_dh_parameters_length = 2048\n'), 'dovecot.removed-setting');
    assert.equal(dh.editTitle, 'Remove ssl_dh_parameters_length (Dovecot 2.3 and later)');
    assert.match(dh.fix, /Dovecot 2\.2 .*still reads it: there keep it, at 2048 or more/);
    // A file that sets a name 2.2 does not know is for 2.3 or later; a 2.4 config says so itself.
    for (const text of ['ssl_dh = </etc/dovecot/dh.pem\nssl_dh_parameters_length = 2048\n', `${V24}ssl_dh_parameters_length = 2048\n`]) {
      const f = only(lintDovecot(MAIN, text), 'dovecot.removed-setting');
      assert.equal(f.editTitle, 'Remove ssl_dh_parameters_length');
      assert.doesNotMatch(f.fix, /2\.2/);
    }
    const v24 = only(lintDovecot(MAIN, `${V24}ssl_protocols = TLSv1.2\n`), 'dovecot.removed-setting');
    assert.equal(v24.editTitle, 'Replace with ssl_min_protocol = TLSv1.2');
  });

  it('dovecot.removed-setting: the 2.2 DH settings are info in 2.3 (obsolete, no effect) and an error in 2.4; the edit removes the line', () => {
    const text = 'ssl = yes\nssl_dh_parameters_length = 2048\nssl_parameters_regenerate = 0\nssl_min_protocol = TLSv1.2\n';
    const fs = lintDovecot(MAIN, text).findings.filter((f) => f.id === 'dovecot.removed-setting');
    assert.deepEqual(
      fs.map((f) => [f.severity, f.range?.start.line]),
      [
        ['info', 1],
        ['info', 2],
      ],
    );
    assert.equal(editRemoves(MAIN, applyEdits(text, fs[1].edits!), fs[0]), 'ssl = yes\nssl_min_protocol = TLSv1.2\n');
    assert.equal(only(lintDovecot(MAIN, `${V24}ssl_dh_parameters_length = 2048\n`), 'dovecot.removed-setting').severity, 'error');
    // A continued line is not cut in half.
    assert.equal(only(lintDovecot(MAIN, 'ssl_dh_parameters_length = \\\n  2048\n'), 'dovecot.removed-setting').edits, undefined);
  });

  it("dovecot.weak-ciphers: words that add weak suites, not exclusions; Dovecot's default passes", () => {
    assert.deepEqual(weakCipherWords('ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH'), []);
    assert.deepEqual(weakCipherWords('HIGH:!aNULL:!MD5'), []);
    assert.deepEqual(
      weakCipherWords('HIGH:RC4-SHA:EXPORT:aNULL:DES-CBC3-SHA:@SECLEVEL=0').map((w) => w.word),
      ['RC4-SHA', 'EXPORT', 'aNULL', 'DES-CBC3-SHA', '@SECLEVEL=0'],
    );
    // Taken out again: `!RC4` anywhere deletes for good (a real Debian template: EECDH+aRSA+RC4 ... !RC4), `-X` after.
    assert.deepEqual(weakCipherWords('EECDH+ECDSA+AESGCM:EECDH+aRSA+RC4:EECDH:EDH+aRSA:!aNULL:!eNULL:!LOW:!3DES:!MD5:!EXP:!PSK:!SRP:!DSS:!RC4'), []);
    assert.deepEqual(weakCipherWords('HIGH:RC4-SHA:-RC4'), []);
    assert.deepEqual(
      weakCipherWords('-RC4:HIGH:RC4').map((w) => w.word),
      ['RC4'],
    );
    assert.deepEqual(
      weakCipherWords('HIGH:3DES:!DES').map((w) => w.word),
      ['3DES'],
    );
    const text = 'ssl_cipher_list = HIGH:RC4:!aNULL\n';
    const f = only(lintDovecot(SSL, text), 'dovecot.weak-ciphers');
    assert.equal(editRemoves(SSL, text, f), 'ssl_cipher_list = HIGH:!aNULL\n');
    // OpenSSL reads spaces and commas as separators too: the edit removes the word there as well.
    for (const list of ['HIGH RC4 !aNULL', 'HIGH, RC4, !aNULL']) {
      const spaced = `ssl_cipher_list = ${list}\n`;
      assert.equal(editRemoves(SSL, spaced, only(lintDovecot(SSL, spaced), 'dovecot.weak-ciphers')), 'ssl_cipher_list = HIGH:!aNULL\n');
    }
    // Nothing would be left: no edit.
    assert.equal(only(lintDovecot(SSL, 'ssl_cipher_list = RC4\n'), 'dovecot.weak-ciphers').edits, undefined);
  });

  it('dovecot.version-mismatch: 2.3 names in a 2.4 config and 2.4 names in a 2.3 dovecot.conf, value converted', () => {
    const t24 = `${V24}ssl_cert = </etc/ssl/x.pem\ndisable_plaintext_auth = yes\n`;
    const r = lintDovecot(MAIN, t24);
    const fs = r.findings.filter((f) => f.id === 'dovecot.version-mismatch');
    assert.equal(fs.length, 2);
    const fixed = applyEdits(t24, [...fs[0].edits!, ...fs[1].edits!]);
    assert.ok(!ids(lintDovecot(MAIN, fixed)).includes('dovecot.version-mismatch'));
    assert.match(fixed, /^ssl_server_cert_file = \/etc\/ssl\/x.pem$/m);
    assert.match(fixed, /^auth_allow_cleartext = no$/m);
    // A dovecot.conf without dovecot_config_version is 2.3: its 2.4 names do not exist there.
    const f = only(lintDovecot(MAIN, 'ssl_server_cert_file = /etc/ssl/x.pem\n'), 'dovecot.version-mismatch');
    assert.match(f.detail, /dovecot_config_version = 2\.4\.0/);
    assert.match(editRemoves(MAIN, 'ssl_server_cert_file = /etc/ssl/x.pem\n', f), /^ssl_cert = <\/etc\/ssl\/x.pem$/m);
    // A conf.d file reads its version from ../dovecot.conf.
    const confd = only(lintDovecot(SSL, 'ssl_cert = </etc/ssl/x.pem\n', { [MAIN]: V24 }), 'dovecot.version-mismatch');
    assert.match(confd.title, /config is for 2\.4/);
  });

  it('dovecot.version-mismatch: the cipher preference is yes/no in 2.3 and server/client in 2.4', () => {
    // Each version refuses the other's words (doveconf 2.3.19: "Invalid boolean value: server (use yes or no)").
    for (const [v23, v24] of [
      ['yes', 'server'],
      ['no', 'client'],
    ]) {
      const t24 = `${V24}ssl_prefer_server_ciphers = ${v23}\n`;
      const to24 = editRemoves(MAIN, t24, only(lintDovecot(MAIN, t24), 'dovecot.version-mismatch'));
      assert.match(to24, new RegExp(`^ssl_server_prefer_ciphers = ${v24}$`, 'm'));
      const t23 = `ssl_server_prefer_ciphers = ${v24}\n`;
      const f = only(lintDovecot(MAIN, t23), 'dovecot.version-mismatch');
      assert.match(f.fix, new RegExp(`Write ssl_prefer_server_ciphers = ${v23},`));
      assert.match(editRemoves(MAIN, t23, f), new RegExp(`^ssl_prefer_server_ciphers = ${v23}$`, 'm'));
    }
    // A value neither version knows: the name only, no edit that would carry it over.
    assert.equal(only(lintDovecot(MAIN, 'ssl_server_prefer_ciphers = maybe\n'), 'dovecot.version-mismatch').edits, undefined);
  });

  it('dovecot.version-mismatch never writes a password into its fix, edit or evidence (ssl_key_password)', () => {
    const text = `${V24}ssl_key_password = hunter2-secret\n`;
    const r = lintDovecot(MAIN, text);
    const f = only(r, 'dovecot.version-mismatch');
    assert.doesNotMatch(JSON.stringify(r), /hunter2/);
    assert.equal(editRemoves(MAIN, text, f), `${V24}ssl_server_key_password = hunter2-secret\n`);
  });

  it('dovecot.config-version: a 2.4 dovecot_config_version after other settings', () => {
    assert.equal(only(lintDovecot(MAIN, 'ssl = yes\ndovecot_config_version = 2.4.0\n'), 'dovecot.config-version').severity, 'error');
    assert.deepEqual(ids(lintDovecot(MAIN, `# header\n${V24}ssl = yes\n`)), ['dovecot.ssl-without-cert']);
  });

  it('dovecot.syntax-error: what Dovecot stops at, with its own message', () => {
    const r = lintDovecot(MAIN, 'service imap-login {\n  inet_listener imap {\n    port = 143\n  }\n');
    const f = only(r, 'dovecot.syntax-error');
    assert.match(f.detail, /Missing '\}'/);
    assert.equal(only(lintDovecot(MAIN, 'ssl = yes\n}\n'), 'dovecot.syntax-error').range?.start.line, 1);
  });

  it('a byte-order mark at the start of the file is a syntax error (Dovecot reads it as part of the first line)', () => {
    // Notepad and some editors save UTF-8 with a BOM; doveconf 2.3.19: "line 1: Unknown setting: \uFEFFssl".
    const r = lintDovecot(MAIN, '\uFEFFssl = required\nprotocols = imap\n');
    const f = only(r, 'dovecot.syntax-error');
    assert.equal(f.range?.start.line, 0);
    assert.match(f.detail, /Unknown setting: \uFEFFssl/);
    assert.match(f.fix, /without (a )?BOM/i);
    assert.equal(f.edits, undefined);
    // Before a comment or an empty line Dovecot says "Expecting '{'".
    assert.match(only(lintDovecot(MAIN, '\uFEFF# Dovecot\nssl = required\n'), 'dovecot.syntax-error').detail, /Expecting '\{'/);
    // The rest is read as usual; no BOM, no finding.
    assert.ok(ids(lintDovecot(MAIN, '\uFEFFssl = no\n')).includes('dovecot.ssl-disabled'));
    assert.deepEqual(ids(lintDovecot(MAIN, 'ssl = required\n')), ['dovecot.ssl-without-cert']);
  });

  it('dovecot.cleartext-auth judges the value Dovecot keeps: the last of a setting, also across the files of a config', () => {
    // Alpine's packaged dovecot.conf (a public copy) sets disable_plaintext_auth = no on lines 6 and 73: one finding, on the last.
    const twice = `${CERT}disable_plaintext_auth = no\nprotocols = imap\ndisable_plaintext_auth = no\n`;
    const fs = lintDovecot(MAIN, twice).findings.filter((f) => f.id === 'dovecot.cleartext-auth');
    assert.deepEqual(
      fs.map((f) => f.range?.start.line),
      [4],
    );
    // Set to yes later (here in a conf.d file dovecot.conf includes after it): the earlier no is not what Dovecot does.
    const files = { '/ws/dovecot/conf.d/10-auth.conf': 'disable_plaintext_auth = yes\n' };
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}disable_plaintext_auth = no\n!include conf.d/*.conf\n`, files)), []);
    // In another scope it is another setting: both count.
    assert.equal(
      ids(lintDovecot(MAIN, `${CERT}disable_plaintext_auth = no\nprotocol imap {\n  disable_plaintext_auth = no\n}\n`)).filter(
        (i) => i === 'dovecot.cleartext-auth',
      ).length,
      2,
    );
  });

  it('settings for loopback clients only (remote 127.0.0.1 { } as mailcow has, local 127.0.0.1 { }) are not cleartext or TLS-off findings', () => {
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}disable_plaintext_auth = yes\nremote 127.0.0.1 {\n  disable_plaintext_auth = no\n}\n`)), []);
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}remote ::1 {\n  ssl = no\n}\n`)), []);
    assert.equal(only(lintDovecot(MAIN, 'remote 10.0.0.0/8 {\n  disable_plaintext_auth = no\n}\n'), 'dovecot.cleartext-auth').severity, 'warning');
    // Connections to the loopback address (local 127.0.0.1 { }: a webmail on the same host) come from this machine too.
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}local 127.0.0.1 {\n  ssl = no\n  disable_plaintext_auth = no\n}\nlocal [::1] {\n  ssl = no\n}\n`)), []);
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}local 127.0.0.1 {\n  protocol imap {\n    ssl = no\n  }\n}\n`)), []);
    // A local address others can reach is no such filter.
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}local 10.0.0.1 {\n  ssl = no\n}\n`)), ['dovecot.ssl-disabled']);
    assert.deepEqual(rulesOn(lintDovecot(MAIN, `${CERT}local 0.0.0.0/0 {\n  ssl = no\n}\n`)), ['dovecot.ssl-disabled']);
  });

  it("an absolute !include of a copy is read from the workspace (mirror, or beside dovecot.conf), never this machine's /etc", () => {
    const text = '!include /etc/dovecot/ssl.inc\ndisable_plaintext_auth = no\n';
    assert.deepEqual(ids(lintDovecot(MAIN, text, { '/ws/dovecot/ssl.inc': 'ssl = required\n' })), []);
    assert.deepEqual(ids(lintDovecot(MAIN, text, { '/ws/etc/dovecot/ssl.inc': 'ssl = required\n' })), []);
    assert.deepEqual(ids(lintDovecot(MAIN, text, { '/etc/dovecot/ssl.inc': 'ssl = required\n' })), ['dovecot.cleartext-auth']);
  });

  it('a numbered file beside dovecot.conf (docker-mailserver: target/dovecot/10-ssl.conf) reads its version there', () => {
    const f = only(
      lintDovecot('/ws/target/dovecot/10-ssl.conf', 'ssl_cert = </etc/x.pem\n', { '/ws/target/dovecot/dovecot.conf': V24 }),
      'dovecot.version-mismatch',
    );
    assert.match(f.title, /config is for 2\.4/);
  });

  it('dovecot.include-missing: an !include of a missing file on the live /etc/dovecot (Dovecot: "No matches")', () => {
    const auth = '/etc/dovecot/conf.d/10-auth.conf';
    const text = 'auth_mechanisms = plain\n!include auth-system.conf.ext\n!include_try auth-sql.conf.ext\n!include /etc/dovecot/conf.d/*.ext\n';
    const noWs = { workspaceRoot: undefined };
    const f = only(lintDovecot(auth, text, {}, noWs), 'dovecot.include-missing');
    assert.equal(f.severity, 'error');
    assert.equal(f.range?.start.line, 1);
    assert.equal(f.edits, undefined);
    assert.deepEqual(ids(lintDovecot(auth, text, { '/etc/dovecot/conf.d/auth-system.conf.ext': 'passdb {\n}\n' }, noWs)), []);
    // A copy may be partial: not judged.
    assert.deepEqual(ids(lintDovecot('/ws/dovecot/conf.d/10-auth.conf', text)), []);
  });

  it("expands dovecot.conf's !include conf.d/*.conf in glob order: a conf.d file sees its siblings' settings", () => {
    const auth = '/ws/dovecot/conf.d/10-auth.conf';
    const text = 'disable_plaintext_auth = no\n';
    const tree = {
      [MAIN]: '!include conf.d/*.conf\n',
      '/ws/dovecot/conf.d/05-ssl.conf': 'ssl = required\n',
      '/ws/dovecot/conf.d/notes.txt': 'ssl = yes\n',
      '/ws/dovecot/conf.d/.10-hidden.conf': 'ssl = yes\n',
    };
    // ssl = required in a sibling: no cleartext login is possible before TLS.
    assert.deepEqual(ids(lintDovecot(auth, text, tree)), []);
    // A later sibling (sorted after 10-auth.conf) sets ssl = yes again: it wins.
    assert.equal(only(lintDovecot(auth, text, { ...tree, '/ws/dovecot/conf.d/99-ssl.conf': 'ssl = yes\n' }), 'dovecot.cleartext-auth').severity, 'warning');
    // A host that cannot list folders sees only this file and dovecot.conf.
    assert.deepEqual(ids(lintDovecot(auth, text, tree, { listDir: undefined })), ['dovecot.cleartext-auth']);
  });

  it('reads a conf.d folder without a dovecot.conf as the stock one includes it (!include conf.d/*.conf)', () => {
    // An Ansible role or a Salt pillar ships conf.d overrides only: the server's stock dovecot.conf includes them all.
    const auth = '/ws/role/files/conf.d/10-auth.conf';
    const text = 'disable_plaintext_auth = no\n';
    const ssl = { '/ws/role/files/conf.d/10-ssl.conf': 'ssl = required\n' };
    assert.deepEqual(ids(lintDovecot(auth, text, ssl)), []);
    // In glob order: a later sibling's ssl = yes wins; an earlier one's required is overridden by it.
    const later = { ...ssl, '/ws/role/files/conf.d/99-local.conf': 'ssl = yes\n' };
    assert.deepEqual(ids(lintDovecot(auth, text, later)), ['dovecot.cleartext-auth']);
    // Alone in its folder, or outside a conf.d folder: judged by itself, as before.
    assert.deepEqual(ids(lintDovecot(auth, text)), ['dovecot.cleartext-auth']);
    assert.deepEqual(ids(lintDovecot('/ws/dovecot-role/10-auth.conf', text, { '/ws/dovecot-role/10-ssl.conf': 'ssl = required\n' })), [
      'dovecot.cleartext-auth',
    ]);
    // The stand-in tells no version: a 2.4 file alone is still read by its 2.4 names.
    const ssl24 = '/ws/role/files/conf.d/10-ssl.conf';
    assert.deepEqual(ids(lintDovecot(ssl24, 'ssl_server_cert_file = /etc/x.pem\nssl_server_key_file = /etc/x.key\n', { [auth]: text })), [
      'dovecot.file-checks-skipped',
    ]);
    // A dovecot.conf that is there decides what is included.
    assert.deepEqual(ids(lintDovecot(auth, text, { ...ssl, '/ws/role/files/dovecot.conf': 'protocols = imap\n' })), ['dovecot.cleartext-auth']);
  });

  it('follows a plain relative !include for context; a missing !include_try is fine', () => {
    const files = { '/ws/dovecot/ssl.inc': 'ssl = required\n' };
    assert.deepEqual(ids(lintDovecot(MAIN, '!include ssl.inc\n!include_try nothere.conf\ndisable_plaintext_auth = no\n', files)), []);
    // Include loops end.
    const loop = { '/ws/dovecot/a.conf': '!include dovecot.conf\n' };
    assert.deepEqual(ids(lintDovecot(MAIN, '!include a.conf\nssl = yes\n', loop)), ['dovecot.ssl-without-cert']);
  });
});
