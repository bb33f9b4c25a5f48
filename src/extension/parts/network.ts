// Bundled on its own as dist/ext-network.js (scripts/build.mjs) and loaded on the first probe or domain check
// (src/extension/engineParts.ts): the probe engine, the certificate judge, the domain check and the DNS client.
// Only src/core here, never an extension module: see engineParts.ts.
export { probeMany } from '../../core/probe';
export { caFileProblem } from '../../core/probe/validate';
export { checkDomain } from '../../core/domain';
export { chooseResolver, DomainResolver } from '../../core/dns/resolver';
