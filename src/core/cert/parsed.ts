/**
 * One parse of a certificate, shared by describe, hostname matching and path building: Node's X509Certificate
 * for what it does well (validity, fingerprints, signature checks) plus the DER fields it lacks.
 */
import type { X509Certificate } from 'node:crypto';
import { nodeCrypto } from '../nodeLazy';
import { readRawFields, RawFields, signatureAlgorithmName } from './fields';
import type { CertificateInfo } from './types';

export interface ParsedCert {
  der: Buffer;
  x509: X509Certificate;
  raw: RawFields;
  info: CertificateInfo;
  notBefore: Date;
  notAfter: Date;
  /** Names in a comparable form (OpenSSL compares canonical names; case and spacing do not count). */
  subjectKey: string;
  issuerKey: string;
  /** Subject equals issuer and the key identifiers do not contradict it (OpenSSL's "self-issued" test). */
  selfIssued: boolean;
}

/**
 * Parsed certificates by their DER bytes, shared by every probe of the process: the CA files and intermediates
 * are the same for many endpoints, and OpenSSL 3 decodes each certificate's key slowly (about 1.5 million
 * instructions per parse). Bounded; the oldest entry goes first.
 */
const parsedCache = new Map<string, ParsedCert>();
const PARSED_CACHE_MAX = 512;

export function parseCertificate(der: Buffer): ParsedCert | { error: string } {
  const key = der.toString('latin1');
  const known = parsedCache.get(key);
  // Each caller gets its own info object: results hold it and may be changed by whoever receives them.
  if (known) return { ...known, info: { ...known.info, sans: [...known.info.sans] } };
  const parsed = parseUncached(der);
  if (!('error' in parsed)) {
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.delete(parsedCache.keys().next().value as string);
    parsedCache.set(key, parsed);
    return { ...parsed, info: { ...parsed.info, sans: [...parsed.info.sans] } };
  }
  return parsed;
}

function parseUncached(der: Buffer): ParsedCert | { error: string } {
  let x509: X509Certificate;
  try {
    x509 = new (nodeCrypto().X509Certificate)(der);
  } catch (e) {
    return { error: `not a readable X.509 certificate (${shortReason(e)})` };
  }
  try {
    return fromX509(x509);
  } catch (e) {
    return { error: `certificate could not be read (${shortReason(e)})` };
  }
}

export function fromX509(x509: X509Certificate): ParsedCert {
  const der = x509.raw;
  const raw = readRawFields(der);
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  const subjectKey = nameKey(x509.subject);
  const issuerKey = nameKey(x509.issuer);
  const selfIssued = subjectKey === issuerKey && (!raw.authorityKeyId || !raw.subjectKeyId || raw.authorityKeyId === raw.subjectKeyId);
  const { keyType, keyBits } = describeKey(x509);
  let selfSigned = false;
  if (selfIssued) {
    try {
      selfSigned = x509.verify(x509.publicKey);
    } catch {
      selfSigned = false;
    }
  }
  const info: CertificateInfo = {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    serialNumber: x509.serialNumber,
    notBefore: isoOrRaw(notBefore, x509.validFrom),
    notAfter: isoOrRaw(notAfter, x509.validTo),
    sans: [...raw.dnsNames.map((n) => `DNS:${n}`), ...raw.ipAddresses.map((ip) => `IP:${ip}`), ...raw.otherNames],
    keyType,
    keyBits,
    signatureAlgorithm: signatureAlgorithmName(raw.signatureOid),
    fingerprint256: x509.fingerprint256,
    isCA: x509.ca,
    selfSigned,
    pem: x509.toString(),
  };
  const aia = caIssuersUrl(x509);
  if (aia) info.aiaIssuerUrl = aia;
  return { der, x509, raw, info, notBefore, notAfter, subjectKey, issuerKey, selfIssued };
}

/** Node prints names one attribute per line, with RFC 2253 escaping (so no raw newline inside a value). */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

export function nameKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').trim();
}

function isoOrRaw(d: Date, raw: string): string {
  return Number.isNaN(d.getTime()) ? raw : d.toISOString();
}

function caIssuersUrl(x509: X509Certificate): string | undefined {
  const text = x509.infoAccess;
  if (!text) return undefined;
  for (const line of text.split('\n')) {
    const m = /^CA Issuers - URI:(.+)$/.exec(line.trim());
    if (m) return m[1].replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

function describeKey(x509: X509Certificate): { keyType: string; keyBits: number } {
  try {
    const key = x509.publicKey;
    const type = key.asymmetricKeyType ?? 'unknown';
    const d = key.asymmetricKeyDetails ?? {};
    if (type === 'ec') return { keyType: 'ec', keyBits: curveBits(d.namedCurve) };
    if (type === 'ed25519' || type === 'x25519') return { keyType: type, keyBits: 256 };
    if (type === 'ed448' || type === 'x448') return { keyType: type, keyBits: 448 };
    return { keyType: type, keyBits: d.modulusLength ?? 0 };
  } catch {
    return { keyType: 'unknown', keyBits: 0 };
  }
}

function curveBits(curve: string | undefined): number {
  if (!curve) return 0;
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : 0;
}

/** Never echo input bytes: an error string may end up in a report next to a config that also holds keys. */
export function shortReason(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 120);
}
