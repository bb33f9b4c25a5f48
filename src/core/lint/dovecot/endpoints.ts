/**
 * The IMAP, POP3 and submission listeners a Dovecot config defines, as endpoints to probe: `inet_listener NAME`
 * sections of `service imap-login` / `service pop3-login` / `service submission-login` (SMTP for mail clients, when
 * `protocols` names submission: Dovecot's default, imap pop3 lmtp, does not). Dovecot's built-in listeners are imap
 * (143), imaps (993, ssl = yes), pop3 (110), pop3s (995, ssl = yes) and submission (587); `submissions` has no
 * default (doveconf 2.3.19: port 0, ssl = no, so it needs its own `port = 465` and `ssl = yes`). A listener's own
 * `port` and `ssl` override that, `port = 0` turns it off,
 * and its `address` (else the global `listen`, default `*, ::`) says where it listens. A wildcard address is
 * every interface: for the live config (/etc/dovecot) the probe then goes to this machine (127.0.0.1); for a copy
 * it goes to the config's `hostname` when that is set, else nowhere (the server's name is not in the file).
 */
import * as nodePath from 'node:path';
import { makeEndpoint, printable, validateHostname } from '../../endpoint';
import type { Protocol, TlsMode } from '../../protocols';
import type { DiscoveredEndpoint } from '../types';
import { globalValue, type DovecotContext } from './context';
import type { DovecotSetting, Section } from './parser';
import { bool, serves } from './rules/words';
import { isOpaque } from './template';

/** The login service of each protocol: what it speaks and its name in `protocols`. */
const SERVICES: Record<string, { protocol: Protocol; name: string }> = {
  'imap-login': { protocol: 'imap', name: 'imap' },
  'pop3-login': { protocol: 'pop3', name: 'pop3' },
  'submission-login': { protocol: 'smtp', name: 'submission' },
};
/** Dovecot's built-in listeners of each login service (observed with doveconf 2.3.19 -a). */
const DEFAULTS: Record<string, Record<string, { port: number; mode: TlsMode }>> = {
  'imap-login': { imap: { port: 143, mode: 'starttls' }, imaps: { port: 993, mode: 'implicit' } },
  'pop3-login': { pop3: { port: 110, mode: 'starttls' }, pop3s: { port: 995, mode: 'implicit' } },
  'submission-login': { submission: { port: 587, mode: 'starttls' } },
};
const WILDCARD = /^(\*|::|\[::\]|0\.0\.0\.0)$/;
/** A listener on many addresses still yields a short list. */
const MAX_ADDRESSES = 4;

export function discoverEndpoints(ctx: DovecotContext): DiscoveredEndpoint[] {
  const out: DiscoveredEndpoint[] = [];
  for (const { section, parents } of ctx.conf.sections) {
    if (section.name !== 'inet_listener') continue;
    const service = parents[parents.length - 1];
    if (!service || service.name !== 'service' || parents.length !== 1) continue;
    const svc = Object.hasOwn(SERVICES, service.arg) ? SERVICES[service.arg] : undefined;
    if (!svc || !serves(ctx, svc.name)) continue;
    const protocol = svc.protocol;
    const own = (name: string) => listenerSetting(ctx, parents, section, name);
    const defaults = DEFAULTS[service.arg];
    const arg = section.arg.toLowerCase();
    const def = Object.hasOwn(defaults, arg) ? defaults[arg] : undefined;
    const portText = own('port')?.value.trim();
    const port = portText !== undefined ? Number(portText) : def?.port;
    if (port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    // A HAProxy listener expects the PROXY protocol header first: a direct probe would fail for no TLS reason.
    if (bool(own('haproxy')?.value ?? 'no')) continue;
    const ssl = own('ssl');
    const mode: TlsMode = ssl ? (bool(ssl.value) ? 'implicit' : 'starttls') : (def?.mode ?? 'starttls');
    for (const host of hostsOf(ctx, own('address')?.value ?? globalValue(ctx, 'listen') ?? '*, ::')) {
      out.push({
        endpoint: makeEndpoint(host, port, { protocol, mode }),
        file: ctx.file,
        range: section.range,
        source: `inet_listener ${printable(section.arg, 40)} of service ${service.arg} in ${printable(nodePath.basename(ctx.file), 80)}`,
      });
    }
  }
  return out;
}

/** The listener's own setting (directly inside its section). */
function listenerSetting(ctx: DovecotContext, parents: readonly Section[], listener: Section, name: string): DovecotSetting | undefined {
  let found: DovecotSetting | undefined;
  for (const s of ctx.conf.settings) {
    if (s.name !== name || s.sections.length !== parents.length + 1) continue;
    if (s.sections[parents.length] === listener && parents.every((p, i) => s.sections[i] === p)) found = s;
  }
  return found;
}

/** The probe targets of a listen/address value: named addresses as they are, wildcards as described above. */
function hostsOf(ctx: DovecotContext, listen: string): string[] {
  const out: string[] = [];
  // `listen = {{ dovecot_listen }}`: the words of a template expression are no addresses.
  if (isOpaque(listen)) return out;
  const words = listen.split(/[\s,]+/);
  // `*, ::` is one server on every interface: one target for it, IPv4 loopback unless it listens on IPv6 only.
  const local = words.some((w) => w === '*' || w === '0.0.0.0') ? '127.0.0.1' : '::1';
  for (const raw of words) {
    if (raw === '' || out.length >= MAX_ADDRESSES) continue;
    let host = raw.replace(/^\[(.*)\]$/, '$1');
    if (WILDCARD.test(raw)) host = ctx.live ? local : (globalValue(ctx, 'hostname')?.trim() ?? '');
    if (host === '' || isOpaque(host) || /[$%]/.test(host) || !validateHostname(host).ok || out.includes(host)) continue;
    out.push(host);
  }
  return out;
}
