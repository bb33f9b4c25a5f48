import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ConnectionLimiter, probeEndpoint } from '../../src/core/probe';
import { tcpConnect } from '../../src/core/probe/tcp';
import type { Dialer } from '../../src/core/probe/types';
import * as hostile from '../support/hostile';
import { serveLegacyRenegotiationHello } from '../support/hostile/rawTls';
import { startLab, type Lab } from '../support/lab';

/** A raw server that says whatever `onConnect` writes: for limits the lab's well-behaved servers never hit. */
async function rawServer(onConnect: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConnect(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const ep = (port: number) => ({ host: '127.0.0.1', port, protocol: 'smtp' as const, mode: 'starttls' as const, servername: 'mail.lab.test' });

describe('probe bounds', function () {
  this.timeout(20_000);

  it('stops reading an over-long line', async () => {
    const srv = await rawServer((s) => s.write(`220 ${'x'.repeat(100_000)}`));
    try {
      const [r] = await probeEndpoint(ep(srv.port), { timeoutMs: 3000 });
      assert.deepEqual(
        r.findings.map((f) => f.id),
        ['protocol.bad-reply'],
      );
      assert.match(r.findings[0].detail, /longer than/);
      assert.ok(JSON.stringify(r).length < 50_000, 'the result stays small');
    } finally {
      await srv.close();
    }
  });

  it('a ServerHello without renegotiation_info (RFC 5746) is named as such, with no version advice', async () => {
    const srv = await rawServer((s) => serveLegacyRenegotiationHello(s));
    try {
      const [r] = await probeEndpoint({ ...ep(srv.port), mode: 'implicit' }, { timeoutMs: 3000, scanVersions: false });
      const f = r.findings.find((x) => x.id === 'tls.handshake-failed');
      assert.ok(f, JSON.stringify(r.findings.map((x) => x.id)));
      assert.match(f.title, /secure renegotiation \(RFC 5746\)/);
      assert.doesNotMatch(f.fix, /smtpd_tls_protocols/);
    } finally {
      await srv.close();
    }
  });

  it('stops an endless multi-line greeting', async () => {
    const srv = await rawServer((s) => {
      const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write('220-still greeting\r\n'.repeat(50))), 1);
      s.on('close', () => clearInterval(t));
    });
    try {
      const [r] = await probeEndpoint(ep(srv.port), { timeoutMs: 3000 });
      assert.deepEqual(
        r.findings.map((f) => f.id),
        ['protocol.bad-reply'],
      );
      assert.ok(r.transcript.length <= 401);
    } finally {
      await srv.close();
    }
  });

  it('treats a non-SMTP answer as a protocol error, not a crash', async () => {
    const srv = await rawServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const [r] = await probeEndpoint(ep(srv.port), { timeoutMs: 3000 });
      assert.deepEqual(
        r.findings.map((f) => f.id),
        ['protocol.bad-reply'],
      );
    } finally {
      await srv.close();
    }
  });

  it('reports a server that refuses EHLO and HELO as a rejection, without sending STARTTLS', async () => {
    const srv = await rawServer((s) => {
      s.write('220 mx ESMTP\r\n');
      s.on('data', (d) => {
        for (const line of d.toString().split('\r\n').filter(Boolean))
          s.write(/^QUIT/i.test(line) ? '221 bye\r\n' : '554 5.7.1 <[127.0.0.1]>: Helo command rejected: policy\r\n');
      });
    });
    try {
      const [r] = await probeEndpoint(ep(srv.port), { timeoutMs: 3000 });
      assert.deepEqual(
        r.findings.map((f) => f.id),
        ['greeting.rejected'],
      );
      assert.ok(!r.transcript.some((l) => l.kind === 'C' && l.text === 'STARTTLS'));
      assert.ok(r.transcript.some((l) => l.kind === 'C' && l.text === 'QUIT'));
    } finally {
      await srv.close();
    }
  });

  describe('over TLS, reading stops at the bound', () => {
    // Counted on the TCP socket under TLS: once our close_notify is out, OpenSSL drops what still comes without
    // telling anyone, so only the raw byte count shows a connection that goes on reading.
    const counted = () => {
      const sockets: net.Socket[] = [];
      const dialer: Dialer = { connect: (scope, address, port, ms) => tcpConnect(scope, address, port, ms).then((s) => (sockets.push(s), s)) };
      return { sockets, dialer };
    };
    const MB = 1024 * 1024;

    it('an endless capability reply ends the connection at the reply-line limit', async () => {
      const srv = await hostile.startHostile(hostile.endlessCapabilities(), { protocol: 'smtp', mode: 'implicit' });
      const { sockets, dialer } = counted();
      try {
        const [r] = await probeEndpoint(srv.endpoint(), { timeoutMs: 3000, dialer, scanVersions: false });
        const bad = r.findings.find((f) => f.id === 'protocol.bad-reply');
        assert.match(bad?.detail ?? '', /more than 200 lines/);
        assert.equal(sockets.length, 1);
        assert.ok(sockets[0].bytesRead < MB, `read ${sockets[0].bytesRead} bytes`);
      } finally {
        await srv.close();
      }
    });

    it('a server that floods after its goodbye is cut off, not read for as long as we wait for its close', async () => {
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const floodAfterQuit: hostile.Behaviour = {
        name: 'flood-after-quit',
        neverClose: true,
        quit(c, tag) {
          c.write(c.phrases.quitReply(tag));
          c.flood(() => chunk);
        },
      };
      const srv = await hostile.startHostile(floodAfterQuit, { protocol: 'smtp', mode: 'implicit' });
      const { sockets, dialer } = counted();
      try {
        const [r] = await probeEndpoint(srv.endpoint(), { timeoutMs: 3000, dialer, scanVersions: false });
        assert.ok(r.tls, 'the dialogue itself went well');
        assert.ok(!r.findings.some((f) => f.id.startsWith('protocol.')));
        assert.equal(sockets.length, 1);
        assert.ok(sockets[0].bytesRead < 4 * MB, `read ${sockets[0].bytesRead} bytes`);
      } finally {
        await srv.close();
      }
    });
  });

  describe('connections per host', () => {
    let lab: Lab;
    before(async () => {
      lab = await startLab({ only: ['healthy'] });
    });
    after(() => lab.close());

    it('never opens more than 2 connections at once to one server, even for many probes', async () => {
      let active = 0;
      let peak = 0;
      const target = lab.servers.healthy.port;
      // Counts connections as the server sees them: one ends when either side hangs up. Relays by hand:
      // pipe() would stop reading the client once the server hung up, and miss its close.
      const proxy = await rawServer((s) => {
        active++;
        peak = Math.max(peak, active);
        let open = true;
        const gone = () => {
          if (open) active--;
          open = false;
          s.destroy();
          up.destroy();
        };
        const up = net.connect(target, '127.0.0.1');
        up.on('error', gone);
        up.on('data', (d) => s.write(d));
        s.on('data', (d) => up.write(d));
        up.on('end', gone);
        s.on('end', gone);
        s.on('close', gone);
      });
      try {
        const limiter = new ConnectionLimiter();
        const rs = await Promise.all([1, 2, 3].map(() => probeEndpoint({ ...ep(proxy.port), caFiles: [lab.caFile] }, { timeoutMs: 3000, limiter })));
        for (const [r] of rs)
          assert.deepEqual(
            r.findings.filter((f) => f.severity !== 'info'),
            [],
          );
        assert.ok(peak <= 2, `peak ${peak}`);
        assert.ok(peak >= 1);
      } finally {
        await proxy.close();
      }
    });
  });
});
