/** Plain-text rendering of a domain check for the CLI. Every DNS/HTTP-derived string goes through printable. */
import { printable } from '../endpoint';
import { compareSeverity } from '../finding';
import { formatFinding, formatResult, type Painter } from '../probe/report';
import type { DaneAddress, DomainReport, SenderOutcome } from './types';

const OUTCOME: Record<SenderOutcome, string> = {
  'verified-tls': 'delivered with verified TLS',
  'unverified-tls': 'delivered with unverified TLS',
  cleartext: 'delivered in clear text',
  deferred: 'deferred',
  rejected: 'rejected (bounced)',
};

export function formatDomain(d: DomainReport, p: Painter, verbose: boolean): string {
  const out: string[] = [p.bold(`Domain ${printable(d.domain)}`) + p.dim(`  resolver ${printable(d.dnssec.resolver, 120)}`)];
  out.push(`  DNSSEC    MX answer ${d.dnssec.mx}`);
  if (d.mx.status === 'null') out.push('  MX        null MX (0 .): no mail accepted');
  else if (d.mx.status === 'nxdomain') out.push('  MX        no such domain (NXDOMAIN)');
  else if (d.mx.hosts.length === 0) out.push(`  MX        ${d.mx.status}`);
  for (const h of d.mx.hosts) {
    const alias = h.cnames.length ? ` -> ${h.cnames.map((c) => printable(c)).join(' -> ')}` : '';
    out.push(
      `  MX ${d.mx.status === 'implicit' ? '     ' : String(h.preference).padStart(5)}  ${printable(h.name)}${alias}: ${h.addresses.length ? h.addresses.map((a) => printable(a, 45)).join(', ') : p.red(h.literal ? 'an IP address, not a host name' : h.addressStatus)}${h.addressesSecure ? ' (DNSSEC)' : ''}${d.mx.status === 'implicit' ? " (no MX record: senders use the domain's own address)" : ''}`,
    );
  }
  for (const h of d.dane.hosts) {
    out.push(
      `  DANE      ${printable(h.tlsaName)}: ${h.records.length ? h.records.map((r) => printable(r, 80)).join(' | ') : h.status}${h.secure ? ' (DNSSEC)' : ' (not validated)'}`,
    );
    for (const a of h.addresses) {
      const m = a.matches.map((x) => `${x.record} = certificate ${x.certIndex} (${printable(x.subject, 80)})`).join('; ');
      out.push(`            ${printable(a.address, 45)}: ${verdictText(a.verdict, p)}${m ? `: ${m}` : ''}`);
    }
  }
  if (d.dane.hosts.length === 0) out.push('  DANE      no TLSA records');
  const m = d.mtaSts;
  out.push(
    `  MTA-STS   ${m.status}${m.policy ? `: mode ${m.policy.mode}, max_age ${m.policy.maxAge}, mx ${m.policy.mx.map((x) => printable(x)).join(', ')}` : ''}`,
  );
  out.push(`  TLS-RPT   ${d.tlsRpt.status}${d.tlsRpt.rua.length ? `: ${d.tlsRpt.rua.map((x) => printable(x, 80)).join(', ')}` : ''}`);
  out.push('  Senders');
  for (const s of d.senders) {
    const paint = s.outcome === 'verified-tls' ? p.green : s.outcome === 'unverified-tls' ? p.yellow : p.red;
    out.push(
      `    ${s.sender.padEnd(14)} ${paint(OUTCOME[s.outcome])}${s.via ? ` via ${printable(s.via)}` : ''}: ${printable(s.reason, 300)}${s.findings.length ? p.dim(` [${s.findings.join(', ')}]`) : ''}`,
    );
  }
  const findings = [...d.findings].sort((a, b) => compareSeverity(a.severity, b.severity));
  // The MX probes' findings count for the exit code too: "OK" only when they hold no error either.
  const probeErrors = d.results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'error').length, 0);
  if (findings.length === 0 && probeErrors === 0) out.push(`  ${p.green('OK')}: no domain findings`);
  else if (findings.length === 0) out.push(`  No domain findings; the MX probes below have ${probeErrors} error${probeErrors === 1 ? '' : 's'}`);
  for (const f of findings) out.push(...formatFinding(f, p, verbose));
  out.push('');
  for (const r of d.results) out.push(formatResult(r, p, verbose));
  return out.join('\n') + '\n';
}

/** An address's TLSA verdict in words (the JSON keeps the token). */
function verdictText(v: DaneAddress['verdict'], p: Painter): string {
  if (v === 'match') return p.green('match');
  if (v === 'mismatch') return p.red('mismatch');
  if (v === 'no-tls') return p.red('no TLS session, so no certificate to match the records');
  return 'not probed';
}
