/**
 * Certificates for the hostile lab, made once per process: a healthy leaf for the servers that do finish a
 * handshake, and a chain of 50 certificates for the one that floods the client's verifier.
 */
import { issue, makePki, type TestPki } from '../pki';

export interface LabTls {
  key: string;
  /** Leaf first, then whatever the server sends after it. */
  cert: string;
  /** DER of the leaf, for the hand-written broken handshakes. */
  leafDer: Buffer;
  /** The root to trust, for probes that should get past verification. */
  caPem: string;
}

let pki: TestPki | undefined;
let healthy: LabTls | undefined;
let longChain: LabTls | undefined;

export function labPki(): TestPki {
  pki ??= makePki('Hostile Lab');
  return pki;
}

/** A leaf for `localhost` and 127.0.0.1, with its intermediate: what a well-run server sends. */
export function healthyTls(): LabTls {
  if (!healthy) {
    const p = labPki();
    const leaf = p.leaf({ cn: 'localhost', sans: ['localhost', '127.0.0.1'] });
    healthy = { key: leaf.keyPem, cert: p.chain(leaf), leafDer: derOf(leaf.certPem), caPem: p.root.certPem };
  }
  return healthy;
}

export const LONG_CHAIN_LENGTH = 50;

/**
 * Fifty certificates, each a CA issued by the next (so a client really walks all of them). 1024-bit keys keep
 * the 49 CA key generations to about a second; what matters is the volume the client has to parse and chain.
 */
export function longChainTls(): LabTls {
  if (!longChain) {
    let top = issue({ cn: `Hostile Chain ${LONG_CHAIN_LENGTH - 1}`, keyBits: 1024, isCA: true });
    const chain = [top];
    for (let i = LONG_CHAIN_LENGTH - 2; i >= 1; i--) {
      top = issue({ cn: `Hostile Chain ${i}`, keyBits: 1024, isCA: true, issuer: top });
      chain.unshift(top);
    }
    const leaf = issue({ cn: 'localhost', sans: ['localhost', '127.0.0.1'], keyBits: 1024, issuer: top });
    chain.unshift(leaf);
    longChain = {
      key: leaf.keyPem,
      cert: chain.map((c) => c.certPem).join(''),
      leafDer: derOf(leaf.certPem),
      caPem: chain[chain.length - 1].certPem,
    };
  }
  return longChain;
}

function derOf(pem: string): Buffer {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(b64, 'base64');
}
