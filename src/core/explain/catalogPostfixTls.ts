/**
 * Postfix TLS log lines beyond the client's "SSL_connect error": the server side (SSL_accept, no shared cipher),
 * the "... TLS connection established" grades, "TLS is required, but was not offered", the "server certificate
 * verification failed ... num=N" family, DNSSEC/DANE lookups, TLS policy services (postfix-mta-sts-resolver,
 * postfix-tlspol) and the `tls=` field Postfix 3.11 adds to delivery lines. Texts checked against real lines from
 * public issue threads (see docs/findings-explain.md).
 */
import type { ExplainId } from '../findings';
import type { CatalogEntry, Cause } from './catalog';

/** The system CA bundle, by distribution: Postfix's own default has none, and the path differs. */
export const SYSTEM_CA_FILE = 'smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt (Debian/Ubuntu; RHEL: /etc/pki/tls/certs/ca-bundle.crt)';

const likely = (cause: string): Cause => ({ cause, likelihood: 'likely' });
const possible = (cause: string): Cause => ({ cause, likelihood: 'possible' });

const CERT_ENTRIES: ExplainId[] = [
  'explain.postfix-cert-verification-failed',
  'explain.cert-expired',
  'explain.cert-not-yet-valid',
  'explain.self-signed-leaf',
  'explain.self-signed-in-chain',
  'explain.unknown-issuer',
  'explain.incomplete-chain',
  'explain.hostname-mismatch',
];
const VERIFY = 'certificate verification failed for [^\\n]*?';

/** `server certificate verification failed for HOST[IP]:25: num=N:TEXT`, one entry per OpenSSL verify code family. */
const verifyFamily = (id: ExplainId, codes: string, text: string, title: string, causes: Cause[], fix: string): CatalogEntry => ({
  id,
  pattern: new RegExp(`${VERIFY}(?:num=(?:${codes})\\b|${text})`, 'i'),
  severity: 'error',
  title,
  detail:
    "Postfix (the smtp client) checked the remote server's certificate because this destination's TLS level verifies (verify, secure, " +
    'dane, fingerprint, or an MTA-STS policy from the policy service), and the check failed, so the mail is deferred. At level "may" the ' +
    'same certificate only makes the session "Untrusted" and the mail is sent; with smtp_tls_loglevel = 1 Postfix 2.9 and later log this ' +
    'line only where verification is required, Postfix 2.8 and older at every level, so on an old Postfix check the delivery line ' +
    '(status=deferred or sent).',
  causes,
  fix,
  supersedes: CERT_ENTRIES,
});

export const POSTFIX_TLS_CATALOG: CatalogEntry[] = [
  {
    id: 'explain.postfix-ssl-accept-lost',
    // The client's side of the socket went away: closed, reset or timed out. On this (server) side "the server reset the
    // connection" (explain.connection-reset, which the bare words would pick) would name the wrong party.
    pattern: /SSL_accept error from [^\n]*: (?:lost connection|Connection reset by peer|Connection timed out|Broken pipe)/i,
    severity: 'warning',
    title: 'A client hung up during the TLS handshake with this server ("SSL_accept error ... lost connection" or "reset by peer").',
    detail:
      'Inbound (smtpd): the connecting client started TLS (STARTTLS, or directly on the implicit-TLS port 465) and closed the connection ' +
      'before the handshake finished. No mail is lost when the client is a scanner; a real sender retries, possibly without TLS.',
    causes: [
      likely(
        'The client rejected something in the handshake (our certificate, version or ciphers) without sending an alert, or is a scanner that probes and leaves.',
      ),
      possible('On port 465 a client that speaks plain SMTP first (smtps service wrapped, client not) gives up.'),
    ],
    fix:
      'Look for a "TLS library problem" line from the same smtpd process for the reason. If many real senders do this, probe your own ' +
      'server (mail-tls-doctor probe YOUR-MX:25) and check the certificate chain and smtpd_tls_protocols; scanners can be ignored.',
  },
  {
    id: 'explain.postfix-ssl-accept-error',
    pattern: /SSL_accept error from /i,
    generic: true,
    severity: 'warning',
    title: 'The TLS handshake with a connecting client failed ("SSL_accept error").',
    detail:
      'Inbound (smtpd), the mirror of the client\'s "SSL_connect error": this server\'s side of the handshake failed. The OpenSSL reason is on the ' +
      '"TLS library problem" line just before it, from the same smtpd process.',
    causes: [
      likely(
        'The client offers only protocol versions or ciphers this server disabled ("no shared cipher", "unsupported protocol"), typically an old appliance or a scanner.',
      ),
      possible(
        'The client aborted because it did not trust this server\'s certificate (an alert such as "certificate unknown" or "bad certificate" on the neighbouring line).',
      ),
      possible('With OpenSSL 3 and Postfix before 3.7.4 (or 3.6.8), a client that closes without close_notify is logged this way; harmless.'),
    ],
    fix:
      'Read the neighbouring "TLS library problem" line for the reason. For an old sender you must accept, relax smtpd_tls_protocols/ciphers ' +
      'only on port 25 (smtpd_tls_security_level = may keeps plain-text fallback); serve the full chain (smtpd_tls_chain_files).',
  },
  {
    id: 'explain.no-shared-cipher',
    pattern: /no shared cipher/i,
    severity: 'warning',
    title: 'A client and this server share no cipher ("no shared cipher").',
    detail:
      'OpenSSL logs this on the server side only: the ClientHello offered no cipher suite this server accepts with its certificate and key. ' +
      'The handshake fails; a sending MTA usually retries without TLS.',
    causes: [
      likely('The client (often a scanner or an old appliance) offers only legacy ciphers (RC4, 3DES, export suites) that this server disables.'),
      possible(
        'The server has no usable certificate/key for the algorithms the client offers (an ECDSA-only certificate against an RSA-only client, or smtpd_tls_cert_file unreadable).',
      ),
    ],
    fix:
      'If the clients are scanners, ignore it. For a legitimate sender, check smtpd_tls_mandatory_ciphers/smtpd_tls_ciphers (keep "medium" on ' +
      'port 25) and that smtpd_tls_chain_files names a readable RSA key and certificate (add an ECDSA pair beside it, not instead).',
    dovecot: {
      causes: [
        likely('The client (often a scanner or an old mail client) offers only legacy ciphers (RC4, 3DES, export suites) that this server disables.'),
        possible('The server has no usable certificate/key for the algorithms the client offers (an ECDSA-only certificate against an RSA-only client).'),
      ],
      fix:
        'If the clients are scanners, ignore it. For a mail client you must serve, update the client rather than adding legacy ciphers to ' +
        'ssl_cipher_list (`doveconf -n` shows it), and keep an RSA certificate: an ECDSA one goes beside it (ssl_alt_cert, 2.4: ' +
        'ssl_server_alt_cert_file), not instead.',
    },
    supersedes: ['explain.handshake-failure', 'explain.postfix-ssl-accept-error'],
  },
  {
    // The server's side of a version refusal: Postfix's smtpd, or OpenSSL's server code (statem_srvr.c in OpenSSL 3,
    // ssl_choose_server_version and the client_hello functions in 1.1). tls-version-rejected speaks to the client
    // ("enable TLS 1.2 on the server"), and the server is this machine.
    id: 'explain.inbound-version-refused',
    pattern:
      /^(?=.*?(?:unsupported protocol|version too low)).*?(?:\bsmtpd\[\d+\]:|SSL_accept\(\) failed|statem_srvr\.c|choose_server_version|process_client_hello)/i,
    severity: 'warning',
    title: 'A connecting client offered only TLS versions this server refuses ("unsupported protocol").',
    detail:
      'Inbound (Postfix\'s smtpd, or Dovecot\'s imap-login/pop3-login, whose lines say "SSL_accept() failed"): OpenSSL on this server found no ' +
      "version it allows in the client's hello and ended the handshake. This server's TLS works; the client is older than this server " +
      'accepts. A sending MTA usually retries in plain text; a client that requires TLS cannot deliver.',
    causes: [
      likely(
        'The client (an old appliance or mail server) offers only TLS 1.0/1.1 or SSLv3, and this server excludes them: ' +
          "smtpd_tls_protocols (smtpd_tls_mandatory_protocols where TLS is required), Dovecot's ssl_min_protocol, or MinProtocol in the " +
          'system OpenSSL configuration.',
      ),
      possible('A scanner testing which versions this server accepts.'),
    ],
    fix:
      'Usually nothing here: ignore scanners; a legacy sender has to upgrade. On port 25 (opportunistic TLS) the alternative to old TLS is ' +
      'plain text, so for a sender you must accept that can do nothing better, let smtpd_tls_protocols accept its version again for port 25 ' +
      '(TLS_README advises against restricting opportunistic TLS); keep TLS 1.2 as the floor where TLS is mandatory (submission: ' +
      'smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1) and for IMAP and POP3, whose clients send passwords (Dovecot: ' +
      'ssl_min_protocol = TLSv1.2).',
    supersedes: ['explain.tls-version-rejected', 'explain.postfix-ssl-accept-error'],
  },
  {
    id: 'explain.postfix-anonymous-tls',
    pattern: /Anonymous TLS connection established/i,
    severity: 'info',
    title: 'A TLS session was established; the peer sent no certificate ("Anonymous").',
    detail:
      'Not an error: for inbound mail (smtpd) clients normally send no certificate. The line shows the version and cipher; TLSv1 or TLSv1.1 ' +
      'there means this server still accepts legacy protocols from that client.',
    causes: [likely('Normal opportunistic TLS.')],
    fix:
      'Nothing to fix for port 25 (opportunistic TLS: a legacy-only client would fall back to plain text). To refuse legacy versions on ' +
      'submission ports set smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1 there (every Postfix version; ' +
      '>=TLSv1.2 on Postfix 3.6 and later only: older Postfix rejects the ">=" list and turns TLS off).',
  },
  {
    id: 'explain.postfix-verified-tls',
    pattern: /Verified TLS connection established/i,
    severity: 'info',
    title: 'A TLS session was established and the server certificate verified, name included ("Verified").',
    detail:
      'Not an error: the chain validated and the certificate matched the expected name, as required at level verify/secure, by DANE, or by an ' +
      'MTA-STS policy from the policy service.',
    causes: [likely('A verifying TLS policy applied and the peer passed it.')],
    fix: 'Nothing to fix.',
  },
  {
    id: 'explain.postfix-trusted-tls',
    pattern: /(?<![A-Za-z])Trusted TLS connection established/,
    severity: 'info',
    title: 'A TLS session was established with a trusted chain, but the name was not verified ("Trusted").',
    detail:
      'The certificate chains to a CA in smtp_tls_CAfile/CApath, but Postfix did not (or could not) match the name: at level "may" or ' +
      '"encrypt" names are not checked. Under "secure" or "verify" a Trusted session that should be Verified means the name did not match.',
    causes: [
      likely('Opportunistic or encrypt level with a CA file configured: normal.'),
      possible("Under a verifying policy, the certificate does not name the next-hop (smtp_tls_secure_cert_match / the policy's match=)."),
    ],
    fix: 'Nothing to fix at level may/encrypt. For a destination that must be verified, fix the match list or the certificate name.',
  },
  {
    id: 'explain.postfix-tls-required-not-offered',
    pattern: /TLS is required, but was not offered by host/i,
    severity: 'error',
    title: 'Postfix requires TLS for this destination, but the remote server did not offer STARTTLS; the mail is deferred.',
    detail:
      'The TLS level for this destination is encrypt or stronger (smtp_tls_security_level, a smtp_tls_policy_maps entry, DANE or MTA-STS ' +
      'enforce) and the remote EHLO reply had no STARTTLS. Postfix keeps retrying until the queue lifetime ends, then bounces.',
    causes: [
      likely('The remote server does not support TLS (or its TLS is broken and it stopped announcing STARTTLS).'),
      likely('This Postfix was changed to require TLS globally (smtp_tls_security_level = encrypt) and this destination cannot do it.'),
      possible('A firewall "SMTP inspection" strips STARTTLS from the EHLO reply.'),
    ],
    fix:
      'Keep smtp_tls_security_level = may globally and require TLS only per destination (smtp_tls_policy_maps: "example.com encrypt"); for ' +
      'a destination that cannot do TLS, an explicit "example.com may" entry lets its mail through. Tell the remote admin; check for SMTP inspection.',
    supersedes: ['explain.starttls-unavailable', 'explain.postfix-tls-field-failed'],
  },
  verifyFamily(
    'explain.postfix-verify-untrusted-issuer',
    '2|20|21',
    'unable to get (?:local )?issuer certificate|unable to verify the first certificate',
    'Postfix could not verify the remote certificate: its issuer is unknown ("num=20", "unable to get local issuer certificate").',
    [likely('smtp_tls_CAfile/CApath is not set or lacks the issuing CA.'), possible('The remote server does not send its intermediate certificate.')],
    `Set ${SYSTEM_CA_FILE} and postfix reload; probe the remote to see whether it sends its chain.`,
  ),
  verifyFamily(
    'explain.postfix-verify-expired',
    '10',
    'certificate has expired',
    'Postfix could not verify the remote certificate: it has expired ("num=10").',
    [likely('The remote server did not renew its certificate, or renewed without reloading its mail server.'), possible("This machine's clock is wrong.")],
    "Tell the remote admin (probe it to show the dates); check this machine's clock. Do not lower the level globally: add a temporary per-destination policy only if you must.",
  ),
  verifyFamily(
    'explain.postfix-verify-not-yet-valid',
    '9',
    'certificate is not yet valid',
    'Postfix could not verify the remote certificate: it is not valid yet ("num=9").',
    [likely("A clock is wrong (this machine or the issuer's).")],
    'Fix the clock (NTP) on this machine; probe the remote to see the certificate dates.',
  ),
  verifyFamily(
    'explain.postfix-verify-self-signed',
    '18|19',
    'self[- ]signed certificate',
    'Postfix could not verify the remote certificate: it is self-signed or chains to an unknown private root ("num=18"/"num=19").',
    [likely('The remote uses a snakeoil or private-CA certificate.'), possible('A TLS-inspecting middlebox re-signs the session.')],
    'For a relay you control, put its CA in smtp_tls_CAfile (or use a fingerprint policy); for a public MX, tell the remote admin.',
  ),
  verifyFamily(
    'explain.postfix-verify-hostname-mismatch',
    '62',
    'hostname mismatch|subject alternative name mismatch',
    'Postfix could not verify the remote certificate: it does not name the host Postfix expected ("num=62", hostname mismatch).',
    [
      likely('The certificate lacks the MX or relay name (a default certificate, or one for another name).'),
      possible("The policy's match= list (or smtp_tls_secure_cert_match) names the wrong host."),
    ],
    'Probe the remote to see the names in its certificate; fix the certificate, or the match list in smtp_tls_policy_maps.',
  ),
  {
    id: 'explain.postfix-server-cert-not-trusted',
    pattern: /: Server certificate not trusted/i,
    severity: 'warning',
    title: 'Postfix noted that a remote server\'s certificate is not trusted ("Server certificate not trusted").',
    detail:
      'Logged per message: the certificate did not chain to a CA Postfix trusts. At level "may" the mail is still sent (encrypted, ' +
      'unauthenticated); under a verifying policy it is deferred.',
    causes: [likely('smtp_tls_CAfile/CApath is not set, or the remote uses a private or self-signed certificate.')],
    fix: `Set ${SYSTEM_CA_FILE}; probe the remote to see its chain.`,
    supersedes: ['explain.postfix-verify-untrusted-issuer'],
  },
  {
    id: 'explain.postfix-dnssec-probe',
    pattern: /dnssec_probe\b[^\n]*(?:not DNSSEC validated|failed|no response)/i,
    severity: 'warning',
    title: 'Postfix\'s DNSSEC self-test failed: the resolver does not validate ("dnssec_probe").',
    detail:
      'With smtp_dns_support_level = dnssec (needed for DANE) Postfix asks a test query and expects the AD bit. The answer came without it, so ' +
      'Postfix cannot trust any DNSSEC answer: DANE is effectively off and TLSA records are ignored.',
    causes: [likely("/etc/resolv.conf points at a non-validating resolver (a router, a cloud resolver without DNSSEC, or a container's DNS).")],
    fix:
      'Run a local validating resolver (unbound) and point /etc/resolv.conf at 127.0.0.1 (inside a chroot too: /var/spool/postfix/etc/resolv.conf); ' +
      'or, if you do not use DANE, set smtp_dns_support_level = enabled.',
  },
  {
    id: 'explain.postfix-tlsa-lookup-error',
    pattern: /TLSA lookup error for/i,
    severity: 'error',
    title: 'Postfix could not look up the TLSA (DANE) records of a destination, so it defers the mail.',
    detail:
      "The destination's zone is DNSSEC-signed, so Postfix must know whether TLSA records exist; the lookup failed (SERVFAIL), which DANE treats " +
      'as a possible attack. The mail stays in the queue.',
    causes: [
      likely(
        "The destination's DNS is broken for TLSA queries: a bogus denial of existence, expired signatures, or name servers that mishandle the TLSA type.",
      ),
      possible("This machine's resolver fails (timeouts, a forwarder that breaks DNSSEC)."),
    ],
    fix:
      'Check with dig +dnssec TLSA _25._tcp.MX and a DNSSEC analyser; if the destination is broken, tell its admin and, until fixed, add a ' +
      'per-destination policy ("example.com may") in smtp_tls_policy_maps. If every DANE domain fails, fix your resolver.',
  },
  {
    id: 'explain.postfix-policy-invalid-attribute',
    pattern: /smtp_tls_policy_maps[^\n]*invalid attribute name/i,
    severity: 'error',
    title: 'Postfix does not understand an attribute its TLS policy service returned ("invalid attribute name").',
    detail:
      'An MTA-STS policy service (postfix-mta-sts-resolver, postfix-tlspol) answered with an attribute this Postfix version does not know, ' +
      'typically servername= (Postfix 3.4 and later). Postfix treats the policy as broken and defers the mail.',
    causes: [likely('Postfix is older than 3.4 and the resolver adds servername=hostname (require_sni is on by default).')],
    fix: 'Upgrade Postfix to 3.4 or later, or turn off the attribute in the resolver (postfix-mta-sts-resolver: require_sni: false).',
  },
  {
    id: 'explain.postfix-policy-lookup-error',
    pattern: /smtp_tls_policy_maps[^\n]*(?:policy table lookup error|lookup error|table lookup problem)/i,
    severity: 'error',
    title: 'The TLS policy lookup failed, so Postfix defers the mail ("policy table lookup error").',
    detail:
      'smtp_tls_policy_maps (often a socketmap to an MTA-STS/DANE policy service) did not answer or answered with an error. Postfix will not ' +
      'guess a weaker policy and defers.',
    causes: [
      likely('The policy service (postfix-mta-sts-resolver, postfix-tlspol) is down or listens elsewhere than the socketmap address.'),
      possible("The service failed for this domain because the domain's DNS is broken."),
    ],
    fix: 'Check the service (systemctl status; the socketmap address in main.cf) and its log for this domain; postmap -q DOMAIN socketmap:... shows the answer.',
  },
  {
    id: 'explain.tls-policy-service-answer',
    pattern: /\bOK secure match=|Evaluated policy for "|No policy found for "/i,
    severity: 'info',
    title: 'An MTA-STS/DANE policy service reported the policy of a destination.',
    detail:
      'Lines from postfix-mta-sts-resolver ("OK secure match=...") or postfix-tlspol ("Evaluated policy for ...: dane-only", "No policy found for ...") ' +
      'are normal: they say which TLS level Postfix will apply. "No policy found" means opportunistic TLS.',
    causes: [likely('Normal operation of the policy service.')],
    fix: 'Nothing to fix.',
  },
  {
    id: 'explain.postfix-tls-field-failed',
    pattern: /\btls=![a-z-]+/i,
    severity: 'error',
    title: 'The TLS level Postfix required for this delivery failed (Postfix 3.11 "tls=!LEVEL").',
    detail:
      'Postfix 3.11 logs the TLS level of each delivery in a tls= field. A leading "!" means the required level (encrypt, fingerprint, ' +
      'verify, secure, dane) could not be met: STARTTLS missing, or the certificate failed authentication. The status says deferred or bounced.',
    causes: [likely('STARTTLS not offered (tls=!encrypt) or the certificate failed the check (tls=!dane, !secure, !verify, !fingerprint).')],
    fix: 'Read the status text in parentheses for the reason and probe the relay named in relay=.',
  },
  {
    id: 'explain.postfix-tls-field-plaintext',
    pattern: /\btls=may:none\b/i,
    severity: 'warning',
    title: 'Delivered in plain text: the remote server did not offer STARTTLS (Postfix 3.11 "tls=may:none").',
    detail: 'At level "may" Postfix sends without TLS when STARTTLS is not offered. The mail went out, readable on the way.',
    causes: [likely('The remote server has no TLS, or STARTTLS is stripped on the way.')],
    fix: 'If this destination must be encrypted, add "example.com encrypt" to smtp_tls_policy_maps; tell the remote admin.',
  },
  {
    id: 'explain.postfix-tls-field-downgraded',
    pattern: /\btls=(?:dane|half-dane|secure|verify|fingerprint|encrypt):[a-z-]+/i,
    severity: 'warning',
    title: 'Postfix used a weaker TLS level than configured for this delivery (Postfix 3.11 "tls=LEVEL:LOWER").',
    detail: 'The first level is the one configured, the second the one used after a fallback (for example DANE with unusable TLSA records).',
    causes: [likely("The destination's TLSA records are unusable, or a fallback (smtp_tls_fallback_level, RequireTLS: no) applied.")],
    fix: "Check the destination's TLSA records (mail-tls-doctor check DOMAIN, or dig TLSA _25._tcp.MX) and the fallback settings.",
  },
  {
    id: 'explain.postfix-tls-handshake-lost',
    pattern: /lost connection with [^\n]* while performing the TLS handshake/i,
    severity: 'error',
    title: 'The remote server closed the connection during the TLS handshake ("while performing the TLS handshake").',
    detail:
      'Outbound (smtp): the delivery status says the peer hung up mid-handshake. With level "may" Postfix retries the next attempt in plain text ' +
      'only if smtp_tls_security_level allows it; with encrypt or stronger the mail stays deferred.',
    causes: [
      likely('No protocol version or cipher in common (a TLS 1.0-only remote against OpenSSL 3, or too strict smtp_tls_protocols/ciphers here).'),
      possible('A firewall or IPS on either side cuts TLS on port 25.'),
    ],
    fix: 'Probe the remote (mail-tls-doctor probe HOST:25) to see what it accepts; for a legacy-only peer add a per-destination smtp_tls_policy_maps entry instead of loosening the defaults.',
  },
  {
    id: 'explain.postfix-lost-after-starttls',
    pattern: /lost connection after STARTTLS from/i,
    severity: 'warning',
    title: 'A client gave up right after STARTTLS ("lost connection after STARTTLS").',
    detail:
      'Inbound (smtpd): the client asked for TLS and then disconnected, during or just after the handshake. The line before it from the same ' +
      'smtpd process (SSL_accept error, TLS library problem) usually names the reason.',
    causes: [
      likely(
        "The handshake failed (no shared cipher or version), or the client rejected this server's certificate (expired, wrong name, missing intermediate).",
      ),
      possible('A scanner that only tests STARTTLS and leaves.'),
    ],
    fix: 'Read the preceding lines of the same smtpd process; probe your own server (mail-tls-doctor probe YOUR-MX:25) to see the certificate clients get.',
  },
  {
    id: 'explain.postfix-lost-after-connect-tls',
    // Only the implicit-TLS services Postfix's stock master.cf names in syslog_name: on 25 and 587 this line is a client that left
    // before EHLO (scanners by the thousand), nothing to do with TLS.
    pattern: /\/(?:smtps|submissions)\/smtpd\[\d+\]:.*\blost connection after CONNECT from /i,
    severity: 'info',
    title: 'A client left the implicit-TLS service before the TLS handshake finished ("lost connection after CONNECT").',
    detail:
      'Inbound (smtpd) on an implicit-TLS service (smtps or submissions, port 465): there the TLS handshake comes before any SMTP ' +
      'command, so a client that cannot complete it, or gives up during it, is logged as leaving "after CONNECT". A failed handshake ' +
      'usually has an "SSL_accept error" or "TLS library problem" line from the same smtpd process just before.',
    causes: [
      likely('A scanner that connects to port 465 and leaves.'),
      possible(
        'A client that speaks plain SMTP or STARTTLS on port 465 (nodemailer secure: false, Postfix without smtp_tls_wrappermode = yes) waits for a greeting that never comes and gives up.',
      ),
      possible("The client rejected this server's certificate, version or ciphers during the handshake."),
    ],
    fix:
      'Read the lines of the same smtpd process before it for the reason. If the client is yours, use implicit TLS on 465 (nodemailer ' +
      'secure: true; Postfix smtp_tls_wrappermode = yes with smtp_tls_security_level = encrypt) and probe the service (mail-tls-doctor ' +
      'probe YOUR-HOST:465). Scanners can be ignored.',
  },
  {
    id: 'explain.peer-alert-certificate-expired',
    pattern: /alert certificate expired|SSL alert number 45\b/i,
    severity: 'error',
    title: 'The peer rejected the certificate this side sent: it has expired (TLS alert 45).',
    detail:
      'The other side of the handshake sent the "certificate expired" alert: the certificate presented by this server (or, for the smtp client, ' +
      'its client certificate) is past its end date. On the smtpd/submission side this means your clients see an expired certificate.',
    causes: [
      likely('The certificate was renewed on disk but the mail server was not reloaded, so it still serves the old one.'),
      possible('Renewal itself failed.'),
    ],
    fix: 'Check the dates of the certificate the server actually serves (probe it), renew if needed, and postfix reload; add a reload hook to the renewal.',
    supersedes: ['explain.cert-expired'],
  },
  {
    // The side that logs "alert ... SSL alert number N" received it: the peer refused what it was shown. On smtpd that is a
    // client that does not trust this server's certificate, the commonest inbound TLS line after scanners.
    id: 'explain.peer-alert-certificate-rejected',
    pattern: /alert (?:unknown ca|bad certificate|certificate unknown|unsupported certificate)\b|SSL alert number (?:42|43|46|48)\b/i,
    severity: 'warning',
    title: 'The peer rejected the certificate this side sent (TLS alert "unknown ca", "bad certificate" or "certificate unknown").',
    // Outside a Postfix log the line is either a server's (Dovecot: "imap-login: ... SSL_accept() failed: ... alert unknown ca")
    // or a client's error (nodemailer): both readings, each with its own fix.
    detail:
      'The other side of the handshake did not accept the certificate it was shown and ended the handshake with an alert: "unknown ca" (48) ' +
      'means it does not chain to a CA that side trusts; "bad certificate" (42) and "certificate unknown" (46) are general refusals. In a ' +
      "server's log (Dovecot's imap-login/pop3-login, \"SSL_accept() failed\") a mail client refused the server's certificate; in a client's " +
      "error (nodemailer) the server refused the client's certificate.",
    causes: [
      likely("Server's log: the server sends an incomplete chain (its certificate without the intermediate) or a self-signed or private-CA certificate."),
      possible("Client's error: the server asks for a client certificate and does not trust the one in tls.cert."),
      possible('A scanner or an old client with an outdated trust store: harmless when only such clients do it.'),
    ],
    fix:
      'On a server, probe it as clients see it (mail-tls-doctor probe YOUR-HOST:PORT) and serve the full chain of a publicly trusted ' +
      'certificate for the name clients use (Dovecot: the fullchain.pem as the certificate file). In a client (nodemailer), send a client ' +
      'certificate the server trusts (tls.cert with its chain, tls.key), or none if the server requires none. Turning off certificate ' +
      "checks on either side does not help: the refusal is the peer's.",
    postfix: {
      detail:
        'The other side of the handshake did not accept the certificate it was shown and ended the handshake with an alert. On the ' +
        'smtpd/submission side this is a client that does not trust this server\'s certificate: "unknown ca" (48) means it does not chain to a ' +
        'root the client knows; "bad certificate" (42) and "certificate unknown" (46) are its general refusals (a wrong name, an incomplete ' +
        'chain). On the smtp client side it is the remote server refusing the client certificate (smtp_tls_cert_file).',
      causes: [
        likely(
          "This server sends an incomplete chain (its certificate without the intermediate) or a self-signed or private-CA certificate (Debian's snakeoil).",
        ),
        possible('The certificate does not name the host the client connects to (clients use mail.example.com, the certificate names another host).'),
        possible('A scanner or an old client with an outdated trust store: harmless when only such clients do it.'),
        possible('On an outbound line (smtp[N], "SSL_connect error to"): the remote server does not trust the client certificate in smtp_tls_cert_file.'),
      ],
      fix:
        'Probe this server as clients see it (mail-tls-doctor probe YOUR-HOST:PORT): serve the full chain of a publicly trusted certificate ' +
        'for the name clients use (smtpd_tls_chain_files = key.pem, fullchain.pem), then postfix reload. Do not tell clients to turn verification ' +
        'off. On an outbound line the refused certificate is smtp_tls_cert_file: use one the remote trusts, or unset it if the remote asks for none.',
    },
  },
  {
    // OpenSSL 3 reports a close without close_notify as this error (OpenSSL 1.1 returned a bare SSL_ERROR_SYSCALL): clients and
    // scanners close that way all day, so on its own a server's log line is noise, not a TLS fault. Only on such a line (Postfix's
    // "TLS library problem", a daemon's "name[pid]:" tag, Dovecot's "SSL_read() failed"): the same words in a client's error
    // (nodemailer: "... unexpected eof while reading ... ESOCKET") are the failure of that client's send, not noise.
    id: 'explain.tls-unexpected-eof',
    // Anchored, the reason looked for first: a line that repeats the context words ("a[1]:a[1]:...") costs one pass, where
    // "context, anything, reason" retried from every position (about 1 ms a 4 KB line, seconds for a pasted log).
    pattern: /^(?=.*?unexpected eof while reading).*?(?:TLS library problem|\w\[\d+\]:|SSL_\w+(?:\(\))? (?:failed|error))/i,
    severity: 'info',
    title: 'The peer closed the connection without ending TLS first ("unexpected eof while reading").',
    detail:
      'OpenSSL 3 reports a peer that drops the connection without a TLS close_notify as an error; OpenSSL 1.1 said nothing. Many clients, ' +
      'servers and scanners close that way, so the line alone is no fault: when the session around it succeeded, nothing was lost.',
    causes: [
      likely(
        'Postfix with OpenSSL 3 logs such a close as a TLS error; later Postfix releases ignore it (a real report: gone after upgrading to Postfix 3.7.4).',
      ),
      possible('The peer gave up during the handshake or the session (a scanner, a timeout, a network drop): the lines around it then show the failure.'),
    ],
    fix:
      'Nothing to fix when the session or delivery around it succeeded; an upgrade of Postfix stops the noise. If it comes with failed handshakes ' +
      'or deferred mail, read those lines for the reason.',
  },
  {
    id: 'explain.cert-key-mismatch',
    // Dovecot checks the pair itself and says so in its own words: "Key is for a different cert than ssl_cert".
    pattern: /key values mismatch|X509_check_private_key|Key is for a different cert than/i,
    severity: 'error',
    title: 'The configured certificate and private key do not belong together ("key values mismatch").',
    detail: 'OpenSSL refused to load the pair, so the service has no usable certificate: STARTTLS fails or is not offered.',
    causes: [likely('After a renewal, the certificate and key paths point at different generations (a new certificate with the old key, or the reverse).')],
    fix:
      'Compare the public keys (openssl x509 -noout -pubkey -in CERT vs openssl pkey -pubout -in KEY); point both settings at the same pair ' +
      '(smtpd_tls_chain_files = key then fullchain) and postfix reload.',
    dovecot: {
      title: 'The configured certificate and private key do not belong together ("Key is for a different cert than ssl_cert").',
      detail:
        'Dovecot refused the pair when a client asked for TLS ("Key is for a different cert than ssl_cert"), so that connection fails; ' +
        'Dovecot 2.3 starts anyway and logs this once per TLS connection.',
      causes: [likely('After a renewal, ssl_cert and ssl_key point at different generations (a new certificate with the old key, or the reverse).')],
      fix:
        'Compare the public keys (openssl x509 -noout -pubkey -in CERT vs openssl pkey -pubout -in KEY); point both settings at the same ' +
        'pair (2.3: ssl_cert = </etc/letsencrypt/live/NAME/fullchain.pem, ssl_key = </etc/letsencrypt/live/NAME/privkey.pem; 2.4: ' +
        'ssl_server_cert_file and ssl_server_key_file) and restart Dovecot.',
    },
  },
  {
    id: 'explain.postfix-no-server-cert',
    pattern: /cannot get (?:RSA|DSA|ECDSA|EC) (?:certificate|private key) from file|No server certs available|TLS won't be enabled/i,
    severity: 'error',
    title: 'The Postfix server has no usable certificate, so TLS is disabled ("disabling TLS support").',
    detail:
      'smtpd could not read or load its certificate or key; clients that ask for STARTTLS get "454 4.7.0 TLS not available due to local problem" ' +
      'and clients that require TLS cannot deliver.',
    causes: [
      likely('The file is missing or not readable by Postfix (permissions on the key or on a directory such as /etc/letsencrypt/archive).'),
      possible('The paths in smtpd_tls_cert_file/smtpd_tls_key_file (or smtpd_tls_chain_files) are wrong, or the key does not match.'),
    ],
    fix: 'Check the files and their permissions (Postfix reads them as root at start, inside a chroot only if configured so), fix the paths, postfix reload.',
  },
  {
    id: 'explain.postfix-wrappermode-requires-encrypt',
    pattern: /wrappermode[^\n]*requires[^\n]*smtp_tls_security_level|requires setting "smtp_tls_wrappermode = yes"/i,
    severity: 'error',
    title: 'Implicit TLS (port 465) is set up half-way: Postfix needs smtp_tls_wrappermode = yes together with level encrypt.',
    detail:
      'For a relay on port 465 Postfix must start TLS immediately (wrappermode) and cannot fall back to plain text, so the level must be encrypt or stronger.',
    causes: [likely('relayhost = [host]:465 without smtp_tls_wrappermode = yes, or wrappermode on with smtp_tls_security_level = may.')],
    fix: 'For port 465: smtp_tls_wrappermode = yes and smtp_tls_security_level = encrypt; for port 587: wrappermode off, STARTTLS with level encrypt.',
  },
];
