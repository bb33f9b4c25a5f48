/**
 * The CLI lints a Dovecot tree as Dovecot reads it: its host lists folders, so dovecot.conf's
 * `!include conf.d/*.conf` puts each conf.d file among its siblings (here 05-ssl.conf's `ssl = required` makes
 * 10-auth.conf's `disable_plaintext_auth = no` harmless; its certificate, beside the config, keeps TLS working).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMain } from '../../support/cli';
import { makePki } from '../../support/pki';

describe('CLI lint: a Dovecot tree', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-cli-dovecot-'));
    fs.mkdirSync(path.join(dir, 'dovecot', 'conf.d'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dovecot', 'dovecot.conf'), '!include conf.d/*.conf\n');
    const pki = makePki('CLI Dovecot');
    fs.rmSync(pki.dir, { recursive: true, force: true }); // the PEM texts are kept in memory; its folder is not used
    const leaf = pki.leaf({ cn: 'mail.example.com' });
    fs.writeFileSync(path.join(dir, 'dovecot', 'mail.pem'), pki.chain(leaf));
    fs.writeFileSync(path.join(dir, 'dovecot', 'mail.key'), leaf.keyPem);
    const ssl = `ssl = required\nssl_cert = <${path.join(dir, 'dovecot', 'mail.pem')}\nssl_key = <${path.join(dir, 'dovecot', 'mail.key')}\n`;
    fs.writeFileSync(path.join(dir, 'dovecot', 'conf.d', '05-ssl.conf'), ssl);
    fs.writeFileSync(path.join(dir, 'dovecot', 'conf.d', '10-auth.conf'), 'disable_plaintext_auth = no\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("judges a conf.d file with its siblings' settings (the glob include is expanded)", async () => {
    const r = await runMain('lint', path.join(dir, 'dovecot'), '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const files = (JSON.parse(r.stdout) as { files: Array<{ file: string; findings: Array<{ id: string }> }> }).files;
    assert.deepEqual(
      files.map((f) => [path.relative(dir, f.file), f.findings.map((x) => x.id)]),
      [
        ['dovecot/conf.d/05-ssl.conf', []],
        ['dovecot/conf.d/10-auth.conf', []],
        ['dovecot/dovecot.conf', []],
      ],
    );
    // Without the sibling, the same line is a warning.
    fs.rmSync(path.join(dir, 'dovecot', 'conf.d', '05-ssl.conf'));
    const alone = await runMain('lint', path.join(dir, 'dovecot', 'conf.d', '10-auth.conf'), '--format', 'json');
    assert.match(alone.stdout, /dovecot\.cleartext-auth/);
  });
});
