/**
 * A test PKI made at run time: a root, an intermediate, and leaves of every kind the lab needs (healthy,
 * expired, not yet valid, self-signed, wrong name, weak key, SHA-1...). Keys come from Node's native generator
 * (fast); node-forge builds and signs the certificates because it lets us set any field, even bad ones.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as forge from 'node-forge';

export interface Issued {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface CertSpec {
  cn: string;
  /** DNS names and IP addresses (detected) for subjectAltName; default [cn] for leaves, none for CAs. */
  sans?: string[];
  notBefore?: Date;
  notAfter?: Date;
  keyBits?: number;
  hash?: 'sha256' | 'sha1' | 'md5';
  isCA?: boolean;
  /** Issuer; omitted means self-signed. */
  issuer?: Issued;
  /** An AIA caIssuers URL (for the missing-intermediate finding). */
  aiaUrl?: string;
  /** Organisation, to tell CAs apart in names. */
  org?: string;
  serial?: string;
}

const keyCache = new Map<number, { keyPem: string; key: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey }>();
let serialCounter = 1;

function rsaKey(bits: number, fresh = false) {
  const cached = keyCache.get(bits);
  if (cached && !fresh) return cached;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(key.n, key.e);
  const k = { keyPem, key, pub };
  if (!fresh) keyCache.set(bits, k);
  return k;
}

const DAY = 24 * 3600 * 1000;

export function issue(spec: CertSpec): Issued {
  // CAs get their own key so that a self-signed leaf is never mistaken for the root by key identifier.
  const k = rsaKey(spec.keyBits ?? 2048, spec.isCA === true || spec.issuer === undefined);
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.pub;
  cert.serialNumber = spec.serial ?? (0x1000 + serialCounter++).toString(16).padStart(4, '0');
  const now = Date.now();
  cert.validity.notBefore = spec.notBefore ?? new Date(now - DAY);
  cert.validity.notAfter = spec.notAfter ?? new Date(now + 365 * DAY);
  const subject = [
    { name: 'commonName', value: spec.cn },
    { name: 'organizationName', value: spec.org ?? 'Mail TLS Doctor Test' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : subject);
  const sans = spec.sans ?? (spec.isCA ? [] : [spec.cn]);
  const exts: object[] = [
    { name: 'basicConstraints', cA: spec.isCA === true, critical: true },
    spec.isCA
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!spec.isCA) exts.push({ name: 'extKeyUsage', serverAuth: true, clientAuth: true });
  if (sans.length) {
    exts.push({
      name: 'subjectAltName',
      altNames: sans.map((s) => (/^[\d.]+$/.test(s) || s.includes(':') ? { type: 7, ip: s } : { type: 2, value: s })),
    });
  }
  if (spec.issuer) {
    exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: spec.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  }
  if (spec.aiaUrl) {
    exts.push({
      name: 'authorityInfoAccess',
      value: aiaValue(spec.aiaUrl),
    });
  }
  cert.setExtensions(exts);
  const md = spec.hash === 'sha1' ? forge.md.sha1.create() : spec.hash === 'md5' ? forge.md.md5.create() : forge.md.sha256.create();
  cert.sign(spec.issuer ? spec.issuer.key : k.key, md);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.keyPem, cert, key: k.key };
}

/** DER of AuthorityInfoAccessSyntax with one caIssuers URI, which forge has no builder for. */
function aiaValue(url: string): string {
  const a = forge.asn1;
  const seq = a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
    a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
      a.create(a.Class.UNIVERSAL, a.Type.OID, false, a.oidToDer('1.3.6.1.5.5.7.48.2').getBytes()),
      a.create(a.Class.CONTEXT_SPECIFIC, 6, false, url),
    ]),
  ]);
  return a.toDer(seq).getBytes();
}

export interface TestPki {
  root: Issued;
  intermediate: Issued;
  /** A second, unrelated root that nobody trusts. */
  otherRoot: Issued;
  /** A leaf signed by the intermediate. */
  leaf(spec: Omit<CertSpec, 'issuer'> & { issuer?: Issued }): Issued;
  /** PEM of leaf + intermediate, as a well-configured server sends it. */
  chain(leaf: Issued): string;
  /** Writes the root to a temp file, for `ca` options and `--ca`. */
  rootFile(): string;
  dir: string;
}

export function makePki(name = 'Mail TLS Doctor Test'): TestPki {
  const root = issue({ cn: `${name} Root CA`, isCA: true, notAfter: new Date(Date.now() + 3650 * DAY) });
  const intermediate = issue({ cn: `${name} Intermediate CA`, isCA: true, issuer: root });
  const otherRoot = issue({ cn: `${name} Unknown Root CA`, isCA: true, org: 'Nobody Trusts Me' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-pki-'));
  let rootPath: string | undefined;
  return {
    root,
    intermediate,
    otherRoot,
    dir,
    leaf: (spec) => issue({ ...spec, issuer: spec.issuer ?? intermediate }),
    chain: (leaf) => leaf.certPem + intermediate.certPem,
    rootFile: () => {
      if (!rootPath) {
        rootPath = path.join(dir, 'root.pem');
        fs.writeFileSync(rootPath, root.certPem);
      }
      return rootPath;
    },
  };
}
