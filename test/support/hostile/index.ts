/** The hostile-server lab: loopback mail servers that misbehave in every way the issue lists (see behaviours.ts). */
export * from './behaviours';
export { startHostile, connectionStats, type HostileServer, type HostileOptions, type ConnectionStats, type Behaviour } from './server';
export { healthyTls, longChainTls, LONG_CHAIN_LENGTH, type LabTls } from './certs';
export type { MalformedCertKind } from './rawTls';
