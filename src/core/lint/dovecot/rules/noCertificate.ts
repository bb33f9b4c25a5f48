/**
 * TLS switched on with no server certificate (or a certificate without its key, or a key without its certificate)
 * anywhere in the configuration, as OpenMandriva's stock 10-ssl.conf ships (`ssl = yes`, ssl_cert and ssl_key
 * commented out). doveconf 2.3.19 accepts it and Dovecot starts, but each TLS handshake fails in the login
 * process (observed on loopback: "imap-login: Error: Failed to initialize SSL server context: Can't load SSL
 * certificate (ssl_cert setting): The certificate is empty", with a certificate and no key "Couldn't parse private
 * SSL key (ssl_key setting)"), and the client is dropped. 2.4's ssl_server_settings_check does not look at the files
 * either, so it too fails at TLS set-up.
 *
 * "Set nowhere" is only said of a configuration read whole (DovecotContext.complete): a conf.d file without its
 * dovecot.conf, an include not read, a template, all may hold the certificate. Any value, in any scope, counts as
 * set: `$ENV:CERT`, a templated path, a `local_name mail.example.com { }` (SNI) or `local`/`remote` filter's own
 * certificate. The finding goes on the `ssl` line that turns TLS on, so only the file that holds it gets it.
 */
import { lineEvidence, mainConfPath, overriddenLater, report, type DovecotContext } from '../context';
import { isServerScoped } from '../parser';
import { CERT_23, CERT_24 } from './ssl';
import { inVersion, protocolOf, serves, servesMailboxes } from './words';
import { mayBeDovecot22 } from '../version';

const CERTS = new Set(['ssl_cert', 'ssl_alt_cert', 'ssl_server_cert_file', 'ssl_server_alt_cert_file']);
const KEYS = new Set(['ssl_key', 'ssl_alt_key', 'ssl_server_key_file', 'ssl_server_alt_key_file']);

export function checkTlsWithoutCertificate(ctx: DovecotContext): void {
  if (!ctx.complete || ctx.template || !servesMailboxes(ctx)) return;
  const setIn = (names: Set<string>) => ctx.all.some((s) => names.has(s.name) && s.value.trim() !== '');
  const cert = setIn(CERTS);
  const key = setIn(KEYS);
  if (cert && key) return;
  const certName = inVersion(ctx, 'ssl_cert', 'ssl_server_cert_file');
  const keyName = inVersion(ctx, 'ssl_key', 'ssl_server_key_file');
  const missing = !cert && !key ? `neither ${certName} nor ${keyName}` : cert ? keyName : certName;
  // Dovecot 2.2 (end of life) had built-in certificate paths, which 2.3 dropped; a config without
  // dovecot_config_version and without 2.3's own names may be for it.
  const on22 = mayBeDovecot22(ctx.version, ctx.all)
    ? ' If this server runs Dovecot 2.2 (end of life; `dovecot --version`), it falls back to its built-in ' +
      'ssl_cert = </etc/ssl/certs/dovecot.pem and ssl_key = </etc/ssl/private/dovecot.pem, and TLS works where those files exist.'
    : '';
  // No global `ssl` anywhere: Dovecot 2.3's default is ssl = yes (doveconf -d, 2.3.19), so TLS is on all the same. Said
  // once, on line 1 of dovecot.conf, where the setting would go.
  const globalSsl = ctx.all.some((s) => s.name === 'ssl' && s.sections.length === 0);
  if (!globalSsl && ctx.version.version === '2.3' && mainConfPath(ctx.file) === ctx.file && ctx.conf.lines.length > 0) {
    report(ctx, 'dovecot.ssl-without-cert', {
      severity: 'error',
      title: `No ssl setting, so Dovecot's default ssl = yes applies, but ${missing} is set: every TLS connection fails.`,
      detail:
        `No file of this configuration (dovecot.conf and everything it includes was read) sets ssl, and Dovecot 2.3's default is ` +
        `ssl = yes (doveconf -d). With ${missing} set, each TLS handshake fails in the login process (Dovecot 2.3.19 logs ` +
        `"Failed to initialize SSL server context: ${cert ? `Couldn't parse private SSL key (ssl_key setting)` : "Can't load SSL certificate (ssl_cert setting): The certificate is empty"}") ` +
        'and the client is dropped: the implicit-TLS ports (993, 995) and STARTTLS, which Dovecot still offers, do not work.' +
        on22,
      fix: `Name the certificate and its key: ${inVersion(ctx, CERT_23, CERT_24)}; then \`doveadm reload\`.`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: ctx.conf.lines[0].length } },
      evidence: ['no ssl setting in the configuration; doveconf -d: ssl = yes'],
    });
  }
  for (const s of ctx.conf.settings) {
    if (s.name !== 'ssl' || !isServerScoped(s) || overriddenLater(ctx, s)) continue;
    const value = s.value.trim().toLowerCase();
    if (value !== 'yes' && value !== 'required') continue;
    // `protocol submission { ssl = yes }` while only IMAP is served: no connection uses it.
    const proto = protocolOf(s);
    if (proto !== undefined && !serves(ctx, proto)) continue;
    report(ctx, 'dovecot.ssl-without-cert', {
      severity: 'error',
      title: `ssl = ${value}, but ${missing} is set: every TLS connection fails.`,
      detail:
        `TLS is on, and no file of this configuration (dovecot.conf and everything it includes was read) sets ${missing}. ` +
        'Dovecot starts and doveconf says nothing, but each TLS handshake fails in the login process (Dovecot 2.3.19 logs ' +
        `"Failed to initialize SSL server context: ${cert ? `Couldn't parse private SSL key (ssl_key setting)` : "Can't load SSL certificate (ssl_cert setting): The certificate is empty"}") ` +
        'and the client is dropped: the implicit-TLS ports (993, 995) and STARTTLS do not work' +
        (value === 'required'
          ? ', and with ssl = required no client outside login_trusted_networks can log in at all.'
          : ', so clients that require TLS cannot connect.') +
        on22,
      fix: `Name the certificate and its key: ${inVersion(ctx, CERT_23, CERT_24)} (in a stock layout, the commented-out lines of conf.d/10-ssl.conf); then \`doveadm reload\`.`,
      range: s.valueRange,
      evidence: [lineEvidence(ctx, s)],
    });
  }
}
