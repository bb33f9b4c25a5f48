import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { applyEdits } from '../../../../support/applyEdits';
import { lintNodemailer } from '../../../../../src/core/lint/nodemailer';
import type { LintResult } from '../../../../../src/core/lint/types';

const ROOT = path.join(path.sep, 'ws');
const lint = (code: string, file = 'mail.js'): LintResult => lintNodemailer(path.join(ROOT, file), code, { readFile: () => undefined, workspaceRoot: ROOT });
const ids = (r: LintResult) => r.findings.map((f) => f.id).sort();
const CJS = "const nodemailer = require('nodemailer');\n";
const ESM = "import nodemailer from 'nodemailer';\n";

describe('nodemailer: options completed by assignments (opts.secure = true)', () => {
  it('an assignment in the declaring block counts, also through a spread or a tls variable', () => {
    const direct = lint(
      `${CJS}const opts = { host: 'smtp.example.com', port: 587 };\nopts.secure = true;\nmodule.exports = nodemailer.createTransport(opts);\n`,
    );
    assert.deepEqual(ids(direct), ['nodemailer.secure-on-starttls-port']);
    assert.equal(direct.findings[0].range?.start.line, 2, 'on the assignment');
    assert.equal(direct.endpoints[0].endpoint.mode, 'implicit');

    const spread = lint(
      `${ESM}const opts = { host: 'smtp.example.com', port: 587 };\nopts.requireTLS = true;\nexport default nodemailer.createTransport({ ...opts });\n`,
      'mail.mjs',
    );
    assert.deepEqual(ids(spread), [], 'requireTLS is set: no starttls-not-required');

    const tls = lint(
      `${CJS}const tls = { minVersion: 'TLSv1.2' };\ntls.rejectUnauthorized = false;\nmodule.exports = nodemailer.createTransport({ host: 'smtp.example.com', port: 465, tls });\n`,
    );
    assert.deepEqual(ids(tls), ['nodemailer.tls-verification-disabled']);
    assert.equal(tls.findings[0].range?.start.line, 2);

    const nested = lint(
      `${CJS}function make() {\n  const o = { host: 'smtp.example.com', port: 465, tls: {} };\n  o.tls.ciphers = 'SSLv3';\n  return nodemailer.createTransport(o);\n}\n`,
      'mail.ts',
    );
    assert.deepEqual(ids(nested), ['nodemailer.sslv3-cipher']);
  });

  it('a quick fix on an assigned option edits or removes the statement, and the file then lints clean', () => {
    const code = `${CJS}const o = { host: 'smtp.example.com', port: 465, tls: {} };\no.tls.ciphers = 'SSLv3';\nmodule.exports = nodemailer.createTransport(o);\n`;
    const f = lint(code).findings.find((x) => x.id === 'nodemailer.sslv3-cipher');
    assert.ok(f?.edits?.length);
    const fixed = applyEdits(code, f.edits);
    assert.ok(!fixed.includes('SSLv3') && !fixed.includes(';;') && !/^\s*;\s*$/m.test(fixed), fixed);
    assert.deepEqual(ids(lint(fixed)), []);
  });

  it('no property is inserted after an assignment statement (it would not parse)', () => {
    const r = lint(`${CJS}const opts = { host: 'smtp.example.com' };\nopts.port = 587;\nmodule.exports = nodemailer.createTransport(opts);\n`);
    const f = r.findings.find((x) => x.id === 'nodemailer.starttls-not-required');
    assert.ok(f, JSON.stringify(ids(r)));
    assert.equal(f.edits, undefined);
  });

  it('options from another module: its own assignments count, and one that may not run leaves the object open', () => {
    const files: Record<string, string> = {
      [path.join(ROOT, 'config', 'mail.js')]: "const config = { host: 'smtp.example.com', port: 587 };\nconfig.secure = true;\nmodule.exports = config;\n",
      [path.join(ROOT, 'config', 'maybe.js')]:
        "const config = { host: 'smtp.example.com', port: 587 };\nif (process.env.STRICT) config.requireTLS = true;\nmodule.exports = config;\n",
    };
    const run = (spec: string) =>
      lintNodemailer(path.join(ROOT, 'mailer.js'), `${CJS}module.exports = nodemailer.createTransport(require('${spec}'));\n`, {
        readFile: (p) => files[p],
        workspaceRoot: ROOT,
      });
    assert.deepEqual(ids(run('./config/mail')), ['nodemailer.secure-on-starttls-port']);
    assert.deepEqual(ids(run('./config/maybe')), []);
  });

  it('an assignment that may not run, or runs after the call, leaves the object open (no finding about an absent option)', () => {
    for (const code of [
      `const opts = { host: 'smtp.example.com', port: 587 };\nif (process.env.STRICT) opts.requireTLS = true;\nnodemailer.createTransport({ ...opts });`,
      `const opts = { host: 'smtp.example.com', port: 587 };\nfunction strict() { opts.requireTLS = true; }\nnodemailer.createTransport({ ...opts });`,
      `const opts = { host: 'smtp.example.com', port: 587 };\nconst make = () => nodemailer.createTransport(opts);\nopts.requireTLS = true;\nmake();`,
      `const opts = { host: 'smtp.example.com', port: 587 };\nopts[process.env.KEY] = true;\nnodemailer.createTransport(opts);`,
    ]) {
      assert.deepEqual(ids(lint(CJS + code)), [], code);
    }
  });
});
