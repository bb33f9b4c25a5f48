/**
 * DANE TLSA matching for SMTP (RFC 7672, RFC 7671): which records are usable, and which record matches which
 * certificate of the chain a server presented. DANE-EE (3) matches the server certificate, with no name or
 * expiry check; DANE-TA (2) matches a CA certificate the server sent, which must then issue the chain down to
 * the server certificate, and the server certificate must name the MX host (or the TLSA base name) and be in
 * date. Certificates and keys are compared as DER, hashed with Node's crypto: no DNSSEC or X.509 of our own.
 */
import type { X509Certificate } from 'node:crypto';
import { matchesHostname } from '../cert/hostname';
import { nodeCrypto } from '../nodeLazy';

export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  /** Lower-case hex of the association data. */
  data: string;
}

export function tlsaText(r: TlsaRecord): string {
  return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.length > 64 ? `${r.data.slice(0, 64)}...` : r.data}`;
}

/** RFC 7672 3.1.3: SMTP uses DANE-TA(2) and DANE-EE(3); selectors 0/1; matching 0/1/2. */
export function isUsable(r: TlsaRecord): boolean {
  return (r.usage === 2 || r.usage === 3) && (r.selector === 0 || r.selector === 1) && r.matchingType >= 0 && r.matchingType <= 2;
}

export interface DaneMatch {
  record: string;
  /** Index in the presented chain (0 = server certificate). */
  certIndex: number;
  subject: string;
}

export interface DaneVerdict {
  ok: boolean;
  matches: DaneMatch[];
  /** Why a DANE-TA match did not authenticate (no chain, wrong name, expired), for evidence. */
  problems: string[];
}

function association(cert: X509Certificate, r: TlsaRecord): string {
  const der = r.selector === 0 ? cert.raw : (cert.publicKey.export({ type: 'spki', format: 'der' }) as Buffer);
  if (r.matchingType === 0) return der.toString('hex');
  return nodeCrypto()
    .createHash(r.matchingType === 1 ? 'sha256' : 'sha512')
    .update(der)
    .digest('hex');
}

/** Whether the chain leads from the server certificate (index 0) to chain[ta] by issuer and signature. */
function chainsTo(chain: X509Certificate[], ta: number): boolean {
  let current = 0;
  const seen = new Set<number>([0]);
  while (current !== ta) {
    const next = chain.findIndex((c, j) => !seen.has(j) && chain[current].checkIssued(c) && safeVerify(chain[current], c));
    if (next < 0) return false;
    seen.add(next);
    current = next;
  }
  return true;
}

function safeVerify(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Matches usable TLSA records against a presented chain (PEM, server certificate first). `names` are the
 * reference identifiers for DANE-TA: the MX host name and, after a secure CNAME, the TLSA base name.
 */
export function matchTlsa(records: TlsaRecord[], chainPem: string[], names: string[], now = new Date()): DaneVerdict {
  const chain: X509Certificate[] = [];
  for (const pem of chainPem) {
    try {
      chain.push(new (nodeCrypto().X509Certificate)(pem));
    } catch {
      break; // an unreadable certificate ends the usable chain
    }
  }
  const matches: DaneMatch[] = [];
  const problems: string[] = [];
  let ok = false;
  if (chain.length === 0) return { ok, matches, problems: ['no certificate was presented'] };
  for (const r of records.filter(isUsable)) {
    const want = r.data.toLowerCase();
    if (r.usage === 3) {
      if (association(chain[0], r) === want) {
        matches.push({ record: tlsaText(r), certIndex: 0, subject: chain[0].subject.replace(/\n/g, ', ') });
        ok = true;
      }
      continue;
    }
    chain.forEach((cert, i) => {
      if (association(cert, r) !== want) return;
      matches.push({ record: tlsaText(r), certIndex: i, subject: cert.subject.replace(/\n/g, ', ') });
      const leaf = chain[0];
      const why: string[] = [];
      if (i > 0 && !chainsTo(chain, i)) why.push(`certificate ${i} matches ${tlsaText(r)} but does not issue the server certificate's chain`);
      if (!names.some((n) => matchesHostname(leaf, n))) why.push(`the server certificate names none of ${names.join(', ')}`);
      if (new Date(leaf.validTo) < now || new Date(leaf.validFrom) > now) why.push('the server certificate is not in date (DANE-TA keeps the expiry check)');
      if (why.length === 0) ok = true;
      else problems.push(...why);
    });
  }
  return { ok, matches, problems };
}
