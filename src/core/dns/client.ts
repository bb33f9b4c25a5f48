/**
 * A small stub-resolver client on `dns-packet`: one question per query, sent with the DO bit (and AD set, so a
 * validating resolver reports its verdict, RFC 6840 5.7) to exactly one server; UDP first, TCP when the answer
 * is truncated. Every read is bounded in bytes and time and every query is cancellable. It does no DNSSEC
 * validation of its own: the AD bit of a resolver the user trusts is the DNSSEC status.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as packet from 'dns-packet';
import { nodeCrypto } from '../nodeLazy';
import { formatServer, type DnsServer } from './server';

export { formatServer, parseServer, type DnsServer } from './server';

export type RecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'TLSA' | 'CNAME' | 'NS' | 'SOA' | 'DNSKEY';

/** A resource record as decoded by dns-packet (OPT pseudo-records left out). */
export interface DnsRecord {
  name: string;
  type: string;
  ttl?: number;
  data: unknown;
}

export interface DnsResponse {
  server: DnsServer;
  rcode: string;
  /** The resolver's AD bit: it validated every record of the answer. */
  ad: boolean;
  /** The answer came over TCP after a truncated UDP answer. */
  tcp: boolean;
  answers: DnsRecord[];
  authorities: DnsRecord[];
}

export interface QueryOptions {
  signal?: AbortSignal;
  /** Total time for the query (all UDP tries and the TCP fallback); default 5000. */
  timeoutMs?: number;
  /** Set CD (checking disabled): the resolver answers even data that fails validation. */
  checkingDisabled?: boolean;
}

export class DnsTimeoutError extends Error {
  constructor(
    readonly server: DnsServer,
    readonly ms: number,
  ) {
    super(`no answer from ${formatServer(server)} within ${ms} ms`);
    this.name = 'DnsTimeoutError';
  }
}

export class DnsProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnsProtocolError';
  }
}

export const DEFAULT_DNS_TIMEOUT_MS = 5000;
/** What we offer in EDNS: the DNS-flag-day size that avoids IP fragmentation. */
const UDP_PAYLOAD = 1232;
/** Largest DNS message over TCP (its length prefix is 16 bits). */
const MAX_TCP_MESSAGE = 65535;
const UDP_TRIES = 2;

export function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || /^::ffff:127\./i.test(host);
}

/** Sends one question to one server. Resolves with the decoded response; rejects on timeout, abort or garbage. */
export async function query(server: DnsServer, name: string, type: RecordType, opts: QueryOptions = {}): Promise<DnsResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const id = nodeCrypto().randomInt(0, 65536);
  const qname = name.replace(/\.$/, '') || '.';
  const msg = packet.encode({
    type: 'query',
    id,
    flags: packet.RECURSION_DESIRED | packet.AUTHENTIC_DATA | (opts.checkingDisabled ? packet.CHECKING_DISABLED : 0),
    questions: [{ type, name: qname, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: UDP_PAYLOAD, flags: packet.DNSSEC_OK } as packet.Answer],
  });
  const check = (res: packet.Packet): boolean => {
    const q = res.questions?.[0];
    return res.id === id && res.type === 'response' && !!q && q.type === type && q.name.toLowerCase() === qname.toLowerCase();
  };
  let res: packet.Packet | undefined;
  for (let i = 0; i < UDP_TRIES && !res; i++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    // The first try gets the larger share; a lost datagram is then retried once.
    const slice = i === UDP_TRIES - 1 ? left : Math.max(1, Math.floor(left * 0.6));
    res = await udpExchange(server, msg, check, slice, opts.signal);
  }
  if (!res) throw new DnsTimeoutError(server, timeoutMs);
  let tcp = false;
  if ((res.flags ?? 0) & packet.TRUNCATED_RESPONSE) {
    const left = deadline - Date.now();
    if (left <= 0) throw new DnsTimeoutError(server, timeoutMs);
    const full = await tcpExchange(server, msg, left, opts.signal);
    if (!full) throw new DnsTimeoutError(server, timeoutMs);
    if (!check(full)) throw new DnsProtocolError(`the TCP answer from ${formatServer(server)} does not match the question`);
    res = full;
    tcp = true;
  }
  const flags = res.flags ?? 0;
  return {
    server,
    rcode: (res as { rcode?: string }).rcode ?? 'NOERROR',
    ad: (flags & packet.AUTHENTIC_DATA) !== 0,
    tcp,
    answers: records(res.answers),
    authorities: records(res.authorities),
  };
}

function records(list: packet.Answer[] | undefined): DnsRecord[] {
  return (list ?? []).filter((r) => r.type !== 'OPT').map((r) => r as DnsRecord);
}

function abortReason(signal: AbortSignal): Error {
  const e = signal.reason instanceof Error ? signal.reason : new Error('The operation was aborted');
  if (!(signal.reason instanceof Error)) e.name = 'AbortError';
  return e;
}

/** One datagram out, the first matching datagram back (others are ignored); undefined on timeout. */
function udpExchange(
  server: DnsServer,
  msg: Buffer,
  check: (p: packet.Packet) => boolean,
  ms: number,
  signal?: AbortSignal,
): Promise<packet.Packet | undefined> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    // Addresses only: the socket never asks the system resolver, not even for its own wildcard bind address.
    const sock = dgram.createSocket({ type: net.isIPv6(server.host) ? 'udp6' : 'udp4', lookup: literalOnly });
    const end = exchangeEnd(ms, signal, resolve, reject, () => {
      try {
        sock.close();
      } catch {
        /* already closed */
      }
    });
    const finish = end.finish;
    sock.on('error', (err) => finish(err));
    sock.on('message', (buf, rinfo) => {
      // Only the server asked may answer (a connected socket already filters; this keeps the rule explicit).
      if (rinfo.port !== server.port || normal(rinfo.address) !== normal(server.host)) return;
      let p: packet.Packet;
      try {
        p = packet.decode(buf);
      } catch {
        return; // garbage: keep waiting for a real answer until the deadline
      }
      if (check(p)) finish(undefined, p);
    });
    sock.connect(server.port, server.host, () => {
      if (!end.done()) sock.send(msg, (err) => err && finish(err));
    });
  });
}

/**
 * How one exchange ends, whichever comes first: an answer, an error, the deadline (undefined), or the abort. It
 * settles once; the timer, the abort listener and the socket (`close`) are cleaned up on the way out.
 */
function exchangeEnd(
  ms: number,
  signal: AbortSignal | undefined,
  resolve: (p: packet.Packet | undefined) => void,
  reject: (err: Error) => void,
  close: () => void,
): { finish: (err: Error | undefined, value?: packet.Packet) => void; done: () => boolean } {
  let done = false;
  const finish = (err: Error | undefined, value?: packet.Packet) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    close();
    if (err) reject(err);
    else resolve(value);
  };
  const onAbort = () => finish(abortReason(signal!));
  const timer = setTimeout(() => finish(undefined, undefined), ms);
  signal?.addEventListener('abort', onAbort, { once: true });
  return { finish, done: () => done };
}

function literalOnly(host: string, _opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  const family = net.isIP(host);
  if (family) cb(null, host, family);
  else cb(Object.assign(new Error(`not an IP address: ${host.slice(0, 60)}`), { code: 'EINVAL' }), '', 0);
}

function normal(a: string): string {
  return a.replace(/^::ffff:/i, '').toLowerCase();
}

/** The question over TCP (2-byte length prefix); the reply is capped at 65535 bytes. undefined on timeout. */
function tcpExchange(server: DnsServer, msg: Buffer, ms: number, signal?: AbortSignal): Promise<packet.Packet | undefined> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const sock = net.connect({ host: server.host, port: server.port, lookup: literalOnly as never });
    let buf = Buffer.alloc(0);
    const { finish } = exchangeEnd(ms, signal, resolve, reject, () => sock.destroy());
    sock.on('error', (err) => finish(err));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_TCP_MESSAGE + 2)
        return finish(new DnsProtocolError(`${formatServer(server)} sent more than one DNS message's worth of data over TCP`));
      if (buf.length < 2) return;
      const need = buf.readUInt16BE(0);
      if (buf.length < need + 2) return;
      try {
        finish(undefined, packet.decode(buf.subarray(2, need + 2)));
      } catch (e) {
        finish(new DnsProtocolError(`${formatServer(server)} sent a malformed DNS message over TCP: ${(e as Error).message}`));
      }
    });
    sock.on('end', () => finish(new DnsProtocolError(`${formatServer(server)} closed the TCP connection before a whole answer`)));
  });
}
