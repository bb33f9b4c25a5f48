import * as assert from 'node:assert/strict';
import { applyEdits } from '../../src/core/lint/edits';
import { dotenvLinter, lintDotenv } from '../../src/core/lint/dotenv';
import { isSecretKey, parseDotenv } from '../../src/core/lint/dotenv/parse';

const ids = (text: string) => lintDotenv('/ws/.env', text).map((f) => f.id);

describe('dotenv lint', () => {
  it('applies to .env and .env.* files only', () => {
    for (const p of ['/ws/.env', '/ws/.env.local', '/ws/app/.env.production', 'C:\\ws\\.env.example']) assert.ok(dotenvLinter.matches(p), p);
    for (const p of ['/ws/env', '/ws/.envrc.js', '/ws/main.cf', '/ws/x.env.ts']) assert.ok(!dotenvLinter.matches(p), p);
  });

  it('SMTP_SECURE=true with SMTP_PORT=587: reports both places, and the edit fixes it', () => {
    const text = '# mail\nSMTP_HOST=smtp.example.com\nSMTP_PORT=587\nexport SMTP_SECURE="true"\nSMTP_PASS=s3cr3t-value\n';
    const [f] = lintDotenv('/ws/.env', text);
    assert.equal(f.id, 'dotenv.secure-on-starttls-port');
    assert.deepEqual(f.range, { start: { line: 3, character: 20 }, end: { line: 3, character: 24 } });
    assert.deepEqual(f.related?.[0].range, { start: { line: 2, character: 10 }, end: { line: 2, character: 13 } });
    assert.deepEqual(lintDotenv('/ws/.env', applyEdits(text, f.edits ?? [])), []);
    assert.ok(!JSON.stringify(f).includes('s3cr3t-value'));
  });

  it('MAIL_SECURE=false with MAIL_PORT=465 is plain text on the implicit port', () => {
    assert.deepEqual(ids('MAIL_PORT: 465\nMAIL_SECURE=false # for now\n'), ['dotenv.plaintext-on-implicit-port']);
  });

  it('near misses stay quiet', () => {
    assert.deepEqual(ids('SMTP_PORT=465\nSMTP_SECURE=true\n'), []);
    assert.deepEqual(ids('SMTP_PORT=587\nSMTP_SECURE=false\n'), []);
    assert.deepEqual(ids('SMTP_PORT=587\nIMAP_SECURE=true\n'), []);
    assert.deepEqual(ids('SMTP_SECURE=true\n'), []);
    assert.deepEqual(ids('NODE_TLS_REJECT_UNAUTHORIZED=1\n'), []);
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 is flagged', () => {
    assert.deepEqual(ids('NODE_TLS_REJECT_UNAUTHORIZED=0\n'), ['dotenv.tls-verification-disabled']);
  });

  it('never quotes values of secret-looking keys', () => {
    const text = 'SMTP_PASSWORD=pw-1\nAPI_TOKEN=tok-2\nSMTP_AUTH_SECURE=true\nSMTP_AUTH_PORT=587\nSECRET_KEY=k-3\n';
    const out = JSON.stringify(lintDotenv('/ws/.env', text));
    for (const s of ['pw-1', 'tok-2', 'k-3']) assert.ok(!out.includes(s), s);
    for (const k of ['SMTP_PASSWORD', 'API_TOKEN', 'SECRET_KEY', 'DATABASE_URL', 'SMTP_USER']) assert.ok(isSecretKey(k), k);
  });

  it('parses quotes, export, comments and CRLF with exact ranges', () => {
    const e = parseDotenv("A=1\r\nexport B='two words' # c\nC=\"x\\ny\"\n# D=4\nbad line\nE=five # six\n");
    assert.deepEqual(e.map((x) => [x.key, x.value]), [['A', '1'], ['B', 'two words'], ['C', 'x\ny'], ['E', 'five']]);
    assert.deepEqual(e[1].valueRange, { start: { line: 1, character: 10 }, end: { line: 1, character: 19 } });
  });

  it('any input: findings or nothing, never an exception', () => {
    for (const t of ['', '\u0000\u0001=\n', '='.repeat(100000), 'A'.repeat(50000) + '=1', '\n'.repeat(50000)]) {
      assert.ok(Array.isArray(lintDotenv('/ws/.env', t)));
    }
  });
});
