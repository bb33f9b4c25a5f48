/**
 * Real-world precision (issue 16): templates named main.cf/master.cf, local-file findings only where they can be
 * true, and the claims that were wrong on real configs. Every config here is written for these tests, after
 * patterns seen in public mail-server projects (Ansible roles, Go-templated Docker images, ERB cookbooks,
 * installer placeholders, envsubst entrypoints).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { lintNodemailer } from '../../../../src/core/lint/nodemailer';
import { conditionalLines, hasTemplateMarkup, isTemplateControlLine, templateTags } from '../../../../src/core/lint/templates';
import type { LintResult } from '../../../../src/core/lint/types';
import { assertFixes, ids, lint, only, slice } from '../../../support/postfixLint';
import { lintText } from '../../../../src/core/lint';
import { lintDotenv } from '../../../../src/core/lint/dotenv';

const JINJA_MAIN = `# managed by ansible
myhostname = {{ ansible_fqdn }}
mydomain = {{ mail_domain }}
relayhost = {{ postfix_relayhost | default('') }}
{% if postfix_tls %}
smtpd_tls_cert_file = {{ tls_cert_path }}
smtpd_tls_key_file = {{ tls_key_path }}
smtpd_tls_security_level = may
{% else %}
smtpd_tls_security_level = none
{% endif %}
mynetworks = 127.0.0.0/8 {{ extra_networks | join(' ') }}
{{- postfix_extra_settings -}}
smtp_tls_security_level = {{ smtp_level }}
message_size_limit = {{ max_size }}
`;

const GO_MAIN = `myhostname    = {{ .FQDN }}
smtpd_tls_chain_files = {{ .KEYFILE }}, {{ .FULLCHAIN }}
{{ if eq .DB "ldap" }}
virtual_alias_maps = ldap:/etc/postfix/ldap/aliases.cf
{{ else }}
virtual_alias_maps = proxy:{{ .DB }}:/etc/postfix/sql/aliases.cf
{{ end }}
virtual_uid_maps = static:{{ .VMAILUID }}
smtpd_tls_security_level = may
`;

describe('template-aware Postfix lint', () => {
  it('a Jinja main.cf: no syntax errors, duplicates, relayhost or file findings from template text; one info', () => {
    const r = lint('main.cf', JINJA_MAIN);
    assert.deepEqual(ids(r), ['postfix.template-file']);
    const f = r.findings[0];
    assert.equal(f.severity, 'info');
    assert.match(f.title, /template \(Jinja\/Go template markup\)/);
    assert.equal(f.range?.start.line, 1);
    assert.ok(f.evidence?.some((e) => e.includes('{{ ansible_fqdn }}')));
    assert.deepEqual(r.endpoints, []);
  });

  it('a Go-templated main.cf: control lines skipped, branches not duplicates, chain files never split', () => {
    const r = lint('main.cf', GO_MAIN);
    assert.deepEqual(ids(r), ['postfix.template-file']);
  });

  it('still lints the plain Postfix text of a template', () => {
    const text = `myhostname = {{ fqdn }}\nsmtpd_tls_protocols = !SSLv2, !SSLv3\nsmtpd_use_tls = yes\nsmtp_tls_security_level = may\nsmtp_tls_security_level = encrypt\n`;
    const r = lint('main.cf', text);
    assert.deepEqual(ids(r).sort(), ['postfix.deprecated-parameter', 'postfix.duplicate-parameter', 'postfix.legacy-protocols', 'postfix.template-file']);
  });

  it('an ERB master.cf: <%= %> fields are one token, no master syntax errors', () => {
    const master = `smtp      inet  n       -       y       -       -       smtpd\n<%= @submission_port %> inet n - y - - smtpd\n  -o smtpd_tls_security_level=<%= @level %>\n  -o smtpd_sasl_auth_enable=yes\n<% if @smtps %>\nsmtps     inet  n       -       y       -       -       smtpd\n  -o smtpd_tls_wrappermode=yes\n<% end %>\n`;
    // main.cf names a certificate: without one the smtps service would rightly be postfix.smtps-without-certificate.
    const r = lint('master.cf', master, {
      'main.cf': 'myhostname = mail.example.com\nsmtpd_tls_security_level = may\nsmtpd_tls_chain_files = /etc/ssl/private/mail.pem\n',
    });
    assert.deepEqual(
      ids(r).filter((i) => i !== 'postfix.mandatory-protocols-default'),
      ['postfix.template-file'],
    );
    assert.match(only(r, 'postfix.template-file').title, /master\.cf is a template \(ERB\/EJS markup\)/);
  });

  it("${VAR} substitution (envsubst) is a template; Postfix's own $EXTENSION macro and $names are not", () => {
    const r = lint('main.cf', 'relayhost = ${RELAY_HOST}:${RELAY_PORT}\nmyhostname = $MAIL_HOSTNAME\n');
    assert.deepEqual(ids(r), ['postfix.template-file']);
    assert.match(r.findings[0].title, /\$\{VAR\} substitution/);
    const plain = lint(
      'main.cf',
      'myhostname = mail.example.com\nmailbox_command = procmail -a "$EXTENSION"\nmy_relay = [smtp.example.net]:587\nrelayhost = $my_relay\n',
    );
    assert.ok(!ids(plain).includes('postfix.template-file'), JSON.stringify(ids(plain)));
    // An upper-case name the file defines itself is Postfix's own variable, not a substitution.
    assert.ok(!ids(lint('main.cf', 'RELAY = [smtp.example.net]:587\nrelayhost = ${RELAY}\n')).includes('postfix.template-file'));
  });

  it('installer placeholders (PH_SSL_KEY_FILE) are not files or hosts', () => {
    const main =
      'myhostname = PH_HOSTNAME\nsmtpd_tls_key_file = PH_SSL_KEY_FILE\nsmtpd_tls_cert_file = PH_SSL_CERT_FILE\nsmtp_tls_CAfile = PH_SSL_CA_FILE\nsmtp_tls_security_level = may\n';
    const r = lint('main.cf', main);
    assert.deepEqual(ids(r), ['postfix.template-file']);
    assert.match(r.findings[0].title, /installer placeholders/);
    const master = lint('master.cf', 'submission inet n - n - - smtpd\n  -o smtpd_tls_security_level=encrypt\n', { 'main.cf': main });
    assert.deepEqual(master.endpoints, []);
  });

  it('the template helpers stay linear and exact', () => {
    assert.ok(
      isTemplateControlLine('{% if x %}') &&
        isTemplateControlLine('  {{- end -}}  ') &&
        isTemplateControlLine('<% end %>') &&
        isTemplateControlLine('{# note #}'),
    );
    assert.ok(!isTemplateControlLine('{{ .FQDN }}') && !isTemplateControlLine('<%= @x %>') && !isTemplateControlLine('a = {% if x %}b{% endif %}'));
    assert.ok(!hasTemplateMarkup('-o { smtpd_tls_security_level = encrypt }') && !hasTemplateMarkup('${name?{a}:{b}}'));
    assert.deepEqual(conditionalLines(['a', '{% if x %}', 'b', '{% endif %}', 'c']), [false, true, true, true, false]);
    const big = '{{'.repeat(50_000) + '<%'.repeat(50_000);
    const t0 = process.hrtime.bigint();
    assert.equal(templateTags(big).length, 0);
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 2000);
  });
});

describe('local-file findings only where they can be true', () => {
  const copy =
    'myhostname = mail.example.com\nsmtpd_tls_cert_file = /etc/letsencrypt/live/mail.example.com/fullchain.pem\nsmtpd_tls_key_file = /etc/letsencrypt/live/mail.example.com/privkey.pem\nsmtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\nsmtp_tls_security_level = may\n';

  it('a copied config whose files are elsewhere: one summary, no per-line findings', () => {
    const r = lint('main.cf', copy);
    assert.deepEqual(ids(r), ['postfix.file-checks-skipped']);
    const f = r.findings[0];
    assert.equal(f.severity, 'info');
    assert.match(f.title, /^3 certificate, key or CA files named here were not checked/);
    assert.equal(f.range?.start.line, 1);
  });

  it('the live config of this machine: each missing file is reported (server cert error, CA file warning)', () => {
    const file = '/etc/postfix/main.cf';
    const r = lintText(file, copy, { readFile: (p) => (p === file ? copy : undefined) });
    const missing = r.findings.filter((f) => f.id === 'postfix.cert-file-missing');
    assert.deepEqual(
      missing.map((f) => f.severity),
      ['error', 'error', 'warning'],
    );
    assert.ok(!ids(r).includes('postfix.file-checks-skipped'));
  });

  it('a secondary instance of this machine (postmulti: /etc/postfix-NAME) is live too; a backup folder is not', () => {
    for (const file of ['/etc/postfix-out/main.cf', '/etc/postfix-in/main.cf']) {
      const r = lintText(file, copy, { readFile: (p) => (p === file ? copy : undefined) });
      assert.deepEqual(
        r.findings.filter((f) => f.id === 'postfix.cert-file-missing').map((f) => f.severity),
        ['error', 'error', 'warning'],
        file,
      );
      assert.ok(!ids(r).includes('postfix.file-checks-skipped'), file);
    }
    const backup = '/etc/postfix.orig/main.cf';
    assert.deepEqual(ids(lintText(backup, copy, { readFile: (p) => (p === backup ? copy : undefined) })), ['postfix.file-checks-skipped']);
  });

  it('a workspace that mirrors the server: the missing CA file is reported, an empty CA file is unreadable', () => {
    const mirrored = { '/ws/etc/letsencrypt/live/mail.example.com/fullchain.pem': 'x', '/ws/etc/letsencrypt/live/mail.example.com/privkey.pem': 'y' };
    const r = lint('main.cf', copy, mirrored);
    const f = only(r, 'postfix.cert-file-missing');
    assert.equal(slice(copy, f.range!), '/etc/ssl/certs/ca-certificates.crt');
    const withCa = lint('main.cf', copy, { ...mirrored, '/ws/etc/ssl/certs/ca-certificates.crt': 'no certificates here\n' });
    assert.ok(withCa.findings.some((x) => x.id === 'postfix.cert-unreadable' && x.title.includes('smtp_tls_CAfile')));
  });

  it('client certificate and CA overrides of a master.cf service are treated alike', () => {
    const master = 'relay unix - - n - - smtp\n  -o smtp_tls_cert_file=/etc/postfix/client.pem\n  -o smtp_tls_CAfile=/etc/postfix/ca.pem\n';
    const r = lint('master.cf', master, { 'main.cf': 'myhostname = mail.example.com\n' });
    assert.deepEqual(
      ids(r).filter((i) => i.includes('file')),
      ['postfix.file-checks-skipped'],
    );
    const mirrored = lint('master.cf', master, { 'main.cf': 'myhostname = mail.example.com\n', '/ws/etc/postfix/client.pem': 'x' });
    assert.equal(only(mirrored, 'postfix.cert-file-missing').severity, 'info');
  });
});

describe('claims that were wrong on real configs', () => {
  it('an unbracketed IPv4 relayhost works (Postfix falls back to the address: smtp_addr.c), info; IPv6 is an error; the edit brackets it', () => {
    const text = 'relayhost = 192.0.2.25:587\n';
    const f = only(lint('main.cf', text), 'postfix.relayhost-invalid');
    assert.equal(f.severity, 'info');
    assert.doesNotMatch(f.title, /cannot deliver/);
    assert.equal(slice(text, f.range!), '192.0.2.25');
    assert.equal(assertFixes('main.cf', text, 'postfix.relayhost-invalid'), 'relayhost = [192.0.2.25]:587\n');
    assert.ok(!ids(lint('main.cf', text)).includes('postfix.relayhost-mx-lookup'));
    assert.equal(only(lint('main.cf', 'relayhost = 2001:db8::25\n'), 'postfix.relayhost-invalid').severity, 'error');
  });
});

describe('nodemailer: starttls-not-required only where the transport is SMTP and the port is known', () => {
  const ROOT = path.join(path.sep, 'ws');
  const run = (code: string, files: Record<string, string> = {}): LintResult =>
    lintNodemailer(path.join(ROOT, 'mail.js'), code, { readFile: (p) => files[p], workspaceRoot: ROOT });
  const has = (r: LintResult, id: string) => r.findings.some((f) => f.id === id);
  const NM = "const nodemailer = require('nodemailer');\n";

  it('fires for a written port 587 and for port 26 (alternative submission port)', () => {
    assert.ok(has(run(`${NM}nodemailer.createTransport({ host: 'smtp.example.com', port: 587, secure: false });`), 'nodemailer.starttls-not-required'));
    const r = run(`${NM}nodemailer.createTransport({ host: 'mail.example.com', port: 26, secure: false });`);
    assert.match(r.findings.find((f) => f.id === 'nodemailer.starttls-not-required')?.title ?? '', /^Port 26 /);
    assert.ok(has(run(`${NM}nodemailer.createTransport({ host: 'mail.example.com', port: 26, secure: true });`), 'nodemailer.secure-on-starttls-port'));
  });

  it('does not fire on an assumed port: no port, a service from the environment, sendmail, a changed object', () => {
    for (const code of [
      `nodemailer.createTransport({ host: 'smtp.example.com', auth: { user: 'u', pass: 'p' } });`,
      `nodemailer.createTransport({ service: process.env.EMAIL_SERVICE, auth: { user: 'u', pass: 'p' } });`,
      `nodemailer.createTransport({ sendmail: true, newline: 'unix', path: '/usr/sbin/sendmail', port: 587 });`,
      `const opts = { host: 'smtp.example.com', port: 587 };\nif (process.env.SECURE) { opts.port = 465; opts.secure = true; }\nnodemailer.createTransport(opts);`,
      `const t = nodemailer.createTransport({ host: 'smtp.example.com', port: 587 });\nt.options.requireTLS = true;`,
    ]) {
      assert.ok(!has(run(NM + code), 'nodemailer.starttls-not-required'), code);
    }
  });

  it('template text in options is opaque: one info per file, no host or port findings', () => {
    const r = run(`${NM}nodemailer.createTransport({ host: '{{ smtp_host }}', port: '<%= smtp_port %>', secure: true });`);
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['nodemailer.template-values'],
    );
    assert.match(r.findings[0].title, /host, port are template text/);
  });
});

describe('nodemailer: options from another module, NODE_TLS_REJECT_UNAUTHORIZED in code', () => {
  const ROOT = path.join(path.sep, 'ws');
  const run = (file: string, code: string, files: Record<string, string> = {}): LintResult =>
    lintNodemailer(path.join(ROOT, file), code, { readFile: (p) => files[path.relative(ROOT, p)], workspaceRoot: ROOT });

  const CONFIG_CJS =
    "module.exports = {\n  service: 'gmail',\n  port: 587,\n  secure: true,\n  auth: { user: process.env.MAIL_USER, pass: process.env.MAIL_PASS },\n};\n";

  it('follows createTransport(require("../config/mail")) and points at the option in the other file', () => {
    const code = "const nodemailer = require('nodemailer');\nmodule.exports = nodemailer.createTransport(require('../config/mail'));\n";
    const r = run('src/mailer.js', code, { 'config/mail.js': CONFIG_CJS });
    const f = r.findings.find((x) => x.id === 'nodemailer.service-overridden');
    assert.ok(f, JSON.stringify(r.findings.map((x) => x.id)));
    assert.equal(f.file, path.join(ROOT, 'src/mailer.js'));
    assert.equal(f.range?.start.line, 1);
    assert.equal(f.edits, undefined);
    assert.deepEqual(f.related?.[0], {
      file: path.join(ROOT, 'config/mail.js'),
      range: { start: { line: 2, character: 8 }, end: { line: 2, character: 11 } },
      message: 'the option is written here',
    });
    assert.ok(f.evidence?.includes('options from mail.js (imported here)'));
  });

  it('follows a bound require, an ES default import and a named export; not a package or a file outside the workspace', () => {
    const esm =
      "export const smtpOptions = { host: 'smtp.example.com', port: 587, secure: true };\nexport default { host: 'smtp.example.com', port: 465, secure: false };\n";
    const files = { 'config/mailConfig.ts': esm, 'src/mailConfig.js': CONFIG_CJS };
    const bound = run(
      'src/send.js',
      "const mailConfig = require('./mailConfig');\nconst nodeMailer = require('nodemailer');\nconst t = nodeMailer.createTransport(mailConfig);\n",
      files,
    );
    assert.ok(bound.findings.some((x) => x.id === 'nodemailer.service-overridden'));
    const def = run(
      'src/send.ts',
      "import nodemailer from 'nodemailer';\nimport mailConfig from '../config/mailConfig';\nexport const t = nodemailer.createTransport(mailConfig);\n",
      files,
    );
    assert.deepEqual(
      def.findings.map((x) => x.id),
      ['nodemailer.plaintext-on-implicit-port'],
    );
    const named = run(
      'src/send.ts',
      "import { createTransport } from 'nodemailer';\nimport { smtpOptions } from '../config/mailConfig';\nexport const t = createTransport(smtpOptions);\n",
      files,
    );
    assert.deepEqual(
      named.findings.map((x) => x.id),
      ['nodemailer.secure-on-starttls-port'],
    );
    const pkg = run(
      'src/send.ts',
      "import nodemailer from 'nodemailer';\nimport mailConfig from 'mail-config';\nexport const t = nodemailer.createTransport(mailConfig);\n",
      files,
    );
    assert.deepEqual(pkg.findings, []);
    const outside = run('src/send.js', "const nodemailer = require('nodemailer');\nnodemailer.createTransport(require('../../etc/mail'));\n", {
      '../etc/mail.js': CONFIG_CJS,
    });
    assert.deepEqual(outside.findings, []);
  });

  it('follows config.mail of a required config module, and a TypeScript cast of an imported object', () => {
    const cfg = "module.exports = {\n  port: 3000,\n  mail: { host: 'smtp.example.com', port: 587, secure: true },\n};\n";
    const member = run(
      'src/mailer.js',
      "const nodemailer = require('nodemailer');\nconst config = require('../config');\nnodemailer.createTransport(config.mail);\n",
      { 'config.js': cfg },
    );
    assert.deepEqual(
      member.findings.map((x) => x.id),
      ['nodemailer.secure-on-starttls-port'],
    );
    const direct = run('src/mailer.js', "const nodemailer = require('nodemailer');\nnodemailer.createTransport(require('../config').mail);\n", {
      'config/index.js': cfg,
    });
    assert.deepEqual(
      direct.findings.map((x) => x.id),
      ['nodemailer.secure-on-starttls-port'],
    );
    const cast = run(
      'src/send.ts',
      "import nodemailer from 'nodemailer';\nimport type SMTPTransport from 'nodemailer/lib/smtp-transport';\nimport options from './options';\nexport const t = nodemailer.createTransport(options as SMTPTransport.Options);\n",
      { 'src/options.ts': "export default { host: 'smtp.example.com', port: 465, secure: false };\n" },
    );
    assert.deepEqual(
      cast.findings.map((x) => x.id),
      ['nodemailer.plaintext-on-implicit-port'],
    );
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED set to 0 in code, in any spelling; not when set to 1', () => {
    for (const line of ["process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';", 'process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 0;']) {
      const r = run('index.js', `require('dotenv').config();\n${line}\n`);
      const f = r.findings.find((x) => x.id === 'nodemailer.tls-verification-disabled');
      assert.equal(f?.severity, 'warning', line);
      assert.equal(f?.range?.start.line, 1);
    }
    assert.deepEqual(run('index.js', "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';\n").findings, []);
  });
});

describe('.env templates', () => {
  it('a templated host is no invalid host; port 26 pairs with SECURE like 587', () => {
    assert.deepEqual(lintDotenv('/ws/.env', 'SMTP_HOST={{ smtp_host }}\nMAIL_SERVER=<%= mail_server %>\n'), []);
    assert.deepEqual(
      lintDotenv('/ws/.env', 'SMTP_HOST=smtp example.com\n').map((f) => f.id),
      ['dotenv.invalid-host'],
    );
    assert.deepEqual(
      lintDotenv('/ws/.env', 'SMTP_SECURE=true\nSMTP_PORT=26\n').map((f) => f.id),
      ['dotenv.secure-on-starttls-port'],
    );
  });
});
