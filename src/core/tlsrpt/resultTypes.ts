/**
 * What each RFC 8460 result type (section 4.3) means for the receiving domain's admin, and what fixes it.
 * `scope` says what to check again: the MX host (its TLS and certificate) or the policy domain (DNS, MTA-STS).
 */
import type { ResultType } from './parse';

export interface ResultTypeInfo {
  title: string;
  detail: string;
  fix: string;
  scope: 'mx' | 'domain';
}

export const RESULT_TYPE_INFO: Readonly<Record<ResultType, ResultTypeInfo>> = {
  'starttls-not-supported': {
    title: 'the receiving MX did not offer STARTTLS',
    detail:
      'The sender connected to your MX but it did not advertise STARTTLS (or the STARTTLS command failed), so the session could not be ' +
      'encrypted. Under an MTA-STS "enforce" policy or DANE the sender then does not deliver at all. A firewall or "SMTP inspection" box that ' +
      'strips STARTTLS from EHLO looks the same from outside.',
    fix:
      'Enable STARTTLS on every MX: in Postfix set smtpd_tls_security_level = may with smtpd_tls_chain_files (or smtpd_tls_cert_file and ' +
      'smtpd_tls_key_file) naming a readable certificate and key, then postfix reload. Check that no middlebox rewrites EHLO.',
    scope: 'mx',
  },
  'certificate-host-mismatch': {
    title: 'the MX certificate does not name the MX host',
    detail:
      'The certificate your MX presented does not contain the MX host name (nor a wildcard covering it) in its subject alternative names. ' +
      'MTA-STS checks the certificate against the MX name, and the MX name must also match an "mx:" line of the policy.',
    fix:
      'Issue the certificate for the exact MX host name (every name in your MX records), install the full chain and reload; make sure the ' +
      "MTA-STS policy's mx: lines and the MX records name the same hosts.",
    scope: 'mx',
  },
  'certificate-expired': {
    title: 'the MX certificate has expired',
    detail:
      'The certificate your MX presented is past its notAfter date. A renewal that ran but was never loaded (Postfix keeps the old certificate ' +
      'until it is reloaded) is the usual cause, or a renewal that keeps failing (DNS-01 or HTTP-01 challenge).',
    fix: 'Renew the certificate and reload the mail server (postfix reload); add a deploy hook to the renewal that reloads Postfix.',
    scope: 'mx',
  },
  'certificate-not-trusted': {
    title: 'the MX certificate chain is not trusted',
    detail:
      'The sender could not build a chain from your MX certificate to a CA it trusts: the certificate is self-signed, from a private CA, or ' +
      'the server sends only its leaf without the intermediate certificate.',
    fix:
      'Use a certificate from a public CA and send the whole chain: smtpd_tls_chain_files = key then fullchain.pem (or smtpd_tls_cert_file = ' +
      'fullchain.pem), then postfix reload.',
    scope: 'mx',
  },
  'validation-failure': {
    title: 'the TLS session failed validation for another reason',
    detail:
      'RFC 8460 uses this for failures not covered by a more specific type: often a broken chain, a handshake failure (no shared cipher or ' +
      'TLS version), or a certificate problem the sender could not classify. The failure-reason-code, when present, says more.',
    fix:
      'Probe the MX (command below) to see the handshake and certificate the sender saw; fix what it reports (chain, protocol versions, ' +
      'ciphers) and compare with the failure-reason-code.',
    scope: 'mx',
  },
  'tlsa-invalid': {
    title: 'the TLSA records do not match the MX certificate',
    detail:
      'DANE: the MX has DNSSEC-signed TLSA records, but none of them matches the certificate or key the server presented. This almost always ' +
      'follows a certificate or key renewal without updating the TLSA records first.',
    fix:
      'Publish a TLSA record for the key in use now (3 1 1 is the robust choice: it survives renewals that keep the key), and during a key ' +
      'rollover publish the new record beside the old one at least two TTLs before switching.',
    scope: 'mx',
  },
  'dnssec-invalid': {
    title: 'DNSSEC validation failed for the domain or its MX',
    detail:
      "The sender's validating resolver returned bogus answers for your MX or TLSA records: expired signatures, a DS in the parent that " +
      'matches no DNSKEY, or a broken denial of existence. Senders that use DANE defer mail when this happens.',
    fix:
      'Check the zone with a DNSSEC analyser (for example dnsviz), re-sign it or fix the DS at the registrar, and make sure signatures are ' +
      'renewed automatically.',
    scope: 'domain',
  },
  'dane-required': {
    title: 'the sender requires DANE but found no valid TLSA records',
    detail: 'The sending system is configured to require DANE for your domain, but no DNSSEC-validated TLSA records were found for the MX host.',
    fix: 'Publish DNSSEC-signed TLSA records for every MX host (_25._tcp.MX), or ask the sender to drop the DANE requirement.',
    scope: 'mx',
  },
  'sts-policy-fetch-error': {
    title: 'the MTA-STS policy could not be fetched',
    detail:
      'The sender found your _mta-sts TXT record but could not download https://mta-sts.DOMAIN/.well-known/mta-sts.txt: the name does not ' +
      'resolve, the HTTPS server timed out or refused, it answered with a status other than 200, or it redirected (redirects are not ' +
      'followed).',
    fix:
      'Make mta-sts.DOMAIN resolve and serve /.well-known/mta-sts.txt over HTTPS with status 200, Content-Type text/plain, no redirect, and ' +
      'a certificate valid for mta-sts.DOMAIN. If you stopped using MTA-STS, remove the _mta-sts TXT record only after publishing mode: none.',
    scope: 'domain',
  },
  'sts-policy-invalid': {
    title: 'the MTA-STS policy is not valid',
    detail:
      'The policy file was fetched but could not be parsed: a missing "version: STSv1", "mode", "mx" or "max_age" line, an unknown mode, or ' +
      'a body that is not the policy at all (an HTML page).',
    fix:
      'Serve exactly: version: STSv1, mode: enforce|testing|none, one mx: line per MX pattern, max_age: SECONDS, one per line (CRLF or LF), ' +
      'and bump the id in the _mta-sts TXT record after every change.',
    scope: 'domain',
  },
  'sts-webpki-invalid': {
    title: "the MTA-STS web server's certificate is not valid",
    detail:
      'The HTTPS certificate of mta-sts.DOMAIN failed validation (untrusted issuer, expired, or it does not name mta-sts.DOMAIN), so the ' +
      'sender refused the policy it served.',
    fix: 'Give mta-sts.DOMAIN a publicly trusted certificate that names it, send the full chain, and renew it automatically.',
    scope: 'domain',
  },
};

export function resultTypeInfo(resultType: string): ResultTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(RESULT_TYPE_INFO, resultType) ? RESULT_TYPE_INFO[resultType as ResultType] : undefined;
}
