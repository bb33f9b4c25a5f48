/**
 * The verification failures a Node.js client reports, with the message text its users see (OpenSSL's
 * X509_verify_cert_error_string, or Node's own for the host name). Node names most codes; for a few
 * (CA_MD_TOO_WEAK, KEYUSAGE_NO_CERTSIGN) it reports code 'UNSPECIFIED' but still prints this message.
 */
export const VERIFY_MESSAGES: Readonly<Record<string, string>> = {
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  INVALID_CA: 'invalid CA certificate',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  CERT_CHAIN_TOO_LONG: 'certificate chain too long',
  KEYUSAGE_NO_CERTSIGN: 'key usage does not include certificate signing',
  CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
  CA_KEY_TOO_SMALL: 'CA certificate key too weak',
  ERR_TLS_CERT_ALTNAME_INVALID: "Hostname/IP does not match certificate's altnames",
};

/** Codes Node.js itself does not name: a client sees `code: 'UNSPECIFIED'` with the message above. */
export const NODE_UNNAMED_CODES: ReadonlySet<string> = new Set(['CA_MD_TOO_WEAK', 'KEYUSAGE_NO_CERTSIGN', 'CA_KEY_TOO_SMALL']);
