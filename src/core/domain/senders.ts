/**
 * The sender's view: what an opportunistic MTA (Postfix `may`), a DANE MTA (Postfix `dane`) and an
 * MTA-STS-enforcing sender do with mail to the domain, from the facts the check gathered. Each tries the MX
 * hosts in preference order (and each address of a host) and delivers to the first that works for it.
 */
import type { ProbeResult } from '../probe/types';
import type { DomainReport, MxHost, SenderKind, SenderOutcome, SenderView } from './types';

type Try = { outcome: SenderOutcome; reason: string; findings: string[] } | { skip: string; findings: string[] };

const UNREACHABLE = /^(tcp|greeting|endpoint|dns|probe|protocol)\./;

function resultOf(report: DomainReport, host: MxHost, address: string): ProbeResult | undefined {
  return (
    report.results.find((r) => r.endpoint.servername === host.name && r.address === address) ??
    report.results.find((r) => r.endpoint.host === address && r.endpoint.servername === host.name)
  );
}

function unreachable(res: ProbeResult | undefined): string | undefined {
  if (!res) return 'not probed';
  const f = res.findings.find((x) => UNREACHABLE.test(x.id));
  return f ? f.id : undefined;
}

function opportunistic(res: ProbeResult): Try {
  if (res.tls) return { outcome: 'unverified-tls', reason: `STARTTLS with ${res.tls.version}; the certificate is not checked`, findings: [] };
  const why = res.findings.find((f) => /^(starttls|tls)\./.test(f.id));
  return {
    outcome: 'cleartext',
    reason: why ? `no TLS (${why.id}): the mail goes in plain text` : 'no TLS: the mail goes in plain text',
    findings: why ? [why.id] : [],
  };
}

function tryHost(kind: SenderKind, report: DomainReport, host: MxHost, address: string): Try {
  const res = resultOf(report, host, address);
  const down = unreachable(res);
  if (kind === 'dane') {
    const d = report.dane.hosts.find((x) => x.mx === host.name);
    if (d?.status === 'bogus') return { skip: `${host.name}: its TLSA records fail DNSSEC validation`, findings: ['dns.bogus'] };
    if (down) return { skip: `${host.name} (${address}) not reachable (${down})`, findings: [down] };
    if (d?.applies || d?.unusableOnly) {
      if (!res!.tls) return { skip: `${host.name} (${address}) has TLSA records but no working STARTTLS`, findings: ['dane.starttls-missing'] };
      if (d.unusableOnly)
        return {
          outcome: 'unverified-tls',
          reason: `TLS required by the TLSA records of ${host.name}, none of them usable for authentication`,
          findings: ['dane.usage-unsuitable'],
        };
      const a = d.addresses.find((x) => x.address === address);
      if (a?.verdict === 'match') {
        const m = a.matches[0];
        // RFC 7672 2.2.1 lets a DANE client use the TLSA records of MX hosts it got from an unsigned MX answer, and
        // Postfix does by default (smtp_tls_dane_insecure_mx_policy = dane), but it logs such a session as Trusted,
        // not Verified: the MX name itself could have been forged.
        const unsignedMx =
          report.dnssec.mx === 'insecure' ? `; the MX answer of ${report.domain} is not DNSSEC-signed, so Postfix logs this as Trusted, not Verified` : '';
        return { outcome: 'verified-tls', reason: `DANE: TLSA ${m.record} matches certificate ${m.certIndex} of ${host.name}${unsignedMx}`, findings: [] };
      }
      return { skip: `${host.name} (${address}): no TLSA record matches its certificate chain`, findings: ['dane.tlsa-mismatch'] };
    }
    const t = opportunistic(res!);
    return { ...t, reason: `no usable DNSSEC-validated TLSA records for ${host.name}: ${'reason' in t ? t.reason : ''}` } as Try;
  }
  if (kind === 'mta-sts') {
    const m = report.mtaSts;
    if (m.status === 'ok' && m.policy && m.policy.mode === 'enforce') {
      if (!m.mxMatches?.[host.name]) return { skip: `${host.name} matches no mx pattern of the policy`, findings: ['mtasts.mx-mismatch'] };
      if (down) return { skip: `${host.name} (${address}) not reachable (${down})`, findings: [down] };
      if (!res!.tls) return { skip: `${host.name} (${address}) offers no working STARTTLS`, findings: ['mtasts.mx-cert-invalid'] };
      if (!res!.trusted)
        return { skip: `${host.name} (${address}) presents a certificate that does not verify for its name`, findings: ['mtasts.mx-cert-invalid'] };
      return {
        outcome: 'verified-tls',
        reason: `MTA-STS enforce: ${host.name} matches "${m.mxMatches[host.name]}" and its certificate verifies`,
        findings: [],
      };
    }
    if (down) return { skip: `${host.name} (${address}) not reachable (${down})`, findings: [down] };
    const t = opportunistic(res!);
    if (m.status === 'lookup-failed') {
      // RFC 8461 3.3: no live policy through DNS; a cached, unexpired one still applies, else none does.
      const id = report.findings.some((f) => f.id === 'dns.bogus' && f.title.includes('_mta-sts.')) ? 'dns.bogus' : 'mtasts.txt-lookup-failed';
      const why =
        'the _mta-sts TXT lookup failed: a sender with a cached, unexpired policy applies that policy (RFC 8461 3.3); one without delivers as if there were no MTA-STS';
      return 'outcome' in t ? { ...t, reason: `${why}: ${t.reason}`, findings: [...t.findings, id] } : t;
    }
    const why =
      m.status === 'ok'
        ? `MTA-STS mode ${m.policy?.mode}, not enforced`
        : m.status === 'absent'
          ? 'no MTA-STS policy'
          : `the MTA-STS policy is not usable (${m.status})`;
    return 'outcome' in t ? { ...t, reason: `${why}: ${t.reason}` } : t;
  }
  if (down) return { skip: `${host.name} (${address}) not reachable (${down})`, findings: [down] };
  return opportunistic(res!);
}

export function senderViews(report: DomainReport): SenderView[] {
  return (['opportunistic', 'dane', 'mta-sts'] as SenderKind[]).map((sender) => view(sender, report));
}

function view(sender: SenderKind, report: DomainReport): SenderView {
  if (report.mx.status === 'null')
    return { sender, outcome: 'rejected', reason: 'null MX: the domain accepts no mail; senders bounce at once', findings: ['mx.null'] };
  if (report.mx.status === 'bogus') return { sender, outcome: 'deferred', reason: 'the MX records fail DNSSEC validation', findings: ['dns.bogus'] };
  if (report.mx.status === 'nxdomain')
    return { sender, outcome: 'rejected', reason: 'the domain does not exist (NXDOMAIN): senders bounce at once', findings: ['dns.unresolved'] };
  if (report.mx.status === 'failed') return { sender, outcome: 'deferred', reason: 'the MX lookup failed', findings: ['dns.unresolved'] };
  const skipped: string[] = [];
  const ids = new Set<string>();
  for (const host of report.mx.hosts) {
    if (host.addresses.length === 0) {
      skipped.push(host.literal ? `${host.name} is an IP address, not a host name` : `${host.name} has no address`);
      ids.add(host.addressStatus === 'bogus' ? 'dns.bogus' : 'mx.unresolved');
      continue;
    }
    for (const address of host.addresses) {
      const t = tryHost(sender, report, host, address);
      if ('outcome' in t) {
        const before = skipped.length ? ` (after skipping: ${skipped.join('; ')})` : '';
        return { sender, outcome: t.outcome, via: host.name, reason: `${t.reason}${before}`, findings: [...new Set([...ids, ...t.findings])] };
      }
      skipped.push(t.skip);
      t.findings.forEach((x) => ids.add(x));
    }
  }
  return { sender, outcome: 'deferred', reason: skipped.length ? skipped.join('; ') : 'no MX host', findings: [...ids] };
}
