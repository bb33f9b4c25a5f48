/**
 * What each mail TLS error text means. Patterns are matched against one line at a time; the texts come from real
 * nodemailer/Node errors and real Postfix logs (see docs/findings-explain.md). `generic` entries (ETIMEDOUT,
 * ESOCKET, "TLS library problem") only speak when nothing more specific matched the same line, because the
 * specific reason usually rides on the same line ("ETIMEDOUT Greeting never received").
 */
import type { Severity } from '../finding';
import type { ExplainId } from '../findings';
import { DOVECOT_TLS_CATALOG } from './catalogDovecotTls';
import { POSTFIX_TLS_CATALOG, SYSTEM_CA_FILE } from './catalogPostfixTls';

export type Likelihood = 'likely' | 'possible';

export interface Cause {
  cause: string;
  likelihood: Likelihood;
}

export interface CatalogEntry {
  id: ExplainId;
  pattern: RegExp;
  generic?: boolean;
  severity: Severity;
  title: string;
  detail: string;
  causes: Cause[];
  fix: string;
  /** When the text is a Postfix log, the causes and fix differ (the client is Postfix, not nodemailer). */
  postfix?: { causes: Cause[]; fix: string; title?: string; detail?: string };
  /**
   * When the line is Dovecot's (imap-login, pop3-login...): this machine is the server the client reached, so the
   * client-side advice (nodemailer's, Postfix's smtp client's) does not apply.
   */
  dovecot?: { causes: Cause[]; fix: string; title?: string; detail?: string };
  /** Less specific entries this one replaces when both match the same line. */
  supersedes?: ExplainId[];
  /** Not about TLS (DNS, the network, a refused login): a mail log's delivery that failed this way is no TLS failure. */
  notTls?: true;
}

const likely = (cause: string): Cause => ({ cause, likelihood: 'likely' });
const possible = (cause: string): Cause => ({ cause, likelihood: 'possible' });

const VERIFY_POSTFIX_FIX =
  'Check what the server sends (probe it, or posttls-finger -c -L verbose "[host]:port"). If it is a relay you must trust, point ' +
  'smtp_tls_CAfile at the CA that signed it; if its chain is incomplete, the server must send its intermediate certificate.';

export const CATALOG: CatalogEntry[] = [
  // Postfix-specific TLS lines (server side, TLS grades, DANE/MTA-STS, Postfix 3.11 tls=) first: they supersede broader entries.
  ...POSTFIX_TLS_CATALOG,
  // Dovecot's certificate and key loading errors (doveconf's "Can't open file", "Failed to initialize SSL server context").
  ...DOVECOT_TLS_CATALOG,
  {
    id: 'explain.wrong-version-number',
    // OpenSSL 1.0 and older (Node before 10, Postfix on old distributions) say the same as SSL23_GET_SERVER_HELLO:unknown protocol.
    pattern: /wrong version number|ERR_SSL_WRONG_VERSION_NUMBER|GET_SERVER_HELLO:unknown protocol/i,
    severity: 'error',
    // Quotes both wordings: a pasted OpenSSL 1.0 "unknown protocol" should find its own words in the title.
    title: 'TLS was started on a connection that speaks plain text ("wrong version number"; OpenSSL 1.0: "unknown protocol").',
    detail:
      'OpenSSL read the server\'s first bytes as a TLS record and found "220 ..." (a plain SMTP greeting) instead. The client used implicit TLS ' +
      'on a port that starts in plain text and upgrades with STARTTLS.',
    causes: [
      likely('secure: true (implicit TLS) on a STARTTLS port: 587, 25 or 2525.'),
      possible('The port leads to something that is not TLS at all: a plain SMTP relay, a proxy, a captive portal.'),
    ],
    fix: 'For port 587 (or 25, 2525) set secure: false and requireTLS: true; nodemailer upgrades with STARTTLS. Use secure: true only with port 465.',
    dovecot: {
      title: 'A client spoke plain text to a port of this server that expects TLS from the first byte ("wrong version number").',
      detail:
        "Dovecot's login process read the client's first bytes as a TLS record and found plain text (an IMAP or POP3 command): a client " +
        'set to STARTTLS or to no encryption connected to an implicit-TLS port (993, 995, or a listener with ssl = yes).',
      causes: [
        likely('A mail client set to STARTTLS (or "None") on port 993 or 995, which need "SSL/TLS".'),
        possible('A scanner or monitoring check that speaks plain text to every port.'),
        possible('A listener meant for STARTTLS (inet_listener imap on 143, pop3 on 110) given ssl = yes, where clients start in plain text.'),
      ],
      fix:
        'On the client: port 993 (IMAP) or 995 (POP3) with SSL/TLS, or 143/110 with STARTTLS. On the server, only if a STARTTLS port ' +
        'was given ssl = yes: remove it from that inet_listener (`doveconf -n` shows the listeners), then `doveadm reload`.',
    },
    postfix: {
      causes: [
        likely('smtp_tls_wrappermode = yes (implicit TLS) towards a port that speaks plain SMTP with STARTTLS (25 or 587).'),
        possible('A client connected to a Postfix smtps (465) service that is not wrapped: master.cf lacks -o smtpd_tls_wrappermode=yes.'),
      ],
      fix:
        'Use implicit TLS only with port 465: relayhost = [host]:465 with smtp_tls_wrappermode = yes and smtp_tls_security_level = encrypt; ' +
        'for port 587 use smtp_tls_wrappermode = no and STARTTLS (smtp_tls_security_level = encrypt).',
    },
  },
  {
    id: 'explain.greeting-never-received',
    pattern: /Greeting never received/i,
    severity: 'error',
    title: 'The server never sent its SMTP greeting ("Greeting never received").',
    detail:
      'The TCP connection opened, but no "220" line came. A server on an implicit-TLS port (465) waits for the client to start TLS and says ' +
      'nothing, so a client that expects plain text waits until it times out.',
    causes: [
      likely('secure: false (or no TLS) on the implicit-TLS port 465.'),
      possible('The server is slow or deliberately delays its greeting (anti-spam greet pause) beyond greetingTimeout.'),
      possible('A firewall or proxy accepts the connection but passes nothing through.'),
    ],
    fix: 'For port 465 set secure: true (or remove secure: nodemailer enables it for 465). Or use port 587 with secure: false and requireTLS: true.',
  },
  {
    id: 'explain.invalid-greeting',
    pattern: /Invalid greeting/i,
    severity: 'error',
    title: 'The server did not greet with an SMTP "220" welcome ("Invalid greeting").',
    detail:
      'nodemailer reads one greeting when it connects and gives up on anything but "220 ..." (EPROTOCOL); the response it quotes says who ' +
      'answered: "* OK" is an IMAP server, "+OK" a POP3 server, "554" or "421" an SMTP server that turns this client away.',
    causes: [
      likely('The port belongs to another service on the host: IMAP (143, 993) or POP3 (110, 995) instead of SMTP (587, 465, 25).'),
      possible(
        'The SMTP server refuses the connection in its greeting: "554" (a blocklist or access rule for this address) or "421" (too many connections, maintenance).',
      ),
      possible('A proxy or port forward leads to something that is not an SMTP server.'),
    ],
    fix:
      'Point nodemailer at the SMTP port: port 587 with secure: false and requireTLS: true, or port 465 with secure: true; ' +
      '`mail-tls-doctor probe HOST:PORT` names the protocol that answers. For a 554 or 421, read the reply text: it names the reason.',
  },
  {
    id: 'explain.tls-version-rejected',
    pattern:
      /alert protocol version|unsupported protocol|ERR_SSL_UNSUPPORTED_PROTOCOL|TLSV1_ALERT_PROTOCOL_VERSION|SSL alert number 70|LEGACY_SIGALG_DISALLOWED/i,
    severity: 'error',
    title: 'Client and server share no TLS version.',
    detail:
      'One side only speaks TLS 1.0/1.1 and the other refuses them. Node 20 (OpenSSL 3) and every big mail provider require TLS 1.2 or later, ' +
      'so an old server (legacy Exchange, appliances, unpatched Postfix with a restricted protocol list) cannot be reached.',
    causes: [
      likely('The server only offers TLS 1.0 or 1.1.'),
      possible('The client is pinned to an old version (tls.minVersion/maxVersion, secureProtocol: TLSv1_method, smtp_tls_protocols).'),
    ],
    fix:
      'Enable TLS 1.2 and 1.3 on the server (Postfix: smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1 on every version, or ' +
      '>=TLSv1.2 on Postfix 3.6 and later only: older Postfix rejects the ">=" list and turns TLS off; Exchange: enable TLS 1.2). Remove client pins below TLS 1.2.',
  },
  {
    // OpenSSL says this before it sends a ClientHello (or reads one): the versions this side allows are empty. The probe
    // classifies the same code as a local error (probe/errors.ts); "the server only speaks TLS 1.0" would send the reader
    // to the wrong machine.
    id: 'explain.no-protocols-available',
    pattern: /no protocols available|ERR_SSL_NO_PROTOCOLS_AVAILABLE/i,
    severity: 'error',
    title: 'This side\'s TLS settings leave no protocol version to use ("no protocols available").',
    detail:
      'OpenSSL stopped before the handshake began: the TLS versions this program allows (its minimum and maximum, its protocol list, its ' +
      'security level) exclude every version its OpenSSL can speak. The other side was never asked, so nothing on the server causes or fixes it.',
    causes: [
      likely(
        "The client's version settings contradict each other: tls.minVersion above tls.maxVersion, or a pinned old version (secureProtocol: 'TLSv1_method', " +
          "maxVersion: 'TLSv1') with ciphers at @SECLEVEL=3 or higher, which rules out TLS 1.0.",
      ),
      possible(
        'An OpenSSL configuration (openssl.cnf MinProtocol/MaxProtocol, or a CipherString with @SECLEVEL) contradicts the versions the program asks for.',
      ),
    ],
    fix:
      "Remove the version pins (secureProtocol, tls.minVersion, tls.maxVersion) and any @SECLEVEL in tls.ciphers: Node's defaults (TLS 1.2 and 1.3) " +
      'suit every current mail server. If the server really speaks only TLS 1.0/1.1, it is the server that needs an upgrade.',
    postfix: {
      causes: [
        likely(
          'smtp_tls_protocols or smtp_tls_mandatory_protocols (smtpd_ on the server side) excludes every version this OpenSSL has: a list that ' +
            'also excludes TLSv1.2, or one that excludes TLSv1 and TLSv1.1 on an OpenSSL older than 1.0.1 (which has no TLS 1.2).',
        ),
        possible('The system OpenSSL configuration (MinProtocol or MaxProtocol in /etc/ssl/openssl.cnf) contradicts the protocol lists in main.cf.'),
      ],
      fix:
        'Make each list exclude only the versions that must go, so TLS 1.2 and 1.3 stay enabled: smtp_tls_protocols = !SSLv2, !SSLv3 ' +
        '(opportunistic TLS: TLS_README advises against excluding more) and smtp_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1 ' +
        '(smtpd_ for the server side; `postconf -n | grep _protocols` shows the main.cf lists, `postconf -P | grep _protocols` the master.cf ' +
        'overrides). Check MinProtocol/MaxProtocol in /etc/ssl/openssl.cnf, then postfix reload. On an OpenSSL older than 1.0.1 upgrade the ' +
        'system instead of re-enabling TLS 1.0.',
    },
  },
  {
    id: 'explain.dh-key-too-small',
    pattern: /dh key too small|ERR_SSL_DH_KEY_TOO_SMALL/i,
    severity: 'error',
    title: 'The server offered a Diffie-Hellman group smaller than the client accepts ("dh key too small").',
    detail:
      'The server chose a DHE cipher suite (TLS 1.2 or older) with a DH group the client refuses: OpenSSL at security level 2 (the ' +
      'system configuration of Debian and Ubuntu) wants at least 2048 bits, level 1 at least 1024. So the handshake fails on the ' +
      "client's side. ECDHE suites do not use these parameters.",
    causes: [
      likely(
        'The server still uses old 1024-bit (or smaller) DH parameters, from a dhparam file generated long ago or an old appliance, and prefers DHE suites.',
      ),
      possible('The client now runs at a higher OpenSSL security level than before (an operating-system upgrade, or ciphers with @SECLEVEL=2).'),
    ],
    fix:
      'The server must use a 2048-bit group or prefer ECDHE (Postfix server: leave smtpd_tls_dh1024_param_file empty or "auto" on ' +
      'Postfix 3.7 with OpenSSL 3, or generate one with openssl dhparam -out dh2048.pem 2048). Until then, if the server also offers ' +
      "ECDHE, leave out DHE on the client instead of lowering its security level: tls: { ciphers: require('node:tls').DEFAULT_CIPHERS + ':!kEDH' }.",
    postfix: {
      causes: [
        likely(
          "The remote server still uses old 1024-bit (or smaller) DH parameters and prefers DHE suites, below this Postfix's OpenSSL security level (2 on Debian and Ubuntu).",
        ),
      ],
      detail:
        'The remote server chose a DHE cipher suite (TLS 1.2 or older) with a DH group this Postfix refuses: OpenSSL at security level 2 ' +
        '(the system configuration of Debian and Ubuntu) wants at least 2048 bits, level 1 at least 1024. At level "may" Postfix then ' +
        'retries without TLS, so the mail goes in plain text; at "encrypt" or stronger it is deferred.',
      fix:
        "The remote server's owner must use a 2048-bit group or prefer ECDHE. Until then, leave out DHE for that destination only, not " +
        'the security level: in smtp_tls_policy_maps, "example.com may exclude=kEDH" (the exclude attribute, Postfix 2.6 and later). ' +
        'On your own server: leave smtpd_tls_dh1024_param_file empty or "auto" (Postfix 3.7 with OpenSSL 3) or point it at a 2048-bit file.',
    },
    supersedes: ['explain.handshake-failure'],
  },
  {
    id: 'explain.unsafe-legacy-renegotiation',
    pattern: /unsafe legacy renegotiation disabled|UNSAFE_LEGACY_RENEGOTIATION_DISABLED/i,
    severity: 'error',
    title: 'The server does not support secure renegotiation (RFC 5746), which the client requires ("unsafe legacy renegotiation disabled").',
    detail:
      'OpenSSL 3 (Node 17 and later, Debian 12, Ubuntu 22.04 and later) refuses to finish a handshake with a server that does not send ' +
      'the renegotiation_info extension of RFC 5746, which every TLS stack patched since 2010 sends. The server is running a very old ' +
      'TLS library (an unpatched appliance, an old Exchange or a proxy in front of it), and stays open to the renegotiation attack ' +
      '(CVE-2009-3555).',
    causes: [likely('An old TLS stack on the server or on a device in front of it (load balancer, TLS proxy, firewall doing TLS inspection).')],
    fix:
      'Update the server (or the device in front of it). Until then, for that one server only: nodemailer tls: { secureOptions: ' +
      "require('node:crypto').constants.SSL_OP_LEGACY_SERVER_CONNECT }, which accepts it without lowering anything else.",
    postfix: {
      causes: [likely('The remote server runs an old TLS stack without RFC 5746; this Postfix uses OpenSSL 3.')],
      fix:
        'The remote side must update its TLS stack. At level "may" Postfix retries without TLS and delivers in plain text; where TLS is ' +
        'required the mail waits. tls_ssl_options = LEGACY_SERVER_CONNECT accepts such servers, but for every TLS connection of this ' +
        'Postfix: use it only if you must, and remove it when the remote side is fixed.',
    },
    supersedes: ['explain.handshake-failure'],
  },
  {
    id: 'explain.handshake-failure',
    pattern: /alert handshake failure|no shared cipher|ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE|SSL alert number 40|no suitable signature algorithm/i,
    severity: 'error',
    title: 'The TLS handshake failed: no cipher suite or key both sides accept.',
    detail:
      "The peers agreed on a version but not on a cipher suite, signature algorithm or key size. At security level 2 (the system OpenSSL configuration of Debian and Ubuntu) OpenSSL refuses DH keys under 2048 bits and SHA-1 signatures; OpenSSL's compiled-in level 1 and Node 20 still accept 1024-bit DH. (A Postfix server without a usable certificate does not get this far: it answers STARTTLS with 454.)",
    causes: [
      likely('The cipher lists do not overlap (a client restricted with tls.ciphers, e.g. the misleading "SSLv3", or a server with only legacy suites).'),
      possible('A server that supports only RSA or only ECDSA certificates meets a client that accepts the other kind only.'),
      possible("The server signs with SHA-1 or uses a key below OpenSSL 3's security level (a DH group that is too small has its own entry)."),
    ],
    fix: 'Probe the server to see what it offers. Drop client cipher restrictions; on the server configure a certificate and key and modern suites (Postfix: smtpd_tls_chain_files, tls_medium_cipherlist defaults).',
  },
  {
    id: 'explain.weak-certificate-signature',
    pattern: /CA signature digest algorithm too weak|ca md too weak|CA_MD_TOO_WEAK/i,
    severity: 'error',
    title: 'A certificate in the server\'s chain is signed with SHA-1 or MD5, which the client refuses ("CA signature digest algorithm too weak").',
    detail:
      'OpenSSL 3 (Node 17 and later; Postfix on current Debian and Ubuntu) refuses SHA-1 and MD5 certificate signatures at its default ' +
      'security level, so the chain fails verification even when it leads to a trusted root. Public CAs have not issued such certificates ' +
      'for years: this is an old private CA or a certificate made by hand.',
    causes: [
      likely('The server certificate was issued by an old private or company CA, or made with a tool that still signs with SHA-1.'),
      possible('An old intermediate certificate of the chain is signed with SHA-1.'),
    ],
    fix:
      "Issue the certificate again with SHA-256 (any public CA, e.g. Let's Encrypt; for a private CA: openssl x509 -req -sha256 ...) and " +
      'install it with its chain. Do not turn certificate checks off or lower the security level to get past it.',
    postfix: {
      causes: [likely("The remote server presents a certificate signed with SHA-1 or MD5 (an old private CA), which this Postfix's OpenSSL refuses.")],
      fix:
        'The remote server must get a certificate signed with SHA-256. At level "may" Postfix still delivers (the session is only ' +
        '"Untrusted"); where this destination is verified (verify, secure, MTA-STS), the mail waits until the certificate is replaced.',
    },
    supersedes: ['explain.postfix-cert-verification-failed'],
  },
  {
    id: 'explain.weak-certificate-key',
    pattern: /EE certificate key too weak|CA certificate key too weak|ee key too small|ca key too small|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL/i,
    severity: 'error',
    title: 'The key of a certificate in the server\'s chain is too small for the client ("certificate key too weak").',
    detail:
      "The client's OpenSSL refuses RSA keys under 2048 bits at security level 2 (the system configuration of Debian and Ubuntu, and " +
      "anything that sets @SECLEVEL=2), and under 1024 bits at level 1 (Node's default). The chain fails verification before its issuer counts.",
    causes: [
      likely('The server certificate has a 1024-bit RSA key: an old certificate, or one made by hand with an old default.'),
      possible('An intermediate or private CA certificate of the chain has a small key ("CA certificate key too weak").'),
    ],
    fix:
      'Issue the certificate again with a 2048-bit (or larger) RSA key or an ECDSA P-256 key, and install it with its chain. Do not lower ' +
      'the security level to get past it.',
    postfix: {
      causes: [
        likely("The remote server's certificate (or its CA) has a key smaller than this Postfix's OpenSSL security level allows (2048-bit RSA at level 2)."),
      ],
      fix:
        'The remote server must get a certificate with a 2048-bit RSA or an ECDSA key. At level "may" Postfix still delivers (the session is ' +
        'only "Untrusted"); where this destination is verified, the mail waits until the certificate is replaced.',
    },
    supersedes: ['explain.postfix-cert-verification-failed'],
  },
  {
    id: 'explain.certificate-verify-failed',
    // The bare OpenSSL reason, as PHP (PHPMailer), Python and curl print it; Node and Postfix name the cause instead,
    // and the specific entries above and below supersede this one.
    pattern: /certificate verify failed|CERTIFICATE_VERIFY_FAILED/i,
    generic: true,
    severity: 'error',
    title: 'The client could not verify the server certificate ("certificate verify failed").',
    detail:
      "OpenSSL's general reason for a chain that did not verify; it does not say why. The client (PHP, Python, curl and others print it " +
      'like this) refused the connection before sending anything.',
    causes: [
      likely('The server sends only its own certificate, without the intermediate (a chain that browsers complete but mail clients do not).'),
      likely('The certificate is self-signed or from a private CA the client does not trust, or a proxy on the way re-signs TLS.'),
      possible("The certificate has expired, or the client's clock is wrong."),
    ],
    fix:
      'Probe the server (mail-tls-doctor probe HOST:PORT) to see which it is, and fix that on the server (serve the full chain, renew, or ' +
      'trust the private CA explicitly on the client). Do not turn verification off (PHP: verify_peer => false; Python: CERT_NONE).',
  },
  {
    id: 'explain.self-signed-in-chain',
    pattern: /SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed certificate in certificate chain/i,
    severity: 'error',
    title: 'The certificate chain ends in a root the client does not trust ("self-signed certificate in certificate chain").',
    detail:
      "The server sent a chain whose root is not in the client's trust store (Node's bundled roots plus NODE_EXTRA_CA_CERTS; for Postfix, smtp_tls_CAfile/CApath): a private/company CA, or a proxy that re-signs TLS.",
    causes: [
      likely('A TLS-inspecting proxy or antivirus on your network re-signs the connection with its own root.'),
      likely('The server uses certificates from a private or company CA.'),
    ],
    fix: "Trust that CA explicitly: tls: { ca: fs.readFileSync('company-ca.pem') } or NODE_EXTRA_CA_CERTS=/path/ca.pem. Do not set rejectUnauthorized: false.",
    postfix: { causes: [likely('The server uses a private CA that smtp_tls_CAfile/CApath does not include.')], fix: VERIFY_POSTFIX_FIX },
  },
  {
    id: 'explain.self-signed-leaf',
    pattern: /DEPTH_ZERO_SELF_SIGNED_CERT|self[- ]signed certificate(?! in certificate chain)/i,
    severity: 'error',
    title: 'The server presents a self-signed certificate.',
    detail: 'The certificate is signed by itself, so nothing vouches for it; any attacker can present one just like it.',
    causes: [likely('The server still uses the self-signed certificate made at installation (Debian snakeoil, a default appliance certificate).')],
    fix: "Give the server a real certificate (e.g. Let's Encrypt). For a test server you control, pin it: tls: { ca: fs.readFileSync('server.pem') }.",
    postfix: { causes: [likely('The server uses a self-signed (snakeoil) certificate.')], fix: VERIFY_POSTFIX_FIX },
  },
  {
    id: 'explain.incomplete-chain',
    pattern: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify the first certificate/i,
    severity: 'error',
    title: 'The server does not send its intermediate certificate ("unable to verify the first certificate").',
    detail: 'The server sent only its own certificate; Node does not fetch missing intermediates (browsers often do, which is why "it works in the browser").',
    causes: [
      likely('The server is configured with cert.pem instead of fullchain.pem.'),
      possible('A private CA issued it and its root is not trusted by the client.'),
    ],
    fix: 'Fix the server: serve the full chain (Postfix: smtpd_tls_chain_files = key.pem, fullchain.pem; Dovecot: ssl_cert = <fullchain.pem). Do not disable verification.',
  },
  {
    id: 'explain.unknown-issuer',
    pattern: /UNABLE_TO_GET_ISSUER_CERT_LOCALLY|unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT\b|unable to get issuer certificate/i,
    severity: 'error',
    title: 'The issuer of the server certificate is unknown here ("unable to get local issuer certificate").',
    detail: 'The client could not build a chain to a trusted root: the intermediate is missing, or the root is not in the trust store.',
    causes: [
      likely('The server does not send its intermediate certificate.'),
      possible("The certificate comes from a private CA, or the client's CA bundle is outdated (old Node or old ca-certificates)."),
    ],
    fix: 'Probe the server to see its chain. Serve the full chain on the server, or trust the private CA with tls.ca / NODE_EXTRA_CA_CERTS.',
    postfix: { causes: [likely('smtp_tls_CAfile/CApath does not include the issuing CA, or the server sends no intermediate.')], fix: VERIFY_POSTFIX_FIX },
  },
  {
    id: 'explain.cert-expired',
    pattern: /CERT_HAS_EXPIRED|certificate has expired/i,
    severity: 'error',
    title: 'The server certificate has expired.',
    detail:
      'Every verifying client now refuses the connection: nodemailer, mail clients, and MTAs that verify (Postfix at verify/secure, senders honouring your MTA-STS policy or DANE). MTAs with opportunistic TLS, Gmail among them, still deliver unless MTA-STS or a policy of theirs requires verification.',
    causes: [
      likely('Renewal failed or the server was not reloaded after renewal (Postfix and Dovecot read certificates at start).'),
      possible("The client's clock is wrong."),
    ],
    fix: 'Renew the certificate and reload the server (postfix reload; doveadm reload). Check the automation that should have renewed it.',
  },
  {
    id: 'explain.cert-not-yet-valid',
    pattern: /CERT_NOT_YET_VALID|certificate is not yet valid/i,
    severity: 'error',
    title: 'The server certificate is not valid yet.',
    detail: 'Its validity starts in the future for this client.',
    causes: [likely("The client's or server's clock is wrong."), possible('A freshly issued certificate with a start time in the future.')],
    fix: 'Fix the clocks (NTP) on both sides.',
  },
  {
    id: 'explain.hostname-mismatch',
    pattern: /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames|Hostname\/IP does not match/i,
    severity: 'error',
    title: 'The certificate is not valid for the host name used.',
    detail: "The name you connect to is not among the certificate's subjectAltNames, so the identity cannot be confirmed.",
    causes: [
      likely('Connecting by IP address or by an alias (mail.example.com) while the certificate is for another name (smtp.example.com).'),
      possible('A shared host serves a default certificate because no SNI name matched.'),
    ],
    fix: 'Connect with the name the certificate carries, or set tls.servername to it; or get a certificate that includes the name you use.',
  },
  {
    id: 'explain.starttls-unavailable',
    pattern:
      /Error upgrading connection with STARTTLS|\bETLS\b|does not support STARTTLS|STARTTLS[^\n]*(not implemented|not supported|not available)|TLS is required, but was not offered|refused to start TLS/i,
    severity: 'error',
    title: 'The server does not offer STARTTLS, and the client requires it.',
    detail: 'With requireTLS the client refuses to continue in plain text; the server either has no TLS configured or STARTTLS is stripped on the way.',
    causes: [
      likely('TLS is not enabled on that server/port (Postfix: smtpd_tls_security_level empty or smtpd_tls_cert_file unset).'),
      possible('A firewall or ISP strips STARTTLS from the EHLO reply (Cisco "ESMTP inspection").'),
      possible('The port is implicit TLS (465) or a different service.'),
    ],
    fix: "Enable TLS on the server (Postfix: smtpd_tls_security_level = may plus a certificate), or use the provider's submission port 587/465. Keep requireTLS.",
    postfix: {
      title: 'Postfix requires TLS for this delivery, but the receiving server did not offer STARTTLS.',
      detail:
        'Postfix logs "TLS is required, but was not offered by host" when its security level for the destination is ' +
        'encrypt or higher and the remote EHLO reply has no STARTTLS; the mail is deferred. RFC 3207 does not oblige a ' +
        'public MX to offer TLS, so with Internet delivery the local setting is usually the cause.',
      causes: [
        likely('smtp_tls_security_level = encrypt (or verify/secure) in main.cf applies to all Internet delivery, and this MX does not offer TLS.'),
        possible(
          'A TLS policy entry (smtp_tls_policy_maps) or MTA-STS/DANE requires TLS for this destination and STARTTLS is missing or stripped (Cisco "ESMTP inspection").',
        ),
      ],
      fix:
        'Use smtp_tls_security_level = may for Internet delivery and require TLS per destination in smtp_tls_policy_maps ' +
        '(e.g. "[smtp.example.com]:587 encrypt"); if TLS is required on purpose, ask the receiver to enable STARTTLS and leave the mail queued.',
    },
  },
  {
    id: 'explain.disconnected-before-tls',
    pattern: /Client network socket disconnected before secure TLS connection was established/i,
    severity: 'error',
    title: 'The server closed the connection during the TLS handshake.',
    detail: 'The server hung up before TLS was established: it rejected the handshake without an alert, or it does not speak TLS there.',
    causes: [
      likely(
        'The server speaks only TLS 1.0/1.1 or legacy ciphers and hangs up on the TLS 1.2+ hello of Node 17 and later (OpenSSL 3) instead of ' +
          'answering with an alert: typically it worked before a Node upgrade.',
      ),
      likely('The server accepts STARTTLS but its TLS setup is broken (missing key or certificate).'),
      possible('A firewall or IPS resets TLS on mail ports.'),
      possible('secure: true against a server that closes on non-SMTP input.'),
    ],
    fix:
      'Probe the server (mail-tls-doctor probe HOST:PORT) to see at which step it closes and which TLS versions it accepts; check its logs ' +
      '(Postfix: "SSL_accept error", "no shared cipher"). A server that speaks only TLS 1.0/1.1 must be upgraded: lowering the client\'s ' +
      'minVersion or security level reopens the downgrades OpenSSL 3 closed.',
  },
  {
    id: 'explain.postfix-ssl-connect-lost',
    pattern: /SSL_connect error to [^\n]*lost connection/i,
    severity: 'error',
    title: 'Postfix lost the connection during the TLS handshake with the remote server.',
    detail:
      'Postfix sent its ClientHello and the remote side closed without an alert. With security level "may" Postfix retries the delivery without TLS; with "encrypt" or higher the mail is deferred.',
    causes: [
      likely(
        'The remote accepts none of the protocols or ciphers this Postfix offers (too strict smtp_tls_protocols/ciphers here, or a remote that only speaks TLS 1.0).',
      ),
      possible('A firewall or IPS on either side drops STARTTLS traffic.'),
      possible('The remote is overloaded and drops connections.'),
    ],
    fix: 'Probe that endpoint (or posttls-finger -c -L verbose "[host]:port") to see what it accepts; if it is legacy-only, add a per-destination tls_policy entry instead of loosening the global defaults.',
  },
  {
    id: 'explain.postfix-cannot-start-tls',
    pattern: /Cannot start TLS: handshake failure/i,
    severity: 'error',
    title: 'Postfix could not start TLS with the peer ("Cannot start TLS: handshake failure").',
    detail: 'The TLS handshake after STARTTLS failed; the lines just before it (TLS library problem, SSL_connect/SSL_accept error) name the reason.',
    causes: [
      likely('No common protocol or cipher with the peer (an old TLS 1.0-only peer against OpenSSL 3, or overly strict lists here).'),
      possible("The server's certificate or key is missing or unreadable (on the smtpd side)."),
    ],
    fix: 'Read the preceding "TLS library problem" line for the OpenSSL reason and probe the peer; for a legacy peer use a per-destination tls_policy entry.',
  },
  {
    id: 'explain.postfix-cert-verification-failed',
    pattern: /certificate verification failed for|Server certificate not verified/i,
    severity: 'error',
    title: "Postfix could not verify the remote server's certificate.",
    detail:
      'The destination uses a TLS security level that verifies (verify, secure, dane or an MTA-STS policy) and the certificate did not pass; the mail is deferred.',
    causes: [
      likely('The issuer is not in smtp_tls_CAfile/CApath (a private CA, or the CA file is not configured).'),
      possible("The certificate does not match the expected name (smtp_tls_secure_cert_match / the policy's match list)."),
      possible('The remote chain is incomplete or expired.'),
    ],
    fix: `Probe the remote to see its chain and names. Set ${SYSTEM_CA_FILE} (or the private CA), and fix the match list in the TLS policy.`,
  },
  {
    id: 'explain.postfix-untrusted-tls',
    pattern: /Untrusted TLS connection established/i,
    severity: 'info',
    title: 'The connection is encrypted, but the peer\'s certificate was not verified ("Untrusted").',
    detail:
      'Normal for opportunistic TLS to MX hosts (level "may"): encrypted against passive eavesdropping, not against an active attacker. It only matters when this destination should be verified (a relayhost with a password).',
    causes: [
      likely('smtp_tls_CAfile/CApath is not set, so Postfix cannot verify anyone (and logs Untrusted even for good certificates).'),
      possible('The peer really has a self-signed or private-CA certificate.'),
    ],
    fix: `Set ${SYSTEM_CA_FILE}; for a relayhost that receives your password use smtp_tls_security_level = secure (or a tls_policy entry) so a bad certificate stops delivery.`,
  },
  {
    id: 'explain.auth-needs-tls',
    pattern: /Must issue a STARTTLS command first|Encryption required for requested authentication|538 5\.7\.11/i,
    severity: 'error',
    title: 'The server refuses to proceed (usually AUTH) before TLS.',
    detail: 'The client tried to authenticate or send in plain text; the server requires STARTTLS first.',
    causes: [
      likely('ignoreTLS: true, or a client that skips STARTTLS (Postfix: smtp_tls_security_level = none).'),
      possible('STARTTLS was stripped on the way.'),
    ],
    fix: 'Remove ignoreTLS and set requireTLS: true (Postfix: smtp_tls_security_level = encrypt for that relay).',
  },
  {
    id: 'explain.auth-rejected',
    notTls: true,
    // nodemailer's EAUTH ("Invalid login: 535 ...", "Missing credentials"), the 535 family, and Postfix's smtp client
    // ("SASL authentication failed; server X said: 535 ..."); not smtpd's "SASL LOGIN authentication failed" (brute-force noise).
    pattern:
      /Invalid login: \d{3}|\bEAUTH\b|Missing credentials for|\b535[ -]5\.7\.\d+|SASL (?:\[CACHED\] )?authentication failed; server \S+ said: 5\d\d|Username and Password not accepted/i,
    severity: 'warning',
    title: 'The login was refused: a credentials problem, not a TLS one ("Invalid login", 535).',
    detail:
      'The connection and its TLS worked: the server answered the AUTH command. It refused the user name and password (535), or the ' +
      'client had none to send ("Missing credentials"). Changing TLS settings will not help.',
    causes: [
      likely(
        'The password is wrong, or the provider wants an app password or OAuth2 (Gmail "535-5.7.8 Username and Password not accepted" with 2-Step Verification; Microsoft 365 "535 5.7.139" when SMTP AUTH is disabled for the mailbox).',
      ),
      possible(
        'The user or password option is empty in this environment (an unset environment variable): nodemailer then says Missing credentials for "PLAIN".',
      ),
    ],
    fix:
      'Check the user and password the process really gets (log their lengths, never the values); for Gmail create an app password, for ' +
      'Microsoft 365 enable SMTP AUTH for the mailbox or use OAuth2. Keep TLS verification on.',
    postfix: {
      causes: [
        likely('The relay refused the password in smtp_sasl_password_maps: wrong or outdated, or the provider wants an app password.'),
        possible('The password file was edited but postmap was not run, so Postfix still sends the old password.'),
      ],
      fix:
        'Correct the password for the relay in smtp_sasl_password_maps, run postmap on the file (postmap /etc/postfix/sasl_passwd) and ' +
        'postfix reload. For Gmail use an app password. Keep smtp_tls_security_level at encrypt or higher.',
    },
  },
  {
    id: 'explain.connection-closed',
    notTls: true,
    pattern: /Connection closed unexpectedly/i,
    severity: 'error',
    title: 'The server closed the connection without an answer ("Connection closed unexpectedly").',
    detail:
      'nodemailer connected, but the server (or something in between) closed the connection before its greeting, before it replied ' +
      'to what nodemailer sent, or (code ETLS) during the STARTTLS upgrade.',
    causes: [
      likely(
        'The server turned this client away before its greeting: a blocked or rate-limited IP address, too many connections, or a server that closes without saying 421.',
      ),
      possible("With code ETLS, during STARTTLS: the server's TLS failed (no usable certificate or key, or no TLS version both sides accept)."),
    ],
    fix: "Probe the server (mail-tls-doctor probe HOST:PORT) to see what it does from this network, and check the server's log for the time of the attempt.",
    // "ETLS Connection closed unexpectedly" is a close during the upgrade, not a server without STARTTLS.
    supersedes: ['explain.starttls-unavailable'],
  },
  {
    id: 'explain.connection-refused',
    notTls: true,
    pattern: /ECONNREFUSED|Connection refused/i,
    severity: 'error',
    title: 'Nothing accepts connections on that host and port.',
    detail: 'The host answered with a reset: no server listens there, or a firewall rejects it.',
    causes: [
      likely('Wrong port or host (often localhost:587 when the host option is missing or the service name is unknown).'),
      possible('The mail server is down.'),
    ],
    fix: 'Check host and port; a missing host makes nodemailer use localhost.',
  },
  {
    // getaddrinfo(3)'s EAI_AGAIN / EAI_FAIL: the resolver gave no answer, which says nothing about the name.
    id: 'explain.dns-temporary',
    notTls: true,
    pattern: /EAI_AGAIN|EAI_FAIL|Temporary failure in name resolution|Host not found, try again/i,
    severity: 'error',
    title: 'The resolver could not answer for the mail server name (a DNS failure, not a missing name).',
    detail:
      'getaddrinfo got no answer from the resolver (EAI_AGAIN: temporary; EAI_FAIL: the resolver failed for good), so nothing is known about the name: it may well exist.',
    causes: [
      likely('No working DNS from this machine or container: the resolver in /etc/resolv.conf is down, unreachable or refuses to answer.'),
      possible("The name's own name servers fail (a SERVFAIL reaches the application as a temporary failure)."),
    ],
    fix: 'Check the resolver this machine uses (/etc/resolv.conf; dig HOST, then dig @ANOTHER-RESOLVER HOST): when another resolver answers, fix or replace this one; when none does, follow the delegation (dig +trace HOST).',
    postfix: {
      detail:
        'Postfix asked DNS about the destination and got no answer it could use ("Host not found, try again": a SERVFAIL or a timeout), so it defers the mail and tries again later; the name may well exist.',
      causes: [
        likely(
          'The resolver Postfix uses fails: /etc/resolv.conf, or for an smtp service that runs chrooted (master.cf chroot column y) its copy in /var/spool/postfix/etc/resolv.conf, which may be stale.',
        ),
        possible("The destination's own name servers fail for this name (SERVFAIL)."),
      ],
      fix: 'From the same machine: dig MX DOMAIN (and with the chroot copy: dig @SERVER-FROM-/var/spool/postfix/etc/resolv.conf MX DOMAIN); when other domains resolve, follow the delegation (dig +trace MX DOMAIN). Not a TLS matter.',
    },
    supersedes: ['explain.dns-failure'],
  },
  {
    id: 'explain.dns-failure',
    notTls: true,
    pattern: /ENOTFOUND|getaddrinfo|Host or domain name not found|Name service error/i,
    severity: 'error',
    title: "The mail server's name does not resolve.",
    detail: 'DNS has no address for the host (a typo, a missing record, or no DNS from this machine).',
    causes: [
      likely('A typo in the host name, or an environment variable that is empty in this environment.'),
      possible('DNS is unreachable from this machine or container.'),
    ],
    fix: 'Check the host value and resolve it from the same machine (dig +short HOST).',
  },
  {
    id: 'explain.connection-reset',
    pattern: /ECONNRESET|socket hang up|Connection reset by peer/i,
    generic: true,
    severity: 'error',
    title: 'The server (or something in between) reset the connection.',
    detail: 'The connection was cut abruptly; during the handshake it usually means the server rejected TLS without an alert.',
    causes: [
      likely('The server rejected the TLS handshake (no common version or cipher) or hit its connection limits.'),
      possible('A firewall, proxy or antivirus interfering with mail ports.'),
    ],
    fix: 'Probe the server to see at which step it resets; check its logs at the same time.',
  },
  {
    id: 'explain.connection-timeout',
    notTls: true,
    pattern: /Connection timeout|ETIMEDOUT|Connection timed out|timed out/i,
    generic: true,
    severity: 'error',
    title: 'The connection timed out.',
    detail: 'No answer in time: the packets are dropped on the way, or the server is not there.',
    causes: [
      likely('Outgoing SMTP ports are blocked (many clouds block port 25, some networks also 465/587).'),
      possible('Wrong host or port, or the server is down.'),
    ],
    fix: "Try port 587 or 465 instead of 25; check firewalls and the provider's egress rules; probe the endpoint.",
    postfix: {
      causes: [
        likely('This network blocks outgoing port 25 (most cloud providers and home ISPs), so Postfix cannot reach MX hosts.'),
        possible('The remote host is down or drops connections; Postfix tries the next MX and retries later.'),
      ],
      fix:
        'MX delivery always uses port 25, so changing the port is no option for it. If port 25 is blocked, send through a ' +
        'relay (smarthost): relayhost = [smtp.provider.example]:587 with smtp_sasl_auth_enable = yes and ' +
        'smtp_tls_security_level = encrypt (or [host]:465 with smtp_tls_wrappermode = yes); or ask the provider to lift the block. ' +
        'Check with a probe of the MX on port 25 from this machine.',
    },
  },
  {
    id: 'explain.postfix-ssl-connect-error',
    pattern: /SSL_connect error to /i,
    generic: true,
    severity: 'error',
    title: 'Postfix\'s TLS handshake with the remote server failed ("SSL_connect error").',
    detail: 'The OpenSSL reason is on the "TLS library problem" line just before it, from the same smtp process.',
    causes: [possible('A protocol, cipher or certificate problem named in the neighbouring "TLS library problem" line.')],
    fix: 'Read the neighbouring "TLS library problem" line and probe the endpoint named here.',
  },
  {
    id: 'explain.tls-library-problem',
    pattern: /TLS library problem/i,
    generic: true,
    severity: 'warning',
    title: 'Postfix reports a TLS error from OpenSSL ("TLS library problem").',
    detail: 'The OpenSSL reason follows on the same line (after "error:...:"); on its own the message says only that the handshake failed.',
    causes: [possible('A protocol, cipher or certificate problem named in the OpenSSL reason.')],
    fix: 'Read the OpenSSL reason at the end of the line; probe the peer named on the neighbouring "SSL_connect error" or "SSL_accept error" line.',
  },
  {
    id: 'explain.socket-error',
    pattern: /\bESOCKET\b/,
    generic: true,
    severity: 'error',
    title: 'nodemailer reports a socket-level error (ESOCKET).',
    detail: 'ESOCKET wraps a lower-level network or TLS error; the rest of the message names it.',
    causes: [possible('A TLS or network error named in the rest of the message.')],
    fix: 'Read the rest of the message (wrong version number, certificate errors, ECONNRESET) for the cause.',
  },
];
