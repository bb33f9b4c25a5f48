/**
 * Seed documents the fuzzer mutates: one realistic file per format, written the way people write them (comments,
 * continuation lines, quoting, TLS settings right and wrong). The host names are only text: nothing connects.
 */

export interface Format {
  /** A file name the registry's `matches` accepts for this format. */
  path: string;
  seeds: string[];
  /** Words the token soup draws on, so random text still looks like the format to its parser. */
  vocabulary: string[];
}

const mainCf = `# Postfix main.cf
myhostname = mail.example.test
relayhost = [smtp.gmail.com]:587
smtp_tls_security_level = may
smtp_tls_protocols = !SSLv2, !SSLv3
smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level = may
smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd
smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt
smtp_tls_policy_maps = hash:/etc/postfix/tls_policy,
    texthash:/etc/postfix/tls_extra
tls_high_cipherlist = $tls_medium_cipherlist
smtpd_tls_ciphers = low
smtp_tls_loglevel = 1
`;

const masterCf = `# service type  private unpriv  chroot  wakeup  maxproc command + args
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
smtps     inet  n       -       y       -       -       smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
relay     unix  -       -       y       -       -       smtp
  -o smtp_tls_security_level=none
`;

const tlsPolicy = `# TLS policy table (smtp_tls_policy_maps = hash:/etc/postfix/tls_policy)
example.org             dane-only
example.com             secure match=nexthop:dot-nexthop
    protocols=!SSLv2:!SSLv3
# a comment inside the entry
    ciphers=high
.example.com            verify
[relay.example.test]:587 encrypt, protocols=>=TLSv1.2
legacy.example.test     may protocols=TLSv1:TLSv1.1
typo.example.test       dane_only
lonely.example.test
brace.example.test      secure { match = hostname }
`;

const dotenv = `# mail
SMTP_HOST=smtp.example.test
SMTP_PORT=465
SMTP_SECURE=false
SMTP_USER="user@example.test"
SMTP_PASS='p@ss word'
export MAIL_URL=smtps://user:pass@mail.example.test:465
IMAP_HOST: imap.example.test
EMPTY=
QUOTED="a # not a comment" # a comment
`;

const nodemailerJs = `const nodemailer = require('nodemailer');
const transporter = nodemailer.createTransport({
  host: process.env.SMTP_HOST || 'smtp.example.test',
  port: Number(process.env.SMTP_PORT) || 587,
  secure: true,
  requireTLS: false,
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },
  tls: { rejectUnauthorized: false, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' },
});
module.exports = transporter;
`;

// STARTTLS without requireTLS: the rule that inserts an option, so the fuzzer damages the text around an insertion.
const nodemailerJsInsert = `import nodemailer from 'nodemailer';
export const relay = nodemailer.createTransport({
  host: 'smtp.example.test',
  port: 587,
  secure: false,
  auth: { user: 'me', pass: process.env.SMTP_PASS },
});
export function later(x) { return \`\${x}\`.trim(); }
`;

const nodemailerTs = `import nodemailer, { type Transporter } from 'nodemailer';
const port = 465;
export const mailer: Transporter = nodemailer.createTransport({
  service: 'gmail',
  host: \`smtp.\${'example'}.test\`,
  port,
  secure: port === 465,
  ignoreTLS: true,
  tls: { servername: 'mail.example.test' },
} as any);
export const url = nodemailer.createTransport('smtp://user:secret@smtp.example.test:25/?pool=true');
`;

const mailLog = `Nov 28 05:00:01 mx postfix/smtp[1234]: 4ABCD1234: to=<a@example.test>, relay=smtp.example.test[192.0.2.10]:25, delay=1.2, delays=0.1/0/1/0, dsn=4.7.5, status=deferred (TLS is required, but was not offered by host smtp.example.test[192.0.2.10])
Nov 28 05:00:02 mx postfix/smtp[1235]: warning: TLS library problem: error:0A000086:SSL routines::certificate verify failed:../ssl/statem/statem_clnt.c:1889:
Nov 28 05:00:03 mx postfix/smtp[1235]: Untrusted TLS connection established to mx.example.test[192.0.2.20]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)
Nov 28 05:00:04 mx postfix/smtpd[99]: SSL_accept error from unknown[198.51.100.7]: lost connection
Nov 28 05:00:05 mx postfix/smtpd[99]: warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_srvr.c:1657:
2026-11-28T05:00:06.123456+00:00 mx postfix/smtp[77]: connect to mx.example.test[192.0.2.30]:25: Connection timed out
Nov 28 05:00:07 mx postfix/smtp[78]: 4ABCD1235: Cannot start TLS: handshake failure
Nov 28 05:00:08 mx dovecot: imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=198.51.100.8, lip=192.0.2.1, TLS handshaking: SSL_accept() failed: error:0A00006C:SSL routines::bad key share, session=<abc>
`;

/** A TLS-RPT report (RFC 8460) with a failure row; the fuzzer mutates it into every shape. */
const tlsRptReport = JSON.stringify(
  {
    'organization-name': 'Sender Example',
    'date-range': { 'start-datetime': '2025-01-01T00:00:00Z', 'end-datetime': '2025-01-01T23:59:59Z' },
    'contact-info': 'tlsrpt@sender.example',
    'report-id': 'r-1',
    policies: [
      {
        policy: {
          'policy-type': 'sts',
          'policy-string': ['version: STSv1', 'mode: enforce', 'mx: mx.example.org', 'max_age: 86400'],
          'policy-domain': 'example.org',
        },
        summary: { 'total-successful-session-count': 3, 'total-failure-session-count': 1 },
        'failure-details': [{ 'result-type': 'certificate-expired', 'receiving-mx-hostname': 'mx.example.org', 'failed-session-count': 1 }],
      },
    ],
  },
  null,
  1,
);

const dovecotConf = `## Dovecot configuration file
protocols = imap pop3 lmtp
listen = *, ::
ssl = yes
ssl_cert = </etc/ssl/certs/mail.pem
ssl_key = /etc/ssl/private/mail.key
ssl_min_protocol = TLSv1
ssl_protocols = !SSLv3 !TLSv1
ssl_cipher_list = HIGH:RC4:!aNULL # weak on purpose
disable_plaintext_auth = no
login_greeting = "Ready # here"
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
protocol imap {
  mail_plugins = $mail_plugins \\
    quota
}
!include conf.d/*.conf
!include_try local.conf
`;

export const FORMATS: Readonly<Record<string, Format>> = {
  'postfix-main': {
    path: 'etc/postfix/main.cf',
    seeds: [mainCf],
    vocabulary: [
      'relayhost',
      'smtp_tls_security_level',
      'smtpd_tls_protocols',
      'smtp_tls_mandatory_ciphers',
      'smtpd_tls_cert_file',
      'smtp_tls_wrappermode',
      '=',
      ' = ',
      '[',
      ']',
      ':587',
      ':465',
      'encrypt',
      'may',
      'none',
      'dane',
      'verify',
      'secure',
      '!SSLv2',
      '!TLSv1',
      '>=TLSv1.2',
      '$myhostname',
      '${x}',
      'hash:/etc/postfix/x',
      ',',
      '#',
      '\n',
      '\n  ',
      '\n\t',
      ' ',
    ],
  },
  'postfix-master': {
    path: 'etc/postfix/master.cf',
    seeds: [masterCf],
    vocabulary: [
      'smtp',
      'submission',
      'smtps',
      'inet',
      'unix',
      'n',
      '-',
      'y',
      '0',
      'smtpd',
      'smtp',
      '-o',
      ' -o ',
      'smtpd_tls_wrappermode=yes',
      'smtpd_tls_security_level=encrypt',
      '{',
      '}',
      '=',
      '\n',
      '\n  ',
      ' ',
      '\t',
      '#',
    ],
  },
  dovecot: {
    path: 'etc/dovecot/dovecot.conf',
    seeds: [dovecotConf],
    vocabulary: [
      'ssl',
      'ssl_cert',
      'ssl_key',
      'ssl_ca',
      'ssl_min_protocol',
      'ssl_protocols',
      'ssl_cipher_list',
      'ssl_server_cert_file',
      'disable_plaintext_auth',
      'auth_allow_cleartext',
      'dovecot_config_version',
      'service imap-login',
      'inet_listener imaps',
      'protocol imap',
      'port',
      'listen',
      '!include',
      '!include_try',
      ' = ',
      '=',
      '<',
      'yes',
      'no',
      'required',
      'TLSv1',
      'RC4',
      '"',
      '{',
      '}',
      '\\',
      '#',
      '\n',
      '\n  ',
      ' ',
    ],
  },
  'postfix-policy-map': {
    path: 'etc/postfix/tls_policy',
    seeds: [tlsPolicy],
    vocabulary: [
      'example.com',
      '.example.com',
      '[mx.example.test]:587',
      'none',
      'may',
      'encrypt',
      'dane',
      'dane-only',
      'fingerprint',
      'verify',
      'secure',
      'match=',
      'protocols=',
      '!SSLv3:!TLSv1',
      '>=TLSv1.2',
      'ciphers=high',
      'tafile=/x',
      'exclude=',
      'servername=',
      '{',
      '}',
      '=',
      ',',
      ':',
      '|',
      '\n',
      '\n  ',
      ' ',
      '\t',
      '#',
    ],
  },
  dotenv: {
    path: '.env',
    seeds: [dotenv],
    vocabulary: [
      'SMTP_HOST',
      'SMTP_PORT',
      'SMTP_SECURE',
      'MAIL_URL',
      'export ',
      '=',
      ':',
      '"',
      "'",
      '`',
      '#',
      '\\',
      '\\n',
      'smtps://u:p@h:465',
      '465',
      '587',
      'true',
      'false',
      '\n',
      ' ',
      '${SMTP_HOST}',
    ],
  },
  'nodemailer-js': {
    path: 'src/mailer.js',
    seeds: [nodemailerJs, nodemailerJsInsert],
    vocabulary: [
      'nodemailer.createTransport(',
      'createTransport',
      '{',
      '}',
      '(',
      ')',
      ',',
      ':',
      'host',
      'port',
      'secure',
      'requireTLS',
      'ignoreTLS',
      'tls',
      'rejectUnauthorized',
      'true',
      'false',
      '465',
      '587',
      "'smtp.example.test'",
      '"',
      "'",
      '`',
      '${',
      'process.env.SMTP_HOST',
      '//',
      '/*',
      '*/',
      '\n',
      ' ',
      '...',
      '=>',
    ],
  },
  'nodemailer-ts': {
    path: 'src/mailer.ts',
    seeds: [nodemailerTs],
    vocabulary: [
      'nodemailer.createTransport(',
      '{',
      '}',
      '(',
      ')',
      '<',
      '>',
      'as any',
      ': Transporter',
      ',',
      ':',
      'secure',
      'port',
      'host',
      'service',
      "'gmail'",
      'true',
      '`',
      '${',
      '}`',
      '\n',
      ' ',
      '!',
      '?.',
    ],
  },
  maillog: {
    path: 'var/log/mail.log',
    seeds: [mailLog],
    vocabulary: [
      'Nov 28 05:00:01 mx postfix/smtp[1]: ',
      'relay=',
      'to=<',
      '>',
      '[',
      ']',
      ':25',
      'status=deferred (',
      ')',
      'TLS is required, but was not offered by host',
      'SSL routines::',
      'certificate verify failed',
      'error:0A000086',
      'Untrusted TLS connection established to',
      'TLSv1.2',
      'with cipher',
      'lost connection',
      'dovecot: imap-login:',
      '\n',
      ' ',
      ',',
      '=',
      '(',
      ':',
    ],
  },
  tlsrpt: {
    path: 'reports/google.com!example.org!1725321600!1725407999!001.json',
    seeds: [tlsRptReport],
    vocabulary: [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '"policies"',
      '"policy"',
      '"policy-type"',
      '"sts"',
      '"tlsa"',
      '"no-policy-found"',
      '"policy-domain"',
      '"summary"',
      '"total-successful-session-count"',
      '"total-failure-session-count"',
      '"failure-details"',
      '"result-type"',
      '"failed-session-count"',
      '"certificate-expired"',
      '"receiving-mx-hostname"',
      '"mx.example.org"',
      '"date-range"',
      '"start-datetime"',
      '"2025-01-01T00:00:00Z"',
      '"organization-name"',
      '"report-id"',
      'null',
      '-1',
      '1e308',
      '0',
      '12',
      '"\\r"',
      '\n',
      ' ',
    ],
  },
};
