/**
 * The certificates a client trusts: Node's bundled roots (parsed once per process, on first use, because the
 * ~140 roots cost tens of milliseconds) plus the extra CA files a user or config names.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { fromX509, nameKey, ParsedCert, parseCertificate } from './parsed';
import { parsePemBundle } from './pem';

export interface TrustStore {
  /** The certificates named `subjectKey`: only these are fully parsed, so a lookup costs what it finds. */
  bySubject(subjectKey: string): ParsedCert[];
  fingerprints: Set<string>;
}

/**
 * A system root indexed by the cheap fields only. The full parse (DER fields, key size, the self-signature
 * check) of ~140 roots costs a few hundred ms, which every CLI run would pay; a path build needs one or two.
 */
interface LazyRoot {
  x509: X509Certificate;
  parsed?: ParsedCert | null;
}

let systemRoots: { bySubject: Map<string, LazyRoot[]>; fingerprints: string[] } | undefined;

function loadSystemRoots() {
  if (!systemRoots) {
    systemRoots = { bySubject: new Map(), fingerprints: [] };
    for (const pem of rootCertificates) {
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(pem);
      } catch {
        continue;
      }
      const key = nameKey(x509.subject);
      const list = systemRoots.bySubject.get(key);
      if (list) list.push({ x509 });
      else systemRoots.bySubject.set(key, [{ x509 }]);
      systemRoots.fingerprints.push(x509.fingerprint256); // the form CertificateInfo uses
    }
  }
  return systemRoots;
}

function parsedRoot(r: LazyRoot): ParsedCert | undefined {
  if (r.parsed === undefined) {
    try {
      r.parsed = fromX509(r.x509);
    } catch {
      r.parsed = null;
    }
  }
  return r.parsed ?? undefined;
}

export interface TrustStoreOptions {
  extraCaPems?: string[];
  useSystemRoots?: boolean;
}

/** Unusable blocks in extra CA files are reported so the caller can say why a --ca file did not help. */
export function buildTrustStore(opts: TrustStoreOptions): { store: TrustStore; errors: string[] } {
  const errors: string[] = [];
  const extra = new Map<string, ParsedCert[]>();
  const fingerprints = new Set<string>();
  for (const [i, pem] of (opts.extraCaPems ?? []).entries()) {
    const bundle = parsePemBundle(pem);
    errors.push(...bundle.errors.map((e) => `extra CA text ${i + 1}: ${e}`));
    for (const der of bundle.certificates) {
      const p = parseCertificate(der);
      if ('error' in p || fingerprints.has(p.info.fingerprint256)) continue;
      fingerprints.add(p.info.fingerprint256);
      const list = extra.get(p.subjectKey);
      if (list) list.push(p);
      else extra.set(p.subjectKey, [p]);
    }
  }
  const system = opts.useSystemRoots !== false ? loadSystemRoots() : undefined;
  for (const f of system?.fingerprints ?? []) fingerprints.add(f);
  const store: TrustStore = {
    fingerprints,
    bySubject(subjectKey) {
      const found = [...(extra.get(subjectKey) ?? [])];
      for (const r of system?.bySubject.get(subjectKey) ?? []) {
        const p = parsedRoot(r);
        if (p && !found.some((f) => f.info.fingerprint256 === p.info.fingerprint256)) found.push(p);
      }
      return found;
    },
  };
  return { store, errors };
}
