/**
 * One address's probe and its connection slots: back-offs never turn into silent waits, the goodbye after a
 * rejection is part of the result, and extra CA files that are not regular files never block the probe.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConnectionLimiter, probeEndpoint } from '../../src/core/probe';
import * as lab from '../support/hostile';
import { startHostile, type HostileServer } from '../support/hostile';

const STEP_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('probe session: slots, back-off and goodbye', function () {
  this.timeout(20_000);
  const servers: HostileServer[] = [];
  const closers: Array<() => Promise<void>> = [];
  before(() => lab.healthyTls());
  afterEach(async () => {
    await Promise.all([...servers.splice(0).map((s) => s.close()), ...closers.splice(0).map((c) => c())]);
  });
  const keyOf = (s: HostileServer) => `${s.host}|${s.port}`;

  it('a probe whose back-off outlasts its step timeout ends at once with a finding and opens no connection', async () => {
    const server = await startHostile(lab.healthy());
    servers.push(server);
    const limiter = new ConnectionLimiter();
    limiter.backOff(keyOf(server), 60_000);
    const t0 = performance.now();
    const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, limiter });
    // Far below the 60 s back-off: the probe did not wait it out.
    assert.ok(performance.now() - t0 < 10_000);
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['probe.backing-off'],
    );
    assert.match(r.findings[0].title, /busy.*6\d s|busy.*59 s/);
    assert.ok(r.transcript.some((l) => l.kind === 'note' && /not probed: the server said it was busy/.test(l.text)));
    assert.equal(r.tls, null);
    await sleep(50);
    assert.equal(server.stats.accepted, 0);
  });

  it('a probe that waits out a short back-off says so in its transcript, then probes', async () => {
    const server = await startHostile(lab.healthy());
    servers.push(server);
    const limiter = new ConnectionLimiter();
    limiter.backOff(keyOf(server), 300);
    const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, limiter, scanVersions: false });
    assert.ok(r.tls, 'probed after the back-off');
    const waited = r.transcript.findIndex((l) => l.kind === 'note' && /^waiting 1 s before connecting: the server said it was busy/.test(l.text));
    const connected = r.transcript.findIndex((l) => /^connected to /.test(l.text));
    assert.ok(waited >= 0 && waited < connected, 'the wait is noted before the connection');
  });

  it('maxBackoffWaitMs sets how long a probe waits for a back-off, beyond or below its step timeout', async () => {
    const server = await startHostile(lab.healthy());
    servers.push(server);
    const limiter = new ConnectionLimiter();
    limiter.backOff(keyOf(server), 1200);
    const [short] = await probeEndpoint(server.endpoint(), { timeoutMs: 1000, maxBackoffWaitMs: 100, limiter, scanVersions: false });
    assert.deepEqual(
      short.findings.map((f) => f.id),
      ['probe.backing-off'],
    );
    const [patient] = await probeEndpoint(server.endpoint(), { timeoutMs: 1000, maxBackoffWaitMs: Infinity, limiter, scanVersions: false });
    assert.ok(patient.tls, 'waited out a back-off longer than its step timeout');
    assert.ok(patient.transcript.some((l) => /^waiting [12] s before connecting/.test(l.text)));
    assert.equal(server.stats.accepted, 1);
  });

  it('a version scan queued when a back-off starts gives up ("not tested") instead of waiting it out', async () => {
    // Healthy for one connection at a time: the main connection passes, the parallel version scans get a 421.
    const server = await startHostile(lab.busyBeyond(1, 100));
    servers.push(server);
    const limiter = new ConnectionLimiter({ perHost: 2, backoffMs: 60_000 });
    const t0 = performance.now();
    const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, limiter });
    assert.ok(performance.now() - t0 < 10_000, 'far below the 60 s back-off');
    assert.ok(r.tls, 'the main connection got through');
    assert.ok(limiter.backoffRemaining(keyOf(server)) > 0, 'a version scan got the 421');
    assert.ok(
      r.transcript.some((l) => l.conn && /^TLSv1(\.\d)?: not tested \(the server said it was busy/.test(l.text)),
      r.transcript.map((l) => `${l.conn ?? ''} ${l.text}`).join('\n'),
    );
    assert.ok(server.stats.accepted <= 3, `main + at most perHost scans (${server.stats.accepted})`);
  });

  it('the goodbye after a 421 greeting is awaited: its reply is in the transcript, which no longer grows', async () => {
    // Answers 421, then QUIT with 221 after a pause longer than the client's polite-close grace period.
    const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
      sock.on('error', () => undefined);
      sock.write('421 4.7.0 busy.test Service not available, try again later\r\n');
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        if (/QUIT\r\n/.test(buf)) setTimeout(() => sock.end('221 2.0.0 Bye\r\n'), 400);
      });
      sock.on('end', () => setTimeout(() => sock.destroy(), 600));
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    closers.push(() => new Promise<void>((res) => srv.close(() => res())));
    const port = (srv.address() as net.AddressInfo).port;
    const [r] = await probeEndpoint({ host: '127.0.0.1', port, protocol: 'smtp', mode: 'starttls' }, { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
    assert.ok(r.findings.some((f) => f.id === 'greeting.rejected'));
    const text = r.transcript.map((l) => `${l.kind} ${l.text}`);
    assert.ok(text.includes('C QUIT') && text.includes('S 221 2.0.0 Bye'), text.join('\n'));
    const n = r.transcript.length;
    await sleep(200);
    assert.equal(r.transcript.length, n, 'nothing appended after the result was returned');
  });

  describe('extra CA files that are not regular files', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-ca-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const special: Array<[string, () => string]> = [
      ['/dev/zero (endless)', () => '/dev/zero'],
      [
        'a FIFO (blocks on read)',
        () => {
          const fifo = path.join(dir, 'ca.fifo');
          execFileSync('mkfifo', [fifo]);
          return fifo;
        },
      ],
      ['a directory', () => dir],
    ];
    for (const [name, make] of special) {
      it(`${name} is a finding, read never, and no connection is opened`, async () => {
        const server = await startHostile(lab.healthy());
        servers.push(server);
        const [r] = await probeEndpoint(server.endpoint({ caFiles: [make()] }), { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
        assert.deepEqual(
          r.findings.map((f) => f.id),
          ['endpoint.ca-unreadable'],
        );
        assert.match(r.findings[0].title, /not a regular file/);
        await sleep(50);
        assert.equal(server.stats.accepted, 0);
      });
    }
  });
});
