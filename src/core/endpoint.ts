/**
 * What a probe targets: host, port, protocol and TLS mode, plus the name to verify. Everything that comes from a
 * config or the user passes `validateHostname` before it can reach a socket or a dialogue line.
 */
import { termSafe } from './escape';
import { defaultPort, PORT_DEFAULTS, PROTOCOLS, type Protocol, type TlsMode } from './protocols';

export { defaultPort, PORT_DEFAULTS };
export type { Protocol, TlsMode };

export interface Endpoint {
  host: string;
  port: number;
  protocol: Protocol;
  mode: TlsMode;
  /** The name to verify (SNI and certificate check). Defaults to `host`; required when `host` is an IP. */
  servername?: string;
  /** Extra trusted CA files (PEM), on top of Node's root store. */
  caFiles?: string[];
}

export type HostnameCheck = { ok: true; kind: 'name' | 'ipv4' | 'ipv6' } | { ok: false; reason: string };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * Accepts DNS names (LDH labels, `_` tolerated as real mail hosts use it, one trailing dot), IPv4 and IPv6
 * literals. Rejects anything that could smuggle a command into a dialogue: CR, LF, NUL, spaces, other control
 * characters, non-ASCII (IDNs must be given in their punycode form), over-long labels or names.
 */
export function validateHostname(input: string): HostnameCheck {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, reason: 'the host name is empty' };
  const ctl = /[\u0000-\u001f\u007f]/.exec(input);
  if (ctl) {
    const code = ctl[0].charCodeAt(0);
    const name = code === 13 ? 'CR' : code === 10 ? 'LF' : code === 0 ? 'NUL' : `control character 0x${code.toString(16).padStart(2, '0')}`;
    return { ok: false, reason: `the host name contains ${name}` };
  }
  if (/\s/.test(input)) return { ok: false, reason: 'the host name contains white space' };
  if (/[^\u0000-\u007f]/.test(input)) {
    return { ok: false, reason: 'the host name contains non-ASCII characters (give an IDN in its xn-- form)' };
  }
  if (IPV4.test(input)) return { ok: true, kind: 'ipv4' };
  if (input.includes(':')) {
    return isIPv6(input) ? { ok: true, kind: 'ipv6' } : { ok: false, reason: 'the host name is not a valid IPv6 address' };
  }
  const name = input.endsWith('.') ? input.slice(0, -1) : input;
  if (name.length > 253) return { ok: false, reason: 'the host name is longer than 253 characters' };
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return { ok: false, reason: 'the host name has an empty label' };
    if (label.length > 63) return { ok: false, reason: `the label "${label.slice(0, 20)}..." is longer than 63 characters` };
    if (!LABEL.test(label)) return { ok: false, reason: `the label "${label}" has characters a host name cannot have` };
  }
  if (/^\d+$/.test(labels[labels.length - 1])) return { ok: false, reason: 'the host name is neither a valid IPv4 address nor a DNS name' };
  return { ok: true, kind: 'name' };
}

function isIPv6(s: string): boolean {
  // Delegate to Node, which knows every textual form (zone ids are refused: they cannot go into a dialogue).
  const { isIPv6: nodeIsIPv6 } = require('node:net') as typeof import('node:net');
  return !s.includes('%') && nodeIsIPv6(s);
}

export function isIpLiteral(host: string): boolean {
  const v = validateHostname(host);
  return v.ok && v.kind !== 'name';
}

export interface ParsedTarget {
  host: string;
  port?: number;
}

/** Parses `host`, `host:port`, `[v6]:port`, `[host]:port` (Postfix style) or a bare IPv6 literal. */
export function parseTarget(text: string): ParsedTarget | { error: string } {
  const t = text.trim();
  if (t.length === 0) return { error: 'empty target' };
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(t);
  if (url) return { error: urlTargetError(url[1].toLowerCase(), t.slice(url[0].length)) };
  // `user:password@host:587` (an SMTP URL without its scheme, a client's account line): no host name holds an "@",
  // so it is a user part, which may hold a password: name the host and port to give, never what comes before.
  // Text with control characters before the "@" (CR LF and an SMTP command) is no account line: an invalid host.
  const at = t.lastIndexOf('@');
  if (at > 0 && !/[\u0000-\u001f\u007f]/.test(t.slice(0, at)))
    return { error: `a target takes no user part (it may hold a password): give HOST[:PORT], here "${printable(t.slice(at + 1) || 'HOST')}"` };
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(t);
  if (bracket) {
    host = bracket[1];
    portText = bracket[2];
  } else if ((t.match(/:/g) ?? []).length > 1) {
    host = t; // bare IPv6
  } else {
    const i = t.lastIndexOf(':');
    host = i >= 0 ? t.slice(0, i) : t;
    portText = i >= 0 ? t.slice(i + 1) : undefined;
  }
  const check = validateHostname(host);
  if (!check.ok) return { error: `invalid host "${printable(host)}": ${check.reason}` };
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return { error: `invalid port "${printable(portText)}": expected a number from 1 to 65535` };
  }
  return { host, port: Number(portText) };
}

/**
 * A URL (`smtps://user:secret@mail.example.com:465`) where HOST[:PORT] belongs: name the host and port to give, and
 * the protocol and mode its scheme meant, never the user part (it may hold a password).
 */
function urlTargetError(scheme: string, rest: string): string {
  const authority = rest.slice(rest.lastIndexOf('@') + 1).split(/[/?#]/)[0];
  const protocol = (Object.keys(PROTOCOLS) as Protocol[]).find((p) => PROTOCOLS[p].urlSchemes.includes(scheme));
  const flags = protocol ? ` with --protocol ${protocol} ${scheme.endsWith('s') ? '--implicit' : '--starttls'}` : '';
  return `a URL (${printable(scheme, 20)}://...) is not a target: give HOST[:PORT], here "${printable(authority || 'HOST')}"${flags}`;
}

/** Makes untrusted text safe to show in one line of output: the terminal sink's escaper (see core/escape.ts). */
export function printable(s: string, max = 80): string {
  return termSafe(s, max);
}

export interface EndpointOptions {
  protocol?: Protocol;
  mode?: TlsMode;
  servername?: string;
  caFiles?: string[];
}

/** Builds an endpoint, filling protocol and mode from the port (or the port from them). */
export function makeEndpoint(host: string, port: number | undefined, opts: EndpointOptions = {}): Endpoint {
  const byPort = port !== undefined ? PORT_DEFAULTS[port] : undefined;
  const protocol = opts.protocol ?? byPort?.protocol ?? 'smtp';
  const mode = opts.mode ?? (byPort && byPort.protocol === protocol ? byPort.mode : 'starttls');
  const ep: Endpoint = { host, port: port ?? defaultPort(protocol, mode), protocol, mode };
  if (opts.servername) ep.servername = opts.servername;
  if (opts.caFiles?.length) ep.caFiles = [...opts.caFiles];
  return ep;
}

/** `host:port`, an IPv6 address in brackets (`[2001:db8::1]:25`): the one way host and port are written together. */
export function hostPort(host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function endpointLabel(ep: Endpoint): string {
  return `${PROTOCOLS[ep.protocol].label} ${hostPort(ep.host, ep.port)} (${ep.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'})`;
}
