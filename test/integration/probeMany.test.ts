/**
 * probeMany settles only once every probe it started has ended: a bad endpoint among good ones is one more
 * result (a finding, no connection), and a failure that does end the run (a throwing onResult, an abort)
 * cancels the other probes first. The lab servers count connections, so a probe left running shows as a
 * connection arriving after probeMany has returned.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionLimiter, probeEndpoint, probeMany, type ProbeResult } from '../../src/core/probe';
import * as lab from '../support/hostile';
import { startHostile, type HostileServer } from '../support/hostile';
import { waitFor } from '../support/wait';

const STEP_MS = 1500;

function clientSocketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof net.Socket && h.remotePort === port).length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('probeMany leaves no probe behind', function () {
  this.timeout(20000);
  const servers: HostileServer[] = [];
  before(() => lab.healthyTls());
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function server(make: () => lab.Behaviour): Promise<HostileServer> {
    const s = await startHostile(make(), { protocol: 'smtp', mode: 'starttls' });
    servers.push(s);
    return s;
  }

  it('an invalid endpoint among valid ones is a result with a finding, and the valid ones are probed in full', async () => {
    const slow = await server(() => lab.slowCapabilities(200));
    const fast = await server(lab.healthy);
    const endpoints = [slow.endpoint(), { ...fast.endpoint(), host: 'mail.example.test\r\nQUIT' }, fast.endpoint({ servername: 'bad name' }), fast.endpoint()];
    const streamed: ProbeResult[] = [];
    const results = await probeMany(endpoints, { timeoutMs: STEP_MS, limiter: new ConnectionLimiter(), onResult: (r) => streamed.push(r) });
    assert.deepEqual(
      results.map((r) => r.findings.filter((f) => f.id.startsWith('endpoint.')).map((f) => f.id)),
      [[], ['endpoint.invalid-host'], ['endpoint.invalid-servername'], []],
    );
    assert.equal(streamed.length, 4);
    for (const i of [0, 3]) {
      assert.ok(results[i].tls, `endpoint ${i} was probed`);
      assert.ok(
        Object.values(results[i].versions).some((v) => v !== null),
        `endpoint ${i}: the version scan ran`,
      );
    }
    // Everything the run started has ended by the time it returned.
    const accepted = slow.stats.accepted + fast.stats.accepted;
    await sleep(400);
    assert.equal(slow.stats.accepted + fast.stats.accepted, accepted, 'a connection arrived after probeMany settled');
    assert.ok(await waitFor(() => clientSocketsTo(slow.port) + clientSocketsTo(fast.port) === 0, 200));
  });

  it('a throwing onResult ends the run only after the other probes are cancelled', async () => {
    const fast = await server(lab.healthy);
    const slow = await server(() => lab.slowCapabilities(500));
    const boom = new Error('the caller failed');
    const run = probeMany([fast.endpoint({ servername: 'first' }), slow.endpoint(), slow.endpoint({ servername: 'other' })], {
      timeoutMs: STEP_MS,
      limiter: new ConnectionLimiter(),
      onResult: () => {
        throw boom;
      },
    });
    await assert.rejects(run, (e) => e === boom);
    // Destroyed before it settled; a destroyed socket leaves the handle list on its 'close' event, a tick later.
    assert.ok(await waitFor(() => clientSocketsTo(slow.port) === 0, 200), 'the slow probes were stopped when probeMany settled');
    const accepted = slow.stats.accepted;
    await sleep(800); // past the slow server's reply: a probe left running would now start its version scan
    assert.equal(slow.stats.accepted, accepted, 'a connection arrived after probeMany settled');
    assert.ok(await waitFor(() => slow.stats.open === 0, 1000), `the server still sees ${slow.stats.open} connection(s)`);
  });

  it('the callbacks name the endpoint of each start, transcript line, finished endpoint and the failure that ends the run', async () => {
    const fast = await server(lab.healthy);
    const slow = await server(() => lab.slowCapabilities(500));
    const good = fast.endpoint({ servername: 'first' });
    const invalid = { ...fast.endpoint(), port: 0 };
    const events: string[] = [];
    const transcriptOf = new Set<string>();
    await probeMany([good, invalid], {
      timeoutMs: STEP_MS,
      scanVersions: false,
      limiter: new ConnectionLimiter(),
      concurrency: 1,
      onStart: (ep, i) => events.push(`start ${i} ${ep.servername ?? ''}`),
      onEndpointDone: (ep, results, i) => events.push(`done ${i} ${ep.port} ${results.length}`),
      onTranscript: (line, ep) => transcriptOf.add(ep.servername ?? ''),
    });
    // The invalid endpoint is not started (no connection), but it is done with its one result.
    assert.deepEqual(events, ['start 0 first', `done 0 ${fast.port} 1`, 'done 1 0 1']);
    assert.deepEqual([...transcriptOf], ['first']);

    const boom = new Error('the caller failed');
    const failed: string[] = [];
    const run = probeMany([good, slow.endpoint({ servername: 'slow' })], {
      timeoutMs: STEP_MS,
      limiter: new ConnectionLimiter(),
      onEndpointDone: (ep) => {
        if (ep.servername === 'first') throw boom;
      },
      onFailure: (ep, err, i) => failed.push(`${i} ${ep.servername ?? ''} ${err === boom}`),
    });
    await assert.rejects(run, (e) => e === boom);
    assert.deepEqual(failed, ['0 first true']);
    assert.ok(await waitFor(() => clientSocketsTo(slow.port) === 0, 200), 'the slow probe was stopped when probeMany settled');
  });

  it('an abort rejects with AbortError once every probe has let go of its connections', async () => {
    const slow = await server(() => lab.slowCapabilities(2000));
    const ac = new AbortController();
    const run = probeMany([slow.endpoint(), slow.endpoint({ servername: 'other' })], { timeoutMs: 5000, signal: ac.signal, limiter: new ConnectionLimiter() });
    assert.ok(await waitFor(() => slow.stats.accepted === 2, 2000), 'both probes connected');
    ac.abort();
    await assert.rejects(run, { name: 'AbortError' });
    assert.ok(await waitFor(() => clientSocketsTo(slow.port) === 0, 200));
    const accepted = slow.stats.accepted;
    await sleep(300);
    assert.equal(slow.stats.accepted, accepted);
  });

  it('an unreadable CA file is a finding, not an exception, and opens no connection', async () => {
    const s = await server(lab.healthy);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-ca-'));
    try {
      const missing = path.join(dir, 'missing\nca.pem');
      const [r] = await probeEndpoint(s.endpoint({ caFiles: [missing] }), { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
      assert.deepEqual(
        r.findings.map((f) => f.id),
        ['endpoint.ca-unreadable'],
      );
      assert.match(r.findings[0].title, /missing\\nca\.pem.*ENOENT/);
      await sleep(50);
      assert.equal(s.stats.accepted, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a list of CA files once per run; an unreadable one is a finding of its own for each endpoint naming it', async () => {
    const s = await server(lab.healthy);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-ca-'));
    try {
      const ca = path.join(dir, 'ca.pem');
      fs.writeFileSync(ca, lab.healthyTls().caPem);
      const ep = s.endpoint({ caFiles: [ca] });
      // The file is emptied when the second probe starts: that probe still judges with what the run read.
      const results = await probeMany([ep, ep], {
        concurrency: 1,
        timeoutMs: STEP_MS,
        limiter: new ConnectionLimiter(),
        onStart: (_e, i) => i === 1 && fs.writeFileSync(ca, ''),
      });
      assert.deepEqual(
        results.map((r) => r.trusted),
        [true, true],
      );
      // A new run reads it again: now it trusts nothing.
      const [again] = await probeMany([ep], { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
      assert.equal(again.trusted, false);

      const missing = s.endpoint({ caFiles: [path.join(dir, 'missing.pem')] });
      const [a, b] = await probeMany([missing, missing], { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
      assert.deepEqual(
        [...a.findings, ...b.findings].map((f) => f.id),
        ['endpoint.ca-unreadable', 'endpoint.ca-unreadable'],
      );
      assert.notEqual(a.findings[0], b.findings[0], 'each result has its own finding object');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid port is a finding', async () => {
    const s = await server(lab.healthy);
    for (const port of [0, 65536, 1.5, Number.NaN]) {
      const [r] = await probeEndpoint(s.endpoint({ port }), { limiter: new ConnectionLimiter() });
      assert.deepEqual(
        r.findings.map((f) => f.id),
        ['endpoint.invalid-port'],
        String(port),
      );
    }
  });
});
