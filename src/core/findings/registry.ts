/**
 * THE FINDING REGISTRY: every finding id the tool can report, declared once.
 *
 * How to add a finding id (one line):
 *   1. Add `'family.my-new-id': { severity: 'warning', title: 'What is wrong, in one short sentence.' },` to
 *      FINDINGS below (keep it sorted within its family). `severity` is the default; a finding may still report
 *      another one when the docs say so. `title` is the generic title (docs, lists); findings usually say more.
 *   2. Document it: a table row naming `` `family.my-new-id` `` on the family's docs page (FAMILIES below).
 *      test/unit/core/findings/registry.test.ts fails until both directions agree.
 *   3. Build the finding with `makeFinding('family.my-new-id', { ... })` (src/core/findings/index.ts; a Postfix
 *      rule calls `report(ctx, id, { ... })`, which calls it): an id that is not registered here
 *      does not compile. test/unit/core/findings/oneBuilder.test.ts fails on a finding written as an object literal.
 * A new family is one more line in FAMILIES (its docs page); TypeScript reports a family missing there.
 * `maillog.*` ids are derived from the `explain.*` ids (one per catalog entry); only the per-delivery ones are listed here.
 */
import type { Severity } from '../finding';

export interface FindingSpec {
  /** The default severity. */
  readonly severity: Severity;
  /** The generic title: one plain sentence. */
  readonly title: string;
  /** The id whose docs row explains this one, when it is documented together with another id. */
  readonly docsAs?: string;
}

export const FINDINGS = {
  // Certificates (src/core/cert): docs/findings-cert.md
  'cert.bad-signature': { severity: 'error', title: 'A signature on the certificate chain does not verify.' },
  'cert.chain-order': { severity: 'info', title: 'The server sends its chain out of order or with extra certificates.' },
  'cert.chain-too-long': { severity: 'error', title: 'No trusted root was reached within the chain length limit.' },
  'cert.expired': { severity: 'error', title: 'A certificate on the chain has expired.' },
  'cert.expires-soon': { severity: 'warning', title: 'A certificate on the chain expires soon.' },
  'cert.hostname-mismatch': { severity: 'error', title: 'The certificate does not cover the name the client connects to.' },
  'cert.invalid-ca': { severity: 'error', title: 'A certificate that signed another one is not a CA.' },
  'cert.malformed': { severity: 'error', title: 'A certificate the server sent cannot be decoded.' },
  'cert.missing-intermediate': { severity: 'error', title: 'The server does not send its intermediate certificate.' },
  'cert.not-yet-valid': { severity: 'error', title: 'A certificate on the chain is not valid yet.' },
  'cert.self-signed': { severity: 'error', title: 'The server certificate is self-signed.' },
  'cert.untrusted-root': { severity: 'error', title: 'The chain ends in a CA the client does not trust.' },
  'cert.weak-key': { severity: 'error', title: 'A certificate on the chain has a weak key.' },
  'cert.weak-signature': { severity: 'error', title: 'A certificate on the chain is signed with SHA-1 or MD5.' },
  'cert.wrong-purpose': { severity: 'error', title: 'The server certificate is not meant for TLS servers.' },

  // Probes (src/core/probe): docs/findings-probe.md
  'clock.skew': { severity: 'warning', title: 'The server clock is off.' },
  'dns.unresolved': { severity: 'error', title: 'The host name does not resolve.' },
  'endpoint.ca-unreadable': { severity: 'error', title: 'Not probed: an extra CA file cannot be read.' },
  'endpoint.invalid-ehlo-name': { severity: 'error', title: 'Not probed: the EHLO name is not a valid host name.' },
  'endpoint.invalid-host': { severity: 'error', title: 'Not probed: the host is not a valid host name.' },
  'endpoint.invalid-port': { severity: 'error', title: 'Not probed: the port is not a TCP port.' },
  'endpoint.invalid-servername': { severity: 'error', title: 'Not probed: the name to verify is not a valid host name.' },
  'greeting.rejected': { severity: 'error', title: 'The server rejected the connection in its greeting.' },
  'greeting.timeout': { severity: 'error', title: 'Connected, but no greeting came.' },
  'mode.expects-implicit-tls': { severity: 'error', title: 'The port expects implicit TLS, not STARTTLS.' },
  'mode.expects-starttls': { severity: 'error', title: 'The port expects STARTTLS, not implicit TLS.' },
  'mode.no-tls': { severity: 'error', title: 'The port speaks plain text and offers no TLS at all.' },
  'probe.backing-off': { severity: 'warning', title: 'Not probed: the server asked clients to back off.' },
  'probe.internal-error': { severity: 'error', title: 'The probe stopped on an unexpected error of its own.' },
  'protocol.bad-reply': { severity: 'error', title: 'The server replies do not follow the protocol.' },
  'protocol.other-protocol': { severity: 'error', title: 'The port speaks another mail protocol.' },
  'starttls.not-offered': { severity: 'error', title: 'The server does not offer STARTTLS.' },
  'starttls.refused': { severity: 'error', title: 'The server refused the STARTTLS command.' },
  'tcp.refused': { severity: 'error', title: 'The connection was refused.' },
  'tcp.timeout': { severity: 'error', title: 'The connection timed out.' },
  'tls.closed-after-handshake': { severity: 'error', title: 'The server closed the connection after the TLS handshake.' },
  'tls.closed-before-greeting': { severity: 'error', title: 'The TLS handshake worked, then the server hung up without a greeting.' },
  'tls.handshake-failed': { severity: 'error', title: 'The TLS handshake failed.' },
  'tls.handshake-timeout': { severity: 'error', title: 'The TLS handshake timed out.' },
  'tls.legacy-version-accepted': { severity: 'warning', title: 'The server accepts TLS 1.0 or 1.1.' },
  'tls.lost-connection': { severity: 'error', title: 'The server dropped the connection during the TLS handshake.' },
  'tls.modern-version-missing': { severity: 'error', title: 'The server accepts neither TLS 1.2 nor TLS 1.3.' },
  'tls.no-tls13': { severity: 'info', title: 'The server does not offer TLS 1.3.' },
  'tls.weak-cipher': { severity: 'warning', title: 'The server chose a weak cipher suite.' },
  'tls.weak-key-exchange': { severity: 'warning', title: 'The server uses a weak key exchange.' },

  // Linters (src/core/lint): docs/findings-nodemailer.md (nodemailer, dotenv), docs/findings-postfix.md, lint.*
  'dotenv.invalid-host': { severity: 'error', title: 'A mail host variable is no host name.' },
  'dotenv.plaintext-on-implicit-port': { severity: 'error', title: 'Plain text configured on an implicit-TLS port.' },
  'dotenv.secure-on-starttls-port': { severity: 'error', title: 'Implicit TLS configured on a STARTTLS port.' },
  'dotenv.tls-verification-disabled': { severity: 'warning', title: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks.' },
  'lint.internal-error': { severity: 'warning', title: 'A linter failed on this file.' },
  'lint.link-outside-workspace': { severity: 'warning', title: 'A link out of the workspace was not read (restricted mode).' },
  'nodemailer.ignore-tls': { severity: 'warning', title: 'ignoreTLS skips STARTTLS: mail and password go in clear text.' },
  'nodemailer.invalid-host': { severity: 'error', title: 'A host name in the transport is no host name.' },
  'nodemailer.legacy-tls-version': { severity: 'warning', title: 'The transport allows or pins a TLS version below 1.2.' },
  'nodemailer.obsolete-option': { severity: 'warning', title: 'An option nodemailer ignores.' },
  'nodemailer.plaintext-on-implicit-port': { severity: 'error', title: '`secure: false` on a port that expects TLS from the first byte.' },
  'nodemailer.secure-on-starttls-port': { severity: 'error', title: '`secure: true` on a port that speaks plain text first.' },
  'nodemailer.service-overridden': { severity: 'warning', title: 'The `service` overrides the host, port or secure set next to it.' },
  'nodemailer.sslv3-cipher': { severity: 'warning', title: 'The transport pins the SSLv3 cipher list.' },
  'nodemailer.starttls-not-required': { severity: 'info', title: 'STARTTLS is not required: a stripped STARTTLS goes unnoticed.' },
  'nodemailer.template-values': { severity: 'info', title: 'Transport options are template text: not checked.' },
  'nodemailer.tls-verification-disabled': {
    severity: 'warning',
    title: 'Certificate checks are off (`tls.rejectUnauthorized: false`, or NODE_TLS_REJECT_UNAUTHORIZED=0 in code).',
  },
  'nodemailer.unknown-service': { severity: 'error', title: 'nodemailer does not know this `service`.' },
  'postfix.cert-expired': { severity: 'error', title: 'The configured server certificate has expired (or is not valid yet).' },
  'postfix.cert-expiring-soon': { severity: 'warning', title: 'The configured server certificate expires soon.', docsAs: 'postfix.cert-expired' },
  'postfix.cert-file-missing': { severity: 'error', title: 'A configured certificate or key file cannot be read.' },
  'postfix.cert-hostname': { severity: 'warning', title: 'The certificate does not cover myhostname.' },
  'postfix.cert-key-mismatch': { severity: 'error', title: 'The private key does not belong to the certificate.' },
  'postfix.cert-missing-intermediate': { severity: 'error', title: 'The certificate file lacks the intermediate certificate.' },
  'postfix.cert-unreadable': { severity: 'error', title: 'The certificate or key file holds no usable PEM data.' },
  'postfix.cert-weak-key': { severity: 'error', title: 'The configured server certificate has a weak key.' },
  'postfix.deprecated-parameter': { severity: 'warning', title: 'A deprecated or removed Postfix parameter.' },
  'postfix.duplicate-parameter': { severity: 'warning', title: 'The parameter is set twice; the last one wins.' },
  'postfix.encrypt-on-public-mx': { severity: 'warning', title: 'Mandatory TLS on the public MX service.' },
  'postfix.dane-without-dnssec': { severity: 'warning', title: 'DANE is configured but DNSSEC lookups are off: DANE is silently off.' },
  'postfix.encrypt-without-verification': { severity: 'info', title: 'Credentials go to a relay whose certificate is never checked.' },
  'postfix.file-checks-skipped': { severity: 'info', title: 'Certificate, key or CA files named in a copied config were not checked.' },
  'postfix.inline-credentials': { severity: 'warning', title: 'A SASL password is written into the Postfix config itself.' },
  'postfix.legacy-protocols': { severity: 'warning', title: 'The protocol list allows SSLv3, TLS 1.0 or TLS 1.1.' },
  'postfix.mandatory-protocols-default': { severity: 'info', title: 'Mandatory TLS left at a default that allows TLS 1.0/1.1.' },
  'postfix.master-syntax-error': { severity: 'error', title: 'A master.cf line Postfix cannot read.' },
  'postfix.no-outbound-tls': { severity: 'warning', title: 'The server never uses TLS for the mail it sends.' },
  'postfix.obsolete-cipher-grade': { severity: 'warning', title: 'An obsolete cipher grade.' },
  'postfix.policy-map-attribute': { severity: 'error', title: 'A TLS policy table attribute Postfix rejects (the destination is deferred) or ignores.' },
  'postfix.policy-map-level': { severity: 'error', title: 'A TLS policy table entry has no valid security level: the destination is deferred.' },
  'postfix.policy-map-syntax': { severity: 'warning', title: 'A TLS policy table line that postmap ignores.' },
  'postfix.protocols-gap': { severity: 'warning', title: 'The protocol list leaves a gap.' },
  'postfix.protocols-syntax': { severity: 'error', title: 'Postfix rejects this protocol list.' },
  'postfix.relay-credentials-in-clear': { severity: 'error', title: 'Relay credentials may be sent without TLS.' },
  'postfix.relayhost-invalid': { severity: 'error', title: 'The relayhost host or port is unusable.' },
  'postfix.relayhost-mx-lookup': { severity: 'warning', title: 'The relayhost is looked up by MX (no brackets).' },
  'postfix.relayhost-needs-wrappermode': { severity: 'error', title: 'A relay on an implicit-TLS port without wrapper mode.' },
  'postfix.sasl-before-starttls': { severity: 'warning', title: 'SMTP AUTH is offered before STARTTLS.' },
  'postfix.sasl-client-without-tls': { severity: 'warning', title: 'The SMTP client logs in to servers without TLS.' },
  'postfix.smtps-without-wrappermode': { severity: 'error', title: 'An implicit-TLS service without wrapper mode.' },
  'postfix.submission-without-encrypt': { severity: 'warning', title: 'The submission service does not require TLS.' },
  'postfix.syntax-error': { severity: 'error', title: 'A main.cf line Postfix cannot read.' },
  'postfix.template-file': { severity: 'info', title: 'The file is a template: template expressions are not checked.' },
  'postfix.unknown-parameter': { severity: 'warning', title: 'Postfix does not know this parameter.' },
  'postfix.verify-without-ca': { severity: 'error', title: 'Certificate verification without any CA.' },
  'postfix.wrappermode-needs-encrypt': { severity: 'error', title: 'Wrapper mode with a TLS level below encrypt.' },
  'postfix.wrappermode-on-starttls-port': { severity: 'error', title: 'Wrapper mode towards a STARTTLS port.' },

  // TLS-RPT reports (src/core/tlsrpt): docs/findings-tlsrpt.md; one id per RFC 8460 result type, then the reader's
  'tlsrpt.certificate-expired': { severity: 'error', title: 'Senders found the MX certificate expired.' },
  'tlsrpt.certificate-host-mismatch': { severity: 'error', title: 'Senders found that the MX certificate does not name the MX host.' },
  'tlsrpt.certificate-not-trusted': { severity: 'error', title: 'Senders did not trust the MX certificate.' },
  'tlsrpt.dane-required': { severity: 'error', title: 'Senders require DANE but found no valid TLSA records.' },
  'tlsrpt.dnssec-invalid': { severity: 'error', title: 'DNSSEC validation failed for the domain or its MX.' },
  'tlsrpt.starttls-not-supported': { severity: 'error', title: 'The MX did not offer STARTTLS to senders.' },
  'tlsrpt.sts-policy-fetch-error': { severity: 'error', title: 'Senders could not fetch the MTA-STS policy.' },
  'tlsrpt.sts-policy-invalid': { severity: 'error', title: 'The MTA-STS policy is not valid.' },
  'tlsrpt.sts-webpki-invalid': { severity: 'error', title: "The MTA-STS web server's certificate is not valid." },
  'tlsrpt.tlsa-invalid': { severity: 'error', title: 'No TLSA record matches the MX certificate.' },
  'tlsrpt.unknown-result-type': { severity: 'error', title: 'Senders report a failure of a type RFC 8460 does not define.' },
  'tlsrpt.validation-failure': { severity: 'error', title: 'TLS sessions failed validation for another reason.' },
  'tlsrpt.all-sessions-succeeded': { severity: 'info', title: 'Every session under the policy succeeded.' },
  'tlsrpt.bad-count': { severity: 'warning', title: 'Some session counts in the report are not plain integers.' },
  'tlsrpt.bad-date': { severity: 'warning', title: "The report's date range cannot be read." },
  'tlsrpt.failures-without-details': { severity: 'warning', title: 'Failures are counted without failure details.' },
  'tlsrpt.missing-field': { severity: 'info', title: 'The report leaves out fields RFC 8460 asks for.' },
  'tlsrpt.no-policy-found': { severity: 'info', title: 'No MTA-STS or DANE policy: opportunistic TLS.' },
  'tlsrpt.same-sessions-counted-twice': { severity: 'info', title: 'TLSA and STS entries of one domain count the same sessions.' },
  'tlsrpt.summary-mismatch': { severity: 'warning', title: "The summary's failure count differs from its failure details." },
  'tlsrpt.truncated': { severity: 'warning', title: 'The report is larger than the reader reads in full.' },
  'tlsrpt.unknown-type': { severity: 'warning', title: 'The report uses a policy or result type RFC 8460 does not define.' },
  'tlsrpt.unreadable': { severity: 'error', title: 'The TLS-RPT report cannot be read.' },

  // Domain check (src/core/domain): docs/findings-domain.md (dns.* on findings-probe.md, tlsrpt.* on findings-tlsrpt.md)
  'dane.rollover-single': { severity: 'info', title: 'Only one usable TLSA record: the next key change breaks DANE.' },
  'dane.starttls-missing': { severity: 'error', title: 'The MX has TLSA records but no working STARTTLS.' },
  'dane.tlsa-mismatch': { severity: 'error', title: 'No TLSA record matches the certificate chain the MX presents.' },
  'dane.tlsa-unsigned': { severity: 'warning', title: 'TLSA records exist but are not DNSSEC-validated.' },
  'dane.usage-unsuitable': { severity: 'warning', title: 'TLSA records that SMTP senders cannot use (usage 0/1, unknown types).' },
  'dns.bogus': { severity: 'error', title: 'Records fail DNSSEC validation.' },
  'dns.resolver-not-validating': { severity: 'warning', title: 'The DNSSEC status is unknown: the resolver is not trusted or does not validate.' },
  'mtasts.max-age-short': { severity: 'warning', title: 'The MTA-STS max_age is under one day.' },
  'mtasts.mx-cert-invalid': { severity: 'error', title: 'An MX under the MTA-STS policy has no valid certificate for its name.' },
  'mtasts.mx-mismatch': { severity: 'error', title: 'An MX matches no mx pattern of the MTA-STS policy.' },
  'mtasts.policy-cert-invalid': { severity: 'warning', title: "The MTA-STS policy host's certificate does not verify." },
  'mtasts.policy-content-type': { severity: 'warning', title: 'The MTA-STS policy is not served as text/plain.' },
  'mtasts.policy-fetch-failed': { severity: 'warning', title: 'The MTA-STS policy cannot be fetched.' },
  'mtasts.policy-invalid': { severity: 'warning', title: 'The MTA-STS policy is invalid.' },
  'mtasts.policy-redirect': { severity: 'warning', title: 'The MTA-STS policy URL redirects.' },
  'mtasts.testing': { severity: 'info', title: 'The MTA-STS policy is in testing mode.' },
  'mtasts.txt-invalid': { severity: 'warning', title: 'The _mta-sts TXT record is invalid.' },
  'mtasts.txt-lookup-failed': { severity: 'warning', title: 'The _mta-sts TXT lookup fails: senders without a cached policy deliver without MTA-STS.' },
  'mx.cname': { severity: 'warning', title: 'An MX target is an alias (CNAME).' },
  'mx.implicit': { severity: 'warning', title: 'No MX record: mail goes to the domain address.' },
  'mx.null': { severity: 'info', title: 'Null MX: the domain accepts no mail.' },
  'mx.unresolved': { severity: 'warning', title: 'An MX target has no address.' },
  'tlsrpt.invalid': { severity: 'warning', title: 'The _smtp._tls TLS-RPT record is invalid.' },
  'tlsrpt.missing': { severity: 'warning', title: 'DANE or MTA-STS is published without a TLS-RPT record.' },
  'tlsrpt.txt-lookup-failed': { severity: 'warning', title: 'The _smtp._tls TXT lookup fails: senders cannot read where to report.' },

  // Error explanations (src/core/explain/catalog.ts): docs/findings-explain.md; each also exists as maillog.*
  'explain.auth-rejected': { severity: 'warning', title: 'The login was refused: a credentials problem, not a TLS one.' },
  'explain.auth-needs-tls': { severity: 'error', title: 'The server refuses to proceed before TLS.' },
  'explain.cert-expired': { severity: 'error', title: 'The server certificate has expired.' },
  'explain.cert-key-mismatch': { severity: 'error', title: 'The configured certificate and private key do not belong together.' },
  'explain.cert-not-yet-valid': { severity: 'error', title: 'The server certificate is not valid yet.' },
  'explain.connection-refused': { severity: 'error', title: 'Nothing accepts connections on that host and port.' },
  'explain.connection-reset': { severity: 'error', title: 'The server (or something in between) reset the connection.' },
  'explain.connection-timeout': { severity: 'error', title: 'The connection timed out.' },
  'explain.dh-key-too-small': { severity: 'error', title: 'The server offered a Diffie-Hellman group smaller than the client accepts.' },
  'explain.disconnected-before-tls': { severity: 'error', title: 'The server closed the connection during the TLS handshake.' },
  'explain.dns-failure': { severity: 'error', title: 'The mail server name does not resolve.' },
  'explain.greeting-never-received': { severity: 'error', title: 'The server never sent its SMTP greeting.' },
  'explain.invalid-greeting': { severity: 'error', title: 'The server greeted with something other than an SMTP welcome.' },
  'explain.handshake-failure': { severity: 'error', title: 'The TLS handshake failed.' },
  'explain.hostname-mismatch': { severity: 'error', title: 'The certificate is not valid for the host name used.' },
  'explain.incomplete-chain': { severity: 'error', title: 'The server does not send its intermediate certificate.' },
  'explain.no-shared-cipher': { severity: 'warning', title: 'A client and this server share no cipher.' },
  'explain.peer-alert-certificate-expired': { severity: 'error', title: 'The peer rejected the certificate this side sent: it has expired.' },
  'explain.postfix-anonymous-tls': { severity: 'info', title: 'A TLS session was established; the peer sent no certificate.' },
  'explain.postfix-cannot-start-tls': { severity: 'error', title: 'Postfix could not start TLS with the peer.' },
  'explain.postfix-cert-verification-failed': { severity: 'error', title: "Postfix could not verify the remote server's certificate." },
  'explain.postfix-dnssec-probe': { severity: 'warning', title: "Postfix's DNSSEC self-test failed: the resolver does not validate." },
  'explain.postfix-lost-after-connect-tls': { severity: 'info', title: 'A client left the implicit-TLS service before the TLS handshake finished.' },
  'explain.postfix-lost-after-starttls': { severity: 'warning', title: 'A client gave up right after STARTTLS.' },
  'explain.postfix-no-server-cert': { severity: 'error', title: 'The Postfix server has no usable certificate, so TLS is disabled.' },
  'explain.postfix-policy-invalid-attribute': { severity: 'error', title: 'Postfix does not understand an attribute its TLS policy service returned.' },
  'explain.postfix-policy-lookup-error': { severity: 'error', title: 'The TLS policy lookup failed, so Postfix defers the mail.' },
  'explain.postfix-server-cert-not-trusted': { severity: 'warning', title: "Postfix noted that a remote server's certificate is not trusted." },
  'explain.postfix-ssl-accept-error': { severity: 'warning', title: 'The TLS handshake with a connecting client failed.' },
  'explain.postfix-ssl-accept-lost': { severity: 'warning', title: 'A client hung up during the TLS handshake with this server.' },
  'explain.postfix-ssl-connect-error': { severity: 'error', title: "Postfix's TLS handshake with the remote server failed." },
  'explain.postfix-ssl-connect-lost': { severity: 'error', title: 'Postfix lost the connection during the TLS handshake.' },
  'explain.postfix-tls-field-downgraded': { severity: 'warning', title: 'Postfix used a weaker TLS level than configured for this delivery.' },
  'explain.postfix-tls-field-failed': { severity: 'error', title: 'The TLS level Postfix required for this delivery failed.' },
  'explain.postfix-tls-field-plaintext': { severity: 'warning', title: 'Delivered in plain text: the remote server did not offer STARTTLS.' },
  'explain.postfix-tls-handshake-lost': { severity: 'error', title: 'The remote server closed the connection during the TLS handshake.' },
  'explain.postfix-tls-required-not-offered': { severity: 'error', title: 'Postfix requires TLS for this destination, but the server did not offer STARTTLS.' },
  'explain.postfix-tlsa-lookup-error': { severity: 'error', title: 'Postfix could not look up the TLSA records of a destination.' },
  'explain.postfix-trusted-tls': { severity: 'info', title: 'A TLS session was established with a trusted chain; the name was not verified.' },
  'explain.postfix-untrusted-tls': { severity: 'info', title: "The peer's certificate was not verified." },
  'explain.postfix-verified-tls': { severity: 'info', title: 'A TLS session was established and the server certificate verified.' },
  'explain.postfix-verify-expired': { severity: 'error', title: 'Postfix could not verify the remote certificate: it has expired.' },
  'explain.postfix-verify-hostname-mismatch': { severity: 'error', title: 'Postfix could not verify the remote certificate: it does not name the host.' },
  'explain.postfix-verify-not-yet-valid': { severity: 'error', title: 'Postfix could not verify the remote certificate: it is not valid yet.' },
  'explain.postfix-verify-self-signed': { severity: 'error', title: 'Postfix could not verify the remote certificate: it is self-signed or privately rooted.' },
  'explain.postfix-verify-untrusted-issuer': { severity: 'error', title: 'Postfix could not verify the remote certificate: its issuer is unknown.' },
  'explain.postfix-wrappermode-requires-encrypt': { severity: 'error', title: 'Implicit TLS (port 465) needs smtp_tls_wrappermode = yes with level encrypt.' },
  'explain.self-signed-in-chain': { severity: 'error', title: 'The certificate chain ends in a root the client does not trust.' },
  'explain.self-signed-leaf': { severity: 'error', title: 'The server presents a self-signed certificate.' },
  'explain.socket-error': { severity: 'error', title: 'nodemailer reports a socket-level error.' },
  'explain.starttls-unavailable': { severity: 'error', title: 'The server does not offer STARTTLS, and the client requires it.' },
  'explain.tls-library-problem': { severity: 'warning', title: 'Postfix reports a TLS error from OpenSSL.' },
  'explain.tls-policy-service-answer': { severity: 'info', title: 'An MTA-STS/DANE policy service reported the policy of a destination.' },
  'explain.tls-version-rejected': { severity: 'error', title: 'Client and server share no TLS version.' },
  'explain.unknown-issuer': { severity: 'error', title: 'The issuer of the server certificate is unknown here.' },
  'explain.wrong-version-number': { severity: 'error', title: 'TLS was started on a connection that speaks plain text.' },

  // Per-delivery mail-log findings (src/core/lint/maillog/deliveryFindings.ts): docs/findings-explain.md
  'maillog.destination-intermittent': { severity: 'warning', title: 'Mail to a destination fails on TLS intermittently.' },
  'maillog.destination-persistent': { severity: 'error', title: 'Mail to a destination fails on TLS every time since a point in time.' },
  'maillog.inbound-tls': { severity: 'info', title: 'Inbound (smtpd) TLS handshakes failed or used TLS 1.0/1.1.' },
} as const satisfies Record<string, FindingSpec>;

/** An id declared above. */
export type RegisteredId = keyof typeof FINDINGS;
/** The part of an id before its first dot. */
export type FamilyOf<Id extends string> = Id extends `${infer F}.${string}` ? F : never;
export type ExplainId = Extract<RegisteredId, `explain.${string}`>;
/** A mail-log finding: one per explain entry, `maillog.<entry>`. */
export type MaillogId = ExplainId extends `explain.${infer Rest}` ? `maillog.${Rest}` : never;
/** Every id a finding can carry. */
export type FindingId = RegisteredId | MaillogId;
export type Family = FamilyOf<FindingId>;

/** Which docs page (under docs/) documents each family: a family missing here is a compile error. */
export const FAMILIES: Record<Family, { readonly page: string }> = {
  cert: { page: 'findings-cert.md' },
  clock: { page: 'findings-probe.md' },
  dns: { page: 'findings-probe.md' },
  endpoint: { page: 'findings-probe.md' },
  greeting: { page: 'findings-probe.md' },
  mode: { page: 'findings-probe.md' },
  probe: { page: 'findings-probe.md' },
  protocol: { page: 'findings-probe.md' },
  starttls: { page: 'findings-probe.md' },
  tcp: { page: 'findings-probe.md' },
  tls: { page: 'findings-probe.md' },
  dotenv: { page: 'findings-nodemailer.md' },
  lint: { page: 'findings-probe.md' },
  nodemailer: { page: 'findings-nodemailer.md' },
  postfix: { page: 'findings-postfix.md' },
  tlsrpt: { page: 'findings-tlsrpt.md' },
  dane: { page: 'findings-domain.md' },
  mtasts: { page: 'findings-domain.md' },
  mx: { page: 'findings-domain.md' },
  explain: { page: 'findings-explain.md' },
  maillog: { page: 'findings-explain.md' },
};
