/**
 * A DNS server's address as a user names it (`IP`, `IP:PORT`, `[IPv6]:PORT`): parsed and written without the
 * query code (client.ts, which loads dns-packet), so the editor's settings can check the resolver setting on
 * activation without loading the DNS client.
 */
import * as net from 'node:net';
import { hostPort } from '../endpoint';

export interface DnsServer {
  host: string;
  port: number;
}

export function formatServer(s: DnsServer): string {
  return hostPort(s.host, s.port);
}

/** Parses `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 literal. Names are refused: a resolver is an address. */
export function parseServer(text: string): DnsServer | { error: string } {
  const t = text.trim();
  let host = t;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(t);
  if (bracket) {
    host = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else if (/^[\d.]+:\d{1,5}$/.test(t)) {
    const i = t.lastIndexOf(':');
    host = t.slice(0, i);
    port = Number(t.slice(i + 1));
  }
  if (!net.isIP(host) || host.includes('%')) return { error: `"${t.slice(0, 60)}" is not an IP address (with an optional :PORT)` };
  if (!(port >= 1 && port <= 65535)) return { error: `port ${port} is out of range` };
  return { host, port };
}

/**
 * The `dig` command a finding suggests, asking the resolver the run asked: `dig @IP -p PORT ARGS` for a resolver
 * the user named (the port only when it is not 53), plain `dig ARGS` (the system's resolver) otherwise.
 */
export function digCommand(args: string, server?: DnsServer): string {
  if (!server) return `dig ${args}`;
  return `dig @${server.host}${server.port === 53 ? '' : ` -p ${server.port}`} ${args}`;
}
