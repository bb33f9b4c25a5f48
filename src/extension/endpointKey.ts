import type { Endpoint } from '../core/endpoint';

/** Identity of an endpoint across discovery, probes and the tree: one probe per key, however often it is named. */
export function endpointKey(ep: Endpoint): string {
  return `${ep.protocol}|${ep.mode}|${ep.host.toLowerCase().replace(/\.$/, '')}|${ep.port}|${ep.servername ?? ''}`;
}
