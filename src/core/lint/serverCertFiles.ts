/**
 * The judgement of a server's certificate and key files as a config names them, shared by the Postfix and the
 * Dovecot lints: which files hold blocks the server cannot use, whether there is a certificate at all, its
 * validity dates, whether the chain after it starts with its issuer, whether a key in the files belongs to it, and
 * its key strength. Each lint words the result for its own server and reports it under its own finding ids.
 * Pure: the files' texts come in, verdicts go out.
 */
import { describeCertificate, keyMatchesCertificate, parsePemBundle } from '../cert';
import * as F from '../cert/findings';
import { weakKeySeverity } from '../cert/judge';
import type { CertificateInfo } from '../cert/types';
import { expiresWithin } from '../cert/wording';
import type { Finding } from '../finding';

export interface ServerFilesJudgement<T> {
  /** Files with blocks that do not parse (or an encrypted key), with the parser's reasons. */
  unreadable: Array<{ file: T; errors: string[] }>;
  /** No certificate in any certificate file, and this first one parsed cleanly (it simply holds none). */
  noCertificateIn?: T;
  /** The server certificate (the first one) and the file it is in. */
  leaf?: { info: CertificateInfo; file: T };
  /** Expired, not yet valid, or expiring within the warning days (the generic certificate finding). */
  validity?: { kind: 'expired' | 'not-yet-valid' | 'expires-soon'; finding: Finding };
  /** Not self-signed and no issuer after it (`leaf-only`), or the next certificate is not its issuer. */
  chain?: { kind: 'leaf-only'; finding: Finding } | { kind: 'wrong-next'; next: CertificateInfo; finding: Finding };
  /** Keys were found, and none belongs to the certificate: the file with the (first) key. */
  keyMismatch?: { keyFile: T };
  weakKey?: Finding;
}

/**
 * Judges the certificate files (leaf first, then the chain) and the key files (may be the same files).
 * `now` and `days` come from the LintHost (clock and "expires soon" threshold).
 */
export function judgeServerFiles<T extends { text: string }>(
  certFiles: readonly T[],
  keyFiles: readonly T[],
  now: Date,
  days: number,
): ServerFilesJudgement<T> {
  const out: ServerFilesJudgement<T> = { unreadable: [] };
  const bundles = new Map<T, ReturnType<typeof parsePemBundle>>();
  const bundle = (f: T) => {
    let b = bundles.get(f);
    if (!b) {
      b = parsePemBundle(f.text);
      bundles.set(f, b);
    }
    return b;
  };
  for (const f of new Set([...certFiles, ...keyFiles])) {
    const b = bundle(f);
    if (b.errors.length > 0) out.unreadable.push({ file: f, errors: b.errors });
  }
  const certs = certFiles.flatMap((f) => bundle(f).certificates.map((der) => ({ der, file: f })));
  const keys = keyFiles.flatMap((f) => bundle(f).privateKeys);
  if (certs.length === 0) {
    if (certFiles.length > 0 && bundle(certFiles[0]).errors.length === 0) out.noCertificateIn = certFiles[0];
    return out;
  }
  const leaf = certs[0];
  const info = describeCertificate(leaf.der);
  if ('error' in info) return out;
  out.leaf = { info, file: leaf.file };
  const role = 'server certificate';
  if (Date.parse(info.notAfter) < now.getTime()) out.validity = { kind: 'expired', finding: F.expired(info, role, now) };
  else if (Date.parse(info.notBefore) > now.getTime()) out.validity = { kind: 'not-yet-valid', finding: F.notYetValid(info, role, now) };
  else if (expiresWithin(info.notAfter, now, days)) out.validity = { kind: 'expires-soon', finding: F.expiresSoon(info, role, now, days) };

  if (!info.selfSigned) {
    const next = certs.length > 1 ? describeCertificate(certs[1].der) : undefined;
    if (next === undefined) out.chain = { kind: 'leaf-only', finding: F.missingIntermediate(info) };
    else if (!('error' in next) && next.subject !== info.issuer) out.chain = { kind: 'wrong-next', next, finding: F.missingIntermediate(info) };
  }

  if (keys.length > 0 && !keys.some((k) => keyMatchesCertificate(k, leaf.der))) {
    out.keyMismatch = { keyFile: keyFiles.find((f) => bundle(f).privateKeys.length > 0) ?? keyFiles[0] };
  }
  const weak = weakKeySeverity(info);
  if (weak) out.weakKey = F.weakKey(info, role, weak);
  return out;
}

/** The certificates in a PEM text, described (undecodable ones left out). */
export function certificatesIn(text: string): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const der of parsePemBundle(text).certificates) {
    const info = describeCertificate(der);
    if (!('error' in info)) out.push(info);
  }
  return out;
}
