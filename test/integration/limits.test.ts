/**
 * Connection limits, counted on the server side: a per-host cap (per address and port, as mail daemons count),
 * a global cap, back-off after "421 too many connections", and 200 endpoints probed without exceeding the cap.
 */
import * as assert from 'node:assert/strict';
import { ConnectionLimiter, defaultLimiter, probeMany } from '../../src/core/probe';
import * as lab from '../support/hostile';
import { startHostile, type HostileServer } from '../support/hostile';

describe('limits: connection caps and back-off', function () {
  this.timeout(60000);
  const servers: HostileServer[] = [];
  before(() => lab.healthyTls());
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('per host: ten probes of one service, version scans included, never hold more than perHost connections', async () => {
    const server = await startHostile(lab.slowCapabilities(80));
    servers.push(server);
    const limiter = new ConnectionLimiter({ perHost: 2, global: 64 });
    const eps = Array.from({ length: 10 }, () => server.endpoint());
    const results = await probeMany(eps, { concurrency: 10, limiter, timeoutMs: 3000 });
    assert.equal(results.length, 10);
    assert.ok(
      results.every((r) => r.tls !== null),
      'every probe got through',
    );
    assert.ok(server.stats.accepted > 10, `version scans opened more connections (${server.stats.accepted})`);
    assert.equal(server.stats.maxOpen, 2, `peak ${server.stats.maxOpen} connections at once`);
  });

  it('per host means per service: two ports of one address each get their own cap', async () => {
    const stats = lab.connectionStats();
    const a = await startHostile(lab.slowCapabilities(80), { stats });
    const b = await startHostile(lab.slowCapabilities(80), { stats });
    servers.push(a, b);
    const limiter = new ConnectionLimiter({ perHost: 1, global: 64 });
    await probeMany(
      [a, b, a, b].map((s) => s.endpoint()),
      { concurrency: 4, limiter, timeoutMs: 3000, scanVersions: false },
    );
    // One address, two services: at most one connection to each at a time, so at most two to the address.
    assert.ok(stats.maxOpen <= 2 && stats.maxOpen >= 1, `peak ${stats.maxOpen}`);
  });

  it('global: 200 endpoints on 200 loopback addresses stay within the global cap', async () => {
    const stats = lab.connectionStats();
    for (let i = 0; i < 200; i++) {
      servers.push(await startHostile(lab.slowCapabilities(30), { host: `127.0.0.${i + 2}`, stats }));
    }
    const limiter = new ConnectionLimiter({ perHost: 2, global: 16 });
    const results = await probeMany(
      servers.map((s) => s.endpoint()),
      { concurrency: 200, limiter, timeoutMs: 5000, scanVersions: false },
    );
    assert.equal(results.length, 200);
    const failed = results.filter((r) => r.tls === null);
    assert.deepEqual(
      failed.map((r) => `${r.address}: ${r.findings.map((f) => f.id).join(',')}`),
      [],
    );
    assert.equal(stats.accepted, 200);
    assert.equal(stats.byAddress.size, 200);
    assert.ok(stats.maxOpen <= 16, `peak ${stats.maxOpen} connections at once`);
    assert.ok(stats.maxOpen >= 8, `the cap is used, not serialised (peak ${stats.maxOpen})`);
  });

  it('the defaults (no limiter given) cap 200 endpoints too', async () => {
    const stats = lab.connectionStats();
    for (let i = 0; i < 200; i++) {
      servers.push(await startHostile(lab.slowCapabilities(30), { host: `127.0.1.${i + 2}`, stats }));
    }
    const results = await probeMany(
      servers.map((s) => s.endpoint()),
      { concurrency: 200, timeoutMs: 5000, scanVersions: false },
    );
    assert.equal(results.length, 200);
    assert.ok(stats.maxOpen <= defaultLimiter.global, `peak ${stats.maxOpen} > default global cap ${defaultLimiter.global}`);
  });

  it('back-off: after a 421, no new connection to that service until the back-off has passed', async () => {
    const behaviour = lab.busyBeyond(1, 150);
    const server = await startHostile(behaviour);
    servers.push(server);
    const backoffMs = 400;
    const limiter = new ConnectionLimiter({ perHost: 3, global: 64, backoffMs });
    // The client's side of it, in its own order of events: when it learned of each 421 (the back-off call) and when
    // it was given each new connection. The server's clock would not do under load: a probe reads the 421 only when
    // its event loop gets to it, and connections it opened before then are rightly accepted after the 421 went out.
    const learned: number[] = [];
    const granted: number[] = [];
    const backOff = limiter.backOff.bind(limiter);
    limiter.backOff = (host, ms) => {
      learned.push(performance.now());
      backOff(host, ms);
    };
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = (host, signal, opts) =>
      // A grant happens inside the limiter and settles the promise, so this runs in the same turn.
      acquire(host, signal, opts).then((release) => {
        granted.push(performance.now());
        return release;
      });
    const results = await probeMany(
      Array.from({ length: 6 }, () => server.endpoint()),
      { concurrency: 6, limiter, timeoutMs: 3000, scanVersions: false },
    );
    const busy = results.filter((r) => r.findings.some((f) => f.id === 'greeting.rejected'));
    assert.ok(busy.length >= 1, 'the server said 421 at least once');
    assert.ok(busy.every((r) => r.findings.some((f) => /too many connections|temporarily unavailable/.test(f.title))));
    assert.ok(
      results.some((r) => r.tls !== null),
      'the probes that waited got through',
    );
    assert.equal(learned.length, busy.length, 'each 421 started a back-off');
    assert.equal(behaviour.busyAt.length, learned.length, 'the client read every 421 the server sent');
    assert.equal(server.stats.acceptedAt.get(server.host)?.length, granted.length, 'each connection the server saw was granted first');

    // Every 421 the client read opens a quiet period: a connection granted inside one (allowing 20 ms of timer slack
    // at its end) would mean a probe ignored the back-off.
    for (const t of learned) {
      const early = granted.filter((g) => g > t && g < t + backoffMs - 20);
      assert.deepEqual(
        early.map((g) => Math.round(g - t)),
        [],
        `connections granted (ms after the client read a 421) inside the back-off`,
      );
    }
  });

  it('back-off on 421 is per service: another port of the same address is still probed', async () => {
    const busy = await startHostile(lab.busy());
    const fine = await startHostile(lab.healthy());
    servers.push(busy, fine);
    const limiter = new ConnectionLimiter({ backoffMs: 60_000 });
    const t0 = performance.now();
    const [first] = await probeMany([busy.endpoint()], { limiter, timeoutMs: 2000 });
    assert.ok(first.findings.some((f) => f.id === 'greeting.rejected'));
    assert.equal(busy.stats.accepted, 1, 'no version scan against a busy server');
    const [other] = await probeMany([fine.endpoint()], { limiter, timeoutMs: 2000, scanVersions: false });
    assert.ok(other.tls, 'the other service was probed at once');
    assert.ok(performance.now() - t0 < 10_000);
  });
});
