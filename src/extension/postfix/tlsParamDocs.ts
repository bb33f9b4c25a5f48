import { obsoleteParameterDoc } from '../../core/lint/postfix/obsoleteParams';

/**
 * What the TLS parameters of main.cf / master.cf mean, in the words a mail admin needs when hovering one.
 * `smtpd_` is the server side (mail coming in), `smtp_` the client side (mail going out, to the relayhost).
 */
export const TLS_PARAM_DOCS: Readonly<Record<string, string>> = {
  smtpd_tls_security_level:
    'Server-side TLS policy. `may` announces STARTTLS and lets clients choose (right for port 25: other MTAs must still reach you); `encrypt` requires TLS (right for submission on 587, wrong for a public MX); `none` disables it.',
  smtp_tls_security_level:
    'Client-side TLS policy for mail you send. `may` uses TLS opportunistically; `encrypt` refuses to send in clear; `verify`/`secure` also check the certificate (use them for a relayhost, where credentials travel).',
  smtpd_tls_cert_file:
    'PEM file with the server certificate, followed by the intermediate CA certificates (the full chain, leaf first). A missing intermediate breaks strict clients such as nodemailer and OpenSSL 3.',
  smtpd_tls_key_file: 'PEM file with the private key of `smtpd_tls_cert_file`; defaults to the certificate file. Must be readable by root only.',
  smtpd_tls_chain_files:
    'Postfix 3.4+: one or more PEM files each holding a key and its certificate chain, leaf first. Replaces `smtpd_tls_cert_file`/`smtpd_tls_key_file`.',
  smtp_tls_cert_file: 'Client certificate the Postfix SMTP client presents (rarely needed; some relays authenticate by it).',
  smtp_tls_key_file: 'Private key of `smtp_tls_cert_file`.',
  smtp_tls_chain_files: 'Postfix 3.4+: key and certificate chain files for the SMTP client.',
  smtpd_tls_protocols:
    'TLS versions the server accepts with opportunistic TLS (level `may`). TLS 1.0/1.1 are deprecated (RFC 8996), but on a public MX refusing them sends such senders to plain text. Every version reads `!SSLv2, !SSLv3, !TLSv1, !TLSv1.1`; only Postfix 3.6+ reads `>=TLSv1.2` (older Postfix rejects the whole list and turns TLS off). On a public MX leave it at the default: a sender refused here falls back to plain text.',
  smtpd_tls_mandatory_protocols:
    'TLS versions accepted where TLS is mandatory (`smtpd_tls_security_level = encrypt`, port 465/587). For TLS 1.2+: `!SSLv2, !SSLv3, !TLSv1, !TLSv1.1` (every version) or `>=TLSv1.2` (Postfix 3.6+ only).',
  smtp_tls_protocols:
    'TLS versions the SMTP client offers with opportunistic TLS. A client cannot skip a version: excluding a middle one (`!TLSv1.1` with TLSv1 allowed) disables every newer one too.',
  smtp_tls_mandatory_protocols: 'TLS versions the SMTP client offers when TLS is mandatory (`encrypt`, `verify`, `secure`).',
  smtpd_tls_ciphers: 'Cipher grade for opportunistic TLS: `medium` (default) or `high`. Keep `medium` on port 25 so old MTAs can still connect.',
  smtpd_tls_mandatory_ciphers:
    'Cipher grade where TLS is mandatory. postconf(5): the default `medium` is sufficiently strong; insisting on `high` is generally counter-productive.',
  smtp_tls_ciphers: 'Cipher grade of the SMTP client with opportunistic TLS.',
  smtp_tls_mandatory_ciphers: 'Cipher grade of the SMTP client when TLS is mandatory.',
  smtpd_tls_exclude_ciphers:
    'Ciphers the server never uses, at every security level. postconf(5): do not exclude ciphers unless it is essential (it creates interoperability problems).',
  smtp_tls_exclude_ciphers: 'Ciphers the SMTP client never uses.',
  smtpd_tls_auth_only: '`yes` offers AUTH only after STARTTLS, so passwords never travel in clear. Set it on submission services.',
  smtpd_tls_wrappermode:
    '`yes` makes the service speak TLS from the first byte (implicit TLS, "SMTPS", port 465) instead of STARTTLS. Set it with `-o` on the 465 service in master.cf, never globally.',
  smtp_tls_wrappermode:
    '`yes` makes the SMTP client start TLS immediately (for a relayhost on port 465). Without it, Postfix speaks plain SMTP to a port that expects TLS and the connection times out.',
  smtp_tls_CAfile: 'CA certificates the SMTP client trusts when verifying servers (`verify`/`secure` levels), e.g. `/etc/ssl/certs/ca-certificates.crt`.',
  smtp_tls_CApath: 'Directory of hashed CA certificates the SMTP client trusts.',
  smtpd_tls_CAfile: 'CA certificates used to verify client certificates (and sent as hints). Not needed for the server chain itself.',
  smtpd_tls_CApath: 'Directory of hashed CA certificates used to verify client certificates.',
  smtp_tls_loglevel: '0 to 4. `1` logs a summary line per TLS session (useful: shows protocol and cipher in mail.log).',
  smtpd_tls_loglevel: '0 to 4. `1` logs a summary line per TLS session.',
  smtp_tls_session_cache_database: 'Cache of client TLS sessions, e.g. `btree:${data_directory}/smtp_scache`.',
  smtpd_tls_session_cache_database: 'Cache of server TLS sessions. Postfix 2.11+ prefers session tickets instead.',
  smtpd_use_tls: 'Obsolete: `yes` equals `smtpd_tls_security_level = may`. Prefer the security level.',
  smtp_use_tls: 'Obsolete: `yes` equals `smtp_tls_security_level = may`. Prefer the security level.',
  smtpd_enforce_tls: 'Obsolete: `yes` equals `smtpd_tls_security_level = encrypt` and takes precedence over `smtpd_use_tls`; ignored once the level is set.',
  smtp_enforce_tls:
    'Obsolete: `yes` equals `smtp_tls_security_level = verify` (with `smtp_tls_enforce_peername = yes`, the default) or `encrypt`; ignored once the level is set.',
  smtp_tls_policy_maps: 'Per-destination TLS policy (e.g. `[smtp.example.com]:587 encrypt`). Overrides `smtp_tls_security_level` for listed destinations.',
  smtpd_tls_received_header: '`yes` adds the TLS protocol and cipher to the Received: header.',
  smtpd_tls_dh1024_param_file:
    'DH parameters for DHE ciphers (a 2048-bit file is right despite the name). With Postfix 3.7+ and OpenSSL 3, empty or `auto` lets OpenSSL choose, which postconf(5) recommends; since 3.1 the built-in default is 2048 bits.',
  tls_high_cipherlist: 'OpenSSL cipher list behind the `high` grade.',
  tls_medium_cipherlist: 'OpenSSL cipher list behind the `medium` grade.',
  tls_preempt_cipherlist: '`yes` makes the server choose the cipher order instead of the client.',
  tls_ssl_options: 'Extra OpenSSL options, e.g. `NO_RENEGOTIATION`, `NO_COMPRESSION`.',
  relayhost:
    "Where all outgoing mail goes. `[host]:port` skips the MX lookup (brackets; without them Postfix delivers to the name's MX hosts, which is valid), the port picks the service: 587 uses STARTTLS, 465 needs `smtp_tls_wrappermode = yes` and `smtp_tls_security_level = encrypt`.",
  smtp_sasl_auth_enable:
    '`yes` makes the SMTP client log in to the relayhost; combine with `smtp_tls_security_level = encrypt` or stronger so the password never travels in clear.',
  smtp_sasl_security_options: 'SASL mechanisms the client refuses; `noanonymous` is usual. Plain-text mechanisms are only safe under TLS.',
  smtp_sasl_tls_security_options: 'SASL restrictions that apply when the connection is TLS-encrypted.',
  smtp_sasl_password_maps: 'Lookup table with the relayhost credentials (`[host]:port user:password`). Keep the file `chmod 600`.',
  myhostname: 'The name this server gives in its greeting and EHLO; the certificate should cover it.',
};

/** The hover text: the words above, else (an obsolete parameter the linter knows) the lint's own successor and reason. */
export function tlsParamDoc(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(TLS_PARAM_DOCS, name) ? TLS_PARAM_DOCS[name] : obsoleteParameterDoc(name);
}
