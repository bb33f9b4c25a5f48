/**
 * Every quick fix the Dovecot lint offers on a 2.3 config must leave a config Dovecot accepts: each finding's edits
 * are applied and `doveconf -n -c FILE` (the real Dovecot installed here, Debian 12's 2.3.19; it parses only and
 * opens no `<file` without -x) must read the result without an error, and the lint must no longer report that
 * finding. A fix that swaps one refused setting for another (a 2.4 value written under its 2.3 name) fails here.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintText } from '../../src/core/lint';
import { applyEdits } from '../support/applyEdits';
import { diskLintHost } from '../support/lintHost';
import { findTool } from '../support/mailservers/tools';

/** Each case: a dovecot.conf (2.3: no dovecot_config_version) with something the lint offers to fix. */
const CASES: Record<string, string> = {
  '2.4 cipher preference, server': 'ssl = yes\nssl_server_prefer_ciphers = server\n',
  '2.4 cipher preference, client': 'ssl = yes\nssl_server_prefer_ciphers = client\n',
  '2.4 cleartext switch': 'ssl = yes\nauth_allow_cleartext = no\n',
  '2.4 certificate file name': 'ssl = yes\nssl_server_cert_file = /etc/ssl/certs/mail.pem\nssl_key = </etc/ssl/private/mail.key\n',
  'a certificate path without "<"': 'ssl = yes\nssl_cert = /etc/ssl/certs/mail.pem\nssl_key = </etc/ssl/private/mail.key\n',
  'a legacy minimum protocol': 'ssl = yes\nssl_min_protocol = TLSv1\n',
  'the removed ssl_protocols': 'ssl = yes\nssl_protocols = !SSLv3 !TLSv1\n',
  'the obsolete DH length': 'ssl = yes\nssl_dh_parameters_length = 2048\nssl_min_protocol = TLSv1.2\n',
  'the obsolete DH regeneration': 'ssl = yes\nssl_parameters_regenerate = 0\n',
  'weak words in a list separated by spaces': 'ssl = yes\nssl_cipher_list = HIGH RC4 !aNULL\n',
  'weak words in a list separated by colons': 'ssl = yes\nssl_cipher_list = HIGH:3DES:!aNULL\n',
  'cleartext logins': 'ssl = yes\ndisable_plaintext_auth = no\n',
  'TLS off with a certificate set': 'ssl = no\nssl_cert = </etc/ssl/certs/mail.pem\nssl_key = </etc/ssl/private/mail.key\n',
};

function doveconf(tool: string, file: string): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool, ['-n', '-c', file], { encoding: 'utf8', timeout: 15000, maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

describe('dovecot: every quick fix leaves a config doveconf accepts', function () {
  this.timeout(60000);
  const tool = findTool('doveconf');
  let dir: string;
  before(function () {
    if (!tool) {
      console.log('    SKIPPED: doveconf is not installed (apt-get install dovecot-core to run this check)');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-dovecot-edits-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  for (const [name, text] of Object.entries(CASES)) {
    it(`${name}: each edit is accepted by doveconf and clears its finding`, async () => {
      const d = path.join(dir, `case${n++}`);
      fs.mkdirSync(d);
      const file = path.join(d, 'dovecot.conf');
      const withEdits = lintText(file, text, diskLintHost(d)).findings.filter((f) => f.edits && f.edits.length > 0);
      assert.ok(withEdits.length > 0, `no quick fix offered for:\n${text}`);
      for (const f of withEdits) {
        const fixed = applyEdits(text, f.edits!);
        fs.writeFileSync(file, fixed);
        const r = await doveconf(tool!, file);
        assert.equal(r.status, 0, `${f.id}: doveconf refuses the fixed config:\n${fixed}\n${r.stderr}`);
        const again = lintText(file, fixed, diskLintHost(d)).findings.filter((g) => g.id === f.id && g.range?.start.line === f.range?.start.line);
        assert.deepEqual(again, [], `${f.id} is still reported after its edit:\n${fixed}`);
      }
    });
  }
});
