/**
 * The mail domains main.cf's transport table routes to by MX lookup (transport(5)): for each entry of a
 * `transport_maps = hash:/etc/postfix/transport` source file found in the workspace (the way the policy-table
 * linter finds files: as written, under the workspace mirror, beside main.cf for /etc/postfix/...), the domain
 * whose MX hosts Postfix delivers to: the next-hop when it is an unbracketed name (`smtp:example.net`), else the
 * key itself when the entry keeps the recipient domain as next-hop (`example.com smtp:`). Bracketed next-hops and
 * other transports (local, error, discard, lmtp, pipes) are not MX deliveries. The offer points at the transport
 * file's line.
 */
import * as nodePath from 'node:path';
import { parseMailDomain } from '../../../domain/name';
import type { DiscoveredDomain } from '../../types';
import type { RuleContext } from '../context';
import { parseDestinations } from '../destinations';
import { parsePolicyMap } from '../policyMapParser';
import { candidates } from './certs';

const FILE_TABLE = /^(?:proxy:)?(hash|btree|lmdb|cdb|dbm|sdbm|texthash):(.+)$/i;
/** Transports that deliver over SMTP to the next-hop's MX hosts (the stock master.cf names). */
const SMTP_TRANSPORTS = new Set(['', 'smtp', 'relay']);

export function transportDomains(ctx: RuleContext): DiscoveredDomain[] {
  const value = ctx.scope.resolved('transport_maps');
  if (!ctx.scope.setting('transport_maps') || !value.complete) return [];
  const out: DiscoveredDomain[] = [];
  for (const m of value.value.matchAll(/[^\s,]+/g)) {
    const t = FILE_TABLE.exec(m[0]);
    if (!t) continue;
    for (const place of candidates(t[2], ctx.file, ctx.host.workspaceRoot)) {
      let text: string | undefined;
      try {
        text = ctx.host.readFile(place);
      } catch {
        text = undefined;
      }
      if (text === undefined) continue;
      out.push(...entriesOf(text, place));
      break;
    }
  }
  return out;
}

function entriesOf(text: string, file: string): DiscoveredDomain[] {
  const out: DiscoveredDomain[] = [];
  // A transport table source has the policy table's shape: key, blank, value; the value is transport:nexthop.
  for (const e of parsePolicyMap(text).entries) {
    const key = e.key;
    if (key.startsWith('.') || key.includes('@') || key === '*' || key.startsWith('[')) continue;
    const v = e.value.trim();
    const colon = v.indexOf(':');
    const transport = (colon < 0 ? v : v.slice(0, colon)).toLowerCase();
    if (!SMTP_TRANSPORTS.has(transport)) continue;
    const nexthop = colon < 0 ? '' : v.slice(colon + 1);
    let target = key;
    if (nexthop !== '') {
      const d = parseDestinations(nexthop)[0];
      if (!d || d.bracketed || (d.portText !== undefined && d.port !== 25)) continue;
      target = d.host;
    }
    const parsed = parseMailDomain(target);
    if ('error' in parsed) continue;
    const via = target === key ? '' : `, for ${key.toLowerCase()}`;
    out.push({ domain: parsed.domain, file, range: e.keyRange, source: `transport_maps entry in ${nodePath.basename(file)}${via}: MX delivery` });
  }
  return out;
}
