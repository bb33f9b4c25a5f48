/**
 * An in-process DNS server on loopback (UDP and TCP on one port) built on dns-packet, for tests: it answers
 * from a record list, follows in-zone CNAMEs, sets AD for names marked signed (and adds an RRSIG-typed record so
 * "signed" is visible), answers SERVFAIL for bogus names unless CD is set, truncates UDP answers on request,
 * can be slow or silent, and logs every question it gets (transport, name, type, flags).
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as packet from 'dns-packet';

export interface TestRecord {
  name: string;
  type: string;
  data: unknown;
  ttl?: number;
}

export interface DnsServerSpec {
  records: TestRecord[];
  /** Names (lower case, no trailing dot) whose answers carry AD and signatures. `*` = every name. */
  signed?: Set<string>;
  /** Names whose data is signed but does not validate: SERVFAIL, data only with CD. */
  bogus?: Set<string>;
  /** Names that get SERVFAIL always (a broken server). */
  servfail?: Set<string>;
  /** Signed data (RRSIG) without AD: a non-validating resolver. */
  signaturesWithoutAd?: boolean;
  /** Truncate every UDP answer (TC, no records): the client must ask again over TCP. */
  truncateUdp?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer. */
  silent?: boolean;
}

export interface LoggedQuery {
  transport: 'udp' | 'tcp';
  name: string;
  type: string;
  do: boolean;
  cd: boolean;
  ad: boolean;
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** `127.0.0.1:PORT`, for --resolver. */
  address: string;
  log: LoggedQuery[];
  spec: DnsServerSpec;
  close(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

function has(set: Set<string> | undefined, name: string): boolean {
  return !!set && (set.has('*') || set.has(norm(name)));
}

export function answer(spec: DnsServerSpec, query: packet.Packet, transport: 'udp' | 'tcp'): packet.Packet {
  const q = query.questions![0];
  const flags = query.flags ?? 0;
  const cd = (flags & packet.CHECKING_DISABLED) !== 0;
  const base = { type: 'response' as const, id: query.id, questions: query.questions };
  const withFlags = (extra: number) => packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | extra;
  if (has(spec.servfail, q.name) || (has(spec.bogus, q.name) && !cd)) {
    return { ...base, flags: withFlags(0) | 2 };
  }
  const answers: packet.Answer[] = [];
  let name = norm(q.name);
  let signed = has(spec.signed, name) || has(spec.bogus, name);
  for (let hop = 0; hop < 8; hop++) {
    const cname = spec.records.find((r) => norm(r.name) === name && r.type === 'CNAME');
    if (!cname || q.type === 'CNAME') break;
    answers.push({ name, type: 'CNAME', ttl: 60, data: cname.data } as packet.Answer);
    name = norm(String(cname.data));
    signed = signed && has(spec.signed, name);
  }
  const found = spec.records.filter((r) => norm(r.name) === name && r.type === q.type);
  for (const r of found) answers.push({ name, type: r.type, ttl: r.ttl ?? 60, data: r.data } as packet.Answer);
  const exists = spec.records.some((r) => norm(r.name) === name || norm(r.name).endsWith(`.${name}`));
  const rcode = answers.length === 0 && !exists ? 3 : 0;
  const sig = signed || spec.signaturesWithoutAd;
  if (sig && found.length) {
    answers.push({
      name,
      type: 'RRSIG',
      ttl: 60,
      data: {
        typeCovered: q.type,
        algorithm: 13,
        labels: name.split('.').length,
        originalTTL: 60,
        expiration: 2000000000,
        inception: 1600000000,
        keyTag: 1,
        signersName: name,
        signature: Buffer.alloc(64, 1),
      },
    } as packet.Answer);
  }
  const ad = signed && !spec.signaturesWithoutAd && !has(spec.bogus, name);
  if (transport === 'udp' && spec.truncateUdp) return { ...base, flags: withFlags(packet.TRUNCATED_RESPONSE) };
  return { ...base, flags: withFlags(ad ? packet.AUTHENTIC_DATA : 0) | rcode, answers };
}

function log(server: TestDnsServer, transport: 'udp' | 'tcp', q: packet.Packet) {
  const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as { flags?: number } | undefined;
  server.log.push({
    transport,
    name: norm(q.questions?.[0]?.name ?? ''),
    type: q.questions?.[0]?.type ?? '',
    do: ((opt?.flags ?? 0) & packet.DNSSEC_OK) !== 0,
    cd: ((q.flags ?? 0) & packet.CHECKING_DISABLED) !== 0,
    ad: ((q.flags ?? 0) & packet.AUTHENTIC_DATA) !== 0,
  });
}

export async function startDnsServer(spec: DnsServerSpec, host = '127.0.0.1'): Promise<TestDnsServer> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve());
    });
    const port = udp.address().port;
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    if (!ok) {
      udp.close();
      continue;
    }
    const sockets = new Set<net.Socket>();
    const timers = new Set<NodeJS.Timeout>();
    const later = (fn: () => void) => {
      if (!spec.delayMs) return fn();
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, spec.delayMs);
      timers.add(t);
    };
    const server: TestDnsServer = {
      host,
      port,
      address: `${host}:${port}`,
      log: [],
      spec,
      close: async () => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => udp.close(() => r()));
        await new Promise<void>((r) => tcp.close(() => r()));
      },
    };
    udp.on('message', (buf, rinfo) => {
      let q: packet.Packet;
      try {
        q = packet.decode(buf);
      } catch {
        return;
      }
      log(server, 'udp', q);
      if (spec.silent) return;
      later(() => udp.send(packet.encode(answer(spec, q, 'udp')), rinfo.port, rinfo.address));
    });
    tcp.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      let buf = Buffer.alloc(0);
      s.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          let q: packet.Packet;
          try {
            q = packet.decode(msg);
          } catch {
            s.destroy();
            return;
          }
          log(server, 'tcp', q);
          if (spec.silent) continue;
          later(() => {
            const out = packet.encode(answer(spec, q, 'tcp'));
            const len2 = Buffer.alloc(2);
            len2.writeUInt16BE(out.length);
            s.write(Buffer.concat([len2, out]));
          });
        }
      });
    });
    return server;
  }
  throw new Error('could not bind a DNS server on one UDP+TCP port');
}
