/**
 * The certificates a client trusts: Node's bundled roots (parsed once per process, on first use, because the
 * ~140 roots cost tens of milliseconds) plus the extra CA files a user or config names.
 */
import { rootCertificates } from 'node:tls';
import { ParsedCert, parseCertificate } from './parsed';
import { parsePemBundle } from './pem';

export interface TrustStore {
  certs: ParsedCert[];
  bySubject: Map<string, ParsedCert[]>;
  fingerprints: Set<string>;
}

let systemRoots: ParsedCert[] | undefined;

function loadSystemRoots(): ParsedCert[] {
  if (!systemRoots) {
    systemRoots = [];
    for (const pem of rootCertificates) {
      for (const der of parsePemBundle(pem).certificates) {
        const p = parseCertificate(der);
        if (!('error' in p)) systemRoots.push(p);
      }
    }
  }
  return systemRoots;
}

export interface TrustStoreOptions {
  extraCaPems?: string[];
  useSystemRoots?: boolean;
}

/** Unusable blocks in extra CA files are reported so the caller can say why a --ca file did not help. */
export function buildTrustStore(opts: TrustStoreOptions): { store: TrustStore; errors: string[] } {
  const certs: ParsedCert[] = [];
  const errors: string[] = [];
  if (opts.useSystemRoots !== false) certs.push(...loadSystemRoots());
  for (const [i, pem] of (opts.extraCaPems ?? []).entries()) {
    const bundle = parsePemBundle(pem);
    errors.push(...bundle.errors.map((e) => `extra CA text ${i + 1}: ${e}`));
    for (const der of bundle.certificates) {
      const p = parseCertificate(der);
      if (!('error' in p)) certs.push(p);
    }
  }
  const store: TrustStore = { certs: [], bySubject: new Map(), fingerprints: new Set() };
  for (const c of certs) {
    if (store.fingerprints.has(c.info.fingerprint256)) continue;
    store.fingerprints.add(c.info.fingerprint256);
    store.certs.push(c);
    const list = store.bySubject.get(c.subjectKey);
    if (list) list.push(c);
    else store.bySubject.set(c.subjectKey, [c]);
  }
  return { store, errors };
}
