/** The certificate part of the engine: judging a served chain, host name matching, certificate-file helpers. */
export type { CertificateInfo } from './types';
export { judgeChain } from './judge';
export type { ChainJudgement, JudgeOptions } from './judge';
export { matchesHostname, coveredNames } from './hostname';
export { parsePemBundle, keyMatchesCertificate, describeCertificate } from './pem';
export type { PemBundle } from './pem';
export { VERIFY_MESSAGES } from './verifyCodes';
