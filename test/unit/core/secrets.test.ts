/**
 * Passwords and tokens in configs never come out: configs of every format are filled with unique random secrets
 * (in the places people really put them, including the wrong ones: credentials inside a relayhost, a password in
 * a comment, a typo'd parameter name), then every output is searched for them: lint results and JSON, the CLI
 * (human and --json), explanations, probe results and transcripts (returned and streamed), what the server
 * received, and the Markdown report. Each secret is checked whole and in fragments, raw, URL-encoded and base64.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { explainError } from '../../../src/core/explain';
import { lintText, type LintHost } from '../../../src/core/lint';
import { ConnectionLimiter, probeEndpoint, type ProbeResult, type TranscriptLine } from '../../../src/core/probe';
import { renderMarkdownReport } from '../../../src/core/report/markdown';
import { isSecretName, maskExcerpt } from '../../../src/core/secrets';
import * as lab from '../../support/hostile';
import { startHostile, type HostileServer } from '../../support/hostile';
import { captureIO } from '../../support/cli';
import { diskLintHost } from '../../support/lintHost';

/** A secret whose two random halves are each checked: a partial leak (up to an `@` or `/`) still shows. */
interface Secret {
  value: string;
  parts: string[];
}

const secrets: Secret[] = [];
function secret(shape: (a: string, b: string) => string): string {
  const a = randomBytes(6).toString('hex');
  const b = randomBytes(6).toString('hex');
  const value = shape(a, b);
  secrets.push({ value, parts: [a, b] });
  return value;
}

/** Every form a leaked secret could take in output. */
function forbidden(): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    for (const p of s.parts) out.add(p);
    out.add(encodeURIComponent(s.value));
    out.add(Buffer.from(s.value).toString('base64'));
    out.add(Buffer.from(`\u0000mailer\u0000${s.value}`).toString('base64'));
  }
  return [...out];
}

function assertClean(what: string, text: string): void {
  const leaked = forbidden().filter((f) => text.includes(f));
  const which = secrets.filter((s) => s.parts.some((p) => leaked.includes(p))).map((s) => JSON.stringify(s.value));
  assert.deepEqual(which, [], `${what} shows secret(s)`);
  assert.deepEqual(leaked, [], `${what} shows an encoded secret`);
}

function workspace(port: number): Record<string, string> {
  const sasl = secret((a, b) => `Pa55-${a}-${b}`);
  return {
    'etc/postfix/main.cf': [
      `relayhost = [127.0.0.1]:${port}`,
      'smtp_sasl_auth_enable = yes',
      `smtp_sasl_password_maps = static:relayuser:${sasl}`,
      'smtp_tls_security_level = may',
      `# old password: ${secret((a, b) => `${a}${b}`)}`,
      `smtp_sasl_pasword_maps = static:relayuser:${secret((a, b) => `${a}:${b}`)}`,
      `lmtp_sasl_password_maps = static:u:${secret((a, b) => `${a}!${b}`)}`,
      // The key file's path is not a secret (showing it is the point of the finding); its contents would be.
      'smtpd_tls_key_file = /nonexistent/private.pem',
      'smtp_tls_protocols = !SSLv2, !SSLv3',
      '',
    ].join('\n'),
    'etc/postfix/main.cf.d/broken/main.cf': [
      // Credentials where the host belongs: a real mistake, and a finding that quotes the relayhost.
      `relayhost = [relayuser:${secret((a, b) => `${a}@${b}`)}@smtp.example.test]:587`,
      `relayhost = relayuser:${secret((a, b) => `${a}${b}`)}@smtp.example.test:587`,
      'smtp_sasl_auth_enable = yes',
      `smtp_sasl_password_maps = static:relayuser:${secret((a, b) => `${a} ${b}`)}`,
      'smtp_tls_security_level = none',
      '',
    ].join('\n'),
    'etc/postfix/master.cf': [
      'submission inet n - y - - smtpd',
      '  -o smtpd_tls_security_level=none',
      `  -o smtp_sasl_password_maps=static:u:${secret((a, b) => `${a}${b}`)}`,
      'relay unix - - n - - smtp',
      `  -o relayhost=[u:${secret((a, b) => `${a}${b}`)}@relay.example.test]:587`,
      '  -o smtp_tls_security_level=none',
      '',
    ].join('\n'),
    '.env': [
      'SMTP_HOST=127.0.0.1',
      `SMTP_PORT=${port}`,
      'SMTP_SECURE=false',
      'SMTP_USER=mailer',
      `SMTP_PASS=${secret((a, b) => `${a}/${b}`)}`,
      `SMTP_PASSWORD="${secret((a, b) => `${a} # ${b}`)}"`,
      `MAIL_URL=smtps://mailer:${secret((a, b) => `${a}${b}`)}@127.0.0.1:${port}`,
      `SENDGRID_API_KEY=SG.${secret((a, b) => `${a}.${b}`)}`,
      `SMTP_TOKEN='${secret((a, b) => `${a}${b}`)}'`,
      'NODE_TLS_REJECT_UNAUTHORIZED=0',
      `DATABASE_URL=postgres://db:${secret((a, b) => `${a}${b}`)}@db.example.test/app`,
      '',
    ].join('\n'),
    'src/mailer.js': [
      "const nodemailer = require('nodemailer');",
      `const a = nodemailer.createTransport({ host: '127.0.0.1', port: ${port}, secure: true, ignoreTLS: true, auth: { user: 'mailer', pass: '${secret((x, y) => `${x}${y}`)}' }, tls: { rejectUnauthorized: false } });`,
      `const b = nodemailer.createTransport('smtps://mailer:${secret((x, y) => `${x}${y}`)}@127.0.0.1:${port}');`,
      'const c = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 465, secure: false, auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS } });',
      `const d = nodemailer.createTransport({ service: 'gmail', auth: { type: 'OAuth2', user: 'x@example.test', clientId: 'id', clientSecret: '${secret((x, y) => `${x}${y}`)}', refreshToken: '${secret((x, y) => `${x}${y}`)}', accessToken: '${secret((x, y) => `${x}${y}`)}' } });`,
      `const e = nodemailer.createTransport({ host: 'smtp.example.test', port: 587, requireTLS: false, auth: { user: 'u', pass: \`${secret((x, y) => `${x}${y}`)}\` }, dkim: { domainName: 'example.test', keySelector: 's', privateKey: '${secret((x, y) => `${x}${y}`)}' } });`,
      `const f = nodemailer.createTransport({ host: 'smtp.example.test', port: 465, secure: false, auth: { user: 'u', pass: '${secret((x, y) => `${x}${y}`)}' }, tls: { minVersion: 'TLSv1' } });`,
      'module.exports = { a, b, c, d, e, f };',
      '',
    ].join('\n'),
    'src/mailer.ts': [
      "import nodemailer from 'nodemailer';",
      `const pass: string = '${secret((x, y) => `${x}${y}`)}';`,
      `export const t = nodemailer.createTransport({ host: '127.0.0.1', port: ${port}, secure: false, ignoreTLS: true, auth: { user: 'u', pass } });`,
      `export const u = nodemailer.createTransport(\`smtp://u:${secret((x, y) => `${x}${y}`)}@127.0.0.1:${port}/?requireTLS=false\`);`,
      '',
    ].join('\n'),
    // Credentials written where the host belongs: the finding must name the mistake without quoting them.
    'hostapp/.env': [`SMTP_HOST=bob:${secret((a, b) => `${a}${b}`)}@smtp.example.test`, 'SMTP_PORT=587', ''].join('\n'),
    'hostapp/mailer.js': [
      "const nodemailer = require('nodemailer');",
      `module.exports = nodemailer.createTransport({ host: 'bob:${secret((x, y) => `${x}${y}`)}@smtp.example.test', port: 587 });`,
      '',
    ].join('\n'),
    'var/log/mail.log': [
      `Nov 28 05:00:01 mx postfix/smtpd[1]: < unknown[192.0.2.7]: AUTH PLAIN ${Buffer.from(`\u0000mailer\u0000${sasl}`).toString('base64')}`,
      `Nov 28 05:00:02 mx postfix/smtp[2]: 4AB12: to=<a@b.test>, relay=relay.example.test[192.0.2.1]:587, delay=1, dsn=4.7.8, status=deferred (SASL authentication failed; server relay.example.test[192.0.2.1] said: 535 5.7.8 Error: authentication failed: ${secret((a, b) => `${a}${b}`)})`,
      'Nov 28 05:00:03 mx postfix/smtp[3]: 4AB13: to=<c@d.test>, relay=mx.example.test[192.0.2.2]:25, status=deferred (TLS is required, but was not offered by host mx.example.test[192.0.2.2])',
      `Nov 28 05:00:04 mx app[4]: Error: Invalid login: 535-5.7.8 Username and Password not accepted smtps://mailer:${secret((a, b) => `${a}${b}`)}@smtp.gmail.com:465`,
      `Nov 28 05:00:05 mx postfix/smtp[5]: 4AB14: to=<e@f.test>, relay=mx.example.test[192.0.2.2]:25, status=deferred (TLS is required, but was not offered by host mx.example.test[192.0.2.2]) maps=static:bob:${secret((a, b) => `${a}${b}`)}`,
      `Nov 28 05:00:06 mx app[6]: Error: self-signed certificate in certificate chain {"user":"bob","pass":"${secret((a, b) => `${a}${b}`)}"} Authorization: Basic ${secret((a, b) => `${a}${b}`)}`,
      '',
    ].join('\n'),
  };
}

/**
 * Credentials in the forms a key-name word list misses: a JSON key (quote before the `:`), an Authorization
 * header (scheme word first), a secret word inside a longer name, a Postfix in-line map. Each line is one the
 * explainer recognises, so its (masked) evidence line is really shown.
 */
let forms: string[] | undefined;
const credentialForms = (): string[] =>
  (forms ??= [
    `Error: self-signed certificate in certificate chain; options {"user":"bob","pass":"${secret((a, b) => `${a}${b}`)}"}`,
    `Error: Greeting never received; Authorization: Basic ${secret((a, b) => `${a}${b}`)}`,
    `Error: self-signed certificate in certificate chain; Authorization: Bearer ${secret((a, b) => `${a}.${b}`)}`,
    `Error: self-signed certificate in certificate chain; mysecret_token=${secret((a, b) => `${a}${b}`)} MAIL_API_TOKEN: '${secret((a, b) => `${a}${b}`)}'`,
    `postfix/smtp[7]: 4AB15: to=<g@h.test>, relay=mx.example.test[192.0.2.2]:25, status=deferred (TLS is required, but was not offered by host mx.example.test[192.0.2.2]) smtp_sasl_password_maps=static:bob:${secret((a, b) => `${a}${b}`)}`,
    `postfix/smtp[8]: 4AB16: to=<g@h.test>, relay=mx.example.test[192.0.2.2]:25, status=deferred (TLS is required, but was not offered by host mx.example.test[192.0.2.2]) maps=static:bob:${secret((a, b) => `${a}${b}`)}`,
  ]);

/** Error texts as users paste them, with the credentials their tools printed. */
function pastedErrors(): string[] {
  return [
    `Error: Invalid login: 535-5.7.8 Username and Password not accepted. user=mailer pass=${secret((a, b) => `${a}${b}`)}`,
    `Error: connect ECONNREFUSED 127.0.0.1:465 at smtps://mailer:${secret((a, b) => `${a}@${b}`)}@smtp.example.test:465`,
    `Error: self-signed certificate in certificate chain (transport smtp://u:${secret((a, b) => `${a}/${b}`)}@mail.example.test:587)`,
    `C: AUTH PLAIN ${Buffer.from(`\u0000mailer\u0000${secret((a, b) => `${a}${b}`)}`).toString('base64')}\nS: 535 5.7.8 Authentication credentials invalid`,
    `Error: Greeting never received; password: "${secret((a, b) => `${a} ${b}`)}" token=${secret((a, b) => `${a}${b}`)}`,
    ...credentialForms(),
  ];
}

describe('secrets never appear in output', function () {
  this.timeout(30000);
  let server: HostileServer;
  let dir: string;
  let files: Record<string, string>;
  const stats = lab.connectionStats();

  before(async () => {
    lab.healthyTls();
    server = await startHostile(lab.healthy(), { stats });
    files = workspace(server.port);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-secrets-'));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const fsHost = (): LintHost => diskLintHost(dir);

  it('the secrets really are in the files (the test would prove nothing otherwise)', () => {
    const all = Object.values(files).join('\n');
    for (const s of secrets) assert.ok(all.includes(s.parts[0]) || all.includes(Buffer.from(`\u0000mailer\u0000${s.value}`).toString('base64')), s.value);
  });

  it('lint results (findings, evidence, edits, endpoints) hold none, and the lints do find things', () => {
    let findings = 0;
    for (const rel of Object.keys(files)) {
      const file = path.join(dir, rel);
      const r = lintText(file, files[rel], fsHost());
      findings += r.findings.length;
      assertClean(`lint of ${rel}`, JSON.stringify(r));
    }
    assert.ok(findings >= 8, `only ${findings} findings: the traps near the secrets were not reached`);
  });

  it('credentials where a host belongs still give an invalid-host finding that names the mistake', () => {
    const cases: [string, string][] = [
      ['hostapp/.env', 'dotenv.invalid-host'],
      ['hostapp/mailer.js', 'nodemailer.invalid-host'],
    ];
    for (const [rel, id] of cases) {
      const found = lintText(path.join(dir, rel), files[rel], fsHost()).findings.filter((f) => f.id === id);
      assert.equal(found.length, 1, `${rel}: ${id}`);
      assert.match(found[0].title, /contains a user name and password/, found[0].title);
      assert.doesNotMatch(found[0].title, /IPv6/);
      assert.match(found[0].title, /\(hidden\)@smtp\.example\.test/, found[0].title);
    }
  });

  it('explain keeps the evidence lines that held credentials, masked', () => {
    for (const text of credentialForms()) {
      const ms = explainError(text).matches;
      assert.ok(ms.length > 0 && ms.every((m) => m.evidence.length > 0), `no explanation for: ${text.slice(0, 60)}`);
    }
  });

  it('the CLI (lint, human and --json) prints none', async () => {
    for (const argv of [
      ['lint', dir],
      ['lint', dir, '--json'],
      ['lint', ...Object.keys(files).map((f) => path.join(dir, f))],
    ]) {
      const io = captureIO();
      const code = await main(argv, io);
      assert.ok(code === 0 || code === 1, `${argv.join(' ')}: exit ${code}\n${io.stderr}`);
      assert.ok(io.stdout.length > 0);
      assertClean(`mail-tls-doctor ${argv.slice(0, 1).join(' ')}${argv.includes('--json') ? ' --json' : ''} stdout`, io.stdout);
      assertClean('stderr', io.stderr);
    }
  });

  it("explain (library and CLI, human and --json) repeats none of a pasted error's credentials", async () => {
    const texts = [...pastedErrors(), files['var/log/mail.log']];
    for (const text of texts) {
      assertClean('explainError', JSON.stringify(explainError(text)));
      for (const argv of [
        ['explain', text],
        ['explain', text, '--json'],
      ]) {
        const io = captureIO();
        await main(argv, io);
        assertClean(`mail-tls-doctor explain${argv.includes('--json') ? ' --json' : ''}`, io.stdout + io.stderr);
      }
    }
  });

  it('probing the discovered endpoints: results, transcripts (returned and streamed) and the server see none', async () => {
    const discovered = Object.keys(files).flatMap((rel) => lintText(path.join(dir, rel), files[rel], fsHost()).endpoints);
    const local = discovered.filter((d) => d.endpoint.host === '127.0.0.1' && d.endpoint.port === server.port);
    assert.ok(local.length >= 2, `endpoints found: ${discovered.map((d) => `${d.endpoint.host}:${d.endpoint.port}`).join(', ')}`);
    const streamed: TranscriptLine[] = [];
    const results: ProbeResult[] = [];
    const commandsBefore = stats.commands.length;
    for (const d of local) {
      results.push(
        ...(await probeEndpoint(
          { ...d.endpoint, servername: 'localhost' },
          { timeoutMs: 2000, limiter: new ConnectionLimiter(), onTranscript: (l) => streamed.push(l) },
        )),
      );
    }
    assert.ok(
      results.some((r) => r.tls !== null),
      'the probes reached the server',
    );
    assertClean('probe results', JSON.stringify(results));
    assertClean('streamed transcript', JSON.stringify(streamed));
    assertClean('what the server received', stats.commands.slice(commandsBefore).join('\n'));

    const report = renderMarkdownReport({
      generatedAt: new Date(),
      entries: discovered.map((d) => ({
        endpoint: d.endpoint,
        definedBy: [d.source],
        result: results.find((r) => r.endpoint.port === d.endpoint.port && r.endpoint.host === d.endpoint.host),
      })),
      lintFindings: Object.keys(files).map((rel) => ({ file: rel, findings: lintText(path.join(dir, rel), files[rel], fsHost()).findings })),
    });
    assert.ok(report.length > 500);
    assertClean('Markdown report', report);
  });
});

describe('the shared secret-name rule', () => {
  it("an OpenSSL error's function field named after a key is no setting: its reason stays readable", () => {
    for (const line of [
      'warning: TLS library problem: 9030:error:0B080074:x509 certificate routines:X509_check_private_key:key values mismatch:x509_cmp.c:330:',
      'error:0A0000B1:SSL routines:SSL_CTX_use_PrivateKey_file:no certificate assigned',
    ]) {
      assert.equal(maskExcerpt(line), line);
    }
    // A setting of the same name outside an OpenSSL error string is still masked.
    for (const line of ['private_key: hunter2', 'note error: private_key: hunter2', 'error:0B080074:lib:private_key: hunter2 and more']) {
      assert.doesNotMatch(maskExcerpt(line), /hunter2/, line);
    }
  });

  it('names that hold credentials in any format are secret; host, port and TLS switches are not', () => {
    for (const n of [
      'SMTP_PASS',
      'SMTP_PASSWORD',
      'smtp_sasl_password_maps',
      'mysecret_token',
      'Authorization',
      'Proxy-Authorization',
      'auth',
      'api-key',
      'clientSecret',
      'refreshToken',
      'privateKey',
      'pwd',
      'key',
    ]) {
      assert.ok(isSecretName(n), n);
    }
    for (const n of [
      'SMTP_HOST',
      'SMTP_PORT',
      'SMTP_SECURE',
      'smtp_sasl_auth_enable',
      'smtp_send_dummy_mail_auth',
      'keySelector',
      'smtp_tls_security_level',
      'user',
      'relayhost',
    ]) {
      assert.ok(!isSecretName(n), n);
    }
  });
});
