/**
 * Findings for the rarer chain defects (a non-CA issuer, a broken signature, a leaf not meant for servers, an
 * endless chain) and for sloppy chain order, so that `trusted: false` always comes with an explanation.
 */
import type { Finding } from '../finding';
import { chainOrder } from './findings';
import type { ParsedCert } from './parsed';
import type { ChainPath } from './path';
import { CHAIN_FIX_CAT, certEvidence, roleOf } from './wording';
import { makeFinding } from '../findings';

interface Failure {
  code: string;
  depth: number;
}

export function extraFindings(path: ChainPath, failures: Failure[], sent: { cert: ParsedCert; sentIndex: number }[]): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const f of failures) {
    const node = path.nodes[f.depth];
    if (!node) continue;
    const info = node.cert.info;
    const role = roleOf(f.depth, info);
    const key = `${f.code}@${f.depth}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (f.code === 'INVALID_CA' || f.code === 'KEYUSAGE_NO_CERTSIGN') {
      out.push(
        makeFinding('cert.invalid-ca', {
          severity: 'error',
          title: `"${info.subject}" signed another certificate in the chain but is not allowed to act as a CA.`,
          detail: `Its ${f.code === 'INVALID_CA' ? 'basic constraints do not mark it as a CA' : 'key usage does not include certificate signing'}, so OpenSSL and Node.js reject the chain ("${f.code === 'INVALID_CA' ? 'invalid CA certificate' : 'key usage does not include certificate signing'}"). This happens when a server certificate is used to sign another one, or with home-made CAs.`,
          fix: 'Issue the certificate from a real CA certificate (basicConstraints CA:TRUE, keyUsage keyCertSign), e.g. `openssl x509 -req -extfile <(printf "basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign")` for the CA, then re-issue the server certificate from it.',
          evidence: certEvidence(info, role),
        }),
      );
    } else if (f.code === 'CERT_SIGNATURE_FAILURE') {
      out.push(
        makeFinding('cert.bad-signature', {
          severity: 'error',
          title: `The signature on the ${role} does not verify with its issuer's key.`,
          detail:
            'The chain names an issuer whose key did not sign this certificate: usually an intermediate from another issuance (a renewed CA key, a mixed-up file). Every client refuses it ("certificate signature failure").',
          fix: `Serve the intermediate that belongs to this certificate (certbot's fullchain.pem from the same renewal). ${CHAIN_FIX_CAT}`,
          evidence: certEvidence(info, role),
        }),
      );
    } else if (f.code === 'INVALID_PURPOSE') {
      out.push(
        makeFinding('cert.wrong-purpose', {
          severity: 'error',
          title: 'The server certificate is not meant for TLS servers (its extended key usage lacks serverAuth).',
          detail:
            'OpenSSL and Node.js refuse it with "unsupported certificate purpose" (INVALID_PURPOSE). Typical for client or S/MIME certificates put on a server.',
          fix: 'Use a certificate issued for TLS server authentication (extendedKeyUsage = serverAuth); every public CA issues those for `certbot certonly -d mail.example.com`.',
          evidence: [...certEvidence(info, role), `extended key usage: ${(node.cert.x509.keyUsage ?? []).join(', ')}`],
        }),
      );
    } else if (f.code === 'CERT_CHAIN_TOO_LONG') {
      out.push(
        makeFinding('cert.chain-too-long', {
          severity: 'error',
          title: 'No trusted root was reached within the chain length limit.',
          detail: 'The certificates the server sent lead through too many issuers (or loop); clients give up.',
          fix: `Send only the server certificate and its intermediates, in order. ${CHAIN_FIX_CAT}`,
          evidence: certEvidence(info, role),
        }),
      );
    }
  }
  const order = orderNotes(path, sent);
  if (order.notes.length > 0) out.push(chainOrder(order.notes, order.evidence));
  return out;
}

/** Sloppy but usually harmless chain shapes: wrong order, duplicates, unrelated extras, an included root. */
function orderNotes(path: ChainPath, sent: { cert: ParsedCert; sentIndex: number }[]): { notes: string[]; evidence: string[] } {
  const notes: string[] = [];
  const evidence: string[] = [];
  const fingerprints = new Set<string>();
  const onPath = new Set(path.nodes.map((n) => n.cert.info.fingerprint256));
  let duplicates = 0;
  let outOfOrder = false;
  const unrelated: string[] = [];
  let rootIncluded = false;
  sent.forEach((s, i) => {
    const fp = s.cert.info.fingerprint256;
    if (fingerprints.has(fp)) duplicates++;
    fingerprints.add(fp);
    if (i > 0 && sent[i - 1].cert.issuerKey !== s.cert.subjectKey) outOfOrder = true;
    if (i > 0 && !onPath.has(fp)) unrelated.push(s.cert.info.subject);
    if (i > 0 && s.cert.selfIssued) rootIncluded = true;
  });
  if (duplicates > 0) notes.push(`The same certificate is sent ${duplicates + 1} times.`);
  if (outOfOrder) notes.push('The certificates are not in issuing order (each one should be followed by its issuer).');
  if (unrelated.length > 0) notes.push(`Certificates not needed for the chain are included: ${unrelated.slice(0, 5).join('; ')}.`);
  if (rootIncluded && unrelated.length === 0) notes.push('The root certificate is included; clients ignore it, since they must already trust it.');
  // The evidence is written only for a finding that shows it: a tidy chain (nearly every probe) has none.
  if (notes.length > 0) for (const s of sent.slice(0, 20)) evidence.push(`sent #${s.sentIndex + 1}: ${s.cert.info.subject} (issuer: ${s.cert.info.issuer})`);
  return { notes, evidence };
}
