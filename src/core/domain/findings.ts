/**
 * The domain check's findings (MX, DNSSEC, DANE, MTA-STS, TLS-RPT): one constructor per id. Severity follows
 * what a sender does: what makes a strict sender defer mail is an error; what silently weakens protection is a
 * warning; what only informs is info. Every text that came from DNS or HTTP is passed through `printable`.
 */
import { bogusRecords, lookupServfail, resolverFailed } from '../dns/failure';
import { digCommand, formatServer, type DnsServer } from '../dns/server';
import type { LookupStatus } from '../dns/resolver';
import { printable } from '../endpoint';
import type { Finding, Severity } from '../finding';
import { makeFinding } from '../findings';

const p = (s: string, max = 120) => printable(s, max);
/** The TXT records as found, for the evidence of a record that is wrong. */
const txtEvidence = (records: string[]) => records.map((r) => `TXT "${p(r, 160)}"`);

export const domainFindings = {
  mxNull(domain: string): Finding {
    return makeFinding('mx.null', {
      severity: 'info',
      title: `${p(domain)} publishes a null MX ("0 ."): it accepts no mail.`,
      detail: 'RFC 7505: senders reject mail to this domain at once instead of queueing it. Right for a domain that never receives mail; wrong if it should.',
      fix: 'If the domain should receive mail, replace the null MX with the real mail hosts (`example.com. IN MX 10 mx1.example.com.`).',
      evidence: [`${p(domain)} MX 0 .`],
    });
  },
  mxImplicit(domain: string, addresses: string[]): Finding {
    return makeFinding('mx.implicit', {
      severity: 'warning',
      title: `${p(domain)} has no MX record; senders fall back to the domain's own address${addresses.length ? ` (${addresses.map((a) => p(a, 45)).join(', ')})` : ''}.`,
      detail:
        'RFC 5321 5.1 "implicit MX": mail goes to the A/AAAA of the domain itself. It works, but is often an accident (a web server that does not take mail), and DANE/MTA-STS are looked up for the domain name as the mail host.',
      fix: 'Publish MX records naming the mail hosts, or a null MX (`MX 0 .`) if the domain takes no mail.',
      evidence: [`${p(domain)} MX: no record`],
    });
  },
  mxUnresolved(mx: string, detail: string, all: boolean): Finding {
    return makeFinding('mx.unresolved', {
      severity: all ? 'error' : 'warning',
      title: `The mail host ${p(mx)} has no address (${p(detail, 100)})${all ? ': no MX of the domain can be reached, senders defer its mail' : '; senders skip it'}.`,
      detail: 'An MX target must have an A or AAAA record. Senders try the next MX; when none resolves, the mail waits in their queues and bounces after days.',
      fix: `Publish A/AAAA records for ${p(mx)}, or remove the MX record that names it.`,
      evidence: [`${p(mx)}: ${p(detail, 160)}`],
    });
  },
  /** An MX record whose target is an IP address, not a name (`all`: no MX of the domain is usable). */
  mxLiteral(domain: string, preference: number, literal: string, all: boolean): Finding {
    const ip = p(literal.replace(/^\[(.*)\]$/, '$1'), 45);
    return makeFinding('mx.unresolved', {
      severity: all ? 'error' : 'warning',
      title: `The MX record of ${p(domain)} names an IP address (${ip}), not a host name${all ? ': no MX of the domain can be used, senders do not deliver its mail' : '; senders skip it'}.`,
      detail:
        'RFC 1035 3.3.9 and RFC 5321 5.1: an MX record holds the domain name of a host, never an address. Postfix skips such a record (it logs "warning: numeric domain name in resource data of MX record for DOMAIN: ADDRESS"); a sender that looks it up as a host name finds no address.',
      fix: `Give the mail host a name with an address record (\`mx1.${p(domain)}. IN ${ip.includes(':') ? 'AAAA' : 'A'} ${ip}\`) and point the MX at that name (\`${p(domain)}. IN MX ${preference} mx1.${p(domain)}.\`).`,
      evidence: [`${p(domain)} MX ${preference} ${p(literal, 60)}`],
    });
  },
  mxCname(mx: string, target: string[]): Finding {
    return makeFinding('mx.cname', {
      severity: 'warning',
      title: `The MX target ${p(mx)} is an alias (CNAME to ${p(target[target.length - 1])}).`,
      detail:
        'RFC 2181 10.3 and RFC 5321 5.1: an MX must name a host, not an alias. Most MTAs follow it anyway, some refuse; with DANE, the TLSA record is looked up at the alias target first (RFC 7672 2.2.3) and the certificate must match one of the names.',
      fix: `Point the MX at the canonical name (${p(target[target.length - 1])}) directly.`,
      evidence: [`${p(mx)} CNAME ${target.map((t) => p(t)).join(' -> ')}`],
    });
  },
  /**
   * The lookup of the domain's MX records failed. `server`: the resolver asked; `named`: the user named it (then
   * the suggested `dig` asks it too). NXDOMAIN is the domain's answer (senders bounce); no answer, a refusal or
   * garbage is the resolver's failure and says nothing about the domain; SERVFAIL is the domain's name servers
   * (or the path to them) failing.
   */
  lookupFailed(name: string, type: string, l: { status: LookupStatus; detail: string }, server: DnsServer, named: boolean): Finding {
    const dig = (args: string) => digCommand(args, named ? server : undefined);
    const evidence = [`${type} ${p(name)}: ${p(l.detail, 160)}`];
    if (l.status === 'nxdomain') {
      return makeFinding('dns.unresolved', {
        severity: 'error',
        title: `${p(name)} does not exist (its ${type} lookup answers NXDOMAIN): senders bounce mail to it at once.`,
        detail:
          'NXDOMAIN is a final answer (RFC 2308 2.1: the name does not exist), not a temporary failure: sending MTAs return the mail to its sender (Postfix: "Host or domain name not found", status=bounced) instead of queueing it. Usually a typo in the address, or a domain whose registration or delegation has lapsed.',
        fix: `Check the spelling of the domain. If it is yours, check its registration and delegation: \`${dig(`NS ${p(name)}`)}\` and \`dig +trace NS ${p(name)}\`.`,
        evidence,
      });
    }
    if (l.status === 'timeout' || l.status === 'error') return resolverFailed(name, type, l.detail, server, named, 'domain');
    return lookupServfail(
      name,
      type,
      l.detail,
      dig,
      'senders defer mail to this domain',
      'Without an answer a sender cannot tell where the mail goes; it keeps the mail queued and retries.',
    );
  },
  /** `server`: the resolver the user named, for the suggested `dig` (none: the system's). */
  bogus(name: string, type: string, detail: string, server?: DnsServer): Finding {
    return bogusRecords(name, type, detail, server, 'validating senders defer the mail');
  },
  resolverNotValidating(resolver: string, why: 'untrusted' | 'no-ad'): Finding {
    return makeFinding('dns.resolver-not-validating', {
      severity: 'warning',
      title:
        why === 'untrusted'
          ? `The DNSSEC status is unknown: the resolver ${p(resolver)} is not on loopback, so its AD bit is not trusted.`
          : `The DNSSEC status is unknown: ${p(resolver)} returned signed data without the AD bit (it does not validate, or the chain of trust is broken).`,
      detail:
        "Like Postfix (smtp_dns_support_level = dnssec) and glibc (trust-ad), the check believes the AD bit only from a resolver you trust: one you name with --resolver, or the system's when it runs on this machine. Without it, DANE cannot be judged: TLSA records are reported but not matched as a DANE sender would.",
      fix: 'Run a validating resolver on this machine (unbound) or give one you trust with `--resolver IP[:PORT]`.',
      evidence: [`resolver: ${p(resolver)}`],
    });
  },
  tlsaUnsigned(mx: string, tlsaName: string): Finding {
    return makeFinding('dane.tlsa-unsigned', {
      severity: 'warning',
      title: `${p(mx)} publishes TLSA records at ${p(tlsaName)}, but they are not DNSSEC-validated: DANE senders ignore them.`,
      detail:
        "RFC 7672 2.2: only TLSA records from a signed zone (validated by the sender's resolver, with validated A/AAAA records of the MX host) count. Unsigned TLSA records protect nothing.",
      fix: 'Sign the zone (knot `dnssec-signing: on`, BIND `dnssec-policy default`) and publish its DS at the parent, or remove the TLSA records.',
      evidence: [`${p(tlsaName)} TLSA: answer without AD`],
    });
  },
  usageUnsuitable(mx: string, records: string[]): Finding {
    return makeFinding('dane.usage-unsuitable', {
      severity: 'warning',
      title: `${p(mx)} has TLSA records that SMTP senders cannot use (${records.map((r) => p(r, 40)).join(', ')}).`,
      detail:
        'RFC 7672 3.1.3: usages 0 (PKIX-TA) and 1 (PKIX-EE) are not for SMTP, and unknown selector or matching types are ignored. When no record is usable, DANE senders still insist on TLS but do not authenticate the server.',
      fix: "Publish `3 1 1` records instead (the SHA-256 of the server's public key: `openssl x509 -in cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`). A `2 1 1` record (the key of an issuing CA) matches only if the server sends that CA's certificate in its chain and the next certificate comes from the same CA key; Let's Encrypt rotates among several intermediates and does not send its root, so a `2 1 1` of one of them breaks at a renewal.",
      evidence: records.map((r) => `TLSA ${p(r, 160)}`),
    });
  },
  tlsaMismatch(mx: string, address: string, records: string[], chain: string[]): Finding {
    return makeFinding('dane.tlsa-mismatch', {
      severity: 'error',
      title: `No TLSA record of ${p(mx)} matches the certificate chain ${p(address, 45)} presents: DANE senders defer the mail.`,
      detail:
        'RFC 7672: with usable, DNSSEC-validated TLSA records the sender must authenticate the server by them; a chain that matches none (usually a new key without a new TLSA record first, or a `2 1 1` record for an intermediate the CA no longer issues from) stops delivery from every DANE MTA (Postfix `dane`, Exim, mailbox providers that validate).',
      fix: "Publish a TLSA record for the key the server now uses (`openssl x509 -in cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum` gives the `3 1 1` data), or go back to the key the records name. Next time publish the record for a new key at least two TTLs before the server uses it (RFC 7671 8.1); certbot's `--reuse-key` keeps the key, and so a `3 1 1` record, valid across renewals.",
      evidence: [...records.map((r) => `TLSA ${p(r, 160)}`), ...chain.map((c, i) => `certificate ${i}: ${p(c, 160)}`)],
    });
  },
  /** `why`: what the probe of that address found (a finding's title and id), or that no handshake succeeded. */
  starttlsMissing(mx: string, address: string, why: string): Finding {
    return makeFinding('dane.starttls-missing', {
      severity: 'error',
      title: `${p(mx)} (${p(address, 45)}) publishes TLSA records but has no working STARTTLS: DANE senders defer the mail.`,
      detail: `RFC 7672 2.2: TLSA records make TLS mandatory for DANE senders; without STARTTLS (or a working handshake) they do not fall back to plain text. The probe of this address found: ${p(why, 160)}`,
      fix: 'Enable STARTTLS on port 25 (Postfix `smtpd_tls_security_level = may` with a certificate and key), or remove the TLSA records first.',
      evidence: [`${p(mx)} ${p(address, 45)}: ${p(why, 160)}`],
    });
  },
  rolloverSingle(mx: string, record: string): Finding {
    return makeFinding('dane.rollover-single', {
      severity: 'info',
      title: `${p(mx)} has a single usable TLSA record (${p(record, 60)}): the next key or certificate change breaks DANE delivery unless a new record is published first.`,
      detail:
        "RFC 7671 8.1: the record for a new key must be published at least two TTLs before the server switches to it, or DANE senders defer the mail in between. Publishing the next key's record ahead of time (two `3 1 1` records: current and next key) makes every change safe; nothing breaks today.",
      fix: "Generate the next key now and publish its `3 1 1` record beside the current one (or renew with certbot `--reuse-key` so the key, and the record, stay the same). A `2 1 1` record of the issuing CA helps only if the server sends that CA's certificate and the next certificate comes from the same CA key (not so with Let's Encrypt, which rotates intermediates).",
      evidence: [`TLSA ${p(record, 160)}`],
    });
  },
  mtastsTxtInvalid(domain: string, why: string, records: string[]): Finding {
    return makeFinding('mtasts.txt-invalid', {
      severity: 'warning',
      title: `The MTA-STS record of ${p(domain)} is invalid (${p(why, 100)}): senders ignore the policy.`,
      detail:
        'RFC 8461 3.1: `_mta-sts.DOMAIN` must hold exactly one TXT record starting with `v=STSv1`, with an `id` of 1 to 32 letters and digits. Otherwise senders do not fetch the policy, and mail is not protected by it.',
      fix: `Publish one record: \`_mta-sts.${p(domain)}. IN TXT "v=STSv1; id=20260101T000000"\` (change the id whenever the policy changes).`,
      evidence: txtEvidence(records),
    });
  },
  /**
   * Added to a certificate error at an MX that no MTA-STS enforce policy or DANE record covers: who still delivers
   * and who does not, for mail to the domain. Text, not a finding: the certificate finding stays the one finding.
   */
  mxCertOpportunistic(domain: string, mx: string): string {
    return `For mail to ${p(domain)}: neither an MTA-STS policy in enforce mode nor usable DANE records cover ${p(mx)}, so sending MTAs that use opportunistic TLS (RFC 7435; Postfix \`smtp_tls_security_level = may\`, most of them) still deliver here, encrypted but unauthenticated (the sender view says so); senders that verify certificates for this destination (a Postfix \`verify\` or \`secure\` policy for it) defer the mail, and an MTA-STS policy cannot be enforced until the certificate verifies (RFC 8461 4.2). It stays an error, as in \`probe\`.`;
  },
  /**
   * The `_mta-sts` TXT lookup got no usable answer (SERVFAIL also with CD, or the resolver failed; bogus data is
   * `dns.bogus`). RFC 8461 3.3: a sender with an unexpired cached policy applies it; one without continues as if
   * the domain had no MTA-STS. `server`, `named`: as for lookupFailed.
   */
  mtastsTxtLookupFailed(domain: string, l: { status: LookupStatus; detail: string }, server: DnsServer, named: boolean): Finding {
    return txtLookupFailed('mtasts.txt-lookup-failed', `_mta-sts.${domain}`, l, server, named, {
      severity: 'warning',
      record: 'MTA-STS',
      fails: `senders without a cached policy deliver as if ${p(domain)} had no MTA-STS`,
      why: 'RFC 8461 3.3: a sender that cannot discover the policy through DNS applies the policy it has cached, if its max_age has not run out, and otherwise goes on as though the domain had not implemented MTA-STS: a sender that has not seen the policy before, or whose copy has expired, delivers without it (TLS without certificate checks, or plain text if STARTTLS is stripped). Blocking this lookup is how an attacker keeps a policy from being discovered (RFC 8461 10.2).',
      nsOf: domain,
    });
  },
  policyFetchFailed(url: string, why: string): Finding {
    return makeFinding('mtasts.policy-fetch-failed', {
      severity: 'warning',
      title: `The MTA-STS policy ${p(url)} cannot be fetched (${p(why, 120)}): senders without a cached copy ignore MTA-STS.`,
      detail:
        'RFC 8461 3.3: the policy is fetched over HTTPS from `mta-sts.DOMAIN`. A sender that cannot fetch it delivers as if there were no policy (no protection); one that cached an earlier policy keeps applying that one until it expires.',
      fix: 'Serve the policy at `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (status 200, `Content-Type: text/plain`, at most 64 KB), with an A/AAAA record for `mta-sts.DOMAIN`.',
      evidence: [`GET ${p(url)}: ${p(why, 200)}`],
    });
  },
  policyRedirect(url: string, status: number, location: string | undefined): Finding {
    return makeFinding('mtasts.policy-redirect', {
      severity: 'warning',
      title: `The MTA-STS policy ${p(url)} answers with a redirect (HTTP ${status}); senders do not follow it and ignore the policy.`,
      detail: 'RFC 8461 3.3: "HTTP 3xx redirects MUST NOT be followed". A web server that redirects everything to www or to a login page breaks MTA-STS.',
      fix: 'Serve the policy file itself at that URL (exclude `/.well-known/mta-sts.txt` from the redirect rules).',
      evidence: [`HTTP ${status}${location ? ` Location: ${p(location, 160)}` : ''}`],
    });
  },
  policyContentType(url: string, type: string): Finding {
    return makeFinding('mtasts.policy-content-type', {
      severity: 'warning',
      title: `The MTA-STS policy ${p(url)} is served as "${p(type || 'no content type', 60)}", not text/plain: senders ignore it.`,
      detail:
        'RFC 8461 3.2: senders SHOULD check that the policy is served as `text/plain`; senders that do (this check among them) discard a policy served as text/html or application/octet-stream.',
      fix: 'Serve the file with `Content-Type: text/plain` (nginx: `default_type text/plain;` in that location).',
      evidence: [`Content-Type: ${p(type, 120)}`],
    });
  },
  policyInvalid(url: string, problems: string[]): Finding {
    return makeFinding('mtasts.policy-invalid', {
      severity: 'warning',
      title: `The MTA-STS policy ${p(url)} is invalid (${p(problems[0], 100)}): senders ignore it.`,
      detail:
        'RFC 8461 3.2: the policy needs `version: STSv1`, `mode: enforce|testing|none`, `max_age` (seconds, at most 31557600) and, unless the mode is none, at least one `mx:` pattern.',
      fix: 'Fix the file: one `key: value` per line, e.g. `version: STSv1`, `mode: enforce`, an `mx: mx1.example.com` line for each MX host (or a `*.example.com` pattern), `max_age: 604800`; then change the `id` of the TXT record.',
      evidence: problems.map((x) => p(x, 200)),
    });
  },
  policyCertInvalid(url: string, why: string): Finding {
    return makeFinding('mtasts.policy-cert-invalid', {
      severity: 'warning',
      title: `The certificate of ${p(url)} does not verify (${p(why, 100)}): senders ignore the MTA-STS policy.`,
      detail:
        "RFC 8461 3.3: the policy host's certificate must be valid for `mta-sts.DOMAIN` and chain to a trusted root; otherwise the policy could come from anyone.",
      fix: 'Serve a certificate from a public CA that names `mta-sts.DOMAIN` (`certbot certonly -d mta-sts.example.com`), with its full chain.',
      evidence: [p(why, 200)],
    });
  },
  mxMismatch(mx: string, patterns: string[], mode: string): Finding {
    return makeFinding('mtasts.mx-mismatch', {
      severity: mode === 'enforce' ? 'error' : 'warning',
      title: `The MX ${p(mx)} matches no \`mx:\` pattern of the MTA-STS policy${mode === 'enforce' ? ': MTA-STS senders do not deliver to it' : ` (mode ${mode}: only reported)`}.`,
      detail:
        'RFC 8461 4.1: a sender enforcing MTA-STS delivers only to MX hosts that match a pattern (exact, or `*.` covering exactly one leftmost label); when no MX matches, the mail is deferred.',
      fix: `Add \`mx: ${p(mx)}\` (or a wildcard that covers it) to the policy, change its \`id\` in the TXT record, or fix the MX records.`,
      evidence: [`MX ${p(mx)}`, ...patterns.map((x) => `policy mx: ${p(x, 120)}`)],
    });
  },
  mxCertInvalid(mx: string, address: string, why: string, mode: string): Finding {
    return makeFinding('mtasts.mx-cert-invalid', {
      severity: mode === 'enforce' ? 'error' : 'warning',
      title: `${p(mx)} (${p(address, 45)}) ${p(why, 120)}${mode === 'enforce' ? ': MTA-STS senders do not deliver to it' : ` (mode ${mode}: only reported)`}.`,
      detail:
        'RFC 8461 4.2: under an MTA-STS policy the MX must offer STARTTLS and present a certificate that chains to a trusted root, is in date and names the MX host itself.',
      fix: 'Serve a certificate from a public CA naming the MX host (`certbot certonly -d MX`), with its full chain, on port 25.',
      evidence: [`${p(mx)} ${p(address, 45)}: ${p(why, 200)}`],
    });
  },
  mtastsTesting(domain: string): Finding {
    return makeFinding('mtasts.testing', {
      severity: 'info',
      title: `The MTA-STS policy of ${p(domain)} is in testing mode: failures are reported (TLS-RPT), mail is still delivered.`,
      detail: 'RFC 8461 5: in testing mode senders deliver even when the checks fail, and report. Switch to enforce once the reports are clean.',
      fix: 'When the TLS-RPT reports show no failures, set `mode: enforce` and change the `id` of the TXT record.',
    });
  },
  maxAgeShort(domain: string, maxAge: number, mode: string): Finding {
    const enforce = mode === 'enforce';
    return makeFinding('mtasts.max-age-short', {
      severity: enforce ? 'warning' : 'info',
      title: enforce
        ? `The MTA-STS policy of ${p(domain)} has max_age ${maxAge} s (under one day): it protects little against a downgrade.`
        : `The MTA-STS policy of ${p(domain)} has max_age ${maxAge} s (under one day): fine while testing; raise it with the switch to enforce.`,
      detail:
        'RFC 8461 3.2: max_age is how long senders keep the policy, and "it is expected that this value typically be in the range of weeks or greater"; an attacker who blocks the policy fetch wins once a short-lived policy expires. A short value while testing is harmless: testing mode does not stop delivery anyway.',
      fix: enforce
        ? 'Set `max_age: 604800` (a week) or more, and change the TXT id.'
        : 'When you switch to `mode: enforce`, set `max_age: 604800` (a week) or more, and change the TXT id.',
      evidence: [`max_age: ${maxAge}`],
    });
  },
  /** What senders would report on: TLSA records at the MX hosts (`dane`), an MTA-STS record (`sts`). */
  tlsrptMissing(domain: string, on: { dane: boolean; sts: boolean }): Finding {
    const d = p(domain);
    const why =
      on.dane && on.sts
        ? `${d} publishes an MTA-STS record and its MX hosts TLSA records (DANE), but no TLS-RPT record`
        : on.dane
          ? `The MX hosts of ${d} publish TLSA records (DANE), but ${d} has no TLS-RPT record`
          : `${d} publishes an MTA-STS record, but no TLS-RPT record`;
    return makeFinding('tlsrpt.missing', {
      severity: 'warning',
      title: `${why}: nobody hears when senders fail.`,
      detail:
        'RFC 8460: `_smtp._tls.DOMAIN` tells senders where to send daily reports of TLS failures (DANE or MTA-STS mismatches). Without it a broken certificate or TLSA record is noticed only when mail is missing.',
      fix: `Publish \`_smtp._tls.${p(domain)}. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${p(domain)}"\`.`,
    });
  },
  /**
   * The `_smtp._tls` TXT lookup got no usable answer. `needed`: DANE or MTA-STS is published (warning; info
   * otherwise, as no tlsrpt.missing would be reported either). `server`, `named`: as for lookupFailed.
   */
  tlsrptTxtLookupFailed(domain: string, l: { status: LookupStatus; detail: string }, server: DnsServer, named: boolean, needed: boolean): Finding {
    return txtLookupFailed('tlsrpt.txt-lookup-failed', `_smtp._tls.${domain}`, l, server, named, {
      severity: needed ? 'warning' : 'info',
      record: 'TLS-RPT',
      fails: 'senders that cannot read it send no TLS reports',
      why: 'RFC 8460 3: senders send their reports of TLS failures to the `rua` addresses of this record; a sender that cannot read it when it sends the report has nowhere to send it, so failed DANE or MTA-STS deliveries go unreported.',
    });
  },
  tlsrptInvalid(domain: string, why: string, records: string[]): Finding {
    return makeFinding('tlsrpt.invalid', {
      severity: 'warning',
      title: `The TLS-RPT record of ${p(domain)} is invalid (${p(why, 100)}): senders send no reports.`,
      detail: 'RFC 8460 3: exactly one TXT record starting with `v=TLSRPTv1`, with `rua=` listing `mailto:` or `https:` URIs separated by commas.',
      fix: `Publish \`_smtp._tls.${p(domain)}. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${p(domain)}"\`.`,
      evidence: txtEvidence(records),
    });
  },
};

/** What differs between the TXT lookups of txtLookupFailed: the record's name, its consequence and its RFC. */
interface TxtLookupWords {
  severity: Severity;
  /** The record, as in "MTA-STS was not checked". */
  record: string;
  /** The title's end when the name's servers fail (SERVFAIL also with checking disabled). */
  fails: string;
  /** The detail's first sentences: what a sender does without the record. */
  why: string;
  /** The domain whose NS records the fix asks for, to query each name server directly. */
  nsOf?: string;
}

/**
 * The TXT lookup of `name` (`_mta-sts`, `_smtp._tls`) got no usable answer: the resolver failed (timeout, error:
 * nothing is known, the record was not checked) or the zone's name servers answer SERVFAIL also with checking
 * disabled (bogus data is `dns.bogus`). `server`, `named`: as for lookupFailed.
 */
function txtLookupFailed(
  id: 'mtasts.txt-lookup-failed' | 'tlsrpt.txt-lookup-failed',
  name: string,
  l: { status: LookupStatus; detail: string },
  server: DnsServer,
  named: boolean,
  w: TxtLookupWords,
): Finding {
  const dig = (args: string) => digCommand(args, named ? server : undefined);
  const at = formatServer(server);
  const resolver = l.status === 'timeout' || l.status === 'error';
  const ns = w.nsOf === undefined ? '' : `, NS from \`${dig(`NS ${p(w.nsOf)}`)}\``;
  return makeFinding(id, {
    severity: w.severity,
    title: resolver
      ? `The resolver ${p(at, 60)} gave no usable answer to the TXT query for ${p(name)} (${p(l.detail, 100)}): ${w.record} was not checked.`
      : `The ${w.record} TXT lookup of ${p(name)} fails (${p(l.detail, 100)}): ${w.fails}.`,
    detail:
      `${w.why} ` +
      (resolver
        ? "Here the resolver itself failed, so it is not known whether the domain's name servers answer."
        : "A SERVFAIL that stays with checking disabled comes from the domain's name servers (or the way to them), not from DNSSEC validation."),
    fix: resolver
      ? `Check that the resolver runs and answers this machine (\`${dig(`TXT ${p(name)}`)}\`), or name one that does with \`--resolver IP[:PORT]\`, and check again.`
      : `Ask again (\`${dig(`TXT ${p(name)}`)}\`) and follow the delegation (\`dig +trace TXT ${p(name)}\`) to find the name server that fails for this name; ask each of the domain's name servers directly (\`dig +norecurse TXT ${p(name)} @NS\`${ns}). In a signed zone check the name's signatures as well (\`${dig(`+cd +dnssec TXT ${p(name)}`)}\`, \`delv\`).`,
    evidence: [`TXT ${p(name)}: ${p(l.detail, 160)}`, ...(resolver ? [`resolver: ${p(at, 60)}`] : [])],
  });
}
