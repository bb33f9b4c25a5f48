import * as assert from 'node:assert/strict';
import { parseServer, query } from '../../../../src/core/dns/client';
import { chooseResolver, DomainResolver } from '../../../../src/core/dns/resolver';
import { startDnsServer, type DnsServerSpec, type TestDnsServer } from '../../../support/dns/server';

const records = [
  { name: 'example.test', type: 'MX', data: { preference: 10, exchange: 'mx1.example.test' } },
  { name: 'mx1.example.test', type: 'A', data: '127.0.0.2' },
  { name: 'alias.example.test', type: 'CNAME', data: 'mx1.example.test' },
  { name: 'big.example.test', type: 'TXT', data: ['x'.repeat(200)] },
];

describe('DNS client (in-process DNS server on loopback)', function () {
  this.timeout(10_000);
  const servers: TestDnsServer[] = [];
  const start = async (spec: Partial<DnsServerSpec>) => {
    const s = await startDnsServer({ records, ...spec });
    servers.push(s);
    return s;
  };
  const resolverFor = (s: TestDnsServer, trusted = true, timeoutMs = 2000) =>
    new DomainResolver({ server: { host: s.host, port: s.port }, source: 'option', trusted }, { timeoutMs });
  after(async () => Promise.all(servers.map((s) => s.close())));

  it('asks with DO and AD set and reads the AD bit of a trusted resolver', async () => {
    const s = await start({ signed: new Set(['*']) });
    const l = await resolverFor(s).lookup('example.test', 'MX');
    assert.equal(l.status, 'ok');
    assert.equal(l.secure, true);
    assert.equal(l.signed, true);
    assert.deepEqual(
      l.records.map((r) => r.data),
      [{ preference: 10, exchange: 'mx1.example.test' }],
    );
    assert.equal(s.log[0].do, true);
    assert.equal(s.log[0].ad, true);
    assert.equal(s.log[0].transport, 'udp');
  });

  it("an answer without AD is not secure; an untrusted resolver's AD is ignored", async () => {
    const plain = await start({});
    const l = await resolverFor(plain).lookup('example.test', 'MX');
    assert.equal(l.status, 'ok');
    assert.equal(l.secure, false);
    const signed = await start({ signed: new Set(['*']) });
    const u = await resolverFor(signed, false).lookup('example.test', 'MX');
    assert.equal(u.status, 'ok');
    assert.equal(u.secure, false, 'AD from a resolver that is not trusted must not count');
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    const s = await start({ truncateUdp: true });
    const res = await query({ host: s.host, port: s.port }, 'big.example.test', 'TXT', { timeoutMs: 2000 });
    assert.equal(res.tcp, true);
    assert.equal(res.answers.length, 1);
    assert.deepEqual(
      s.log.map((q) => q.transport),
      ['udp', 'tcp'],
    );
  });

  it('follows a CNAME chain in the answer, tells NXDOMAIN from no data', async () => {
    const s = await start({});
    const r = resolverFor(s);
    const a = await r.lookup('alias.example.test', 'A');
    assert.deepEqual(a.cnames, ['mx1.example.test']);
    assert.deepEqual(
      a.records.map((x) => x.data),
      ['127.0.0.2'],
    );
    assert.equal((await r.lookup('mx1.example.test', 'AAAA')).status, 'nodata');
    assert.equal((await r.lookup('nothing.example.test', 'A')).status, 'nxdomain');
  });

  it('SERVFAIL on signed data (answered with CD) is bogus; SERVFAIL also with CD is a server failure', async () => {
    const s = await start({ bogus: new Set(['mx1.example.test']), servfail: new Set(['example.test']) });
    const r = resolverFor(s);
    const bogus = await r.lookup('mx1.example.test', 'A');
    assert.equal(bogus.status, 'bogus');
    assert.equal(bogus.signed, true);
    assert.ok(
      s.log.some((q) => q.name === 'mx1.example.test' && q.cd),
      'asked again with CD',
    );
    const fail = await r.lookup('example.test', 'MX');
    assert.equal(fail.status, 'servfail');
  });

  it('a slow server within the timeout is answered; a silent one times out within the bound', async () => {
    const slow = await start({ delayMs: 150 });
    assert.equal((await resolverFor(slow).lookup('example.test', 'MX')).status, 'ok');
    const silent = await start({ silent: true });
    const t0 = Date.now();
    const l = await resolverFor(silent, true, 400).lookup('example.test', 'MX');
    const took = Date.now() - t0;
    assert.equal(l.status, 'timeout');
    assert.ok(took < 2000, `took ${took} ms`);
    assert.equal(silent.log.length, 2, 'one retransmission within the budget');
  });

  it('a query is cancellable', async () => {
    const silent = await start({ silent: true });
    const ac = new AbortController();
    const p = query({ host: silent.host, port: silent.port }, 'example.test', 'MX', { timeoutMs: 5000, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
  });

  it('parses resolver addresses and trusts the system resolver only on loopback', () => {
    assert.deepEqual(parseServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
    assert.deepEqual(parseServer('[::1]:53'), { host: '::1', port: 53 });
    assert.deepEqual(parseServer('192.0.2.1'), { host: '192.0.2.1', port: 53 });
    assert.ok('error' in parseServer('dns.example.test'));
    assert.ok('error' in parseServer('127.0.0.1:99999'));
    const sys = (list: string[]) => chooseResolver(undefined, () => list);
    assert.deepEqual(sys(['127.0.0.53']), { server: { host: '127.0.0.53', port: 53 }, source: 'system', trusted: true });
    assert.equal((sys(['192.0.2.53']) as { trusted: boolean }).trusted, false);
    assert.equal((chooseResolver({ host: '192.0.2.53', port: 53 }) as { trusted: boolean; source: string }).source, 'option');
    assert.ok('error' in sys([]));
  });
});
