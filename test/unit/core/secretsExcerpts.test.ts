/**
 * Secrets in excerpts: every quoted config line passes the one masking rule (src/core/secrets.ts maskExcerpt),
 * and host values never show user info. Each case is a line that was quoted unmasked before.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding } from '../../../src/core/finding';
import { lintText, type LintHost } from '../../../src/core/lint';
import fc from 'fast-check';
import { lineLabelLength, maskExcerpt } from '../../../src/core/secrets';
import { captureIO } from '../../support/cli';
import { main } from '../../../src/cli/main';
import * as fs from 'node:fs';
import * as os from 'node:os';

const SECRET = 'Hunter2-Secret';
const host: LintHost = { readFile: () => undefined, workspaceRoot: path.join(path.sep, 'ws') };

function everything(findings: Finding[]): string {
  return JSON.stringify(findings);
}

describe('secrets: excerpts of config lines are masked', () => {
  it('maskExcerpt hides a secret-named setting without its "=", name=value pairs, user info and in-line maps', () => {
    const cases: Array<[string, string]> = [
      [`smtp_sasl_password_maps static:bob:${SECRET}`, 'smtp_sasl_password_maps (hidden)'],
      [`smtp_sasl_password_maps = static:bob:${SECRET}`, 'smtp_sasl_password_maps = (hidden)'],
      [`-o smtp_sasl_password_maps=static:bob:${SECRET}`, '-o smtp_sasl_password_maps=(hidden)'],
      [`relayhost = [bob:${SECRET}@smtp.example.com]:587`, 'relayhost = [(hidden)@smtp.example.com]:587'],
      [`default_transport = smtp:static:${SECRET}`, 'default_transport = smtp:static:(hidden)'],
      ['smtpd_tls_key_file = /etc/ssl/private/mail.key', 'smtpd_tls_key_file = /etc/ssl/private/mail.key'],
      ['smtp_sasl_auth_enable = yes', 'smtp_sasl_auth_enable = yes'],
    ];
    for (const [line, want] of cases) assert.equal(maskExcerpt(line), want, line);
  });

  it('a `line N: ` label changes nothing in what maskExcerpt does to the rest, whatever N (the lint memo relies on it)', () => {
    assert.equal(lineLabelLength('line 12: a = b'), 'line 12: '.length);
    for (const no of ['line : a', 'line 12 a', 'line 12:a', 'Line 1: a', 'line x: a', ' line 1: a', 'line 1']) assert.equal(lineLabelLength(no), 0, no);
    const piece = fc.oneof(
      fc.constantFrom('smtp_sasl_password_maps', 'smtp_sasl_auth_enable', 'pass', 'key', 'api_key', 'secret', 'token', 'AUTH PLAIN ', 'auth', '_file'),
      fc.constantFrom('static:', 'inline:{', '}', '//', '@', ':', '=', ' = ', ' ', '\t', '"', "'", '-', '+', ',', 'line ', '1: ', 'x'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.nat(), fc.nat(), (pieces, a, b) => {
        const rest = pieces.join('');
        const [la, lb] = [`line ${a + 1}: `, `line ${b}: `];
        const [ma, mb] = [maskExcerpt(la + rest), maskExcerpt(lb + rest)];
        assert.ok(ma.startsWith(la) && mb.startsWith(lb), `${ma} / ${mb}`);
        assert.equal(ma.slice(la.length), mb.slice(lb.length), rest);
        assert.equal(lineLabelLength(la + rest), la.length);
      }),
      { numRuns: 3000, seed: 15 },
    );
  });

  it('main.cf: every overridden copy of a setting is quoted masked, the first and the later ones alike', () => {
    const text = ['smtp_sasl_password_file = /etc/postfix/a', 'smtp_sasl_auth_enable = yes', 'smtp_sasl_password_file = /etc/postfix/a'];
    text.push('smtp_sasl_auth_enable = yes', 'smtp_sasl_password_file = /etc/postfix/b', 'smtp_sasl_auth_enable = no');
    const r = lintText('/ws/etc/postfix/main.cf', `${text.join('\n')}\n`, host);
    const evidence = r.findings.filter((f) => f.id === 'postfix.duplicate-parameter').map((f) => f.evidence?.[0]);
    assert.deepEqual(evidence, [
      'line 1: smtp_sasl_password_file = (hidden)',
      'line 2: smtp_sasl_auth_enable = yes',
      'line 3: smtp_sasl_password_file = (hidden)',
      'line 4: smtp_sasl_auth_enable = yes',
    ]);
  });

  it('main.cf: a secret line missing its "=" is reported without the secret (Problems, report, --json)', () => {
    const text = `relayhost = [smtp.example.com]:587\nsmtp_sasl_password_maps static:bob:${SECRET}\n`;
    const r = lintText('/ws/etc/postfix/main.cf', text, host);
    assert.ok(
      r.findings.some((f) => f.id === 'postfix.syntax-error'),
      'the malformed line is reported',
    );
    assert.ok(!everything(r.findings).includes(SECRET), everything(r.findings));
  });

  it('master.cf: a malformed entry holding a secret is reported without it', () => {
    const text = `smtp inet n - n - - smtpd\nsmtp_sasl_password_maps static:bob:${SECRET}\nsubmission inet n - n - - smtpd -o smtp_sasl_password_maps=static:bob:${SECRET} -o\n`;
    const r = lintText('/ws/etc/postfix/master.cf', text, host);
    assert.ok(
      r.findings.some((f) => f.id === 'postfix.master-syntax-error'),
      JSON.stringify(r.findings.map((f) => f.id)),
    );
    assert.ok(!everything(r.findings).includes(SECRET), everything(r.findings));
  });

  it('nodemailer.service-overridden never quotes user info in a host value', () => {
    const code = `const nodemailer = require('nodemailer');\nnodemailer.createTransport({ service: 'gmail', host: 'bob:${SECRET}@smtp.example.com', port: 587 });\n`;
    const r = lintText('/ws/mail.js', code, host);
    assert.ok(
      r.findings.some((f) => f.id === 'nodemailer.service-overridden'),
      JSON.stringify(r.findings.map((f) => f.id)),
    );
    assert.ok(!everything(r.findings).includes(SECRET), everything(r.findings));
  });

  it('the CLI (text and --json) never prints the secret', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-secret-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.cf'), `smtp_sasl_password_maps static:bob:${SECRET}\n`);
      for (const args of [
        ['lint', dir],
        ['lint', dir, '--json'],
      ]) {
        const io = captureIO();
        await main(args, io);
        assert.ok(io.stdout.length > 0);
        assert.ok(!`${io.stdout}${io.stderr}`.includes(SECRET), `${args.join(' ')}: ${io.stdout}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
