import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding } from '../../../../../src/core/finding';
import { applyEdits } from '../../../../support/applyEdits';
import { lintNodemailer } from '../../../../../src/core/lint/nodemailer';
import type { LintHost, LintResult } from '../../../../../src/core/lint/types';

const ROOT = path.join(path.sep, 'ws');

function hostWith(files: Record<string, string>): LintHost {
  return { readFile: (p) => files[p], workspaceRoot: ROOT };
}

/** The same options in a CommonJS .js file and in an ES-module .ts file that binds them to a typed variable first. */
function variants(options: string): Array<[string, string]> {
  return [
    ['mail.js', `const nodemailer = require('nodemailer');\nconst transporter = nodemailer.createTransport(${options});\nmodule.exports = transporter;\n`],
    [
      'mail.ts',
      `import { createTransport } from 'nodemailer';\nimport type SMTPTransport from 'nodemailer/lib/smtp-transport';\nconst options: SMTPTransport.Options = ${options};\nexport const transporter = createTransport(options);\n`,
    ],
  ];
}

function lint(file: string, code: string, env: Record<string, string> = {}): LintResult {
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(env)) files[path.join(ROOT, name)] = text;
  return lintNodemailer(path.join(ROOT, file), code, hostWith(files));
}

const ids = (r: LintResult): string[] => r.findings.map((f) => f.id);

interface Case {
  rule: string;
  trigger: string;
  nearMiss: string;
  env?: Record<string, string>;
}

const CASES: Case[] = [
  {
    rule: 'nodemailer.secure-on-starttls-port',
    trigger: `{ host: 'smtp.example.com', port: 587, secure: true }`,
    nearMiss: `{ host: 'smtp.example.com', port: 465, secure: true }`,
  },
  {
    rule: 'nodemailer.secure-on-starttls-port',
    trigger: `{ host: process.env.SMTP_HOST, port: Number(process.env.SMTP_PORT), secure: process.env.SMTP_SECURE === 'true' }`,
    nearMiss: `{ host: process.env.SMTP_HOST, port: Number(process.env.SMTP_PORT), secure: process.env.SMTP_SECURE !== 'true' }`,
    env: { '.env': 'SMTP_HOST=smtp.example.com\nSMTP_PORT=587\nSMTP_SECURE=true\n' },
  },
  {
    rule: 'nodemailer.secure-on-starttls-port',
    // The string "false" is truthy: nodemailer does no conversion.
    trigger: `{ host: 'smtp.example.com', port: parseInt(process.env.SMTP_PORT || '465', 10), secure: process.env.SMTP_SECURE }`,
    nearMiss: `{ host: 'smtp.example.com', port: parseInt(process.env.SMTP_PORT || '465', 10), secure: process.env.SMTP_SECURE === 'true' }`,
    env: { '.env.local': 'SMTP_PORT=2525\nSMTP_SECURE=false\n' },
  },
  {
    rule: 'nodemailer.plaintext-on-implicit-port',
    trigger: `{ host: 'smtp.example.com', port: 465, secure: false }`,
    nearMiss: `{ host: 'smtp.example.com', port: 465 }`,
  },
  {
    rule: 'nodemailer.plaintext-on-implicit-port',
    trigger: `{ host: 'smtp.example.com', port: +(process.env.MAIL_PORT ?? 587), secure: process.env.MAIL_SECURE === 'true' }`,
    nearMiss: `{ host: 'smtp.example.com', port: +(process.env.MAIL_PORT ?? 587), secure: process.env.MAIL_SECURE !== 'true' }`,
    env: { '.env.production': 'MAIL_PORT=465\nMAIL_SECURE=no\n' },
  },
  {
    rule: 'nodemailer.legacy-tls-version',
    trigger: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { minVersion: 'TLSv1' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { minVersion: 'TLSv1.2' } }`,
  },
  {
    rule: 'nodemailer.legacy-tls-version',
    trigger: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { secureProtocol: 'TLSv1_method' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { secureProtocol: 'TLS_method' } }`,
  },
  {
    rule: 'nodemailer.legacy-tls-version',
    trigger: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { maxVersion: 'TLSv1.1' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { maxVersion: 'TLSv1.3' } }`,
  },
  {
    rule: 'nodemailer.sslv3-cipher',
    trigger: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { ciphers: 'SSLv3' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 587, requireTLS: true, tls: { ciphers: 'HIGH:!aNULL' } }`,
  },
  {
    rule: 'nodemailer.sslv3-cipher',
    trigger: `{ host: 'smtp.example.com', port: 465, tls: { ciphers: 'HIGH:SSLv3' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 465, tls: { ciphers: 'HIGH' } }`,
  },
  {
    rule: 'nodemailer.tls-verification-disabled',
    trigger: `{ host: 'smtp.example.com', port: 465, tls: { rejectUnauthorized: process.env.SMTP_VERIFY === 'true' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 465, tls: { rejectUnauthorized: process.env.SMTP_VERIFY === 'false' } }`,
    env: { '.env': 'SMTP_VERIFY=false\n' },
  },
  {
    rule: 'nodemailer.ignore-tls',
    trigger: `{ host: 'smtp.example.com', port: 587, ignoreTLS: true, auth: { user: 'me', pass: 'x' } }`,
    nearMiss: `{ host: 'smtp.example.com', port: 587, ignoreTLS: false, requireTLS: true, auth: { user: 'me', pass: 'x' } }`,
  },
  {
    rule: 'nodemailer.starttls-not-required',
    trigger: `{ host: 'smtp.example.com', port: 587 }`,
    nearMiss: `{ host: 'smtp.example.com', port: 587, requireTLS: true }`,
  },
  { rule: 'nodemailer.service-overridden', trigger: `{ service: 'gmail', port: 587 }`, nearMiss: `{ service: 'gmail', port: 465 }` },
  {
    rule: 'nodemailer.obsolete-option',
    trigger: `{ host: 'smtp.example.com', port: 465, secureConnection: true }`,
    nearMiss: `{ host: 'smtp.example.com', port: 465, secure: true }`,
  },
];

describe('nodemailer rules', () => {
  for (const c of CASES) {
    for (const [file, code] of variants(c.trigger)) {
      it(`${c.rule} fires: ${file} ${c.trigger}${c.env ? ' (.env)' : ''}`, () => {
        const r = lint(file, code, c.env);
        const f = r.findings.find((x) => x.id === c.rule);
        assert.ok(f, `expected ${c.rule}, got ${JSON.stringify(ids(r))}`);
        assert.equal(f.file, path.join(ROOT, file));
        assert.ok(f.range, 'a lint finding has a range');
        if (c.env) {
          assert.ok(
            f.related?.some((rel) => rel.file.startsWith(ROOT) && path.basename(rel.file).startsWith('.env')),
            'the .env line is reported too',
          );
        }
        if (f.edits?.length) {
          const fixed = applyEdits(code, f.edits);
          const after = lint(file, fixed, c.env);
          assert.ok(
            after.findings.filter((x) => x.id === c.rule).length < r.findings.filter((x) => x.id === c.rule).length,
            `edit "${f.editTitle}" removes the finding:\n${fixed}`,
          );
        }
      });
    }
    for (const [file, code] of variants(c.nearMiss)) {
      it(`${c.rule} stays quiet: ${file} ${c.nearMiss}`, () => {
        const r = lint(file, code, c.env);
        assert.ok(
          !ids(r).includes(c.rule),
          JSON.stringify(
            r.findings.filter((x) => x.id === c.rule),
            null,
            1,
          ),
        );
      });
    }
  }

  it('the secure flip edit is mechanical: secure: true -> false on 587', () => {
    const [, code] = variants(`{ host: 'smtp.example.com', port: 587, secure: true }`)[0];
    const f = lint('mail.js', code).findings.find((x) => x.id === 'nodemailer.secure-on-starttls-port') as Finding;
    assert.equal(applyEdits(code, f.edits ?? []), code.replace('secure: true', 'secure: false'));
  });

  it('removes ciphers: SSLv3 with its line', () => {
    const code = `const t = nodemailer.createTransport({\n  host: 'smtp.example.com',\n  port: 465,\n  tls: {\n    ciphers: 'SSLv3',\n    servername: 'smtp.example.com',\n  },\n});\n`;
    const f = lint('m.js', code).findings.find((x) => x.id === 'nodemailer.sslv3-cipher') as Finding;
    assert.equal(applyEdits(code, f.edits ?? []), code.replace("    ciphers: 'SSLv3',\n", ''));
  });

  it('understands smtp:// and smtps:// URLs without ever echoing them', () => {
    const code = `const t = require('nodemailer').createTransport('smtps://user:S3cretPw@smtp.example.com:587');\nconst u = nodemailer.createTransport({ url: process.env.SMTP_URL });\n`;
    const r = lint('m.js', code, { '.env': 'SMTP_URL=smtp://me:Env5ecret@mail.example.org:465\n' });
    assert.deepEqual(ids(r).sort(), ['nodemailer.plaintext-on-implicit-port', 'nodemailer.secure-on-starttls-port']);
    const json = JSON.stringify(r);
    assert.ok(!json.includes('S3cretPw') && !json.includes('Env5ecret') && !json.includes('user:') && !json.includes('me:'), json);
    assert.deepEqual(
      r.endpoints.map((e) => [e.endpoint.host, e.endpoint.port, e.endpoint.mode]),
      [
        ['smtp.example.com', 587, 'implicit'],
        ['mail.example.org', 465, 'starttls'],
      ],
    );
  });

  it('never shows passwords or tokens from code or .env', () => {
    const code = `const t = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 25, secure: true, ignoreTLS: true,\n  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASSWORD || 'CodePw-123' }, tls: { rejectUnauthorized: false } });`;
    const r = lint('m.ts', code, { '.env': 'SMTP_HOST=mx.example.net\nSMTP_USER=alice@example.net\nSMTP_PASSWORD=EnvPw-456\nAPI_TOKEN=tok-789\n' });
    assert.ok(r.findings.length >= 2);
    const json = JSON.stringify(r);
    for (const secret of ['CodePw-123', 'EnvPw-456', 'tok-789', 'alice@example.net']) assert.ok(!json.includes(secret), secret);
  });

  it('hides a value fed by a secret-looking variable even where a rule quotes values', () => {
    const code = `nodemailer.createTransport({ host: 'smtp.example.com', port: 587, secure: process.env.MAIL_TOKEN, service: process.env.SMTP_AUTH_SERVICE });`;
    const r = lint('m.js', code, { '.env': 'MAIL_TOKEN=tok-xyz-987\nSMTP_AUTH_SERVICE=svc-secret-654\n' });
    assert.deepEqual(ids(r).sort(), ['nodemailer.secure-on-starttls-port', 'nodemailer.unknown-service']);
    const json = JSON.stringify(r);
    assert.ok(!json.includes('tok-xyz-987') && !json.includes('svc-secret-654'), json);
  });

  it("returns the endpoint: well-known services resolve to nodemailer's own values", () => {
    const code = `const a = nodemailer.createTransport({ service: 'Gmail', auth: {} });\nconst b = nodemailer.createTransport({ service: 'Outlook365' });\nconst c = nodemailer.createTransport({ host: 'mail.example.org', port: 2525, requireTLS: true, tls: { servername: 'smtp.example.org' } });\nconst d = nodemailer.createTransport({ host: 'mail.example.org' });\n`;
    const r = lint('m.js', code);
    assert.deepEqual(
      r.endpoints.map((e) => [e.endpoint.host, e.endpoint.port, e.endpoint.protocol, e.endpoint.mode, e.endpoint.servername]),
      [
        ['smtp.gmail.com', 465, 'smtp', 'implicit', undefined],
        ['smtp.office365.com', 587, 'smtp', 'starttls', undefined],
        ['mail.example.org', 2525, 'smtp', 'starttls', 'smtp.example.org'],
        ['mail.example.org', 587, 'smtp', 'starttls', undefined],
      ],
    );
  });

  it('flags a service name nodemailer does not know (it would connect to localhost)', () => {
    const r = lint('m.js', `nodemailer.createTransport({ service: 'Office365', auth: { user: 'a', pass: 'b' } });`);
    assert.ok(ids(r).includes('nodemailer.unknown-service'));
  });

  it('follows spreads, shorthand properties and destructured env', () => {
    const code = `const { SMTP_PORT } = process.env;\nconst port = Number(SMTP_PORT);\nconst base = { host: 'smtp.example.com', secure: true };\nexport default createTransport({ ...base, port });\nimport { createTransport } from 'nodemailer';\n`;
    const r = lint('m.ts', code, { '.env': 'SMTP_PORT=587\n' });
    assert.ok(ids(r).includes('nodemailer.secure-on-starttls-port'), JSON.stringify(ids(r)));
  });

  it('takes .env from the workspace root when the folder has none', () => {
    const files = { [path.join(ROOT, '.env')]: 'SMTP_PORT=465\n' };
    const r = lintNodemailer(
      path.join(ROOT, 'src', 'mail', 'm.js'),
      `nodemailer.createTransport({ host: 'h.example', port: process.env.SMTP_PORT, secure: false });`,
      hostWith(files),
    );
    const f = r.findings.find((x) => x.id === 'nodemailer.plaintext-on-implicit-port');
    assert.ok(f);
    assert.equal(f.related?.[0].file, path.join(ROOT, '.env'));
    assert.deepEqual(f.related?.[0].range, { start: { line: 0, character: 10 }, end: { line: 0, character: 13 } });
  });

  it('stays quiet on values it cannot resolve', () => {
    const r = lint('m.js', `nodemailer.createTransport({ host: cfg.host, port: cfg.port, secure: cfg.secure, requireTLS: true });`);
    assert.deepEqual(ids(r), []);
  });

  describe('half-typed files still lint', () => {
    const cases: Array<[string, string, string]> = [
      [
        'an object still open at the end',
        `import nodemailer from 'nodemailer';\nconst t = nodemailer.createTransport({\n  host: 'smtp.example.com',\n  port: 587,\n  secure: true,\n  auth: { user: 'me', pa`,
        'nodemailer.secure-on-starttls-port',
      ],
      [
        'an unterminated string mid-file',
        `const t = nodemailer.createTransport({\n  host: 'smtp.example.com,\n  port: 465,\n  secure: false,\n});\nfunction later() { return 1; }\n`,
        'nodemailer.plaintext-on-implicit-port',
      ],
      [
        'a missing comma',
        `const t = nodemailer.createTransport({\n  host: 'smtp.example.com'\n  port: 587\n  secure: true\n});\n`,
        'nodemailer.secure-on-starttls-port',
      ],
      ['a dangling value', `const t = nodemailer.createTransport({\n  secure: true,\n  port: 25,\n  host: process.env.`, 'nodemailer.secure-on-starttls-port'],
      [
        'garbage after the transport',
        `const t = nodemailer.createTransport({ port: 465, secure: false });\nclass X { foo(: ) => }} ]] ((\n`,
        'nodemailer.plaintext-on-implicit-port',
      ],
    ];
    for (const [name, code, rule] of cases) {
      for (const file of ['m.js', 'm.ts', 'm.tsx']) {
        it(`${name} (${file})`, () => {
          const r = lint(file, code);
          assert.ok(ids(r).includes(rule), JSON.stringify(ids(r)));
        });
      }
    }
  });

  describe('quick fixes next to damaged text', () => {
    it('adds requireTLS: true to an intact object even when the file is damaged elsewhere', () => {
      for (const tail of [`class X { foo(: ) => }} ]] ((\n`, `const s = 'unterminated\n`, `function later() {\n  return (\n`]) {
        const code = `const t = nodemailer.createTransport({\n  host: 'smtp.example.com',\n  port: 587,\n});\n${tail}`;
        const f = lint('m.js', code).findings.find((x) => x.id === 'nodemailer.starttls-not-required');
        assert.equal(f?.editTitle, 'Add requireTLS: true', tail);
        const fixed = applyEdits(code, f.edits ?? []);
        assert.equal(fixed, code.replace('port: 587,\n', 'port: 587,\n  requireTLS: true,\n'));
        assert.ok(!ids(lint('m.js', fixed)).includes('nodemailer.starttls-not-required'), tail);
      }
    });
    it('adds nothing to an object the parser had to repair (a file that ends at host: process.)', () => {
      for (const code of [
        `const t = nodemailer.createTransport({\n  port: 587,\n  secure: false,\n  host: process.`,
        `const t = nodemailer.createTransport({\n  host: 'smtp.example.com',\n  port: 587,\n  auth: { user: 'me', pass: 'unterminated\n});\n`,
        `const t = nodemailer.createTransport({ host: 'smtp.example.com', port: 587, secure: false x });\n`,
      ]) {
        for (const file of ['m.js', 'm.ts']) {
          const f = lint(file, code).findings.find((x) => x.id === 'nodemailer.starttls-not-required');
          assert.ok(f, `${file}: ${code}`);
          assert.equal(f.edits, undefined, `${file}: ${code}`);
        }
      }
    });
  });

  describe('nodemailer.invalid-host', () => {
    it('reports a host, EHLO name or tls.servername that is no host name, at its value, and discovers no endpoint', () => {
      const code = `const t = nodemailer.createTransport({\n  host: "smtp.example.com\\r\\nQUIT",\n  port: 587,\n  requireTLS: true,\n  name: 'my laptop',\n  tls: { servername: 'mäil.example.com' },\n});\n`;
      const r = lint('m.js', code);
      const fs = r.findings.filter((f) => f.id === 'nodemailer.invalid-host');
      assert.deepEqual(
        fs.map((f) => f.range?.start.line),
        [1, 4, 5],
      );
      assert.match(fs[0].title, /^host "smtp\.example\.com\\r\\nQUIT" is not a valid host name: the host name contains CR\.$/);
      assert.match(fs[1].title, /^name \(the EHLO name\) "my laptop" .*white space/);
      assert.match(fs[2].title, /^tls\.servername .*non-ASCII/);
      for (const f of fs) assert.doesNotMatch(JSON.stringify(f), /\\r\\n|\\u0000|\r|\n/);
      assert.deepEqual(r.endpoints, []);
      assert.deepEqual(
        ids(lint('m.js', `nodemailer.createTransport({ host: 'smtp.example.com', port: 465, name: 'mx1.example.com', tls: { servername: '192.0.2.1' } });`)),
        [],
      );
    });
    it('says so for a host with a port, and for a name from .env, pointing at the .env line', () => {
      const r = lint('m.js', `nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 465 });`, { '.env': 'SMTP_HOST=smtp.example.com:465\n' });
      const f = r.findings.find((x) => x.id === 'nodemailer.invalid-host');
      assert.match(f?.title ?? '', /"smtp\.example\.com:465" \(from SMTP_HOST\).*includes a port/);
      assert.deepEqual(f?.related?.[0].range, { start: { line: 0, character: 10 }, end: { line: 0, character: 30 } });
      assert.deepEqual(r.endpoints, []);
    });
    it('reads the host of a connection URL as written, and never shows the user info', () => {
      for (const [url, reason] of [
        ['smtps://user:S3cretPw@mail example.com:465', /white space/],
        ['smtps://user:S3cret:Pw@mäil.example.com:465', /non-ASCII/],
        ['smtp://user:S3cret@Pw@mail\\texample.com:587/?pool=true', /control character 0x09/],
      ] as const) {
        const r = lint('m.js', `nodemailer.createTransport(${JSON.stringify(url).replace(/\\\\/g, '\\')});`);
        const f = r.findings.find((x) => x.id === 'nodemailer.invalid-host');
        assert.ok(f, url);
        assert.match(f.title, reason);
        assert.match(f.title, /from the connection URL/);
        const json = JSON.stringify(r);
        assert.ok(!json.includes('S3cret') && !json.includes('user'), json);
        assert.deepEqual(r.endpoints, [], url);
      }
    });
    it('hides a bad name that comes from a secret-looking variable', () => {
      const r = lint('m.js', `nodemailer.createTransport({ host: 'smtp.example.com', port: 465, name: process.env.SMTP_AUTH_NAME });`, {
        '.env': 'SMTP_AUTH_NAME=tok en-xyz987\n',
      });
      const f = r.findings.find((x) => x.id === 'nodemailer.invalid-host');
      assert.match(f?.title ?? '', /\(hidden\)/);
      assert.ok(!JSON.stringify(r).includes('xyz987'));
    });
  });

  it('starttls-not-required under a known service: the evidence says which options the service overrides, the finding sits on the service', () => {
    // nodemailer's smtp-transport: shared.assign(options, urlData, wellKnown(service)): the service's host/port/secure win.
    const code = `const nodemailer = require('nodemailer');\nconst t = nodemailer.createTransport({\n  service: 'Outlook365',\n  secure: true,\n  port: 465,\n});\n`;
    const f = lint('m.js', code).findings.find((x) => x.id === 'nodemailer.starttls-not-required') as Finding;
    assert.ok(f);
    assert.match(f.title, /^Port 587 /);
    assert.deepEqual(f.evidence, [
      "port: 465 (ignored: service 'Outlook365' sets port: 587)",
      "secure: true (ignored: service 'Outlook365' sets secure: false)",
      'service: "Outlook365" (sets host: "smtp.office365.com", port: 587, secure: false)',
    ]);
    assert.ok(!f.evidence!.includes('secure: true'));
    assert.equal(f.range?.start.line, 2);
    assert.equal(applyEdits(code, f.edits ?? []), code.replace("service: 'Outlook365',\n", "service: 'Outlook365',\n  requireTLS: true,\n"));
    // A service that leaves secure alone (SendGrid): the user's secure decides and is shown as it is.
    const sg = lint('m.js', `nodemailer.createTransport({ service: 'SendGrid', secure: true });\n`).findings;
    const sec = sg.find((x) => x.id === 'nodemailer.secure-on-starttls-port') as Finding;
    assert.ok(sec.evidence?.includes('secure: true'), JSON.stringify(sec.evidence));
  });

  it('ranges land on the line the editor shows in files with lone CR line breaks', () => {
    const code = `const nodemailer = require('nodemailer');\r// a comment\rconst t = nodemailer.createTransport({\r  host: 'smtp.example.com',\r  port: 587,\r  secure: true,\r});\r`;
    const r = lint('m.js', code);
    const f = r.findings.find((x) => x.id === 'nodemailer.secure-on-starttls-port') as Finding;
    assert.deepEqual(f.range, { start: { line: 5, character: 10 }, end: { line: 5, character: 14 } });
    assert.deepEqual(r.endpoints[0].range, { start: { line: 3, character: 8 }, end: { line: 3, character: 26 } });
    assert.equal(applyEdits(code, f.edits ?? []), code.replace('secure: true', 'secure: false'));
    const plain = code.replace('  secure: true,\r', '');
    const add = lint('m.js', plain).findings.find((x) => x.id === 'nodemailer.starttls-not-required') as Finding;
    assert.equal(applyEdits(plain, add.edits ?? []), plain.replace('port: 587,\r', 'port: 587,\r  requireTLS: true,\r'));
    const rm = `nodemailer.createTransport({\r  host: 'smtp.example.com',\r  port: 465,\r  tls: {\r    ciphers: 'SSLv3',\r  },\r});\r`;
    const c = lint('m.js', rm).findings.find((x) => x.id === 'nodemailer.sslv3-cipher') as Finding;
    assert.equal(applyEdits(rm, c.edits ?? []), rm.replace("    ciphers: 'SSLv3',\r", ''));
  });

  it('ignores files without createTransport, bundles and vendored code cheaply', () => {
    assert.deepEqual(lint('m.js', 'const x = 1;').findings, []);
    const { nodemailerLinter } = require('../../../../../src/core/lint/nodemailer') as typeof import('../../../../../src/core/lint/nodemailer');
    assert.equal(nodemailerLinter.matches('/ws/node_modules/x/index.js', 'createTransport'), false);
    assert.equal(nodemailerLinter.matches('/ws/src/a.mjs', 'nodemailer.createTransport({})'), true);
    assert.equal(nodemailerLinter.matches('/ws/src/a.py', 'createTransport'), false);
  });
});

describe('nodemailer.service-overridden: keeping your own option leaves a transport that connects', () => {
  const overridden = (options: string) =>
    lint('mail.js', `const nodemailer = require('nodemailer');\nnodemailer.createTransport(${options});\n`).findings.filter(
      (f) => f.id === 'nodemailer.service-overridden',
    );
  it('secure: true with port 587 under a service: keeping port 587 also needs secure: false', () => {
    const port = overridden(`{ service: 'gmail', host: 'smtp.gmail.com', secure: true, port: 587 }`).find((f) => /^port/.test(f.title));
    assert.match(port?.fix ?? '', /To keep your own port, remove service and set secure: false \(port 587 upgrades with STARTTLS\); otherwise remove port\./);
  });
  it('secure: false with port 465: keeping secure: false also needs port 587', () => {
    const secure = overridden(`{ service: 'gmail', secure: false, port: 465 }`).find((f) => /^secure/.test(f.title));
    // No host of its own: without the service the transport would connect to localhost.
    assert.match(secure?.fix ?? '', /remove service, set host: 'smtp\.gmail\.com' and use port 587/);
  });
  it('a consistent pair needs nothing more', () => {
    const found = overridden(`{ service: 'gmail', host: 'smtp.gmail.com', secure: false, port: 587 }`);
    assert.equal(found.length, 2);
    for (const f of found) assert.match(f.fix, /To keep your own (port|secure), remove service; otherwise remove (port|secure)\./);
  });
});

describe('a transport over loopback has no network path to protect', () => {
  // Sending to the local MTA (Postfix on localhost:25 with its snake-oil certificate, a MailDev on 1025) is common:
  // nothing crosses a network, so no one can read the clear text or sit in the middle of the TLS.
  const PATH_RULES = ['nodemailer.ignore-tls', 'nodemailer.tls-verification-disabled', 'nodemailer.starttls-not-required'];
  const pathFindings = (options: string, env?: Record<string, string>) =>
    lint('mail.js', `const nodemailer = require('nodemailer');\nnodemailer.createTransport(${options});\n`, env).findings.filter((f) =>
      PATH_RULES.includes(f.id),
    );
  for (const options of [
    `{ host: 'localhost', port: 25, ignoreTLS: true, auth: { user: 'app', pass: process.env.P } }`,
    `{ host: '127.0.0.1', port: 1025, ignoreTLS: true }`,
    `{ host: '::1', port: 587, tls: { rejectUnauthorized: false } }`,
    `{ host: 'LOCALHOST.', port: 587 }`,
    `{ port: 1025, ignoreTLS: true }`,
    `{ service: 'Maildev', ignoreTLS: true }`,
    `'smtp://127.0.0.2:25/?ignoreTLS=true'`,
  ]) {
    it(`quiet: ${options}`, () => assert.deepEqual(pathFindings(options), []));
  }
  it('quiet when .env names the loopback host', () => {
    assert.deepEqual(pathFindings(`{ host: process.env.SMTP_HOST, port: 25, ignoreTLS: true }`, { '.env': 'SMTP_HOST=localhost\n' }), []);
  });
  for (const options of [
    // localhost is only a fallback here: the real host comes from an environment this workspace does not show.
    `{ host: process.env.SMTP_HOST || 'localhost', port: 25, ignoreTLS: true }`,
    `{ host: 'localhost.example.com', port: 25, ignoreTLS: true }`,
    `{ host: '127.example.com', port: 465, tls: { rejectUnauthorized: false } }`,
    `{ host: 'mail-catcher', port: 1025, ignoreTLS: true }`,
    `{ ...base, port: 25, ignoreTLS: true }`,
  ]) {
    it(`still reported: ${options}`, () => assert.equal(pathFindings(options).length, 1));
  }
});
