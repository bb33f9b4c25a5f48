/**
 * Certificate-file helpers for the config lints (Postfix `smtpd_tls_chain_files`, Dovecot `ssl_cert`...):
 * split a PEM bundle, check that a key belongs to a certificate, describe a certificate. Never throws, and never
 * copies key material into an error string: errors name the block and the reason, not its contents.
 */
import type { KeyObject } from 'node:crypto';
import { nodeCrypto } from '../nodeLazy';
import { parseCertificate, shortReason } from './parsed';
import type { CertificateInfo } from './types';

export interface PemBundle {
  /** DER of each certificate block, in file order. */
  certificates: Buffer[];
  privateKeys: KeyObject[];
  /** One line per unusable block, e.g. "block 2 (CERTIFICATE, line 31): not a readable X.509 certificate". */
  errors: string[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]{1,40})-----([\s\S]*?)-----END ([A-Z0-9 ]{1,40})-----/g;
/** A hostile or broken file must not make the lint slow; real bundles hold a few hundred blocks at most. */
const MAX_BLOCKS = 1000;

export function parsePemBundle(text: string): PemBundle {
  const out: PemBundle = { certificates: [], privateKeys: [], errors: [] };
  if (typeof text !== 'string') {
    out.errors.push('not text');
    return out;
  }
  let index = 0;
  const lines = lineCounter(text);
  for (const m of text.matchAll(BLOCK)) {
    index++;
    if (index > MAX_BLOCKS) {
      out.errors.push(`more than ${MAX_BLOCKS} PEM blocks; the rest were ignored`);
      break;
    }
    const [whole, label, body, endLabel] = m;
    const where = `block ${index} (${label}, line ${lines(m.index ?? 0)})`;
    if (label !== endLabel) {
      out.errors.push(`${where}: BEGIN and END labels differ (${endLabel})`);
      continue;
    }
    if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE' || label === 'TRUSTED CERTIFICATE') {
      const der = decodeBody(body);
      if (!der) {
        out.errors.push(`${where}: the base64 text is damaged`);
        continue;
      }
      // OpenSSL's TRUSTED CERTIFICATE appends trust settings after the certificate; X509Certificate reads the
      // leading certificate only when given plain DER, so cut to the first DER element.
      const cert = label === 'TRUSTED CERTIFICATE' ? firstElement(der) : der;
      const parsed = cert ? parseCertificate(cert) : { error: 'empty' };
      if ('error' in parsed) out.errors.push(`${where}: ${parsed.error}`);
      else out.certificates.push(parsed.der);
    } else if (/PRIVATE KEY$/.test(label)) {
      try {
        out.privateKeys.push(nodeCrypto().createPrivateKey({ key: whole, format: 'pem' }));
      } catch (e) {
        const reason = /ENCRYPTED/.test(label) || /Proc-Type: 4,ENCRYPTED/.test(body) ? 'the key is encrypted (a passphrase is needed)' : keyReason(e);
        out.errors.push(`${where}: the private key cannot be read: ${reason}`);
      }
    }
    // Other blocks (DH PARAMETERS, EC PARAMETERS, X509 CRL) are legitimate in such files and ignored.
  }
  if (index === 0 && text.trim().length > 0) {
    if (/BEGIN [A-Z ]*-----/.test(text)) out.errors.push('a PEM block is not closed by its END line');
    else out.errors.push('no PEM block found (is this a DER file?)');
  }
  return out;
}

export function keyMatchesCertificate(key: KeyObject, certDer: Buffer): boolean {
  try {
    const x509 = new (nodeCrypto().X509Certificate)(certDer);
    if (key.type === 'private') return x509.checkPrivateKey(key);
    // A public key can still be compared by its SPKI encoding.
    const a = (key.type === 'public' ? key : nodeCrypto().createPublicKey(key)).export({ type: 'spki', format: 'der' });
    const b = x509.publicKey.export({ type: 'spki', format: 'der' });
    return a.equals(b);
  } catch {
    return false;
  }
}

export function describeCertificate(der: Buffer): CertificateInfo | { error: string } {
  if (!Buffer.isBuffer(der) || der.length === 0) return { error: 'empty certificate' };
  const parsed = parseCertificate(der);
  return 'error' in parsed ? parsed : parsed.info;
}

function decodeBody(body: string): Buffer | undefined {
  // Skip RFC 1421 headers (e.g. "Proc-Type:"), which are followed by a blank line.
  const lines = body.split(/\r?\n/);
  const b64 = lines
    .filter((l) => !/^[A-Za-z-]+:/.test(l.trim()))
    .join('')
    .replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length === 0) return undefined;
  return Buffer.from(b64, 'base64');
}

function firstElement(der: Buffer): Buffer | undefined {
  if (der.length < 2) return undefined;
  let len = der[1];
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || der.length < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
    head += n;
  }
  return head + len <= der.length ? der.subarray(0, head + len) : undefined;
}

/** OpenSSL's decoder messages never contain the key, but keep only the code to be safe. */
function keyReason(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  return shortReason(e);
}

/** Line numbers for increasing offsets, counted incrementally so a file with many blocks stays linear. */
function lineCounter(text: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset) => {
    for (; pos < offset; pos++) if (text.charCodeAt(pos) === 10) line++;
    return line;
  };
}
