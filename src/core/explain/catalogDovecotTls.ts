/**
 * Dovecot's own certificate and key loading errors: the `doveconf: Fatal: ... Can't open file` that stops it from
 * starting, and the `Failed to initialize SSL server context: ...` a login process logs on each TLS connection when
 * the certificate or key it was given cannot be used (Dovecot 2.3 starts anyway). Texts observed with Dovecot 2.3.19
 * on loopback (see docs/findings-explain.md); 2.4 names the settings ssl_server_cert_file / ssl_server_key_file.
 */
import type { CatalogEntry, Cause } from './catalog';

const likely = (cause: string): Cause => ({ cause, likelihood: 'likely' });
const possible = (cause: string): Cause => ({ cause, likelihood: 'possible' });

/** The certificate and key settings, in both generations, so every fix says what to write in the one you run. */
const SETTINGS_23_24 =
  'Dovecot 2.3: ssl_cert = </etc/letsencrypt/live/NAME/fullchain.pem and ssl_key = </etc/letsencrypt/live/NAME/privkey.pem ' +
  '(the "<" makes Dovecot read the file; without it the path itself is taken as the PEM text); Dovecot 2.4: ' +
  'ssl_server_cert_file = /path/fullchain.pem and ssl_server_key_file = /path/privkey.pem (no "<")';

const RELOAD = 'then restart Dovecot (systemctl restart dovecot) and check with openssl s_client -connect HOST:993 (or -starttls imap on 143).';

/** The setting names a "Can't load SSL certificate (X setting)" line carries: 2.3's ssl_cert, ssl_alt_cert; 2.4's *_file. */
const CERT_SETTING = String.raw`Can't load (?:alternative )?SSL certificate \((?:ssl_(?:alt_)?cert|ssl_server_(?:alt_)?cert_file) setting\): `;

export const DOVECOT_TLS_CATALOG: CatalogEntry[] = [
  {
    id: 'explain.dovecot-tls-file-unopenable',
    // doveconf: Fatal: Error in configuration file F line N: ssl_cert: Can't open file P: No such file or directory
    pattern: /\bssl_\w+: Can't open file \S/,
    severity: 'error',
    title: 'Dovecot cannot open a certificate or key file its configuration names ("Can\'t open file"), so it does not start.',
    detail:
      'In Dovecot 2.3 a value written as `<PATH` (ssl_cert, ssl_key, ssl_ca, ssl_dh) is read when the configuration is loaded; if the ' +
      'file cannot be opened the whole configuration is refused ("doveconf: Fatal: Error in configuration file ... line N") and ' +
      'Dovecot does not start. The line names the setting, the file and the reason. `doveconf -n` does not open these files, so it ' +
      'does not show this error; `doveconf -x` and starting Dovecot do.',
    causes: [
      likely(
        '"No such file or directory": the path is wrong or the file is not there yet: a typo, a certificate not issued yet, or a renewal ' +
          "client that writes elsewhere (Let's Encrypt keeps the current files under /etc/letsencrypt/live/NAME/).",
      ),
      possible(
        '"Permission denied": the command ran as a user who may not read the key (doveconf or doveadm as a non-root user), or, for the ' +
          'Dovecot started as root, a mandatory access control (an SELinux label or AppArmor profile) keeps it out of that directory.',
      ),
    ],
    fix:
      'Go to the file and line the message names and point the setting at a file that exists (`ls -l PATH`): ' +
      `${SETTINGS_23_24}. Keep the key readable by root only (chmod 600, owner root; Dovecot reads it as root at start). ` +
      'Run `doveconf -x >/dev/null` as root to see the error before starting, then systemctl restart dovecot.',
  },
  {
    id: 'explain.dovecot-cert-empty',
    pattern: new RegExp(`${CERT_SETTING}The certificate is empty`),
    severity: 'error',
    title: 'Dovecot has TLS on but no certificate ("The certificate is empty"): every TLS connection fails.',
    detail:
      'A login process (imap-login, pop3-login, submission-login) was asked for TLS (STARTTLS or an implicit-TLS port such as 993) and ' +
      'had no certificate to offer, so the client is disconnected. Dovecot 2.3.19 starts without complaint with ssl = yes and no ' +
      'certificate; the error only appears when a client tries TLS, once per connection.',
    causes: [
      likely(
        'ssl = yes (or required) with no ssl_cert at all: a stock conf.d/10-ssl.conf whose certificate lines are commented out ' +
          '(OpenMandriva ships it so), or a configuration that sets ssl = yes and forgot the certificate lines.',
      ),
      possible('ssl_cert = <FILE where the file exists but is empty (a failed or interrupted renewal).'),
    ],
    fix: `Set the certificate and key: ${SETTINGS_23_24}. If this server must not offer TLS at all, set ssl = no instead; ${RELOAD}`,
  },
  {
    id: 'explain.dovecot-cert-not-pem',
    // "There is no valid PEM certificate." is Dovecot's own text for OpenSSL's PEM "no start line".
    pattern: new RegExp(`${CERT_SETTING}(?:There is no valid PEM certificate|[^\\n]*no start line)`),
    severity: 'error',
    title: 'Dovecot\'s certificate setting holds no PEM certificate ("There is no valid PEM certificate"): every TLS connection fails.',
    detail:
      'The text Dovecot got for ssl_cert does not start with -----BEGIN CERTIFICATE-----. Dovecot 2.3 starts anyway and each login ' +
      'process logs this when a client tries TLS, then disconnects it.',
    causes: [
      likely(
        'Dovecot 2.3: the path was written without "<" (ssl_cert = /etc/ssl/certs/mail.pem): the value is then the certificate text ' +
          'itself, so Dovecot parses the path as PEM.',
      ),
      possible('The file is not a PEM certificate: DER (binary, .der/.cer/.crt from some CAs), PKCS#12 (.pfx/.p12), or another file.'),
    ],
    fix:
      `Write the setting with the "<": ${SETTINGS_23_24}. A DER file converts with openssl x509 -inform DER -in cert.der ` +
      `-out cert.pem (a .pfx: openssl pkcs12 -in cert.pfx -nokeys -out cert.pem); ${RELOAD}`,
  },
  {
    id: 'explain.dovecot-key-encrypted',
    pattern: /(?:Couldn't parse|Can't load) private SSL key[^\n]*(?:bad decrypt|bad password read|maybe wrong password|empty password)/,
    severity: 'error',
    title: 'Dovecot cannot decrypt its private key ("bad decrypt"): every TLS connection fails.',
    detail:
      'The key file is encrypted with a passphrase (-----BEGIN ENCRYPTED PRIVATE KEY-----) and Dovecot had no password for it or a ' +
      'wrong one (OpenSSL 3 adds "empty password" or "maybe wrong password"). Dovecot 2.3 starts anyway and each login process ' +
      'logs this when a client tries TLS.',
    causes: [
      likely('An encrypted key without ssl_key_password (Dovecot 2.4: ssl_server_key_password): OpenSSL says "empty password".'),
      possible('ssl_key_password is set but wrong, or the key was re-encrypted with another passphrase ("maybe wrong password").'),
    ],
    fix:
      'Either store the key unencrypted, readable by root only: openssl pkey -in enc-key.pem -out key.pem, chmod 600 key.pem, and point ' +
      'ssl_key at it (2.3: ssl_key = </path/key.pem; 2.4: ssl_server_key_file = /path/key.pem); or set ssl_key_password = ' +
      'PASSPHRASE (2.4: ssl_server_key_password) in a file only root can read. ' +
      RELOAD,
    supersedes: ['explain.dovecot-key-unparsable'],
  },
  {
    id: 'explain.dovecot-key-unparsable',
    pattern: /Couldn't parse private SSL key|Can't load private SSL key/,
    severity: 'error',
    title: 'Dovecot\'s key setting holds no private key it can read ("Couldn\'t parse private SSL key"): every TLS connection fails.',
    detail:
      'Dovecot had a certificate but could not read a private key from the ssl_key value (Dovecot 2.3 adds "maybe ssl_key_password is ' +
      'wrong?" whether a password is set or not; with OpenSSL 3, "No supported data to decode" means the text is no key at all, not a ' +
      'wrong password). Dovecot 2.3 starts anyway and each login process logs this when a client tries TLS.',
    causes: [
      likely('Dovecot 2.3: the path was written without "<" (ssl_key = /etc/ssl/private/mail.key), so the path itself is parsed as the key.'),
      possible('ssl_cert is set but ssl_key is not (or only in another block): Dovecot then has an empty key.'),
      possible('The file is not a PEM private key (a certificate, a DER or PKCS#12 file).'),
    ],
    fix:
      `Point the key setting at the PEM private key that belongs to the certificate, with the "<" in 2.3: ${SETTINGS_23_24}. ` +
      `Check it with openssl pkey -in KEY -noout; ${RELOAD}`,
  },
];
