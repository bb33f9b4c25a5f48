/**
 * Debian 12's stock Dovecot 2.3.19 configuration (test/fixtures/dovecot/debian-2.3.19, see its SOURCE.md) is
 * linted as the CLI walks it: each file on its own, with the fixture folder as the workspace. It is a sound
 * config: nothing is wrong with it, and the certificate files it names are on the server, not here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintersFor, lintText } from '../../../../../src/core/lint';
import { dovecotLinter, isDovecotConf } from '../../../../../src/core/lint/dovecot';
import { diskLintHost } from '../../../../support/lintHost';
import { listFiles } from '../../../../../src/core/fsread';
import { buildContext, globalValue } from '../../../../../src/core/lint/dovecot/context';

const ROOT = path.resolve(__dirname, '../../../../fixtures/dovecot/debian-2.3.19');
const DIR = path.join(ROOT, 'etc/dovecot');
// As the CLI reads it: the disk, with folders listed (dovecot.conf's `!include conf.d/*.conf`).
const host = { ...diskLintHost(ROOT), listDir: listFiles };

describe('dovecot lint on real configuration', () => {
  it("Debian's stock dovecot.conf and conf.d: no finding but the one note that the certificate files were not checked", () => {
    const files = ['dovecot.conf', ...fs.readdirSync(path.join(DIR, 'conf.d')).map((f) => `conf.d/${f}`)];
    const found: string[] = [];
    let linted = 0;
    for (const f of files) {
      const p = path.join(DIR, f);
      const text = fs.readFileSync(p, 'utf8');
      if (!lintersFor(p, text).includes(dovecotLinter)) continue;
      linted++;
      const r = lintText(p, text, host);
      for (const x of r.findings) found.push(`${f}:${(x.range?.start.line ?? 0) + 1} ${x.id}`);
      // A copy (not /etc/dovecot) listening on every interface with no hostname names no server to probe.
      assert.deepEqual(r.endpoints, [], f);
    }
    assert.equal(linted, 15, 'dovecot.conf and the 14 conf.d/NN-*.conf files (not the *.conf.ext ones)');
    assert.deepEqual(found, ['conf.d/10-ssl.conf:12 dovecot.file-checks-skipped']);
    // A conf.d file sees the whole config through dovecot.conf's glob include: 10-auth.conf gets 10-ssl.conf's ssl.
    const auth = path.join(DIR, 'conf.d/10-auth.conf');
    const ctx = buildContext(auth, fs.readFileSync(auth, 'utf8'), host);
    assert.equal(globalValue(ctx, 'ssl'), 'yes');
    assert.equal(globalValue(ctx, 'mail_location'), 'mbox:~/mail:INBOX=/var/mail/%u');
    assert.equal(globalValue(ctx, 'auth_mechanisms'), 'plain');
  });

  it("claims numbered conf.d files only when they are Dovecot's (by folder or text), never Apache's or nginx's", () => {
    assert.ok(isDovecotConf('/etc/dovecot/conf.d/10-ssl.conf', '# all commented\n'));
    assert.ok(isDovecotConf('/srv/mail/conf.d/10-ssl.conf', 'ssl = required\n'));
    assert.ok(!isDovecotConf('/etc/httpd/conf.d/10-ssl.conf', 'Listen 443 https\nSSLProtocol all -SSLv3\n'));
    assert.ok(!isDovecotConf('/etc/nginx/conf.d/10-site.conf', 'server {\n  listen 443 ssl;\n  ssl_protocols TLSv1.2;\n}\n'));
    assert.ok(!isDovecotConf('/etc/sysctl.d/99-net.conf', 'net.ipv4.ip_forward = 1\n'));
    assert.ok(!isDovecotConf('/etc/dovecot/dovecot-sql.conf.ext'));
    // By name alone (the CLI walk): conf.d folders and dovecot trees (docker-mailserver: target/dovecot/10-ssl.conf).
    assert.ok(isDovecotConf('/srv/docker-mailserver/target/dovecot/10-ssl.conf'));
    assert.ok(isDovecotConf('/etc/httpd/conf.d/10-ssl.conf'));
    assert.ok(!isDovecotConf('/etc/sysctl.d/99-net.conf'));
  });

  it('broken input gets findings, never a crash: binary junk, unbalanced braces, a huge file', () => {
    const p = '/ws/dovecot/dovecot.conf';
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    for (const text of [junk, '{{{{\n}}}}}}\n', 'service imap-login {\n inet_listener imaps {\n', `ssl = yes\n${'mail_plugins = x\n'.repeat(100_000)}`]) {
      const r = lintText(p, text, host);
      assert.ok(Array.isArray(r.findings));
      assert.ok(!r.findings.some((f) => f.id === 'lint.internal-error'), JSON.stringify(r.findings[0]));
    }
    assert.ok(lintText(p, 'service imap-login {\n', host).findings.some((f) => f.id === 'dovecot.syntax-error'));
  });

  it('a conf.d whose files are links (GNU Stow, a configuration manager) is read through dovecot.conf as Dovecot reads it', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stow-'));
    try {
      const etc = path.join(tmp, 'etc', 'dovecot');
      const store = path.join(tmp, 'store');
      fs.mkdirSync(path.join(etc, 'conf.d'), { recursive: true });
      fs.mkdirSync(store);
      fs.writeFileSync(path.join(etc, 'dovecot.conf'), '!include conf.d/*.conf\n');
      fs.writeFileSync(path.join(store, '10-ssl.conf'), 'ssl = required\n');
      fs.symlinkSync(path.join(store, '10-ssl.conf'), path.join(etc, 'conf.d', '10-ssl.conf'));
      const authPath = path.join(etc, 'conf.d', '10-auth.conf');
      fs.writeFileSync(authPath, 'disable_plaintext_auth = no\n');
      const stowHost = { ...diskLintHost(tmp), listDir: listFiles };
      const ctx = buildContext(authPath, fs.readFileSync(authPath, 'utf8'), stowHost);
      assert.equal(globalValue(ctx, 'ssl'), 'required', 'the linked 10-ssl.conf is part of the config');
      // ssl = required refuses every login before TLS: no cleartext warning for 10-auth.conf.
      const r = lintText(authPath, fs.readFileSync(authPath, 'utf8'), stowHost);
      assert.deepEqual(
        r.findings.filter((f) => f.id === 'dovecot.cleartext-auth'),
        [],
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
