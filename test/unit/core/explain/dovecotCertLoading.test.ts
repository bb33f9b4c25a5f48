/**
 * Dovecot's certificate and key loading errors, as Dovecot 2.3.19 wrote them here: a stand-alone instance on loopback
 * (`dovecot -F -c`) with a test PKI, one broken setting at a time, and a TLS client on its implicit-TLS port. The
 * "Can't open file" lines come from the start (dovecot exits) and from `doveconf -x` run as nobody.
 */
import * as assert from 'node:assert/strict';
import { explainError } from '../../../../src/core/explain';
import { lintMailLog } from '../../../../src/core/lint/maillog';

const idsOf = (t: string): string[] => explainError(t).matches.map((m) => m.id);
const CTX = 'imap-login: Error: Failed to initialize SSL server context: ';
const TAIL = ': user=<>, rip=127.0.0.1, lip=127.0.0.1, secured, session=<8v9OkYdhUph/AAAB>';

/** [line as logged, entry, words its fix must say] */
const OBSERVED: Array<[string, string, RegExp]> = [
  // ssl_cert = </missing.pem: dovecot -F exits with this on stderr.
  [
    "doveconf: Fatal: Error in configuration file /tmp/rwdove/dv/nofile/dovecot.conf line 30: ssl_cert: Can't open file /tmp/rwdove/dv/missing.pem: No such file or directory",
    'explain.dovecot-tls-file-unopenable',
    /ssl_server_cert_file = \/path/,
  ],
  [
    "doveconf: Fatal: Error in configuration file /tmp/rwdove/dv/nokey/dovecot.conf line 31: ssl_key: Can't open file /tmp/rwdove/dv/missing-key.pem: No such file or directory",
    'explain.dovecot-tls-file-unopenable',
    /doveconf -x/,
  ],
  // doveconf -x as a user who may not read the private directory.
  [
    "doveconf: Fatal: Error in configuration file /tmp/rwdove/dv/perm/dovecot.conf line 30: ssl_cert: Can't open file /tmp/rwdove/dv/private/cert.pem: Permission denied",
    'explain.dovecot-tls-file-unopenable',
    /readable by root/,
  ],
  // ssl = yes and no ssl_cert; the same for ssl_cert = <an empty file.
  [`${CTX}Can't load SSL certificate (ssl_cert setting): The certificate is empty${TAIL}`, 'explain.dovecot-cert-empty', /ssl_cert = <\/etc\/.*ssl = no/],
  // ssl_cert = /path/cert.pem without "<"; the same for ssl_cert = <cert.der.
  [
    `${CTX}Can't load SSL certificate (ssl_cert setting): There is no valid PEM certificate.${TAIL}`,
    'explain.dovecot-cert-not-pem',
    /openssl x509 -inform DER/,
  ],
  // An encrypted key without ssl_key_password, then with a wrong one.
  [
    `${CTX}Couldn't parse private SSL key (ssl_key setting) (maybe ssl_key_password is wrong?): error:1C800064:Provider routines::bad decrypt, error:11800074:PKCS12 routines::pkcs12 cipherfinal error: empty password, error:1C800064:Provider routines::bad decrypt, error:11800074:PKCS12 routines::pkcs12 cipherfinal error: empty password${TAIL}`,
    'explain.dovecot-key-encrypted',
    /ssl_key_password = PASSPHRASE.*openssl pkey -in|openssl pkey -in .*ssl_key_password/,
  ],
  [
    `${CTX}Couldn't parse private SSL key (ssl_key setting) (maybe ssl_key_password is wrong?): error:1C800064:Provider routines::bad decrypt, error:11800074:PKCS12 routines::pkcs12 cipherfinal error: maybe wrong password, error:1C800064:Provider routines::bad decrypt, error:11800074:PKCS12 routines::pkcs12 cipherfinal error: maybe wrong password${TAIL}`,
    'explain.dovecot-key-encrypted',
    /ssl_key_password/,
  ],
  // ssl_key = /path/key.pem without "<"; the same with ssl_cert set and no ssl_key.
  [
    `${CTX}Couldn't parse private SSL key (ssl_key setting) (maybe ssl_key_password is wrong?): error:1E08010C:DECODER routines::unsupported: No supported data to decode. Input type: PEM${TAIL}`,
    'explain.dovecot-key-unparsable',
    /ssl_key = <\/etc\//,
  ],
  // ssl_key = <a key of another pair.
  [
    `${CTX}Can't load SSL private key (ssl_key setting): Key is for a different cert than ssl_cert${TAIL}`,
    'explain.cert-key-mismatch',
    /ssl_cert = <.*ssl_key = </,
  ],
];

describe('explain: Dovecot certificate and key loading errors', () => {
  for (const [line, id, fix] of OBSERVED) {
    it(`${id}: ${line.slice(line.indexOf(': ') + 2, line.indexOf(': ') + 100)}`, () => {
      assert.deepEqual(idsOf(line), [id]);
      const [m] = explainError(line).matches;
      assert.match(m.fix, fix);
      // A Dovecot server's own files: nothing about Postfix's parameters or nodemailer's options.
      assert.doesNotMatch(`${m.fix} ${m.causes.map((c) => c.cause).join(' ')}`, /smtpd_tls|postfix reload|nodemailer|secure: /);
    });
  }

  it("Dovecot's mismatch quotes Dovecot's words, not OpenSSL's", () => {
    const [m] = explainError(OBSERVED.find(([, id]) => id === 'explain.cert-key-mismatch')![0]).matches;
    assert.match(m.title, /"Key is for a different cert than ssl_cert"/);
  });

  it('the same lines in a syslog mail log (dovecot: prefix) are found by the mail-log linter', () => {
    const log = OBSERVED.map(([line], i) => `Dec  1 00:25:${String(10 + i)} mx dovecot: ${line}`).join('\n');
    const ids = lintMailLog('/var/log/mail.log', log).findings.map((f) => f.id);
    for (const [, id] of OBSERVED) assert.ok(ids.includes(id.replace(/^explain\./, 'maillog.') as never), `${id}: ${JSON.stringify(ids)}`);
  });

  it('2.4 names the settings ssl_server_cert_file and ssl_server_key_file in the same messages', () => {
    const cert = `${CTX}Can't load SSL certificate (ssl_server_cert_file setting): The certificate is empty${TAIL}`;
    assert.deepEqual(idsOf(cert), ['explain.dovecot-cert-empty']);
    // 2.4 adds "(maybe ssl_server_key_password is wrong?)" only when a password is set.
    const key = `${CTX}Couldn't parse private SSL key (ssl_server_key_file setting): error:1C800064:Provider routines::bad decrypt${TAIL}`;
    assert.deepEqual(idsOf(key), ['explain.dovecot-key-encrypted']);
    const pair = `${CTX}Can't load SSL private key (ssl_server_key_file setting): Key is for a different cert than ssl_server_cert_file${TAIL}`;
    assert.deepEqual(idsOf(pair), ['explain.cert-key-mismatch']);
  });

  it('OpenSSL\'s own "no start line" after a certificate setting is the same not-PEM certificate', () => {
    const line = `${CTX}Can't load SSL certificate (ssl_cert setting): error:0480006C:PEM routines::no start line${TAIL}`;
    assert.deepEqual(idsOf(line), ['explain.dovecot-cert-not-pem']);
  });
});
