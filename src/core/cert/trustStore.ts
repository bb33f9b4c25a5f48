/**
 * The certificates a client trusts: Node's bundled roots plus the extra CA files a user or config names.
 *
 * A CLI run judges one or a few chains, and a path build needs one or two roots; parsing all ~140 roots to
 * find them (X509Certificate each) cost tens of milliseconds per process. So the roots are found through an
 * index by subject, kept in the user's cache folder, and only the roots a lookup names are parsed. The bundled
 * roots are compiled into the Node binary, so the index is keyed by that binary (path, size, time, version)
 * rather than a hash of the roots: reading `tls.rootCertificates` (each root turned into PEM) and hashing it cost
 * about 4 ms of every run, and now happens only when a lookup names a root. The index is a hint, never trusted:
 * every root it points at is parsed and its subject checked, so a stale or altered index can hide a root (a
 * false "untrusted") but never add trust.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromX509, nameKey, ParsedCert, parseCertificate } from './parsed';
import { parsePemBundle } from './pem';
import { readTextBounded } from '../fsread';
import { nodeCrypto, nodeTls } from '../nodeLazy';

export interface TrustStore {
  /** The certificates named `subjectKey`: only these are fully parsed, so a lookup costs what it finds. */
  bySubject(subjectKey: string): ParsedCert[];
  /** Whether this very certificate (same fingerprint) is in the store. */
  contains(cert: ParsedCert): boolean;
}

interface LazyRoot {
  /** Position in `tls.rootCertificates`. */
  index: number;
  parsed?: ParsedCert | null;
}

let systemRoots: Map<string, LazyRoot[]> | undefined;

function loadSystemRoots(): Map<string, LazyRoot[]> {
  if (!systemRoots) {
    const index = readCachedIndex() ?? buildIndex();
    systemRoots = new Map();
    for (const [key, positions] of Object.entries(index)) {
      const roots = positions.filter((i) => Number.isInteger(i) && i >= 0).map((index) => ({ index }));
      if (roots.length) systemRoots.set(key, roots);
    }
  }
  return systemRoots;
}

type Index = Record<string, number[]>;

const INDEX_FORMAT = 2;

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const bin = fs.statSync(process.execPath);
  const runtime = [process.execPath, bin.size, bin.mtimeMs, process.version, process.versions.openssl ?? ''].join('\n');
  const digest = nodeCrypto().createHash('sha256').update(runtime).digest('hex').slice(0, 24);
  return path.join(base, 'mail-tls-doctor', `roots-${INDEX_FORMAT}-${digest}.json`);
}

function readCachedIndex(): Index | undefined {
  try {
    const file = cacheFile();
    const text = readTextBounded(file, 1_000_000);
    if (text === undefined) return undefined;
    const data = JSON.parse(text) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
    for (const v of Object.values(data as Record<string, unknown>)) if (!Array.isArray(v)) return undefined;
    return data as Index;
  } catch {
    return undefined;
  }
}

function buildIndex(): Index {
  const index: Index = {};
  const X509 = nodeCrypto().X509Certificate;
  nodeTls().rootCertificates.forEach((pem, i) => {
    try {
      const key = nameKey(new X509(pem).subject);
      (index[key] ??= []).push(i);
    } catch {
      // An unreadable bundled root cannot anchor anything.
    }
  });
  // Best effort: a read-only home or a full disk only means the next run builds the index again.
  try {
    const file = cacheFile();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(index), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    /* not cached */
  }
  return index;
}

function parsedRoot(r: LazyRoot, subjectKey: string): ParsedCert | undefined {
  if (r.parsed === undefined) {
    try {
      const p = fromX509(new (nodeCrypto().X509Certificate)(nodeTls().rootCertificates[r.index]));
      r.parsed = p.subjectKey === subjectKey ? p : null;
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

type ExtraCas = { bySubject: Map<string, ParsedCert[]>; errors: string[] };

/**
 * The extra CA texts, split and parsed, by the texts themselves: every probe of a run names the same CA files,
 * and a system bundle given as --ca holds some 140 certificates to split, decode and look up per endpoint. Only
 * texts up to EXTRA_MEMO_MAX_CHARS in all are kept, at most EXTRA_MEMO_ENTRIES of them; the oldest out first.
 */
const extraMemo = new Map<string, ExtraCas>();
const EXTRA_MEMO_MAX_CHARS = 1_048_576;
const EXTRA_MEMO_ENTRIES = 4;

function extraCas(pems: readonly string[]): ExtraCas {
  const key = pems.length && pems.every((p) => typeof p === 'string') ? pems.join('\0') : undefined;
  const known = key !== undefined ? extraMemo.get(key) : undefined;
  if (known) return known;
  const errors: string[] = [];
  const bySubject = new Map<string, ParsedCert[]>();
  const seen = new Set<string>();
  for (const [i, pem] of pems.entries()) {
    const bundle = parsePemBundle(pem);
    errors.push(...bundle.errors.map((e) => `extra CA text ${i + 1}: ${e}`));
    for (const der of bundle.certificates) {
      const p = parseCertificate(der);
      if ('error' in p || seen.has(p.info.fingerprint256)) continue;
      seen.add(p.info.fingerprint256);
      const list = bySubject.get(p.subjectKey);
      if (list) list.push(p);
      else bySubject.set(p.subjectKey, [p]);
    }
  }
  const out = { bySubject, errors };
  if (key !== undefined && key.length <= EXTRA_MEMO_MAX_CHARS) {
    if (extraMemo.size >= EXTRA_MEMO_ENTRIES) extraMemo.delete(extraMemo.keys().next().value as string);
    extraMemo.set(key, out);
  }
  return out;
}

/**
 * Reads what `buildTrustStore` with these options reads first (the extra CA texts, the roots' index), so a caller
 * can have it done while it waits for the network rather than when a chain is judged.
 */
export function warmTrustStore(opts: TrustStoreOptions): void {
  extraCas(opts.extraCaPems ?? []);
  if (opts.useSystemRoots !== false) loadSystemRoots();
}

/** Unusable blocks in extra CA files are reported so the caller can say why a --ca file did not help. */
export function buildTrustStore(opts: TrustStoreOptions): { store: TrustStore; errors: string[] } {
  const { bySubject: extra, errors: extraErrors } = extraCas(opts.extraCaPems ?? []);
  const errors = [...extraErrors];
  const useSystem = opts.useSystemRoots !== false;
  const bySubject = (subjectKey: string): ParsedCert[] => {
    const found = [...(extra.get(subjectKey) ?? [])];
    for (const r of (useSystem ? loadSystemRoots().get(subjectKey) : undefined) ?? []) {
      const p = parsedRoot(r, subjectKey);
      if (p && !found.some((f) => f.info.fingerprint256 === p.info.fingerprint256)) found.push(p);
    }
    return found;
  };
  const store: TrustStore = {
    bySubject,
    contains: (cert) => bySubject(cert.subjectKey).some((s) => s.info.fingerprint256 === cert.info.fingerprint256),
  };
  return { store, errors };
}
