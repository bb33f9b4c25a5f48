/**
 * RFC 6125 host name matching, as strict mail clients apply it: DNS SANs first (the subject CN only when the
 * certificate has no DNS SAN at all, OpenSSL's default), a wildcard only as the whole left-most label and never
 * directly under a one-label suffix ("*.com"), case-insensitive, a trailing dot on the reference name ignored,
 * and IP literals only against IP SANs. Stricter than Node's own check in one place: Node also accepts partial
 * wildcards such as "mail*.example.com"; RFC 6125 deprecates them and many clients refuse them.
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { compressIpv6 } from './fields';
import { nodeCrypto } from '../nodeLazy';
import { fromX509, parseCertificate } from './parsed';
import type { CertificateInfo } from './types';

export interface Identities {
  dnsNames: string[];
  ipAddresses: string[];
  commonNames: string[];
}

export function matchesHostname(cert: CertificateInfo | X509Certificate, name: string): boolean {
  return matchesIdentities(identitiesOf(cert), name);
}

/** The names a certificate covers, in the form the mismatch finding lists them. */
export function coveredNames(cert: CertificateInfo | X509Certificate): string[] {
  const ids = identitiesOf(cert);
  const names = [...ids.dnsNames, ...ids.ipAddresses];
  if (ids.dnsNames.length === 0) names.push(...ids.commonNames.map((cn) => `${cn} (subject CN)`));
  return names;
}

export function identitiesOf(cert: CertificateInfo | X509Certificate): Identities {
  try {
    if (cert instanceof nodeCrypto().X509Certificate) return fromRaw(fromX509(cert).raw);
    const parsed = typeof cert.pem === 'string' ? parseCertificate(Buffer.from(cert.pem)) : undefined;
    if (parsed && !('error' in parsed)) return fromRaw(parsed.raw);
    return fromInfo(cert);
  } catch {
    return { dnsNames: [], ipAddresses: [], commonNames: [] };
  }
}

function fromRaw(raw: { dnsNames: string[]; ipAddresses: string[]; subjectCommonNames: string[] }): Identities {
  return { dnsNames: raw.dnsNames, ipAddresses: raw.ipAddresses, commonNames: raw.subjectCommonNames };
}

/** For a hand-made CertificateInfo without a usable PEM: its SAN list and the CN read from the subject line. */
function fromInfo(info: CertificateInfo): Identities {
  const sans = Array.isArray(info.sans) ? info.sans : [];
  const dnsNames = sans.filter((s) => /^DNS:/i.test(s)).map((s) => s.slice(4));
  const ipAddresses = sans.filter((s) => /^IP( Address)?:/i.test(s)).map((s) => s.replace(/^IP( Address)?:/i, ''));
  const commonNames: string[] = [];
  for (const part of String(info.subject ?? '').split(/(?<!\\), /)) {
    const m = /^CN=(.*)$/i.exec(part);
    if (m) commonNames.push(m[1].replace(/\\(.)/g, '$1'));
  }
  return { dnsNames, ipAddresses, commonNames };
}

export function matchesIdentities(ids: Identities, reference: string): boolean {
  if (typeof reference !== 'string' || reference.length === 0) return false;
  const bare = reference.startsWith('[') && reference.endsWith(']') ? reference.slice(1, -1) : reference;
  const ipKind = isIP(bare);
  if (ipKind) {
    const want = canonicalIp(bare);
    return ids.ipAddresses.some((ip) => canonicalIp(ip) === want);
  }
  const host = reference.replace(/\.$/, '').toLowerCase();
  if (!host || host.includes('..')) return false;
  const patterns = ids.dnsNames.length > 0 ? ids.dnsNames : ids.commonNames;
  return patterns.some((p) => matchPattern(p, host));
}

function matchPattern(pattern: string, host: string): boolean {
  const p = pattern.replace(/\.$/, '').toLowerCase();
  if (!p || /[\s\0]/.test(p)) return false;
  if (!p.includes('*')) return p === host;
  const labels = p.split('.');
  // Only "*" as the entire left-most label, with at least two labels after it ("*.example.com", not "*.com").
  if (labels[0] !== '*' || labels.slice(1).some((l) => l.includes('*') || l === '') || labels.length < 3) return false;
  const hostLabels = host.split('.');
  if (hostLabels.length !== labels.length || hostLabels[0] === '') return false;
  return hostLabels.slice(1).join('.') === labels.slice(1).join('.');
}

function canonicalIp(ip: string): string {
  const kind = isIP(ip);
  if (kind === 4) return ip;
  if (kind !== 6) return ip.toLowerCase();
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill('0');
  return compressIpv6([...h, ...fill, ...t].map((g) => parseInt(g, 16)));
}
