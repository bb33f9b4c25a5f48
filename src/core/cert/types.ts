/**
 * What the engine tells about one certificate. Plain strings so it can go straight into JSON reports and
 * evidence lines; never holds key material beyond the public certificate itself.
 */
export interface CertificateInfo {
  /** One line, attributes in the order they are encoded, joined by ", ": "CN=mail.test, O=Org". */
  subject: string;
  issuer: string;
  /** Hex, as OpenSSL prints it. */
  serialNumber: string;
  /** ISO 8601 (UTC). */
  notBefore: string;
  notAfter: string;
  /**
   * Split form, one entry per name: "DNS:mail.example.com", "IP:192.0.2.1", "IP:2001:db8::1" (IPv6 compressed),
   * "email:x@y", "URI:https://..."; read from the certificate itself, not from Node's printed (quoted) string.
   */
  sans: string[];
  /** 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown' */
  keyType: string;
  /** RSA/DSA modulus bits; the curve size for EC (256 for P-256); 256 for Ed25519, 448 for Ed448; 0 if unknown. */
  keyBits: number;
  /** OpenSSL long name where known ('sha256WithRSAEncryption', 'ecdsa-with-SHA384'), else the dotted OID. */
  signatureAlgorithm: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex, as Node prints it. */
  fingerprint256: string;
  isCA: boolean;
  /** Subject and issuer names are equal and the signature verifies with the certificate's own key. */
  selfSigned: boolean;
  /** The first Authority Information Access caIssuers URL, when the certificate carries one. */
  aiaIssuerUrl?: string;
  pem: string;
}
