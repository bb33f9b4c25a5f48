import { hostPort, PORT_DEFAULTS, type Endpoint } from '../endpoint';

/**
 * The CLI invocation that probes the same endpoint, for "copy as command". Only flags that differ from what the
 * CLI would infer from the port are written. Host names were validated before they became endpoints, so they
 * need no shell quoting; the servername is quoted anyway because it may come from other input.
 */
export function cliCommandFor(ep: Endpoint): string {
  const parts = ['mail-tls-doctor', 'probe', hostPort(ep.host, ep.port)];
  const byPort = PORT_DEFAULTS[ep.port];
  const inferredProtocol = byPort?.protocol ?? 'smtp';
  if (ep.protocol !== inferredProtocol) parts.push('--protocol', ep.protocol);
  // The same inference as makeEndpoint, which the CLI uses.
  const inferredMode = byPort && byPort.protocol === ep.protocol ? byPort.mode : 'starttls';
  if (ep.mode !== inferredMode) parts.push(ep.mode === 'implicit' ? '--implicit' : '--starttls');
  if (ep.servername && ep.servername !== ep.host) parts.push('--servername', shellQuote(ep.servername));
  for (const ca of ep.caFiles ?? []) parts.push('--ca', shellQuote(ca));
  return parts.join(' ');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
