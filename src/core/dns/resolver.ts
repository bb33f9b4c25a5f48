/**
 * Lookups for the domain check through one resolver: CNAME chains read from the answer, the AD bit as the
 * DNSSEC status, a SERVFAIL asked again with CD to tell "bogus" (the data is there but fails validation) from a
 * plain server failure, and one query per (name, type) per run.
 */
import * as dns from 'node:dns';
import { DnsRecord, DnsServer, DnsTimeoutError, formatServer, isLoopback, parseServer, query, RecordType } from './client';
import type { FailedLookup } from './failure';
import { plural } from '../wording';

export type LookupStatus = 'ok' | 'nodata' | 'nxdomain' | 'bogus' | 'servfail' | 'timeout' | 'error';

export interface Lookup {
  name: string;
  type: RecordType;
  status: LookupStatus;
  /** Records of the asked type at the end of the CNAME chain. */
  records: DnsRecord[];
  /** The resolver set AD (and is trusted to validate). */
  secure: boolean;
  /** The answer carried RRSIGs: the zone is signed, whatever the resolver concluded. */
  signed: boolean;
  /** CNAME targets followed, in order (empty when the name is not an alias). */
  cnames: string[];
  /** The rcode or error in words, for evidence. */
  detail: string;
}

export interface ResolverChoice {
  server: DnsServer;
  /** `option`: given by the user (--resolver); `system`: the first server of the system configuration. */
  source: 'option' | 'system';
  /** Whether its AD bit is believed: a resolver the user named, or the system's when it runs on loopback. */
  trusted: boolean;
  /** How the user named it, for the label: `--resolver` (default) or a setting's name. */
  givenBy?: string;
}

/** The resolver a run uses: the one given, else the system's first, whose AD bit counts only on loopback. */
export function chooseResolver(
  given?: DnsServer,
  systemServers: () => string[] = () => dns.getServers(),
  givenBy?: string,
): ResolverChoice | { error: string } {
  if (given) return { server: given, source: 'option', trusted: true, ...(givenBy ? { givenBy } : {}) };
  const first = systemServers()[0];
  if (!first) return { error: 'this system has no DNS resolver configured; give one with --resolver IP[:PORT]' };
  const server = parseServer(first);
  if ('error' in server) return { error: `the system resolver ${first} cannot be used: ${server.error}` };
  return { server, source: 'system', trusted: isLoopback(server.host) };
}

export interface ResolverOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class DomainResolver {
  private readonly cache = new Map<string, Promise<Lookup>>();
  /** Every finished lookup, in order (the DNSSEC summary reads them). */
  readonly lookups: Lookup[] = [];
  /** DNS messages sent (a SERVFAIL is asked again with CD). */
  queryCount = 0;

  constructor(
    readonly choice: ResolverChoice,
    private readonly opts: ResolverOptions = {},
  ) {}

  get label(): string {
    return `${formatServer(this.choice.server)} (${this.choice.source === 'option' ? `given with ${this.choice.givenBy ?? '--resolver'}` : 'system resolver'}${this.choice.trusted ? '' : ', not on loopback: its AD bit is not trusted'})`;
  }

  lookup(name: string, type: RecordType): Promise<Lookup> {
    const key = `${name.toLowerCase().replace(/\.$/, '')}/${type}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.run(name.replace(/\.$/, ''), type).then((l) => {
        this.lookups.push(l);
        return l;
      });
      this.cache.set(key, p);
    }
    return p;
  }

  /** A and AAAA of a name, as address strings; secure only when both answers are. */
  async addresses(name: string): Promise<{ addresses: string[]; a: Lookup; aaaa: Lookup }> {
    const [a, aaaa] = await Promise.all([this.lookup(name, 'A'), this.lookup(name, 'AAAA')]);
    const addresses = [...a.records, ...aaaa.records].map((r) => String(r.data));
    return { addresses, a, aaaa };
  }

  private async run(name: string, type: RecordType): Promise<Lookup> {
    const base = { name, type, records: [] as DnsRecord[], secure: false, signed: false, cnames: [] as string[] };
    const q = (cd: boolean) => query(this.choice.server, name, type, { signal: this.opts.signal, timeoutMs: this.opts.timeoutMs, checkingDisabled: cd });
    let res;
    try {
      this.queryCount++;
      res = await q(false);
      if (res.rcode === 'SERVFAIL') {
        // A validating resolver answers SERVFAIL for data that fails validation; with CD it hands the data out.
        this.queryCount++;
        const cd = await q(true).catch(() => undefined);
        if (cd && (cd.rcode === 'NOERROR' || cd.rcode === 'NXDOMAIN')) {
          const signed = cd.answers.some((r) => r.type === 'RRSIG') || cd.authorities.some((r) => r.type === 'RRSIG');
          return {
            ...base,
            status: 'bogus',
            signed,
            detail: `SERVFAIL; with checking disabled the resolver answers ${cd.rcode}${signed ? ' with signatures' : ''}: the data fails DNSSEC validation`,
          };
        }
        return { ...base, status: 'servfail', detail: 'SERVFAIL, also with checking disabled' };
      }
    } catch (err) {
      if (this.opts.signal?.aborted) throw err;
      if (err instanceof DnsTimeoutError) return { ...base, status: 'timeout', detail: err.message };
      const e = err as NodeJS.ErrnoException;
      return { ...base, status: 'error', detail: `${e.code && !String(e.message).includes(e.code) ? `${e.code} ` : ''}${e.message}` };
    }
    const signed = res.answers.some((r) => r.type === 'RRSIG') || res.authorities.some((r) => r.type === 'RRSIG');
    const secure = res.ad && this.choice.trusted;
    if (res.rcode === 'NXDOMAIN') return { ...base, status: 'nxdomain', secure, signed, detail: 'NXDOMAIN' };
    if (res.rcode !== 'NOERROR') return { ...base, status: 'error', secure, signed, detail: res.rcode };
    const cnames: string[] = [];
    let current = name.toLowerCase();
    for (let hop = 0; hop < 16; hop++) {
      const c = res.answers.find((r) => r.type === 'CNAME' && r.name.toLowerCase().replace(/\.$/, '') === current);
      if (!c) break;
      current = String(c.data).toLowerCase().replace(/\.$/, '');
      cnames.push(current);
    }
    const records = res.answers.filter((r) => r.type === type && r.name.toLowerCase().replace(/\.$/, '') === current);
    return {
      ...base,
      status: records.length ? 'ok' : 'nodata',
      records,
      secure,
      signed,
      cnames,
      detail: records.length ? plural(records.length, 'record') : 'no record of this type',
    };
  }
}

/**
 * A probe's `resolve` option backed by this resolver: A and AAAA through it, never the system's. A lookup that got
 * no usable answer rejects with an error carrying it as `lookup` (`FailedLookup`), which `resolveAll` reads.
 */
export function addressResolver(r: DomainResolver): (host: string) => Promise<string[]> {
  return async (host) => {
    const { addresses, a, aaaa } = await r.addresses(host);
    if (addresses.length) return addresses;
    // No address, so no lookup is `ok`: one that is neither "no record" nor "no such name" got no usable answer.
    const failed = [a, aaaa].find(
      (x): x is Lookup & { status: FailedLookup['status'] } => x.status !== 'nodata' && x.status !== 'nxdomain' && x.status !== 'ok',
    );
    const err = new Error(
      failed
        ? `${failed.type} lookup through ${formatServer(r.choice.server)}: ${failed.detail}`
        : `no A or AAAA record (asked ${formatServer(r.choice.server)})`,
    ) as NodeJS.ErrnoException;
    err.code = failed ? undefined : 'ENOTFOUND';
    // What failed, for the probe's finding: the resolver's failure, a SERVFAIL or bogus data, not a missing name.
    if (failed) (err as Error & { lookup?: FailedLookup }).lookup = { type: failed.type, status: failed.status, detail: failed.detail };
    throw err;
  };
}
