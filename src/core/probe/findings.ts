/**
 * The probe's findings: one constructor per id, so the wording lives in one place and the ids stay stable.
 * Certificate findings come from the certificate judge (src/core/cert).
 */
import { bogusRecords, lookupServfail, resolverFailed, type FailedLookup } from '../dns/failure';
import { digCommand, type DnsServer } from '../dns/server';
import type { Endpoint } from '../endpoint';
import type { Finding } from '../finding';
import { makeFinding, type FindingId } from '../findings';
import { formatDuration } from '../cert/wording';
import { PROTOCOLS, type Protocol, type TlsMode } from '../protocols';

/** The protocol's wording (src/core/protocols.ts). */
const words = (ep: Endpoint) => PROTOCOLS[ep.protocol].words;

/** Postfix's TLS 1.2+ list in both syntaxes: `>=` bounds exist only since Postfix 3.6 (older Postfix rejects the list). */
const POSTFIX_TLS12 = (name: string) =>
  `\`${name} = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\` (every Postfix version) or \`${name} = >=TLSv1.2\` (Postfix 3.6 and later only: older Postfix rejects the whole list and turns TLS off)`;

function tlsSetting(ep: Endpoint, implicit: boolean): string {
  return words(ep).clientSetting[implicit ? 'implicit' : 'starttls'];
}

/** What each checked name is, for the finding's id and wording. */
export type EndpointName = 'host' | 'servername' | 'EHLO name';

const NAME_IDS: Record<EndpointName, FindingId> = {
  host: 'endpoint.invalid-host',
  servername: 'endpoint.invalid-servername',
  'EHLO name': 'endpoint.invalid-ehlo-name',
};

/** Where the server software decides what listens on a port: Postfix's master.cf for SMTP, Dovecot's listeners for IMAP and POP3. */
function listenerHint(ep: Endpoint): string {
  if (ep.protocol !== 'smtp') {
    const p = ep.protocol;
    return `e.g. that Dovecot's \`protocols\` includes ${p} and the \`service ${p}-login\` block has an \`inet_listener\` on port ${ep.port} (\`doveconf -n\` shows both)`;
  }
  const service =
    ep.port === 25
      ? 'the smtp inet service'
      : ep.port === 465
        ? 'the submissions service (smtps in older files)'
        : ep.port === 587
          ? 'the submission service'
          : `a service on this port (\`${ep.port} inet n - y - - smtpd\`)`;
  return `e.g. that Postfix's master.cf enables ${service} and \`inet_interfaces\` includes this address (\`postconf inet_interfaces\`)`;
}

export const probeFindings = {
  invalidName(role: EndpointName, shown: string, reason: string): Finding {
    return makeFinding(NAME_IDS[role], {
      severity: 'error',
      title: `Not probed: the ${role} "${shown}" is not a valid host name (${reason}).`,
      detail: `Every name is checked before it can reach a socket or a mail dialogue, and no connection was opened. A name with CR, LF, NUL, spaces or other control characters could smuggle a command into the ${role === 'EHLO name' ? 'SMTP dialogue' : 'dialogue'}; a name with non-ASCII characters, empty or over-long labels cannot be resolved or verified by any mail client either.`,
      fix:
        role === 'EHLO name'
          ? 'Give a fully-qualified DNS name (e.g. `mx1.example.com`) or an address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).'
          : `Correct the ${role} where it comes from (the config file or the command line): a DNS name (an IDN in its \`xn--\` form) or an IPv4/IPv6 address, without spaces, brackets, a port or a zone id.`,
      evidence: [`${role}: ${shown}`, reason],
    });
  },
  invalidPort(ep: Endpoint, shown: string): Finding {
    return makeFinding('endpoint.invalid-port', {
      severity: 'error',
      title: `Not probed: ${shown} is not a TCP port.`,
      detail: 'A port is a whole number from 1 to 65535; no connection was opened.',
      fix: `Give the port the server listens on (${PROTOCOLS[ep.protocol].label}: ${words(ep).ports}).`,
      evidence: [`port: ${shown}`],
    });
  },
  caUnreadable(file: string, reason: string): Finding {
    return makeFinding('endpoint.ca-unreadable', {
      severity: 'error',
      title: `Not probed: the extra CA file ${file} cannot be read (${reason}).`,
      detail:
        'The probe judges the certificate against the extra CA files it was given; without this one its verdict could be wrong, so it opened no connection.',
      fix: 'Check the path and the permissions of the file (a PEM file of at most 5 MB), or remove it from the settings / the --ca options.',
      evidence: [`CA file: ${file}`, reason],
    });
  },
  /** `server`: the resolver the user named (`--resolver`), which the suggested `dig` commands ask too. */
  dnsUnresolved(ep: Endpoint, reason: string, server?: DnsServer): Finding {
    return makeFinding('dns.unresolved', {
      severity: 'error',
      title: `${ep.host} does not resolve to an address.`,
      detail: `The name lookup failed (${reason}), so no client can connect. A typo in the host name, a missing A/AAAA record, or a resolver that cannot see this zone (split-horizon DNS, a VPN) are the usual causes.`,
      fix: `Check the spelling; look the name up with \`${digCommand(`+short A ${ep.host}`, server)}\` and \`${digCommand(`+short AAAA ${ep.host}`, server)}\`; for a mail domain, the host to use is the one its MX record names (\`${digCommand('+short MX domain', server)}\`).`,
      evidence: [reason],
    });
  },
  /**
   * The host's address lookup got no usable answer (the same wording as the domain check's): the resolver failed
   * (the host was not checked), the zone's name servers answer SERVFAIL, or its records fail DNSSEC validation.
   */
  lookupFailed(ep: Endpoint, l: FailedLookup, server?: DnsServer): Finding {
    if (l.status === 'bogus')
      return bogusRecords(ep.host, l.type, l.detail, server, 'a validating resolver gives no address for it, so the host was not checked');
    if (l.status === 'servfail')
      return lookupServfail(
        ep.host,
        l.type,
        l.detail,
        (args) => digCommand(args, server),
        'the host was not checked',
        'Without an address no client can connect to the host.',
      );
    return resolverFailed(ep.host, l.type, l.detail, server, server !== undefined, 'host');
  },
  tcpRefused(ep: Endpoint, address: string, code: string): Finding {
    return makeFinding('tcp.refused', {
      severity: 'error',
      title: `Nothing accepts connections on port ${ep.port} of ${address}.`,
      detail: `The host answered, but refused the connection (${code}): no server listens on that port, or a firewall rejects it actively. Clients see "ECONNREFUSED" / "Connection refused".`,
      fix: `Check the port (${PROTOCOLS[ep.protocol].label} uses ${words(ep).portsWithModes}); on the server check that the service runs and listens on this address (\`ss -ltnp\`), ${listenerHint(ep)}.`,
      evidence: [`connect ${address}:${ep.port}: ${code}`],
    });
  },
  tcpTimeout(ep: Endpoint, address: string, ms: number, code?: string): Finding {
    const port25 =
      ep.port === 25
        ? ' Port 25 is special: many ISPs and cloud providers (AWS, Google Cloud, Azure, DigitalOcean, most home connections) block outbound connections to port 25, so the probe may fail from here and work from elsewhere.'
        : '';
    return makeFinding('tcp.timeout', {
      severity: 'error',
      title: `No answer at all from ${address} port ${ep.port}${code && code !== 'timeout' ? ` (${code})` : ''}.`,
      detail: `The connection attempt got no reply within ${ms} ms: packets are dropped on the way, typically by a firewall (on the server, in the network, or outbound from here), or the address is wrong.${port25}`,
      fix: `Open the port in the server's firewall / security group; check that the address is the server's; test from another network.${ep.port === 25 ? ' For port 25, use the submission port 587 or 465 to send through your provider, or ask your cloud provider to lift the port 25 block.' : ''}`,
      evidence: [`connect ${address}:${ep.port}: no answer within ${ms} ms`],
    });
  },
  greetingTimeout(ep: Endpoint, ms: number, evidence: string[]): Finding {
    return makeFinding('greeting.timeout', {
      severity: 'error',
      title: `The server accepted the connection but sent no greeting within ${ms} ms.`,
      detail: `A ${PROTOCOLS[ep.protocol].label} server speaks first. Silence means an overloaded or hung server, a tarpit or greylisting delay (Postfix postscreen waits several seconds on purpose), or a proxy/firewall that accepts and then stalls. Clients report "Greeting never received" (nodemailer) or a timeout.`,
      fix: "Retry with a longer --timeout; check the server's load and logs; if a proxy or load balancer sits in front, check its health checks and backend.",
      evidence,
    });
  },
  greetingRejected(ep: Endpoint, lines: string[], busy: boolean, backoffMs?: number): Finding {
    return makeFinding('greeting.rejected', {
      severity: 'error',
      title: busy
        ? 'The server turned the connection away: too many connections or temporarily unavailable.'
        : 'The server rejected the connection in its greeting.',
      detail: busy
        ? `It answered with a "service not available" greeting (SMTP 421 / IMAP BYE). Mail servers do this when one client opens too many connections, under load, or during maintenance; senders retry later.${backoffMs ? ` The probe opened no more connections to it for ${Math.round(backoffMs / 1000)} s.` : ''}`
        : 'It answered with a rejection (e.g. SMTP 554) instead of a welcome: this client address is blocked (a blocklist, a policy, or a misconfigured postscreen/access list), or the service is shut.',
      fix: busy
        ? "Probe again later, with fewer parallel connections; if it persists, raise the per-client limits (Postfix `smtpd_client_connection_count_limit`; Dovecot before login: the login services `process_limit`/`client_limit`, as `mail_max_userip_connections` counts only logged-in sessions) or check the server's load."
        : "Read the reply text: it usually names the reason or a blocklist. Check the server's access rules and whether this client's address is listed.",
      evidence: lines.slice(0, 6),
    });
  },
  backingOff(ep: Endpoint, remainingMs: number, maxWaitMs: number): Finding {
    const secs = Math.ceil(remainingMs / 1000);
    return makeFinding('probe.backing-off', {
      severity: 'warning',
      title: `Not probed: the server said it was busy to an earlier connection, and is left alone for another ${secs} s.`,
      detail: `An earlier connection from this machine to ${ep.host} port ${ep.port} got a "service not available" greeting (SMTP 421 / IMAP BYE), so the probe opens no new connection to it for a while. Waiting ${secs} s would be longer than this probe waits for a back-off (${Math.round(maxWaitMs / 1000)} s, its step timeout unless set otherwise), so it ended without connecting: nothing is known about this server's TLS yet.`,
      fix: `Probe again in ${secs} s or later, with fewer parallel probes of the same server; if it keeps saying it is busy, see the "turned the connection away" finding of the earlier probe.`,
      evidence: [`back-off remaining: ${secs} s`, `longest wait for a back-off: ${maxWaitMs} ms`],
    });
  },
  protocolError(ep: Endpoint, message: string, evidence: string[]): Finding {
    const name = PROTOCOLS[ep.protocol].label;
    const { middlebox, inspection } = words(ep);
    return makeFinding('protocol.bad-reply', {
      severity: 'error',
      title: `The server's replies do not follow ${name}.`,
      detail: `${message}. Either another service listens on this port, or something in between (${middlebox}) mangles the dialogue.`,
      fix: `Check which program listens on the port; ${inspection}; make sure the protocol is right (--protocol).`,
      evidence,
    });
  },
  /**
   * The port greeted in another mail protocol (an IMAP greeting to an SMTP client): the client has another
   * service's port. `portMode`: how that port speaks (TLS first or plaintext first), for the probe command.
   */
  otherProtocol(ep: Endpoint, spoken: Protocol, portMode: TlsMode, evidence: string[]): Finding {
    const asked = PROTOCOLS[ep.protocol];
    const found = PROTOCOLS[spoken];
    const client = ep.protocol === 'smtp' ? ' (nodemailer: "Invalid greeting", code EPROTOCOL)' : '';
    return makeFinding('protocol.other-protocol', {
      severity: 'error',
      title: `Port ${ep.port} speaks ${found.label}, not ${asked.label}.`,
      detail: `The server greeted in ${found.label}${portMode === 'implicit' ? ' over implicit TLS' : ''}, so this port belongs to the host's ${found.label} service (usually on ${found.words.portsWithModes}); every ${asked.label} client pointed at it fails at the greeting${client}.`,
      fix: `Point the ${asked.label} client at the server's ${asked.label} port: ${asked.words.portsWithModes}. To check this port as ${found.label}, probe it with \`--protocol ${spoken} --${portMode}\`.`,
      evidence,
    });
  },
  closedAfterHandshake(ep: Endpoint, command: string, evidence: string[]): Finding {
    const { server } = words(ep);
    return makeFinding('tls.closed-after-handshake', {
      severity: 'error',
      title: `The server dropped the connection right after a successful TLS handshake (at ${command}).`,
      detail: `TLS itself worked (version, cipher and certificate are reported), but the server closed or reset the connection instead of answering ${command} over TLS. Clients see a "lost connection" after the handshake: nodemailer "Connection closed unexpectedly", Postfix "lost connection with ... while performing the EHLO handshake", Thunderbird/Outlook a connection error after accepting the certificate, so no mail gets through. The TLS layer is fine; what sits behind it fails: ${server} crashes or is restricted after TLS (a Postfix smtpd or postscreen misconfiguration, a process limit, a chroot missing files), or a TLS-terminating proxy or load balancer has no working backend.`,
      fix: `Look at the server's log at the time of the probe (Postfix: \`grep -E 'fatal|panic|warning' /var/log/mail.log\`, \`postfix check\`; Dovecot: \`doveadm log errors\`); check the service's limits and its chroot in master.cf; if a proxy terminates TLS, check its backend and health checks. Repeat the probe (\`--repeat 5\`) to see whether it happens every time.`,
      evidence,
    });
  },
  closedBeforeGreeting(ep: Endpoint, evidence: string[]): Finding {
    const backend =
      ep.protocol === 'smtp' ? 'the SMTP server (Postfix, Exim)' : ep.protocol === 'imap' ? 'the IMAP server (Dovecot)' : 'the POP3 server (Dovecot)';
    return makeFinding('tls.closed-before-greeting', {
      severity: 'error',
      title: 'The TLS handshake succeeded, then the server hung up without a greeting.',
      detail: `TLS itself worked (version, cipher and certificate are reported), but the connection was closed or reset before a single byte of the ${PROTOCOLS[ep.protocol].label} greeting came over it. A mail server that terminates TLS itself greets right after the handshake, so this is typically a TLS terminator (stunnel, HAProxy, nginx, a load balancer) whose backend is down or unreachable: it completes the handshake, fails to connect to ${backend} behind it, and drops the client. Clients see a "lost connection" or "Connection closed unexpectedly" right after TLS, and no mail gets through.`,
      fix: 'On the TLS terminator, check the backend it connects to (stunnel `connect =`, HAProxy `server` lines, nginx `proxy_pass`) and its log at the time of the probe (e.g. stunnel "connect_blocking: connect ...: Connection refused"); check that the backend service runs and listens there (`ss -ltnp`), and that the terminator can reach it (`nc -v BACKEND PORT` from the terminator\'s host). If no terminator is involved, read the mail server\'s log: its service dies right after the handshake.',
      evidence,
    });
  },
  noTls(ep: Endpoint, evidence: string[]): Finding {
    return makeFinding('mode.no-tls', {
      severity: 'error',
      title: `Port ${ep.port} speaks plain text and offers no TLS at all, but implicit TLS was tried.`,
      detail: `The server answered the TLS ClientHello with a plaintext greeting (OpenSSL: "wrong version number"), and its capability list (${PROTOCOLS[ep.protocol].capabilityCommand}) does not offer ${PROTOCOLS[ep.protocol].starttlsVerb} either: neither implicit TLS nor STARTTLS works on this port, so switching the client to STARTTLS would not help.`,
      fix:
        ep.protocol === 'smtp'
          ? 'Configure TLS on the server (Postfix: `smtpd_tls_cert_file`, `smtpd_tls_key_file`, `smtpd_tls_security_level = may`; Exim: `tls_certificate`, `tls_privatekey`, `tls_advertise_hosts = *`), or connect to the port that has TLS (465 implicit, 587 STARTTLS).'
          : 'Configure TLS on the server (Dovecot: `ssl = yes` with `ssl_cert` and `ssl_key`), or connect to the port that has TLS (993/995 implicit, 143/110 STARTTLS).',
      evidence,
    });
  },
  internalError(message: string, evidence: string[]): Finding {
    return makeFinding('probe.internal-error', {
      severity: 'error',
      title: 'The probe stopped on an unexpected error of its own.',
      detail: `This is a bug in Mail TLS Doctor, not necessarily a problem of the server: ${message}. The findings above it are still valid.`,
      fix: 'Run the probe again with --verbose and report the transcript (it contains no secrets) to the Mail TLS Doctor issue tracker.',
      evidence,
    });
  },
  starttlsNotOffered(ep: Endpoint, evidence: string[]): Finding {
    return makeFinding('starttls.not-offered', {
      severity: 'error',
      title: 'The server does not offer STARTTLS.',
      detail: `Its capability list has no ${PROTOCOLS[ep.protocol].starttlsVerb}, so the connection can only stay unencrypted. Clients that require TLS fail (nodemailer \`requireTLS\`: "Error upgrading connection with STARTTLS"; Gmail marks mail from it as not encrypted). Often TLS is simply not configured, or a firewall strips the STARTTLS line.`,
      fix: words(ep).enableStarttls,
      evidence,
    });
  },
  starttlsRefused(ep: Endpoint, evidence: string[]): Finding {
    return makeFinding('starttls.refused', {
      severity: 'error',
      title: 'The server refused the STARTTLS command.',
      detail:
        'It advertises STARTTLS but answered with an error (e.g. "454 TLS not available due to temporary reason"): the server usually cannot load its certificate or key, or its TLS setup is broken.',
      fix: 'Check the server\'s log at the time of the probe (Postfix: "cannot get RSA certificate from file ... disabling TLS support", "TLS library problem"); check that the certificate and key files exist, are readable by the server and match each other (`openssl x509 -in cert.pem -noout -pubkey | openssl sha256` and `openssl pkey -in key.pem -pubout | openssl sha256` print the same hash; this works for RSA and ECDSA keys, unlike `-modulus`).',
      evidence,
    });
  },
  lostConnection(ep: Endpoint, afterStarttls: boolean, evidence: string[]): Finding {
    return makeFinding('tls.lost-connection', {
      severity: 'error',
      title: afterStarttls
        ? 'The server closed the connection after STARTTLS, before TLS was established.'
        : 'The server closed the connection during the TLS handshake.',
      detail:
        'This is the classic "SSL_connect error ... lost connection" (Postfix) / "Client network socket disconnected before secure TLS connection was established" (Node, nodemailer). The server\'s TLS layer gave up without an alert: typically it cannot read its certificate or key, it shares no protocol version or cipher with the client and drops instead of alerting, or a middlebox kills TLS traffic.',
      fix: `Look at the server's log at the time of the probe (Postfix: \`grep -i tls /var/log/mail.log\`); check the certificate/key files and their permissions; check the allowed protocols and ciphers (Postfix \`smtpd_tls_protocols\`, \`smtpd_tls_mandatory_ciphers\`); test from another network to rule out a middlebox. If one address of several fails, fix or remove that host.`,
      evidence,
    });
  },
  handshakeTimeout(ep: Endpoint, ms: number, evidence: string[]): Finding {
    return makeFinding('tls.handshake-timeout', {
      severity: 'error',
      title: `The TLS handshake did not finish within ${ms} ms.`,
      detail:
        'The server (or something in between) stopped answering during the handshake. An MTU/fragmentation problem (large certificate chains stall on broken paths), an overloaded server, or a wrong port/encryption pair are the usual causes.',
      fix: "Retry; check the path MTU (`ping -M do -s 1472 HOST`); make sure the port is meant for this TLS mode; check the server's load and logs.",
      evidence,
    });
  },
  /** `afterHello`: the alert came after the server's ServerHello (version and cipher were settled; its own side failed). */
  handshakeFailed(ep: Endpoint, reason: string, alert: string | undefined, evidence: string[], afterHello = false): Finding {
    if (alert && afterHello) {
      return makeFinding('tls.handshake-failed', {
        severity: 'error',
        title: `The TLS handshake failed: the server sent the alert "${alert}" after its ServerHello.`,
        detail: `The server answered with its ServerHello (it agreed on a version and a cipher), then ended the handshake with the alert "${alert}": the failure is on its own side, after the version was settled, typically when it signs with its private key (a key it cannot use or that does not match the certificate, a failing key engine or HSM; Debian 12's OpenSMTPD 6.8 with OpenSSL 3 fails every handshake this way). Enabling other TLS versions does not help.`,
        fix: 'Read the server\'s log for the handshake error (OpenSMTPD: "missing private key", Postfix: "SSL_accept error", Exim: "TLS error on connection"); check that the private key matches the certificate (`openssl x509 -noout -pubkey -in CERT` and `openssl pkey -pubout -in KEY` print the same key) and that the server can read it; OpenSMTPD 6.8 linked with OpenSSL 3: upgrade to OpenSMTPD 7 (Debian 12: bookworm-backports).',
        evidence: [reason, ...evidence],
      });
    }
    if (!alert && /unsafe legacy renegotiation disabled/i.test(reason)) {
      return makeFinding('tls.handshake-failed', {
        severity: 'error',
        title: 'The TLS handshake failed: the server does not support secure renegotiation (RFC 5746).',
        detail:
          'The server\'s ServerHello lacks the renegotiation_info extension that every TLS stack patched since 2010 sends, so OpenSSL 3 clients stop the handshake ("unsafe legacy renegotiation disabled"): Node 17 and later (nodemailer), Postfix and mail clients on Debian 12, Ubuntu 22.04 and later. Older clients still connect, and the server is open to the renegotiation attack (CVE-2009-3555). The TLS stack is very old: an unpatched appliance, an old Exchange or IIS, or a load balancer or TLS proxy in front of the mail server.',
        fix: 'Update the TLS stack that answers on this port (the mail server, or the device in front of it that terminates TLS). Clients can only work around it one by one (nodemailer `secureOptions: SSL_OP_LEGACY_SERVER_CONNECT`, Postfix `tls_ssl_options = LEGACY_SERVER_CONNECT`), and should not have to.',
        evidence: [reason, ...evidence],
      });
    }
    return makeFinding('tls.handshake-failed', {
      severity: 'error',
      title: alert ? `The TLS handshake failed: the server sent the alert "${alert}".` : `The TLS handshake failed: ${reason}.`,
      detail:
        alert === 'protocol version'
          ? "The server shares no TLS version with this client: it only speaks versions the client will not offer (or the reverse). Microsoft 365 and OpenSSL 3 at security level 2 (Debian's and Ubuntu's system default) refuse TLS 1.0/1.1."
          : alert === 'handshake failure'
            ? 'The server found no cipher suite, curve or signature algorithm in common with the client, or requires something the client does not offer.'
            : 'The handshake ended with an error before any certificate could be checked. Clients report the same reason (e.g. "ssl3_read_bytes:tlsv1 alert ...").',
      fix: `Enable TLS 1.2 and 1.3 on the server (Postfix: ${POSTFIX_TLS12('smtpd_tls_protocols')}, with the cipher settings at their defaults; Dovecot: \`ssl_min_protocol = TLSv1.2\`), and make sure its certificate and key load.`,
      evidence: [reason, ...evidence],
    });
  },
  /** `handshake`: false when the port answered the TLS hello in TLS (an alert) but the handshake failed. */
  expectsImplicitTls(ep: Endpoint, ms: number, evidence: string[], handshake = true): Finding {
    const how = handshake
      ? 'a TLS handshake on the same port succeeded'
      : 'a TLS ClientHello on the same port was answered in TLS (the handshake itself failed, see the TLS finding)';
    return makeFinding('mode.expects-implicit-tls', {
      severity: 'error',
      title: `Port ${ep.port} expects implicit TLS, but STARTTLS was tried.`,
      detail: `The server sent no plaintext greeting within ${ms} ms, and ${how}: it waits for the client to start TLS right away. A STARTTLS client (nodemailer \`secure: false\`) waits forever and fails with "Greeting never received".`,
      fix: `Use implicit TLS for this port (${tlsSetting(ep, true)}), or connect to the STARTTLS port instead (${tlsSetting(ep, false)}).`,
      evidence,
    });
  },
  /** `offered`: the plaintext capability list offers STARTTLS (true), or does not list capabilities (undefined). */
  expectsStarttls(ep: Endpoint, evidence: string[], offered?: true): Finding {
    const command = PROTOCOLS[ep.protocol].starttlsVerb;
    return makeFinding('mode.expects-starttls', {
      severity: 'error',
      title: `Port ${ep.port} speaks plaintext first (STARTTLS), but implicit TLS was tried.`,
      detail: `The server answered the TLS ClientHello with a plaintext greeting, which TLS reads as a garbage record: OpenSSL reports "wrong version number" (nodemailer: "ssl3_get_record:wrong version number", Postfix: "SSL_connect error ... wrong version number"). ${offered ? `Its capability list offers ${command}, so STARTTLS works on this port.` : `It does not list its capabilities, so whether it offers ${command} is not known.`}`,
      fix: offered
        ? `Use STARTTLS on this port (${tlsSetting(ep, false)}), or connect to the implicit-TLS port instead (${tlsSetting(ep, true)}).`
        : `Try STARTTLS on this port (${tlsSetting(ep, false)}; probe it with \`--starttls\`), or connect to the implicit-TLS port instead (${tlsSetting(ep, true)}).`,
      evidence,
    });
  },
  clockSkew(ep: Endpoint, skewMs: number, greeting: string): Finding {
    const ahead = skewMs > 0;
    return makeFinding('clock.skew', {
      severity: 'warning',
      title: `The server's clock and this machine's differ by ${formatDuration(skewMs)}.`,
      detail: `The date in the greeting is ${formatDuration(skewMs)} ${ahead ? 'ahead of' : 'behind'} the local clock. A wrong clock on either side makes fresh certificates look "not yet valid" and expired ones valid, breaks DKIM/TOTP timestamps, and confuses log correlation.`,
      fix: 'Run NTP on both machines (`timedatectl set-ntp true`, chrony or systemd-timesyncd) and check `timedatectl status`; also check the time zone the server announces.',
      evidence: [greeting],
    });
  },
  legacyVersionAccepted(ep: Endpoint, versions: string[]): Finding {
    // Port 25 of an MX is opportunistic TLS: a sender that cannot do TLS 1.2 falls back to plain text when the
    // server refuses its version, which is worse than old TLS (Postfix TLS_README). Only mandatory TLS is tightened.
    const mx = ep.protocol === 'smtp' && ep.port === 25;
    return makeFinding('tls.legacy-version-accepted', {
      severity: mx ? 'info' : 'warning',
      title: `The server still accepts ${versions.join(' and ')}.`,
      detail:
        'TLS 1.0 and 1.1 are deprecated (RFC 8996): they allow downgrade attacks and rely on SHA-1/MD5. Compliance scans (PCI DSS) flag them.' +
        (mx
          ? ' On port 25 this is opportunistic TLS: senders that only speak TLS 1.0/1.1 would send in plain text if the server refused those versions, so accepting them here is the lesser evil (Postfix TLS_README, RFC 7435).'
          : ' Current mail clients and libraries (Outlook, Thunderbird, nodemailer on Node 20) use TLS 1.2 or 1.3.'),
      fix: mx
        ? `Leave the opportunistic list (\`smtpd_tls_protocols\`) as it is on port 25; require TLS 1.2 where TLS is mandatory (submission, relays): ${POSTFIX_TLS12('smtpd_tls_mandatory_protocols')}; Dovecot and other implicit-TLS services: \`ssl_min_protocol = TLSv1.2\`. Postfix 3.6 and later default to \`>=TLSv1\` upstream.`
        : `Postfix: ${POSTFIX_TLS12('smtpd_tls_mandatory_protocols')}, and the same for \`smtpd_tls_protocols\` when this port's TLS is opportunistic (upstream Postfix 3.6+ defaults both to \`>=TLSv1\`); Dovecot: \`ssl_min_protocol = TLSv1.2\`; then reload.`,
      evidence: versions.map((v) => `${v}: handshake accepted`),
    });
  },
  modernVersionMissing(ep: Endpoint, evidence: string[]): Finding {
    return makeFinding('tls.modern-version-missing', {
      severity: 'error',
      title: 'The server accepts neither TLS 1.2 nor TLS 1.3.',
      detail:
        'Many current peers refuse TLS 1.0/1.1: Microsoft 365, OpenSSL 3 at security level 2 (the Debian/Ubuntu system default), Node 20 and nodemailer at their defaults. They fail with "tlsv1 alert protocol version" or "unsupported protocol"; mail between them and this server falls back to plain text (opportunistic TLS) or is deferred (mandatory TLS). (Google documents TLS 1.0 to 1.3 for Gmail, so Gmail is not among them.)',
      fix: `Upgrade the TLS library / server software and enable TLS 1.2 and 1.3 (Postfix: ${POSTFIX_TLS12('smtpd_tls_protocols')}, and the same for \`smtpd_tls_mandatory_protocols\`; Dovecot: \`ssl_min_protocol = TLSv1.2\`).`,
      evidence,
    });
  },
  noTls13(_ep: Endpoint): Finding {
    return makeFinding('tls.no-tls13', {
      severity: 'info',
      title: 'The server does not offer TLS 1.3.',
      detail:
        'TLS 1.2 works with every current client, but TLS 1.3 is faster (one round trip less) and drops legacy options. Gmail and most providers use it when offered.',
      fix: `Upgrade to OpenSSL 1.1.1 or later and make sure the protocol lists allow it: an include list such as "TLSv1 TLSv1.1 TLSv1.2" leaves 1.3 out (Postfix: ${POSTFIX_TLS12('smtpd_tls_protocols')}, both of which include 1.3).`,
      evidence: ['TLSv1.3: handshake refused', 'TLSv1.2: handshake accepted'],
    });
  },
  weakCipher(ep: Endpoint, cipher: string, version: string, reason: string): Finding {
    return makeFinding('tls.weak-cipher', {
      severity: 'warning',
      title: `The server chose a weak cipher suite: ${cipher}.`,
      detail: `With a client that offers modern suites, the server still picked ${cipher} (${version}): ${reason}. Strict clients and compliance scans reject it.`,
      fix: 'Postfix: return the cipher settings to their defaults (`smtpd_tls_ciphers` and `smtpd_tls_mandatory_ciphers` = medium; remove changes to `tls_medium_cipherlist`, `tls_high_cipherlist` and `tls_preempt_cipherlist`; `postconf -n | grep cipher` shows them), and run a current OpenSSL: Postfix\'s default "medium" grade with OpenSSL 1.1.1 or 3 prefers ECDHE with AES-GCM or ChaCha20-Poly1305. Do not restrict opportunistic TLS on port 25 with `*_mandatory_ciphers = high` (it only applies where TLS is mandatory) or cipher exclusions, which postconf(5) advises against ("DO NOT exclude ciphers unless it is essential"). Dovecot: `ssl_cipher_list` back to its default, with `ssl_prefer_server_ciphers = yes`.',
      evidence: [`negotiated ${version} ${cipher}`],
    });
  },
  weakKeyExchange(ep: Endpoint, bits: number, cipher: string): Finding {
    return makeFinding('tls.weak-key-exchange', {
      severity: 'warning',
      title: `The server uses ${bits}-bit Diffie-Hellman parameters.`,
      detail: `Ephemeral DH under 2048 bits is within reach of well-funded attackers (Logjam, weakdh.org). Clients whose OpenSSL runs at security level 2 (the system default of Debian and Ubuntu) refuse it with "dh key too small" and fail or pick another cipher; OpenSSL's compiled-in level 1 and Node 20 still accept 1024 bits.`,
      fix: 'Postfix 3.7+ built with OpenSSL 3: remove `smtpd_tls_dh1024_param_file` (or set it to `auto`) so OpenSSL picks the group, which postconf(5) recommends. Older Postfix: remove it to get the compiled-in 2048-bit group (Postfix 3.1+), or point it at a 2048-bit file (`openssl dhparam -out /etc/postfix/dh2048.pem 2048`; the "1024" in the name is historical). Dovecot: `ssl_dh = </etc/dovecot/dh.pem` with 2048-bit parameters. ECDHE suites avoid the question altogether.',
      evidence: [`ephemeral key: DH ${bits} bits (${cipher})`],
    });
  },
};
