/**
 * Certificate fields read straight from the DER, for what Node 20's X509Certificate lacks or only prints as
 * text meant for humans (its subjectAltName string quotes and escapes hostile values).
 */
import { children, decodeOid, decodeString, readTlv, Tlv } from './der';

export interface RawFields {
  signatureOid?: string;
  /** Subject commonName values, in order (for the CN fallback of host name checks). */
  subjectCommonNames: string[];
  dnsNames: string[];
  /** Printable IP SANs: dotted IPv4, compressed IPv6. */
  ipAddresses: string[];
  otherNames: string[];
  /** undefined when the certificate has no keyUsage extension (then any use is allowed). */
  keyCertSign?: boolean;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** Whether the subject and issuer name fields are byte-identical (the cheap half of "self-issued"). */
  subjectEqualsIssuerBytes: boolean;
}

const OID_CN = '2.5.4.3';
const OID_SAN = '2.5.29.17';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SKID = '2.5.29.14';
const OID_AKID = '2.5.29.35';

export function readRawFields(der: Buffer): RawFields {
  const out: RawFields = { subjectCommonNames: [], dnsNames: [], ipAddresses: [], otherNames: [], subjectEqualsIssuerBytes: false };
  const cert = readTlv(der, 0);
  if (!cert || !cert.constructed) return out;
  const [tbs, sigAlg] = children(der, cert, 3);
  if (sigAlg?.constructed) {
    const oid = children(der, sigAlg, 2)[0];
    if (oid && oid.tag === 6) out.signatureOid = decodeOid(der, oid);
  }
  if (!tbs?.constructed) return out;
  const f = children(der, tbs, 16);
  let i = f[0]?.cls === 2 && f[0].tag === 0 ? 1 : 0; // optional [0] version
  const issuer = f[i + 2];
  const subject = f[i + 4];
  if (issuer && subject) {
    out.subjectEqualsIssuerBytes = der.subarray(issuer.start, issuer.end).equals(der.subarray(subject.start, subject.end));
    out.subjectCommonNames = commonNames(der, subject);
  }
  i += 6;
  for (; i < f.length; i++) {
    if (f[i].cls === 2 && f[i].tag === 3) readExtensions(der, f[i], out);
  }
  return out;
}

function commonNames(der: Buffer, name: Tlv): string[] {
  const cns: string[] = [];
  for (const rdn of children(der, name, 64)) {
    for (const atv of children(der, rdn, 16)) {
      const [oid, value] = children(der, atv, 2);
      if (oid?.tag === 6 && value && decodeOid(der, oid) === OID_CN) cns.push(decodeString(der, value));
    }
  }
  return cns;
}

function readExtensions(der: Buffer, wrapper: Tlv, out: RawFields): void {
  const seq = children(der, wrapper, 1)[0];
  if (!seq) return;
  for (const ext of children(der, seq, 64)) {
    const parts = children(der, ext, 3);
    const oid = parts[0]?.tag === 6 ? decodeOid(der, parts[0]) : undefined;
    const octets = parts[parts.length - 1];
    if (!oid || !octets || octets.tag !== 4) continue;
    const inner = readTlv(der, octets.start, octets.end);
    if (!inner) continue;
    if (oid === OID_SAN) readSans(der, inner, out);
    else if (oid === OID_KEY_USAGE && inner.tag === 3 && inner.end - inner.start >= 2) {
      // BIT STRING: first byte is the unused-bit count; keyCertSign is bit 5 of the first value byte.
      out.keyCertSign = (der[inner.start + 1] & 0x04) !== 0;
    } else if (oid === OID_KEY_USAGE) out.keyCertSign = false;
    else if (oid === OID_SKID && inner.tag === 4) out.subjectKeyId = der.subarray(inner.start, inner.end).toString('hex');
    else if (oid === OID_AKID) {
      const keyId = children(der, inner, 3).find((c) => c.cls === 2 && c.tag === 0);
      if (keyId) out.authorityKeyId = der.subarray(keyId.start, keyId.end).toString('hex');
    }
  }
}

function readSans(der: Buffer, seq: Tlv, out: RawFields): void {
  for (const gn of children(der, seq, 256)) {
    if (gn.cls !== 2) continue;
    const bytes = der.subarray(gn.start, gn.end);
    if (gn.tag === 2) out.dnsNames.push(bytes.toString('latin1'));
    else if (gn.tag === 7) {
      const ip = formatIp(bytes);
      if (ip) out.ipAddresses.push(ip);
    } else if (gn.tag === 1) out.otherNames.push(`email:${bytes.toString('latin1')}`);
    else if (gn.tag === 6) out.otherNames.push(`URI:${bytes.toString('latin1')}`);
  }
}

export function formatIp(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) return undefined;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i] * 256 + bytes[i + 1]);
  return compressIpv6(groups);
}

/** RFC 5952 text form: longest run (>= 2) of zero groups becomes "::", lower-case hex. */
export function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.3': 'md4WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSA',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

export function signatureAlgorithmName(oid: string | undefined): string {
  if (!oid) return 'unknown';
  return SIGNATURE_NAMES[oid] ?? oid;
}

/** Digests that OpenSSL 3 at security level 1 (Node's default) already refuses in certificate signatures. */
export function isWeakSignature(name: string): boolean {
  return /^(md2|md4|md5|sha1)With|^ecdsa-with-SHA1$|^dsa-with-SHA1$/i.test(name);
}
