/**
 * The certificate verdict for one TLS endpoint: builds the chain the way a Node.js/OpenSSL client does, reports
 * the error code that client would show, and explains every problem found as a finding, not just the first.
 * Pure: the chain and the trust store come in, nothing touches the network or the clock unless told to.
 */
import type { Finding } from '../finding';
import { extraFindings } from './findingsExtra';
import * as F from './findings';
import { coveredNames, matchesIdentities } from './hostname';
import { isWeakSignature } from './fields';
import { ParsedCert, parseCertificate } from './parsed';
import { buildPath, ChainPath } from './path';
import { buildTrustStore } from './trustStore';
import type { CertificateInfo } from './types';
import { expiresWithin, roleOf } from './wording';

export interface JudgeOptions {
  /** Name to verify (RFC 6125); may be an IP literal. */
  servername: string;
  /** Extra trusted roots/intermediates (PEM text, possibly bundles). */
  extraCaPems?: string[];
  /** Default true: Node's bundled roots (tls.rootCertificates). */
  useSystemRoots?: boolean;
  now?: Date;
  /** Default 30. */
  expiryWarningDays?: number;
}

export interface ChainJudgement {
  /** The readable certificates exactly as sent, leaf first; unreadable ones are left out (see cert.malformed). */
  certificates: CertificateInfo[];
  /** A path to a trusted root exists, every certificate on it is in date, and the host name matches. */
  trusted: boolean;
  /**
   * The code a Node.js client reports for this chain (its `authorizationError` / `err.code`), e.g.
   * 'CERT_HAS_EXPIRED' or 'ERR_TLS_CERT_ALTNAME_INVALID'. Like Node, this is the LAST failure in OpenSSL's
   * verification order (chain building, CA checks, signature strength, then signatures and dates from the root
   * down), then the host name only if everything else passed: an expired leaf-only chain reports
   * CERT_HAS_EXPIRED, not UNABLE_TO_VERIFY_LEAF_SIGNATURE. `findings` lists every failure.
   * Undefined when trusted, and when the server certificate itself cannot be read.
   */
  verifyError?: string;
  findings: Finding[];
}

/** A hostile server may send a huge chain; describing more than this is pointless. */
const MAX_DESCRIBED = 100;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';

interface VerifyFailure {
  code: string;
  depth: number;
}

export function judgeChain(chainDer: Buffer[], opts: JudgeOptions): ChainJudgement {
  const now = opts.now ?? new Date();
  const warnDays = opts.expiryWarningDays ?? 30;
  const findings: Finding[] = [];
  const certificates: CertificateInfo[] = [];
  const sent: { cert: ParsedCert; sentIndex: number }[] = [];
  const list = Array.isArray(chainDer) ? chainDer.slice(0, MAX_DESCRIBED) : [];
  if (list.length === 0) return { certificates, trusted: false, findings: [F.noCertificate()] };

  let leafUnreadable = false;
  list.forEach((der, i) => {
    const bytes = der instanceof Uint8Array ? Buffer.from(der.buffer, der.byteOffset, der.byteLength) : undefined;
    const p = bytes && bytes.length > 0 ? parseCertificate(bytes) : { error: 'no certificate bytes' };
    if ('error' in p) {
      findings.push(F.malformed(i, p.error));
      if (i === 0) leafUnreadable = true;
      return;
    }
    certificates.push(p.info);
    sent.push({ cert: p, sentIndex: i });
  });
  if (leafUnreadable) return { certificates, trusted: false, findings };

  const { store } = buildTrustStore(opts);
  const path = buildPath(sent, store);
  const failures = verifyPath(path, now);
  const leaf = path.nodes[0].cert;
  const hostnameOk = matchesIdentities(
    { dnsNames: leaf.raw.dnsNames, ipAddresses: leaf.raw.ipAddresses, commonNames: leaf.raw.subjectCommonNames },
    opts.servername,
  );
  if (failures.length === 0 && !hostnameOk) failures.push({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', depth: 0 });

  findings.push(...chainFindings(path, now, warnDays));
  if (!hostnameOk) findings.push(F.hostnameMismatch(leaf.info, opts.servername, coveredNames(leaf.x509)));
  findings.push(...strengthFindings(path));
  findings.push(...extraFindings(path, failures, sent));

  const trusted = failures.length === 0;
  const judgement: ChainJudgement = { certificates, trusted, findings };
  if (!trusted) judgement.verifyError = failures[failures.length - 1].code;
  return judgement;
}

/** OpenSSL's verify_chain order; Node keeps the last error because its callback lets verification continue. */
function verifyPath(path: ChainPath, now: Date): VerifyFailure[] {
  const out: VerifyFailure[] = [];
  const nodes = path.nodes;
  const n = nodes.length;
  const top = n - 1;
  if (path.end === 'untrusted-self-signed') out.push({ code: n === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN', depth: top });
  else if (path.end === 'store-issuer-missing') out.push({ code: 'UNABLE_TO_GET_ISSUER_CERT', depth: top });
  else if (path.end === 'issuer-missing') out.push({ code: n === 1 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', depth: top });
  else if (path.end === 'too-long') out.push({ code: 'CERT_CHAIN_TOO_LONG', depth: top });

  for (let i = 1; i < n; i++) {
    const isAnchor = i === top && path.end === 'anchored';
    if (!nodes[i].cert.x509.ca && !isAnchor) out.push({ code: 'INVALID_CA', depth: i });
  }
  const eku = nodes[0].cert.x509.keyUsage;
  if (Array.isArray(eku) && eku.length > 0 && !eku.includes(SERVER_AUTH) && !eku.includes(ANY_EKU)) {
    out.push({ code: 'INVALID_PURPOSE', depth: 0 });
  }
  // Security level 1 (Node's default): CA keys of at least 80-bit strength, no SHA-1/MD5 below the top.
  for (let i = 0; i < n; i++) {
    const info = nodes[i].cert.info;
    if (i > 0 && keyStrengthBelow80(info)) out.push({ code: 'CA_KEY_TOO_SMALL', depth: i });
    if (i < top && isWeakSignature(info.signatureAlgorithm)) out.push({ code: 'CA_MD_TOO_WEAK', depth: i });
  }
  for (let i = top; i >= 0; i--) {
    if (i < top) {
      if (nodes[i + 1].cert.raw.keyCertSign === false) out.push({ code: 'KEYUSAGE_NO_CERTSIGN', depth: i + 1 });
      if (path.badSignatures.includes(i)) out.push({ code: 'CERT_SIGNATURE_FAILURE', depth: i });
    }
    const c = nodes[i].cert;
    if (c.notBefore.getTime() > now.getTime()) out.push({ code: 'CERT_NOT_YET_VALID', depth: i });
    if (c.notAfter.getTime() < now.getTime()) out.push({ code: 'CERT_HAS_EXPIRED', depth: i });
  }
  return out;
}

function keyStrengthBelow80(info: CertificateInfo): boolean {
  if (info.keyType === 'rsa' || info.keyType === 'rsa-pss' || info.keyType === 'dsa') return info.keyBits > 0 && info.keyBits < 1024;
  if (info.keyType === 'ec') return info.keyBits > 0 && info.keyBits < 160;
  return false;
}

function chainFindings(path: ChainPath, now: Date, warnDays: number): Finding[] {
  const out: Finding[] = [];
  const nodes = path.nodes;
  const top = nodes[nodes.length - 1].cert.info;
  if (path.end === 'untrusted-self-signed') out.push(nodes.length === 1 ? F.selfSigned(top) : F.untrustedRoot(top, 'sent-root'));
  else if (path.end === 'store-issuer-missing') out.push(F.untrustedRoot(top, 'store-intermediate'));
  else if (path.end === 'issuer-missing') out.push(nodes.length === 1 ? F.missingIntermediate(top) : F.untrustedRoot(top, 'unknown-issuer'));

  nodes.forEach((node, depth) => {
    const { info, notBefore, notAfter } = node.cert;
    const role = roleOf(depth, info);
    if (notAfter.getTime() < now.getTime()) out.push(F.expired(info, role, now));
    // Store roots are the client's business; a pinned self-signed leaf (depth 0) is still the server's.
    else if ((node.source === 'sent' || depth === 0) && expiresWithin(info.notAfter, now, warnDays)) {
      out.push(F.expiresSoon(info, role, now, warnDays));
    }
    if (notBefore.getTime() > now.getTime()) out.push(F.notYetValid(info, role, now));
  });
  return out;
}

function strengthFindings(path: ChainPath): Finding[] {
  const out: Finding[] = [];
  const nodes = path.nodes;
  nodes.forEach((node, depth) => {
    const info = node.cert.info;
    const role = roleOf(depth, info);
    const isTrustAnchor = depth === nodes.length - 1 && node.cert.selfIssued;
    // A trust anchor's own signature is never checked; its key is the store's business unless the server sent it.
    if (!isTrustAnchor && isWeakSignature(info.signatureAlgorithm)) out.push(F.weakSignature(info, role));
    if (isTrustAnchor && node.source === 'store' && depth > 0) return;
    const severity = weakKeySeverity(info);
    if (severity) out.push(F.weakKey(info, role, severity));
  });
  return out;
}

/** Error when OpenSSL security level 2 (Debian/Ubuntu/RHEL default) refuses the key; warning below CA/B minimums. */
export function weakKeySeverity(info: CertificateInfo): 'error' | 'warning' | undefined {
  if (info.keyBits <= 0) return undefined;
  if (info.keyType === 'rsa' || info.keyType === 'rsa-pss' || info.keyType === 'dsa') return info.keyBits < 2048 ? 'error' : undefined;
  if (info.keyType === 'ec') return info.keyBits < 224 ? 'error' : info.keyBits < 256 ? 'warning' : undefined;
  return undefined;
}
