/**
 * Next-hop destinations as Postfix writes them: `[host]:port`, `[host]`, `host:port`, `host`,
 * `[ipv6:2001:db8::1]:587`, and (Postfix 3.5+) several of them separated by commas or white space.
 * Brackets mean "connect to this host", no brackets mean "look up its MX records".
 */
export interface Destination {
  /** The host as written (without brackets or `ipv6:`). */
  host: string;
  bracketed: boolean;
  /** The port text as written (`587`, `submission`), if any. */
  portText?: string;
  /** The resolved port, undefined when the service name is unknown. */
  port?: number;
  /** Offsets in the value: the whole destination, the host and the port text. */
  start: number;
  end: number;
  hostStart: number;
  hostEnd: number;
  portStart?: number;
  /**
   * Text after the closing bracket that is not `:port` (`[host](http://x)`): Postfix's host_port() answers
   * "garbage after "]"", and the SMTP client stops on it (fatal). Its offset in the value.
   */
  garbage?: { text: string; start: number };
}

/** The service names /etc/services gives the mail ports (Debian spells 465 `submissions`, alias `smtps`/`urd`). */
const SERVICES: Record<string, number> = { smtp: 25, submission: 587, submissions: 465, smtps: 465, ssmtp: 465, urd: 465, lmtp: 24 };

export function servicePort(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  return SERVICES[text.toLowerCase()];
}

export function parseDestinations(value: string): Destination[] {
  const out: Destination[] = [];
  const sep = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ',';
  let i = 0;
  while (i < value.length) {
    while (i < value.length && sep(value[i])) i++;
    if (i >= value.length) break;
    const start = i;
    // A bracketed host may hold colons (IPv6); skip to the closing bracket before looking for separators.
    if (value[i] === '[') {
      const close = value.indexOf(']', i);
      i = close < 0 ? value.length : close + 1;
    }
    while (i < value.length && !sep(value[i])) i++;
    out.push(parseOne(value.slice(start, i), start));
  }
  return out;
}

function parseOne(d: string, base: number): Destination {
  let hostStart: number;
  let hostEnd: number;
  let rest: string;
  let restAt: number;
  const bracketed = d.startsWith('[') && d.includes(']');
  if (bracketed) {
    const close = d.indexOf(']');
    hostStart = 1;
    hostEnd = close;
    rest = d.slice(close + 1);
    restAt = close + 1;
    if (d.slice(1, 6).toLowerCase() === 'ipv6:') hostStart = 6;
  } else {
    const colon = d.indexOf(':');
    hostStart = 0;
    hostEnd = colon < 0 ? d.length : colon;
    rest = colon < 0 ? '' : d.slice(colon);
    restAt = colon < 0 ? d.length : colon;
  }
  const dest: Destination = {
    host: d.slice(hostStart, hostEnd),
    bracketed,
    start: base,
    end: base + d.length,
    hostStart: base + hostStart,
    hostEnd: base + hostEnd,
  };
  if (bracketed && rest !== '' && !rest.startsWith(':')) {
    dest.garbage = { text: rest, start: base + restAt };
  } else if (rest.startsWith(':')) {
    dest.portText = rest.slice(1);
    dest.portStart = base + restAt + 1;
    dest.port = servicePort(dest.portText);
  }
  return dest;
}
