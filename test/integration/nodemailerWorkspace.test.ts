/**
 * The fixture workspace through the lint registry (as `mail-tls-doctor lint` and the editor call it), with the
 * real file system as host: code, its `.env`, and a broken half-typed file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintText } from '../../src/core/lint';
import { diskLintHost } from '../support/lintHost';

const APP = path.join(__dirname, '..', 'fixtures', 'nodemailer', 'app');
const host = diskLintHost(APP);
const lint = (name: string) => lintText(path.join(APP, name), fs.readFileSync(path.join(APP, name), 'utf8'), host);
const SECRET = 'fixture-password-do-not-print';

describe('nodemailer workspace fixture through the lint registry', () => {
  it('mailer.js: values from .env, reported in the code and on the .env line', () => {
    const r = lint('mailer.js');
    const ids = r.findings.map((f) => f.id).sort();
    assert.deepEqual(ids, ['nodemailer.secure-on-starttls-port', 'nodemailer.sslv3-cipher', 'nodemailer.tls-verification-disabled']);
    const f = r.findings.find((x) => x.id === 'nodemailer.secure-on-starttls-port');
    assert.deepEqual(f?.range?.start, { line: 7, character: 10 });
    assert.deepEqual(
      f?.related?.map((rel) => [path.basename(rel.file), rel.range.start.line]),
      [
        ['.env', 3],
        ['.env', 2],
      ],
    );
    assert.deepEqual(
      r.endpoints.map((e) => [e.endpoint.host, e.endpoint.port, e.endpoint.mode]),
      [['smtp.example.com', 587, 'implicit']],
    );
    assert.ok(!JSON.stringify(r).includes(SECRET));
  });

  it('.env: the same contradiction seen from the .env side, and the process-wide switch', () => {
    const r = lint('.env');
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['dotenv.secure-on-starttls-port', 'dotenv.tls-verification-disabled'],
    );
    assert.ok(!JSON.stringify(r).includes(SECRET));
  });

  it('typed.ts: destructured env and ignoreTLS with auth', () => {
    const r = lint('typed.ts');
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.severity]),
      [['nodemailer.ignore-tls', 'error']],
    );
  });

  it('legacy.mjs: a half-typed file still yields its findings', () => {
    const r = lint('legacy.mjs');
    const ids = new Set<string>(r.findings.map((f) => f.id));
    for (const id of [
      'nodemailer.service-overridden',
      'nodemailer.obsolete-option',
      'nodemailer.legacy-tls-version',
      'nodemailer.plaintext-on-implicit-port',
    ]) {
      assert.ok(ids.has(id), `${id} in ${JSON.stringify([...ids])}`);
    }
    assert.ok(!r.findings.some((f) => f.id === 'lint.internal-error'));
  });
});
