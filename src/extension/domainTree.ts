/**
 * The "Domains" part of the Mail TLS view, as plain tree nodes: domain -> MX hosts -> addresses -> probe results,
 * and the DANE, MTA-STS and TLS-RPT nodes with their findings and the sender's view. Only data here; tree.ts
 * renders the nodes (and escapes every label that came from DNS, HTTPS or a server).
 */
import type { DomainReport, SenderOutcome, SenderView } from '../core/domain';
import type { Finding } from '../core/finding';
import type { DiscoveredDomain } from '../core/lint/types';
import type { DomainState } from './domainService';
import type { Node } from './tree';

export interface DomainEntry {
  domain: string;
  /** The config places that name it (none: checked by hand). */
  definitions: DiscoveredDomain[];
  state?: DomainState;
  /** Why a domain that was never checked has no result. */
  reason: string;
}

export const OUTCOME_TEXT: Record<SenderOutcome, string> = {
  'verified-tls': 'delivered with verified TLS',
  'unverified-tls': 'delivered with unverified TLS',
  cleartext: 'delivered in clear text',
  deferred: 'deferred',
  rejected: 'rejected (bounced)',
};

const OUTCOME_ICON: Record<SenderOutcome, [string, string]> = {
  'verified-tls': ['lock', 'testing.iconPassed'],
  'unverified-tls': ['unlock', 'problemsWarningIcon.foreground'],
  cleartext: ['unlock', 'problemsErrorIcon.foreground'],
  deferred: ['clock', 'problemsErrorIcon.foreground'],
  rejected: ['circle-slash', 'problemsErrorIcon.foreground'],
};

const SENDER_NAME: Record<SenderView['sender'], string> = {
  opportunistic: 'Opportunistic sender (Postfix may)',
  dane: 'DANE sender (Postfix dane)',
  'mta-sts': 'MTA-STS sender (enforcing)',
};

export function domainChildren(e: DomainEntry): Node[] {
  const s = e.state;
  if (!s) return [{ kind: 'info', label: e.reason, icon: 'circle-outline' }];
  if (s.kind === 'checking') return [{ kind: 'info', label: 'Checking...', icon: 'loading~spin' }];
  if (s.kind === 'cancelled') return [{ kind: 'info', label: 'Cancelled', icon: 'circle-slash' }];
  if (s.kind === 'error')
    return [
      {
        kind: 'info',
        label: 'The domain check could not run',
        description: s.message,
        icon: 'error',
        color: 'problemsErrorIcon.foreground',
        tooltip: s.message,
      },
    ];
  return reportNodes(s.report);
}

const familyOf = (f: Finding, ...prefixes: string[]) => prefixes.some((p) => f.id.startsWith(p));
const findingNodes = (fs: Finding[]): Node[] => sortBySeverity(fs).map((finding) => ({ kind: 'finding', finding }));

function reportNodes(r: DomainReport): Node[] {
  const out: Node[] = [];
  out.push({
    kind: 'info',
    label: `Resolver ${r.dnssec.resolver}`,
    description: `MX answer ${r.dnssec.mx}`,
    icon: 'server-environment',
    tooltip: 'Every DNS question of this check went to this resolver; its AD bit is the DNSSEC status.',
  });
  out.push(...findingNodes(r.findings.filter((f) => familyOf(f, 'dns.'))));
  out.push(mxSection(r), daneSection(r), mtaStsSection(r), tlsRptSection(r), sendersSection(r));
  return out;
}

function mxSection(r: DomainReport): Node {
  const children: Node[] = findingNodes(r.findings.filter((f) => familyOf(f, 'mx.')));
  for (const h of r.mx.hosts) {
    const addrs: Node[] = h.addresses.map((address) => {
      const result = r.results.find((x) => x.endpoint.servername === h.name && x.address === address);
      return result
        ? ({ kind: 'address', endpoint: result.endpoint, result } satisfies Node)
        : ({ kind: 'info', label: address, description: 'not probed (mailTlsDoctor.probe.ignoredHosts)', icon: 'circle-outline' } satisfies Node);
    });
    if (h.addresses.length === 0)
      addrs.push({
        kind: 'info',
        label: h.literal ? 'An IP address, not a host name: senders skip it' : `No address (${h.addressStatus})`,
        icon: 'error',
        color: 'problemsErrorIcon.foreground',
      });
    const alias = h.cnames.length ? `alias of ${h.cnames.join(' -> ')}, ` : '';
    children.push({
      kind: 'section',
      label: `${h.preference} ${h.name}`,
      description: `${alias}${h.addresses.length} address${h.addresses.length === 1 ? '' : 'es'}${h.addressesSecure ? ', DNSSEC' : ''}`,
      icon: 'server',
      children: addrs,
      expanded: true,
    });
  }
  const description =
    r.mx.status === 'null'
      ? 'null MX: accepts no mail'
      : r.mx.status === 'ok'
        ? `${r.mx.hosts.length} host${r.mx.hosts.length === 1 ? '' : 's'}${r.mx.secure ? ', DNSSEC' : ''}`
        : r.mx.status === 'nxdomain'
          ? 'no such domain (NXDOMAIN): senders bounce'
          : r.mx.status;
  return { kind: 'section', label: 'MX', description, icon: 'mail', children, expanded: true };
}

function daneSection(r: DomainReport): Node {
  const children: Node[] = findingNodes(r.findings.filter((f) => familyOf(f, 'dane.')));
  for (const h of r.dane.hosts) {
    const rows: Node[] = h.records.map((rec) => ({ kind: 'info', label: `TLSA ${rec}`, icon: h.usable.includes(rec) ? 'key' : 'circle-slash' }));
    for (const a of h.addresses) {
      const m = a.matches.map((x) => `${x.record} = certificate ${x.certIndex} (${x.subject})`).join('; ');
      rows.push({
        kind: 'info',
        label: `${a.address}: ${a.verdict}`,
        description: m || a.problems.join('; ') || undefined,
        icon: a.verdict === 'match' ? 'pass' : a.verdict === 'mismatch' || a.verdict === 'no-tls' ? 'error' : 'circle-outline',
        color: a.verdict === 'match' ? 'testing.iconPassed' : a.verdict === 'mismatch' || a.verdict === 'no-tls' ? 'problemsErrorIcon.foreground' : undefined,
      });
    }
    children.push({
      kind: 'section',
      label: h.tlsaName,
      description: `${h.records.length ? `${h.records.length} record${h.records.length === 1 ? '' : 's'}` : h.status}, ${h.secure ? 'DNSSEC' : 'not validated'}${h.applies ? ', DANE applies' : ''}`,
      icon: 'shield',
      children: rows,
    });
  }
  const description = r.dane.published ? (r.dane.hosts.some((h) => h.applies) ? 'published, DNSSEC-validated' : 'published, not usable') : 'no TLSA records';
  return { kind: 'section', label: 'DANE', description, icon: 'shield', children };
}

function mtaStsSection(r: DomainReport): Node {
  const m = r.mtaSts;
  const children: Node[] = findingNodes(r.findings.filter((f) => familyOf(f, 'mtasts.')));
  if (m.id) children.push({ kind: 'info', label: `TXT id=${m.id}`, icon: 'symbol-string' });
  // The URL is shown as text: a tree label never becomes a link.
  if (m.url) children.push({ kind: 'info', label: `Policy ${m.url}`, description: m.status, icon: 'globe' });
  if (m.policy) {
    children.push({
      kind: 'info',
      label: `mode ${m.policy.mode}`,
      description: `max_age ${m.policy.maxAge} s`,
      icon: m.policy.mode === 'enforce' ? 'lock' : 'unlock',
    });
    for (const p of m.policy.mx) {
      const hosts = Object.entries(m.mxMatches ?? {})
        .filter(([, pat]) => pat === p)
        .map(([h]) => h);
      children.push({
        kind: 'info',
        label: `mx: ${p}`,
        description: hosts.length ? `matches ${hosts.join(', ')}` : 'matches no MX host',
        icon: 'symbol-field',
      });
    }
  }
  const description = m.policy ? `${m.status}, mode ${m.policy.mode}` : m.status;
  return { kind: 'section', label: 'MTA-STS', description, icon: 'verified', children };
}

function tlsRptSection(r: DomainReport): Node {
  const t = r.tlsRpt;
  const children: Node[] = findingNodes(r.findings.filter((f) => familyOf(f, 'tlsrpt.')));
  for (const u of t.rua) children.push({ kind: 'info', label: `rua ${u}`, icon: 'mail-read' });
  return { kind: 'section', label: 'TLS-RPT', description: t.status, icon: 'report', children };
}

function sendersSection(r: DomainReport): Node {
  const children: Node[] = r.senders.map((v) => {
    const [icon, color] = OUTCOME_ICON[v.outcome];
    return {
      kind: 'info',
      label: `${SENDER_NAME[v.sender]}: ${OUTCOME_TEXT[v.outcome]}`,
      description: `${v.via ? `via ${v.via}: ` : ''}${v.reason}`,
      icon,
      color,
      tooltip: `${v.reason}${v.findings.length ? ` [${v.findings.join(', ')}]` : ''}`,
    };
  });
  return { kind: 'section', label: "Sender's view", icon: 'send', children, expanded: true };
}

function sortBySeverity(fs: readonly Finding[]): Finding[] {
  const rank = { error: 0, warning: 1, info: 2 };
  return [...fs].sort((a, b) => rank[a.severity] - rank[b.severity]);
}
