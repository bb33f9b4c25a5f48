/**
 * The server certificates the interop scenarios vary, written as the PEM files Postfix and Dovecot read. Made
 * from the run-time test PKI: nothing here is checked in, and every run has fresh keys and dates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { issue, type TestPki } from '../pki';

/** The name every scenario is probed for (and that the healthy certificates carry). */
export const SERVER_NAME = 'mail.test';

export type CertKind = 'full-chain' | 'leaf-only' | 'expired' | 'self-signed' | 'wrong-name';

export interface ServerCertFiles {
  /** Leaf first, then the issuers the server sends (none for leaf-only and self-signed). */
  certFile: string;
  keyFile: string;
}

const DAY = 24 * 3600 * 1000;

/** Writes one cert/key pair per kind into `dir`; keys are readable by root only, as on a real server. */
export function writeServerCerts(pki: TestPki, dir: string): Record<CertKind, ServerCertFiles> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const good = pki.leaf({ cn: SERVER_NAME });
  const expired = pki.leaf({ cn: SERVER_NAME, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
  const selfSigned = issue({ cn: SERVER_NAME, sans: [SERVER_NAME] });
  const wrongName = pki.leaf({ cn: 'other.example', sans: ['other.example', 'www.other.example'] });
  const pems: Record<CertKind, { cert: string; key: string }> = {
    'full-chain': { cert: pki.chain(good), key: good.keyPem },
    'leaf-only': { cert: good.certPem, key: good.keyPem },
    expired: { cert: pki.chain(expired), key: expired.keyPem },
    'self-signed': { cert: selfSigned.certPem, key: selfSigned.keyPem },
    'wrong-name': { cert: pki.chain(wrongName), key: wrongName.keyPem },
  };
  const out = {} as Record<CertKind, ServerCertFiles>;
  for (const [kind, pem] of Object.entries(pems) as [CertKind, { cert: string; key: string }][]) {
    const certFile = path.join(dir, `${kind}.crt`);
    const keyFile = path.join(dir, `${kind}.key`);
    fs.writeFileSync(certFile, pem.cert, { mode: 0o644 });
    fs.writeFileSync(keyFile, pem.key, { mode: 0o600 });
    out[kind] = { certFile, keyFile };
  }
  return out;
}
