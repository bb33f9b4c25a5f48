import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEarlyConnection } from '../../src/cli/earlyConnect';
import { main } from '../../src/cli/main';
import { ConnectionLimiter, probeEndpoint } from '../../src/core/probe';
import { captureIO } from '../support/cli';
import * as hostile from '../support/hostile';

/** A server that only counts connections (and holds them until it closes). */
async function countingServer() {
  const stats = { accepted: 0 };
  const held = new Set<net.Socket>();
  const server = net.createServer((s) => {
    stats.accepted++;
    held.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const s of held) s.destroy();
        server.close(() => r());
      }),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('probe: the first connection opens before the engine loads (src/cli/earlyConnect.ts)', function () {
  this.timeout(30_000);
  before(() => hostile.healthyTls());

  it('opens nothing unless the first connection is certain: names, several or open-ended targets, bad arguments', async () => {
    const srv = await countingServer();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-early-'));
    try {
      const list = path.join(tmp, 'targets.txt');
      fs.writeFileSync(list, `127.0.0.1:${srv.port}\n`);
      const t = `127.0.0.1:${srv.port}`;
      const declined = [
        [`localhost:${srv.port}`],
        [t, `127.0.0.2:${srv.port}`],
        [t, '--input', list],
        [t, `--input=${list}`],
        [t, '--from-config', tmp],
        [t, '--shard', '1/1'],
        [t, '--resolver', '127.0.0.1:53'],
        [t, '--ca', path.join(tmp, 'missing.pem')],
        [t, '--servername', 'bad name'],
        [t, '--protocol', 'http'],
        [t, '--no-such-option'],
        [],
      ];
      for (const args of declined) assert.equal(openEarlyConnection(args), undefined, args.join(' '));
      // A CA file the probe would refuse to read (a folder), and a port the probe would not connect to.
      assert.equal(openEarlyConnection([t, '--ca', tmp]), undefined);
      await settle();
      assert.equal(srv.stats.accepted, 0, 'no connection for any of them');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      await srv.close();
    }
  });

  it('hands its socket once, to the first connection to that address and port; an unused one is closed', async () => {
    const srv = await countingServer();
    try {
      const early = openEarlyConnection([`127.0.0.1:${srv.port}`, '--json', '--protocol', 'imap', '--starttls'])!;
      assert.ok(early);
      assert.deepEqual([early.address, early.port], ['127.0.0.1', srv.port]);
      await settle();
      assert.equal(srv.stats.accepted, 1, 'connected at once, before anyone took it');
      assert.equal(early.take('127.0.0.2', srv.port), undefined, 'another address');
      assert.equal(early.take('127.0.0.1', srv.port + 1), undefined, 'another port');
      const got = early.take('127.0.0.1', srv.port);
      assert.ok(got?.socket);
      assert.equal(got.connected, true);
      assert.equal(early.take('127.0.0.1', srv.port), undefined, 'only once');
      got.socket.destroy();

      const unused = openEarlyConnection([`127.0.0.1:${srv.port}`])!;
      await settle();
      assert.equal(srv.stats.accepted, 2);
      unused.discard();
      assert.equal(unused.take('127.0.0.1', srv.port), undefined, 'nothing to take after discard');
    } finally {
      await srv.close();
    }
  });

  it('a connection that failed or was closed before it was taken is not handed out (the probe connects the usual way)', async () => {
    const srv = await countingServer();
    const port = srv.port;
    await srv.close();
    const early = openEarlyConnection([`127.0.0.1:${port}`])!;
    await settle();
    assert.equal(early.take('127.0.0.1', port), undefined);
    // The CLI then reports the refusal exactly as without it.
    const io = captureIO();
    await main(['probe', `127.0.0.1:${port}`, '--json', '--timeout', '1500'], io);
    assert.deepEqual(
      JSON.parse(io.stdout).results[0].findings.map((f: { id: string }) => f.id),
      ['tcp.refused'],
    );
  });

  for (const [protocol, mode, behaviour] of [
    ['smtp', 'starttls', () => hostile.slowCapabilities(20)],
    ['imap', 'implicit', () => hostile.slowCapabilities(20)],
    // Greets with "busy" and hangs up, likely before the engine takes the connection: its greeting is still read.
    ['smtp', 'starttls', hostile.busy],
  ] as const) {
    it(`the CLI's probe uses it (${protocol} ${mode}, ${behaviour().name}): the server sees the connections of a probe without it, at most 2 at once, and the same verdicts`, async () => {
      // Counted on the server side from accept to the client's close (test/support/hostile).
      const server = await hostile.startHostile(behaviour(), { protocol, mode });
      try {
        const ep = server.endpoint();
        const [plain] = await probeEndpoint(ep, { limiter: new ConnectionLimiter(), timeoutMs: 5000 });
        await settle();
        const before = server.stats.accepted;
        assert.ok(before >= (plain.tls ? 3 : 1), `connections of a probe (${before})`);
        assert.ok(server.stats.maxOpen <= 2);

        const io = captureIO();
        await main(['probe', `127.0.0.1:${ep.port}`, '--protocol', protocol, `--${mode}`, '--servername', ep.servername!, '--timeout', '5000', '--json'], io);
        await settle();
        const [cli] = JSON.parse(io.stdout).results;
        assert.equal(server.stats.accepted - before, before, "no connection more: the early one was the probe's first");
        assert.ok(server.stats.maxOpen <= 2, 'at most 2 at once');
        assert.deepEqual(cli.versions, plain.versions);
        assert.deepEqual(cli.tls, plain.tls);
        assert.equal(cli.trusted, plain.trusted);
        assert.deepEqual(cli.findings.map((f: { id: string }) => f.id).sort(), plain.findings.map((f) => f.id).sort());
        assert.match(cli.transcript[0].text, new RegExp(`^connected to 127\\.0\\.0\\.1 port ${ep.port}$`));
      } finally {
        await server.close();
      }
    });
  }
});
