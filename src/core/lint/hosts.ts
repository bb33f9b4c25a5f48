/**
 * Host names as configs write them: the reason one is unusable, in words a finding can quote, and the host of a
 * connection URL as the user wrote it. A URL usually carries a password, so the host is taken from after the
 * last `@`: nothing of the user info can end up in a finding.
 */
import { validateHostname } from '../endpoint';
import { PROTOCOL_NAMES, PROTOCOLS } from '../protocols';

/** Why `host` cannot be used, or undefined when it can. With `hideText`, no part of the name is quoted. */
export function hostProblem(host: string, hideText = false): string | undefined {
  const check = validateHostname(host);
  if (check.ok) return undefined;
  // `user:pass@host` is credentials where the name belongs; the IPv6 or label reason would mislead (and quote them).
  const at = host.lastIndexOf('@');
  if (at >= 0) {
    return host.slice(0, at).includes(':')
      ? 'it contains a user name and password (they go in the auth settings, never in the host)'
      : 'it contains a user name before the @ (it goes in the auth settings, not in the host)';
  }
  // `smtp.example.com:587` in a host setting is the most common slip; "not a valid IPv6 address" would mislead.
  if (/^[^:[\]]+:\d*$/.test(host) && validateHostname(host.slice(0, host.lastIndexOf(':'))).ok) {
    return 'it includes a port: a host setting takes the name only (the port has its own setting)';
  }
  return hideText ? check.reason.replace(/the label "[^"]*"(\.\.\.)?/, 'a label') : check.reason;
}

/**
 * True for a host that never leaves this machine: `localhost` (any case, a trailing dot, `[brackets]`), an address in
 * 127.0.0.0/8, `::1` or its IPv4-mapped form. A name such as `127.example.com` or `localhost.example.com` is not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return h === 'localhost' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1' || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

export interface UrlHost {
  /** The host as written (without IPv6 brackets). */
  host: string;
  /** Where it is in the URL text. */
  start: number;
  end: number;
}

/** `scheme://` for every URL scheme of the protocol table. */
const MAIL_URL = new RegExp(`^(${PROTOCOL_NAMES.flatMap((p) => PROTOCOLS[p].urlSchemes).join('|')}):\\/\\/`, 'i');

export function isMailUrl(text: string): boolean {
  return MAIL_URL.test(text);
}

/**
 * The host of `smtp://user:pass@host:587/...` as written: after the last `@` (a password may hold `@`, `/` or
 * `:` unencoded), up to the port, path, query or fragment. Undefined when the text is not a mail URL.
 */
export function urlHost(url: string): UrlHost | undefined {
  const scheme = MAIL_URL.exec(url);
  if (!scheme) return undefined;
  const authorityStart = scheme[0].length;
  const at = url.lastIndexOf('@');
  let start = at >= authorityStart ? at + 1 : authorityStart;
  let end = start;
  while (end < url.length && !'/?#'.includes(url[end])) end++;
  if (url[start] === '[') {
    const close = url.indexOf(']', start);
    if (close >= 0 && close < end) return { host: url.slice(start + 1, close), start: start + 1, end: close };
  }
  const colon = url.lastIndexOf(':', end - 1);
  if (colon >= start) end = colon;
  if (end < start) start = end;
  return { host: url.slice(start, end), start, end };
}
