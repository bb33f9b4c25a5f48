/**
 * A probe target as a user writes it, in the CLI (an argument, a line of `--input`) and in the editor's Probe Host
 * box: `HOST[:PORT]`, or a mail URL naming its own protocol and TLS mode. Pure: no file, no network.
 */
import { makeEndpoint, parseTarget, printable, type Endpoint, type EndpointOptions, type ParsedTarget } from './endpoint';
import { PROTOCOL_NAMES, PROTOCOLS, type Protocol, type TlsMode } from './protocols';

/** A target with, when it said so (a mail URL), its own protocol and TLS mode. */
export interface TargetSpec extends ParsedTarget {
  protocol?: Protocol;
  mode?: TlsMode;
}

/**
 * A target as the CLI (an argument, a line of `--input`) and the editor's Probe Host box take it: `HOST[:PORT]` (protocol and mode from
 * the port or the options), or `SCHEME://HOST[:PORT]` with a scheme of the protocol table (`smtp://`,
 * `submission://`, `imap://`, `pop3://`: STARTTLS; `smtps://`, `submissions://`, `imaps://`, `pop3s://`: implicit
 * TLS), which sets them for that target alone; the port then defaults as for that protocol and mode
 * (the CLI's --protocol with --starttls or --implicit). No user part (it may hold a password: it is never repeated), path, query or fragment. Other URLs are
 * refused as before.
 */
export function parseTargetSpec(text: string): TargetSpec | { error: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^]*)$/.exec(text.trim());
  const scheme = m?.[1].toLowerCase();
  const protocol = scheme ? PROTOCOL_NAMES.find((p) => PROTOCOLS[p].urlSchemes.includes(scheme)) : undefined;
  if (!m || !scheme || !protocol) return parseTarget(text);
  const rest = m[2];
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const host = rest.slice(at + 1).split(/[/?#]/)[0];
    return { error: `a target takes no user part (it may hold a password): give ${scheme}://${printable(host || 'HOST')}` };
  }
  const authority = rest.replace(/\/$/, '');
  if (/[/?#]/.test(authority)) return { error: `${scheme}://HOST[:PORT] takes no path, query or fragment, not "${printable(rest)}"` };
  const t = parseTarget(authority);
  if ('error' in t) return t;
  return { ...t, protocol, mode: scheme.endsWith('s') ? 'implicit' : 'starttls' };
}

/** The endpoint of a target: its own protocol and mode (a mail URL) before the options'. */
export function targetEndpoint(t: TargetSpec, opts: EndpointOptions): Endpoint {
  return makeEndpoint(t.host, t.port, t.protocol ? { ...opts, protocol: t.protocol, mode: t.mode } : opts);
}
