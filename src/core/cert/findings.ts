/**
 * The certificate findings: ids, severities and the words mail admins read. Rules decide *whether*; this file
 * only says *what it means* and *how to fix it*, so the wording lives in one place.
 */
import { isIpLiteral, validateHostname } from '../endpoint';
import type { Finding } from '../finding';
import { makeFinding } from '../findings';
import type { CertificateInfo } from './types';
import { CHAIN_FIX_CAT, CHAIN_FIX_DOVECOT, CHAIN_FIX_POSTFIX, certEvidence, day, dayTime, formatDuration, plural, timeLeft } from './wording';

const STRICT_PEERS =
  'Gmail and most MTAs still deliver to an MX with a bad certificate (they encrypt opportunistically) unless the domain publishes MTA-STS or DANE, but submission clients (Outlook, Thunderbird, phones) and Node.js/nodemailer refuse the connection';

export function expired(info: CertificateInfo, role: string, now: Date): Finding {
  const ago = formatDuration(now.getTime() - Date.parse(info.notAfter));
  return makeFinding('cert.expired', {
    severity: 'error',
    title: `The ${role} expired on ${day(info.notAfter)} (${ago} ago).`,
    detail: `${STRICT_PEERS} with "certificate has expired" (CERT_HAS_EXPIRED). OpenSSL 3 clients and Postfix with \`smtp_tls_security_level = verify\` or \`secure\` fail the same way.`,
    fix:
      role === 'server certificate'
        ? 'Renew it (`certbot renew`; check that the renewal timer runs: `systemctl list-timers | grep certbot`), then make every service reload the new file: `postfix reload`, `doveadm reload`. If it was renewed but the old one is still served, the service points at a copy instead of /etc/letsencrypt/live/NAME/fullchain.pem.'
        : `Serve the chain your CA issues today: certbot's fullchain.pem is always current. ${CHAIN_FIX_POSTFIX} ${CHAIN_FIX_DOVECOT}`,
    evidence: certEvidence(info, role),
  });
}

export function notYetValid(info: CertificateInfo, role: string, now: Date): Finding {
  const ahead = formatDuration(Date.parse(info.notBefore) - now.getTime());
  return makeFinding('cert.not-yet-valid', {
    severity: 'error',
    title: `The ${role} is not valid yet: it starts in ${ahead}.`,
    detail: `Clients refuse it with "certificate is not yet valid" (CERT_NOT_YET_VALID). A wrong clock is the usual cause, on either side: if the certificate was issued just now, the checking machine's clock may be slow by ${ahead}; otherwise the issuing machine's clock was ahead (a self-made certificate) or the server serves a certificate meant for later.`,
    fix: 'Check the clocks on both machines (`timedatectl`; enable NTP with `timedatectl set-ntp true`). If the clocks are right, re-issue the certificate with a start time in the past, or wait until it starts.',
    evidence: [...certEvidence(info, role), `checked at: ${now.toISOString()}`],
  });
}

export function expiresSoon(info: CertificateInfo, role: string, now: Date, days: number): Finding {
  // Hours under a week, with the moment itself: the editor lints a file that reads a certificate again every hour.
  const when = timeLeft(Math.max(0, Date.parse(info.notAfter) - now.getTime()));
  return makeFinding('cert.expires-soon', {
    severity: 'warning',
    title: `The ${role} expires in ${when} (${dayTime(info.notAfter)}).`,
    detail: `It still works, but once it expires every strict client refuses it. Let's Encrypt certificates renew 30 days before expiry; one this close to expiry usually means the renewal is failing or the service has not reloaded the renewed file (warning threshold: ${plural(days, 'day')}).`,
    fix: 'Run `certbot renew --dry-run` to see why renewal fails, then reload the services that use it (`postfix reload`, `doveadm reload`). Add a deploy hook so they reload on every renewal: `certbot renew --deploy-hook "systemctl reload postfix dovecot"`.',
    evidence: certEvidence(info, role),
  });
}

export function selfSigned(info: CertificateInfo): Finding {
  return makeFinding('cert.self-signed', {
    severity: 'error',
    title: 'The server certificate is self-signed: no client can trust it.',
    detail: `${STRICT_PEERS} with "self-signed certificate" (DEPTH_ZERO_SELF_SIGNED_CERT). Often it is the snakeoil certificate a package installed (Debian: /etc/ssl/certs/ssl-cert-snakeoil.pem) and the real one was never configured.`,
    fix: `Get a certificate from a public CA, e.g. \`certbot certonly --standalone -d mail.example.com\`, and point the server at it. ${CHAIN_FIX_POSTFIX} ${CHAIN_FIX_DOVECOT} For a private test server, clients must trust this exact certificate instead (nodemailer: \`tls: { ca: [fs.readFileSync('cert.pem')] }\`).`,
    evidence: certEvidence(info, 'server certificate'),
  });
}

export function untrustedRoot(top: CertificateInfo, how: 'sent-root' | 'store-intermediate' | 'unknown-issuer'): Finding {
  const name = how === 'sent-root' ? top.subject : top.issuer;
  const detail =
    how === 'sent-root'
      ? `The server sent its whole chain, up to the root "${top.subject}", but that root is not in the trust store. ${STRICT_PEERS} with "self-signed certificate in certificate chain" (SELF_SIGNED_CERT_IN_CHAIN).`
      : how === 'store-intermediate'
        ? `The chain reaches "${top.subject}", which the trust store holds, but not the root that issued it ("${top.issuer}"). OpenSSL (and so Node.js) only trusts chains that end in a trusted root, and fails with "unable to get issuer certificate" (UNABLE_TO_GET_ISSUER_CERT).`
        : `The chain the server sent ends at "${top.subject}", which was issued by "${top.issuer}", which is not in the trust store. ${STRICT_PEERS} with "unable to get local issuer certificate" (UNABLE_TO_GET_ISSUER_CERT_LOCALLY). If "${top.issuer}" is an intermediate rather than a root, the server must send it too.`;
  return makeFinding('cert.untrusted-root', {
    severity: 'error',
    title: `The certificate chain ends in a CA that is not trusted: ${name}.`,
    detail,
    fix: `If this is a private or test CA, every client must be told to trust its root: nodemailer \`tls: { ca: [fs.readFileSync('root.pem')] }\`, Postfix \`smtp_tls_CAfile\`, this tool's \`--ca root.pem\`. For a public server, use a certificate from a public CA and send the chain it provides (certbot's fullchain.pem). ${CHAIN_FIX_CAT}`,
    evidence: certEvidence(top, how === 'sent-root' ? 'root' : 'last certificate'),
  });
}

export function missingIntermediate(leaf: CertificateInfo): Finding {
  const aia = leaf.aiaIssuerUrl
    ? ` The certificate says where its issuer can be downloaded (AIA caIssuers): ${leaf.aiaIssuerUrl}. Browsers and the Windows chain engine (Outlook, Exchange) fetch that and hide the mistake; OpenSSL-, GnuTLS- and Node-based clients (Postfix, Exim, nodemailer) do not.`
    : ' Browsers and the Windows chain engine (Outlook, Exchange) often hide this mistake by fetching or caching the missing certificate; OpenSSL-, GnuTLS- and Node-based clients (Postfix, Exim, nodemailer) do not.';
  return makeFinding('cert.missing-intermediate', {
    severity: 'error',
    title: `The server sends only its own certificate: the intermediate "${leaf.issuer}" is missing.`,
    detail: `Clients that verify and do not fetch missing certificates (Node.js/nodemailer, OpenSSL- and GnuTLS-based clients, Postfix at verify/secure) refuse the connection with "unable to verify the first certificate" (UNABLE_TO_VERIFY_LEAF_SIGNATURE); MTAs with opportunistic TLS still deliver unless the domain publishes MTA-STS or DANE.${aia} (If "${leaf.issuer}" is your own private root rather than an intermediate, clients must trust it instead.)`,
    fix: `Serve the full chain, not just the certificate: with certbot use fullchain.pem, never cert.pem. ${CHAIN_FIX_POSTFIX} ${CHAIN_FIX_DOVECOT} ${CHAIN_FIX_CAT}${leaf.aiaIssuerUrl ? ` The intermediate can be fetched from ${leaf.aiaIssuerUrl} (convert DER with \`openssl x509 -inform der -in it.cer -out intermediate.pem\`).` : ''}`,
    evidence: [...certEvidence(leaf, 'server certificate'), ...(leaf.aiaIssuerUrl ? [`AIA caIssuers: ${leaf.aiaIssuerUrl}`] : [])],
  });
}

export function hostnameMismatch(leaf: CertificateInfo, servername: string, covered: string[]): Finding {
  const list = covered.length > 0 ? covered.slice(0, 30).join(', ') + (covered.length > 30 ? ', ...' : '') : '(no names at all)';
  // For a check by address: a name to use instead (a plain DNS name, so it is safe inside the fix's code spans).
  const named = covered.find((n) => {
    const v = validateHostname(n);
    return v.ok && v.kind === 'name';
  });
  return makeFinding('cert.hostname-mismatch', {
    severity: 'error',
    title: `The certificate is not valid for ${servername}; it covers: ${list}.`,
    detail: `Clients check that the name they connect to is in the certificate. Node.js/nodemailer fail with "Hostname/IP does not match certificate's altnames" (ERR_TLS_CERT_ALTNAME_INVALID); Outlook and Thunderbird warn. MTAs deliver opportunistically unless MTA-STS or DANE is in force, in which case the MX name must be in the certificate.`,
    fix: isIpLiteral(servername)
      ? `Connect by a name the certificate covers${named ? ` (${named})` : ''}, not by its address: configure clients with that name (nodemailer: \`host: '${named ?? 'NAME'}'\`, or \`tls: { servername: '${named ?? 'NAME'}' }\` where the address must stay), and probe with \`--servername ${named ?? 'NAME'}\`. Public CAs rarely issue certificates for IP addresses, and mail clients are configured by name.`
      : `Either connect using a name the certificate covers (configure clients with the MX/host name, not an alias or IP), or get a certificate that includes ${servername}: \`certbot certonly -d ${servername} -d <other names>\`, then reload the services. A wildcard covers one label only: *.example.com covers mail.example.com, not example.com or a.b.example.com.`,
    evidence: [...certEvidence(leaf, 'server certificate'), `name checked: ${servername}`],
  });
}

export function weakKey(info: CertificateInfo, role: string, severity: 'error' | 'warning'): Finding {
  return makeFinding('cert.weak-key', {
    severity,
    title: `The ${role} has a weak ${info.keyType.toUpperCase()} key (${info.keyBits} bits).`,
    detail:
      info.keyType === 'ec'
        ? `Curves under 256 bits are below what public CAs issue; curves under 224 bits are refused by OpenSSL clients at security level 2 (the default on Debian, Ubuntu and RHEL) with "EE certificate key too weak".`
        : `Keys under 2048 bits are refused by OpenSSL clients at security level 2, the default on Debian 11+, Ubuntu 20.04+ and RHEL 9, with "EE certificate key too weak" when they verify the certificate (Postfix at verify/secure, mail clients, curl, openssl s_client with -verify_return_error). Opportunistic MTAs (Postfix at may/encrypt) do not verify and still connect; Node.js 20 still accepts 1024 bits, so a nodemailer test may pass while verifying clients fail. No public CA has issued such keys since 2013.`,
    fix: 'Issue a new key and certificate with at least RSA 2048 or ECDSA P-256: `certbot certonly --key-type ecdsa -d mail.example.com` or `openssl req -newkey rsa:3072 ...`, then point the server at the new pair and reload.',
    evidence: [...certEvidence(info, role), `key: ${info.keyType} ${info.keyBits} bits`],
  });
}

export function weakSignature(info: CertificateInfo, role: string): Finding {
  return makeFinding('cert.weak-signature', {
    severity: 'error',
    title: `The ${role} is signed with ${info.signatureAlgorithm}, which clients no longer accept.`,
    detail: `SHA-1 and MD5 signatures can be forged. OpenSSL 3 (Node.js 18+, so nodemailer; Debian 12, Ubuntu 22.04+) refuses them with "CA signature digest algorithm too weak" (CA_MD_TOO_WEAK). Only the self-signature of a trusted root does not matter.`,
    fix: 'Re-issue the certificate with a SHA-256 signature (every current CA and `openssl req`/`openssl x509 -sha256` do so by default); if an intermediate is SHA-1, fetch the current chain from the CA and serve that.',
    evidence: [...certEvidence(info, role), `signature: ${info.signatureAlgorithm}`],
  });
}

export function malformed(position: number, reason: string): Finding {
  return makeFinding('cert.malformed', {
    severity: 'error',
    title: position === 0 ? 'The server certificate cannot be read.' : `Certificate ${position + 1} in the chain the server sent cannot be read.`,
    detail: `Clients abort the handshake when a certificate does not decode (OpenSSL: "bad certificate" / ASN.1 errors). Reason: ${reason}.`,
    fix: 'Check the file the server loads: `openssl x509 -in cert.pem -noout -text` must print it. Re-export it in PEM, one BEGIN/END CERTIFICATE block per certificate, server certificate first.',
    evidence: [`position in chain: ${position + 1}`, `reason: ${reason}`],
  });
}

export function noCertificate(): Finding {
  return makeFinding('cert.malformed', {
    severity: 'error',
    title: 'The server presented no certificate.',
    detail: 'Without a certificate no client can authenticate the server; strict clients abort, and anonymous TLS is refused by OpenSSL 3 defaults.',
    fix: 'Configure a certificate and key for the TLS service (Postfix `smtpd_tls_chain_files`, Dovecot `ssl_cert`/`ssl_key`) and reload it.',
    evidence: ['certificates received: 0'],
  });
}

export function chainOrder(notes: string[], evidence: string[]): Finding {
  return makeFinding('cert.chain-order', {
    severity: 'info',
    title: 'The server sends its chain out of order or with extra certificates.',
    detail: `${notes.join(' ')} Most clients still sort it out (TLS 1.3 allows any order), but old clients and some appliances expect leaf, then its issuer, then the next; extra certificates only cost bytes in every handshake.`,
    fix: `Send exactly: server certificate, then each intermediate in order, without the root. ${CHAIN_FIX_CAT}`,
    evidence,
  });
}
