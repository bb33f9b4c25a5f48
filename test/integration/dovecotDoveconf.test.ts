/**
 * The Dovecot parser must read a config the way Dovecot does: for each generated 2.3 config, `doveconf -a -P -c FILE`
 * (the real Dovecot installed here, Debian 12's 2.3.19) prints every effective setting, and the global SSL and
 * cleartext-auth settings the lint reads (context.ts globalValue: the last global assignment across the file and
 * the files it includes, globs expanded in glob(3) order) must be the same. A config doveconf rejects must get a dovecot.syntax-error, and one it
 * accepts none. Nothing is started: doveconf only parses (it opens no `<file` without -x).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintText } from '../../src/core/lint';
import { buildContext, globalValue } from '../../src/core/lint/dovecot/context';
import { findTool } from '../support/mailservers/tools';
import { diskLintHost } from '../support/lintHost';
import { listFiles } from '../../src/core/fsread';

/** The CLI's host: the disk, folders listed. */
const host = (root: string) => ({ ...diskLintHost(root), listDir: listFiles });

const NAMES = ['ssl', 'ssl_cert', 'ssl_key', 'ssl_ca', 'ssl_min_protocol', 'ssl_cipher_list', 'ssl_prefer_server_ciphers', 'disable_plaintext_auth', 'listen'];

/** Each case: dovecot.conf and the files beside it. */
const CASES: Record<string, Record<string, string>> = {
  'settings, comments, quotes, sections and a protocol filter': {
    'dovecot.conf': [
      '# a comment',
      'ssl = required',
      'ssl_cert = </etc/ssl/certs/mail.pem',
      'ssl_key = </etc/ssl/private/mail.key # the key',
      'ssl_min_protocol = TLSv1.1',
      'ssl_cipher_list = "HIGH:!aNULL:!MD5"',
      'disable_plaintext_auth = no',
      'listen = 127.0.0.1, ::1',
      'service imap-login {',
      '  inet_listener imaps {',
      '    port = 993',
      '    ssl = yes',
      '  }',
      '}',
      'protocol imap {',
      '  ssl_min_protocol = TLSv1.2',
      '}',
      '',
    ].join('\n'),
  },
  'includes in order, a missing !include_try, the last assignment wins': {
    'dovecot.conf': ['ssl_cipher_list = HIGH', '!include ssl.inc', '!include_try missing.conf', 'ssl = no', 'ssl = yes', ''].join('\n'),
    'ssl.inc': ['ssl_cipher_list = HIGH:!aNULL', 'ssl_prefer_server_ciphers = yes', 'ssl_min_protocol = TLSv1.3', ''].join('\n'),
  },
  'a glob include (sorted, hidden files and other names left out)': {
    'dovecot.conf': ['ssl = yes', 'ssl_cipher_list = MEDIUM', '!include conf.d/*.conf', 'listen = 127.0.0.1', ''].join('\n'),
    'conf.d/20-later.conf': 'ssl_cipher_list = HIGH:!aNULL\nssl = required\n',
    'conf.d/10-first.conf': 'ssl_cipher_list = HIGH\nssl_min_protocol = TLSv1.3\nlisten = *\n',
    'conf.d/.30-hidden.conf': 'ssl_prefer_server_ciphers = yes\n',
    'conf.d/40-notes.txt': 'ssl = no\n',
  },
  'a continued line and tabs': {
    'dovecot.conf': ['ssl_cipher_list = HIGH:\\', '!aNULL', '\tssl_min_protocol\t=\tTLSv1', 'ssl_ca = </etc/ssl/ca.pem', ''].join('\n'),
  },
};

const REJECTED: Record<string, string> = {
  'an unclosed section': 'ssl = yes\nservice imap-login {\n  inet_listener imap {\n  }\n',
  'a stray }': 'ssl = yes\n}\n',
  'a line without =': 'ssl = yes\nssl_cert\n',
  '= without a key': '= yes\n',
  'a section on one line': 'ssl = yes\npassdb { driver = pam }\n',
  'a byte-order mark before a setting': '\uFEFFssl = yes\n',
  'a byte-order mark before a comment': '\uFEFF# Dovecot\nssl = yes\n',
};

function doveconf(tool: string, file: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool, ['-a', '-P', '-c', file], { encoding: 'utf8', timeout: 15000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The top-level `name = value` lines of doveconf's output (sections skipped). */
function topLevel(out: string): Map<string, string> {
  const m = new Map<string, string>();
  let depth = 0;
  for (const line of out.split('\n')) {
    if (/\{\s*$/.test(line)) depth++;
    else if (/^\s*\}\s*$/.test(line)) depth--;
    else if (depth === 0) {
      const eq = /^([\w.-]+) = ?(.*)$/.exec(line);
      if (eq) m.set(eq[1], eq[2]);
    }
  }
  return m;
}

describe('dovecot: the parser reads configs the way doveconf does', function () {
  this.timeout(60000);
  const tool = findTool('doveconf');
  let dir: string;
  before(function () {
    if (!tool) {
      console.log('    SKIPPED: doveconf is not installed (apt-get install dovecot-core to run this comparison)');
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-doveconf-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  for (const [name, files] of Object.entries(CASES)) {
    it(`${name}: the same global SSL settings`, async () => {
      const d = path.join(dir, `case${n++}`);
      fs.mkdirSync(d);
      for (const [f, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
        fs.writeFileSync(path.join(d, f), text);
      }
      const file = path.join(d, 'dovecot.conf');
      const r = await doveconf(tool!, file);
      assert.equal(r.status, 0, r.stderr);
      const real = topLevel(r.stdout);
      const text = files['dovecot.conf'];
      const ctx = buildContext(file, text, host(d));
      let compared = 0;
      for (const n of NAMES) {
        const ours = globalValue(ctx, n);
        if (ours === undefined) continue;
        compared++;
        assert.equal(ours, real.get(n), `${n}: parser ${JSON.stringify(ours)}, doveconf ${JSON.stringify(real.get(n))}`);
      }
      assert.ok(compared >= 3, `only ${compared} settings compared`);
      const syntax = lintText(file, text, host(d)).findings.filter((f) => f.id === 'dovecot.syntax-error');
      assert.deepEqual(syntax, []);
    });
  }

  for (const [name, text] of Object.entries(REJECTED)) {
    it(`${name}: doveconf rejects it and the lint reports dovecot.syntax-error`, async () => {
      const d = path.join(dir, `bad${n++}`);
      fs.mkdirSync(d);
      const file = path.join(d, 'dovecot.conf');
      fs.writeFileSync(file, text);
      const r = await doveconf(tool!, file);
      assert.notEqual(r.status, 0, `doveconf accepted it:\n${r.stdout.slice(0, 400)}`);
      assert.match(r.stderr, /Error in configuration file/);
      const syntax = lintText(file, text, host(d)).findings.filter((f) => f.id === 'dovecot.syntax-error');
      assert.ok(syntax.length > 0, 'no dovecot.syntax-error');
      // The lint quotes Dovecot's own words (up to its "(...)" placeholder): what the admin will see in the log.
      const quoted = /line \d+: ([^"(]+)/.exec(syntax[0].detail)?.[1].trim();
      assert.ok(quoted && r.stderr.includes(quoted), `lint quotes ${JSON.stringify(quoted)}, doveconf said ${r.stderr.trim()}`);
    });
  }
});
