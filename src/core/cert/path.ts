/**
 * Chain building the way OpenSSL does it for a TLS client (trusted-first, no partial chains): from the leaf,
 * follow issuer names through the trust store first and the certificates the server sent second, until a
 * self-signed certificate that the store holds. Backtracks over cross-signs and duplicates, within fixed limits,
 * because a hostile server may send dozens of look-alike certificates.
 */
import type { ParsedCert } from './parsed';
import type { TrustStore } from './trustStore';

export interface PathNode {
  cert: ParsedCert;
  source: 'sent' | 'store';
  /** Position in the list the server sent, for sent certificates. */
  sentIndex?: number;
}

export type PathEnd =
  /** Ends in a self-signed certificate held by the trust store. */
  | 'anchored'
  /** Ends in a self-signed certificate the server sent and the store does not hold. */
  | 'untrusted-self-signed'
  /** Ends in a store certificate that is not self-signed and whose issuer is nowhere. */
  | 'store-issuer-missing'
  /** Ends in a sent certificate whose issuer is nowhere. */
  | 'issuer-missing'
  /** The limits were hit before any end was found. */
  | 'too-long';

export interface ChainPath {
  nodes: PathNode[];
  end: PathEnd;
  /** Links whose signature did not verify (index i: nodes[i] is not signed by nodes[i+1]). */
  badSignatures: number[];
}

export const MAX_DEPTH = 10;
/** Sent certificates beyond this are described but not used for building: no real chain needs more. */
export const MAX_SENT_FOR_BUILDING = 20;
const MAX_EXPANSIONS = 500;

/**
 * Whether `child`'s signature verifies with `issuer`'s key, by the SHA-256 fingerprints of both certificates'
 * bytes: the answer depends on nothing else, and the same links (an intermediate under its root, every lab or
 * fleet leaf under one intermediate) come back in probe after probe of one process. Bounded; oldest out first.
 */
const signatures = new Map<string, boolean>();
const SIGNATURES_MAX = 1024;

function signedBy(child: ParsedCert, issuer: ParsedCert): boolean {
  const key = `${child.x509.fingerprint256}|${issuer.x509.fingerprint256}`;
  let ok = signatures.get(key);
  if (ok === undefined) {
    try {
      ok = child.x509.verify(issuer.x509.publicKey);
    } catch {
      ok = false;
    }
    if (signatures.size >= SIGNATURES_MAX) signatures.delete(signatures.keys().next().value as string);
    signatures.set(key, ok);
  }
  return ok;
}

export function buildPath(sent: { cert: ParsedCert; sentIndex: number }[], store: TrustStore): ChainPath {
  const leaf = sent[0];
  const usable = sent.slice(0, MAX_SENT_FOR_BUILDING);

  const leafNode: PathNode =
    leaf.cert.selfIssued && store.contains(leaf.cert) ? { cert: leaf.cert, source: 'store' } : { cert: leaf.cert, source: 'sent', sentIndex: leaf.sentIndex };

  let expansions = 0;
  let firstDeadEnd: ChainPath | undefined;
  // An anchored path with a broken signature beats a dead end (the report can name the bad link), but the
  // search goes on in case a clean one exists.
  let firstFlawed: ChainPath | undefined;

  const visit = (nodes: PathNode[], bad: number[]): ChainPath | undefined => {
    const top = nodes[nodes.length - 1];
    const c = top.cert;
    if (c.selfIssued) {
      const inStore = top.source === 'store' || store.contains(c);
      const path: ChainPath = { nodes, end: inStore ? 'anchored' : 'untrusted-self-signed', badSignatures: bad };
      if (inStore && bad.length === 0) return path;
      if (inStore) firstFlawed ??= path;
      else firstDeadEnd ??= path;
      return undefined;
    }
    if (nodes.length >= MAX_DEPTH || ++expansions > MAX_EXPANSIONS) {
      firstDeadEnd ??= { nodes, end: 'too-long', badSignatures: bad };
      return undefined;
    }
    const onPath = new Set(nodes.map((n) => n.cert.info.fingerprint256));
    const candidates: PathNode[] = [];
    for (const s of store.bySubject(c.issuerKey)) candidates.push({ cert: s, source: 'store' });
    for (const s of usable) {
      if (s.cert.subjectKey === c.issuerKey && !store.contains(s.cert)) {
        candidates.push({ cert: s.cert, source: 'sent', sentIndex: s.sentIndex });
      }
    }
    const fresh = candidates.filter((n) => !onPath.has(n.cert.info.fingerprint256) && keyIdsAgree(c, n.cert));
    const good = fresh.filter((n) => signedBy(c, n.cert));
    // A candidate whose signature fails is kept only when nothing better exists, so the report can say so.
    const tries = good.length > 0 ? good : fresh.slice(0, 1);
    for (const next of tries) {
      const nextBad = good.length > 0 ? bad : [...bad, nodes.length - 1];
      const found = visit([...nodes, next], nextBad);
      if (found) return found;
    }
    if (tries.length === 0) {
      firstDeadEnd ??= { nodes, end: top.source === 'store' ? 'store-issuer-missing' : 'issuer-missing', badSignatures: bad };
    }
    return undefined;
  };

  return visit([leafNode], []) ?? firstFlawed ?? firstDeadEnd ?? { nodes: [leafNode], end: 'issuer-missing', badSignatures: [] };
}

/** An authority key id that names another key rules the candidate out, as in OpenSSL's issuer check. */
function keyIdsAgree(child: ParsedCert, issuer: ParsedCert): boolean {
  const akid = child.raw.authorityKeyId;
  const skid = issuer.raw.subjectKeyId;
  return !akid || !skid || akid === skid;
}
