import * as assert from 'node:assert/strict';
import { applyEdits } from '../../../../support/applyEdits';
import { dotenvLinter, lintDotenv } from '../../../../../src/core/lint/dotenv';
import { isSecretKey, parseDotenv } from '../../../../../src/core/lint/dotenv/parse';

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
    // The .env alone cannot tell how the code reads it: the detail says when the plain-text claim holds.
    const [f] = lintDotenv('/ws/.env', 'SMTP_PORT=465\nSMTP_SECURE=no\n');
    assert.match(f.detail, /when the code converts the string \(`secure: process\.env\.SMTP_SECURE === 'true'`\)/);
    assert.match(f.detail, /nodemailer takes the non-empty string "no" for true/);
  });

  it('Django/Flask-Mail: STARTTLS (X_USE_TLS) on port 465 switches to implicit TLS; both switches on is one error', () => {
    // The classic Django mistake: the send hangs waiting for a greeting port 465 sends only after TLS.
    const django = 'EMAIL_HOST=smtp.example.com\nEMAIL_PORT=465\nEMAIL_USE_TLS=True\n';
    const [f] = lintDotenv('/ws/.env', django);
    assert.equal(f.id, 'dotenv.starttls-on-implicit-port');
    assert.deepEqual(f.range, { start: { line: 2, character: 14 }, end: { line: 2, character: 18 } });
    assert.equal(applyEdits(django, f.edits ?? []), 'EMAIL_HOST=smtp.example.com\nEMAIL_PORT=465\nEMAIL_USE_TLS=False\nEMAIL_USE_SSL=True\n');
    assert.deepEqual(lintDotenv('/ws/.env', applyEdits(django, f.edits ?? [])), []);
    // A quoted value (or a comment after it): the added line goes after the whole line, not inside the quotes; CRLF kept.
    for (const [text, fixed] of [
      ['EMAIL_PORT=465\nEMAIL_USE_TLS="True"\n', 'EMAIL_PORT=465\nEMAIL_USE_TLS="False"\nEMAIL_USE_SSL=True\n'],
      ["EMAIL_PORT=465\r\nEMAIL_USE_TLS='True' # STARTTLS\r\n", "EMAIL_PORT=465\r\nEMAIL_USE_TLS='False' # STARTTLS\r\nEMAIL_USE_SSL=True\r\n"],
    ]) {
      const [q] = lintDotenv('/ws/.env', text);
      assert.equal(applyEdits(text, q.edits ?? []), fixed);
      assert.deepEqual(lintDotenv('/ws/.env', fixed), []);
    }
    // With the implicit-TLS switch written off, one finding (not also "plain text on 465" on it), and the edit turns it on.
    const flask = 'MAIL_PORT=465\nMAIL_USE_SSL=false\nMAIL_USE_TLS=true\n';
    assert.deepEqual(ids(flask), ['dotenv.starttls-on-implicit-port']);
    const [g] = lintDotenv('/ws/.env', flask);
    assert.equal(applyEdits(flask, g.edits ?? []), 'MAIL_PORT=465\nMAIL_USE_SSL=true\nMAIL_USE_TLS=false\n');
    // Both on: Django refuses the pair; the edit keeps the switch that fits the port, and none without a port.
    for (const [port, fixed] of [
      ['465', 'EMAIL_PORT=465\nEMAIL_USE_TLS=0\nEMAIL_USE_SSL=1\n'],
      ['587', 'EMAIL_PORT=587\nEMAIL_USE_TLS=1\nEMAIL_USE_SSL=0\n'],
    ]) {
      const both = `EMAIL_PORT=${port}\nEMAIL_USE_TLS=1\nEMAIL_USE_SSL=1\n`;
      assert.deepEqual(ids(both), ['dotenv.starttls-and-implicit-tls'], port);
      assert.equal(applyEdits(both, lintDotenv('/ws/.env', both)[0].edits ?? []), fixed);
      assert.deepEqual(ids(fixed), []);
    }
    assert.equal(lintDotenv('/ws/.env', 'EMAIL_USE_TLS=on\nEMAIL_USE_SSL=on\n')[0].edits, undefined);
    // Only Django's and Flask-Mail's pair excludes each other: n8n's documented defaults (STARTTLS "when SSL is disabled") work.
    assert.deepEqual(ids('N8N_SMTP_PORT=465\nN8N_SMTP_SSL=true\nN8N_SMTP_STARTTLS=true\n'), []);
    // Its SSL switch on port 587 is still implicit TLS on a STARTTLS port; off on 465, STARTTLS on the implicit port.
    assert.deepEqual(ids('N8N_SMTP_PORT=587\nN8N_SMTP_SSL=true\nN8N_SMTP_STARTTLS=true\n'), ['dotenv.secure-on-starttls-port']);
    assert.deepEqual(ids('N8N_SMTP_PORT=465\nN8N_SMTP_SSL=false\nN8N_SMTP_STARTTLS=true\n'), ['dotenv.starttls-on-implicit-port']);
    // Right as they are: STARTTLS on 587, implicit TLS on 465, STARTTLS off.
    assert.deepEqual(ids('EMAIL_PORT=587\nEMAIL_USE_TLS=True\nEMAIL_USE_SSL=False\n'), []);
    assert.deepEqual(ids('EMAIL_PORT=465\nEMAIL_USE_TLS=False\nEMAIL_USE_SSL=True\n'), []);
    assert.deepEqual(ids('SMTP_PORT=465\nSMTP_STARTTLS=false\n'), []);
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
    const e = parseDotenv('A=1\r\nexport B=\'two words\' # c\nC="x\\ny"\n# D=4\nbad line\nE=five # six\n');
    assert.deepEqual(
      e.map((x) => [x.key, x.value]),
      [
        ['A', '1'],
        ['B', 'two words'],
        ['C', 'x\ny'],
        ['E', 'five'],
      ],
    );
    assert.deepEqual(e[1].valueRange, { start: { line: 1, character: 10 }, end: { line: 1, character: 19 } });
  });

  describe('dotenv.invalid-host', () => {
    it('a mail host variable whose value is no host name, at the value', () => {
      const text = '# mail\nSMTP_HOST=smtp.example.com:587\nIMAP_SERVER="imap example.com"\nMAIL_HOST=mäil.example.com\n';
      const fs = lintDotenv('/ws/.env', text);
      assert.deepEqual(
        fs.map((f) => [f.id, f.range?.start.line]),
        [
          ['dotenv.invalid-host', 1],
          ['dotenv.invalid-host', 2],
          ['dotenv.invalid-host', 3],
        ],
      );
      assert.match(fs[0].title, /^SMTP_HOST="smtp\.example\.com:587" is not a valid host name: it includes a port/);
      assert.deepEqual(fs[1].range, { start: { line: 2, character: 13 }, end: { line: 2, character: 29 } });
      assert.match(fs[2].title, /non-ASCII/);
    });
    it('the host of a mail URL in any variable, narrowed to the host, with user and password never shown', () => {
      const text = 'MAIL_URL=smtps://me%40x.com:Hunter2:Pw@smtp example.com:465\nexport IMAP_URI="imaps://me:Hunter2@mail\\nQUIT:993"\n';
      const fs = lintDotenv('/ws/.env', text);
      assert.deepEqual(
        fs.map((f) => f.id),
        ['dotenv.invalid-host', 'dotenv.invalid-host'],
      );
      assert.deepEqual(fs[0].range, { start: { line: 0, character: 39 }, end: { line: 0, character: 55 } });
      assert.match(fs[0].title, /MAIL_URL \("smtp example\.com"\).*white space/);
      assert.match(fs[1].title, /"mail\\nQUIT".*contains LF/);
      const json = JSON.stringify(fs);
      assert.ok(!json.includes('Hunter2') && !json.includes('me%40') && !json.includes('://me'), json);
    });
    it('stays quiet on good names, placeholders, interpolation and other variables', () => {
      assert.deepEqual(ids('SMTP_HOST=smtp.example.com\nMAIL_URL=smtp://u:p@[2001:db8::1]:587\nSMTP_SERVER=192.0.2.1\n'), []);
      assert.deepEqual(ids('SMTP_HOST=\nMAIL_URL=smtp://${SMTP_HOST}:587\nREDIS_HOST=redis host\nAPP_URL=https://bad host/\n'), []);
    });
    it('hides the value of a secret-looking host variable', () => {
      const [f] = lintDotenv('/ws/.env', 'SMTP_AUTH_HOST=tok en-xyz987\n');
      assert.equal(f.id, 'dotenv.invalid-host');
      assert.ok(!JSON.stringify(f).includes('xyz987'));
    });
  });

  it('counts a lone CR as a line break, as dotenv and the editor do', () => {
    const text = '# mail\rSMTP_HOST=smtp.example.com\rSMTP_PORT=587\r\nexport SMTP_SECURE="true"\rSMTP_PASS=s3cr3t-value\r';
    const [f] = lintDotenv('/ws/.env', text);
    assert.equal(f.id, 'dotenv.secure-on-starttls-port');
    assert.deepEqual(f.range, { start: { line: 3, character: 20 }, end: { line: 3, character: 24 } });
    assert.deepEqual(f.related?.[0].range, { start: { line: 2, character: 10 }, end: { line: 2, character: 13 } });
    assert.deepEqual(lintDotenv('/ws/.env', applyEdits(text, f.edits ?? [])), []);
    assert.deepEqual(
      parseDotenv('A=1\rB=2').map((e) => [e.key, e.value, e.line]),
      [
        ['A', '1', 0],
        ['B', '2', 1],
      ],
    );
  });

  it('any input: findings or nothing, never an exception', () => {
    for (const t of ['', '\u0000\u0001=\n', '='.repeat(100000), 'A'.repeat(50000) + '=1', '\n'.repeat(50000)]) {
      assert.ok(Array.isArray(lintDotenv('/ws/.env', t)));
    }
  });
});
