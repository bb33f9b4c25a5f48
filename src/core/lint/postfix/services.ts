import { validateHostname } from '../../endpoint';
import { isLoopbackHost } from '../hosts';
import type { ServiceInfo, ServiceRole } from './context';
import { servicePort } from './destinations';
import type { Service } from './masterParser';

const SERVERS = new Set(['smtpd', 'postscreen']);
const CLIENTS = new Set(['smtp', 'lmtp']);

/** Splits a master.cf inet service name: `smtp`, `587`, `127.0.0.1:smtp`, `[::1]:25`, `*:465`. */
export function serviceAddress(name: string): { host?: string; port?: number } {
  const colon = name.lastIndexOf(':');
  if (colon < 0) return { port: servicePort(name) };
  let host = name.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host: host === '*' || host === '' ? undefined : host, port: servicePort(name.slice(colon + 1)) };
}

/**
 * The smtpd processes that talk to the Internet: inet smtpd services not bound to loopback, and the `pass` smtpd
 * behind postscreen (postscreen hands it the port-25 connections). `port25` marks the one(s) port 25 reaches.
 */
export function smtpdServices(services: readonly Service[]): Array<{ service: Service; port25: boolean }> {
  const command = (s: Service) => s.command.text.replace(/^.*\//, '');
  const postscreen25 = services.some((s) => s.type.text === 'inet' && command(s) === 'postscreen' && serviceAddress(s.name.text).port === 25);
  const out: Array<{ service: Service; port25: boolean }> = [];
  for (const s of services) {
    if (command(s) !== 'smtpd') continue;
    if (s.type.text === 'pass') out.push({ service: s, port25: postscreen25 });
    else if (s.type.text === 'inet') {
      const a = serviceAddress(s.name.text);
      if (a.host !== undefined && isLoopbackHost(a.host)) continue;
      out.push({ service: s, port25: a.port === 25 });
    }
  }
  return out;
}

export function describeService(s: Service): ServiceInfo & { host?: string } {
  const command = s.command.text.replace(/^.*\//, '');
  let role: ServiceRole = 'other';
  const addr = serviceAddress(s.name.text);
  if (s.type.text === 'inet' && SERVERS.has(command)) {
    const local = addr.host !== undefined && isLoopbackHost(addr.host);
    if (!local && addr.port === 25) role = 'mx';
    else if (!local && addr.port === 587) role = 'submission';
    else if (!local && addr.port === 465) role = 'smtps';
  } else if (CLIENTS.has(command)) {
    role = 'client';
  }
  const host = addr.host !== undefined && validateHostname(addr.host).ok ? addr.host : undefined;
  return { name: s.name.text, nameRange: s.name.range, role, port: addr.port, lastLine: s.lastLine, damaged: s.damaged, host };
}
