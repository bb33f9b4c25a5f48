import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startLatencyRelay } from '../../support/lab/latencyRelay';
import { listenClosable, type Listening } from '../../support/listen';

/** Greets, echoes every chunk, and answers the client's FIN with its own after a last line. */
async function echoServer(): Promise<Listening & { seen: string[]; open(): number }> {
  const sockets = new Set<net.Socket>();
  const seen: string[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.write('hello\n');
    s.on('data', (d) => {
      seen.push(String(d));
      s.write(d);
    });
    s.on('end', () => s.end('bye\n'));
  });
  return { ...(await listenClosable(server, sockets)), seen, open: () => sockets.size };
}

/** Connects, sends `chunks` one by one, then half-closes; resolves with all it read and when the greeting came. */
function client(port: number, chunks: string[]): Promise<{ text: string; greetingAfterMs: number; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let text = '';
    let connectedAt = 0;
    let greetingAfterMs = -1;
    let ended = false;
    s.on('connect', () => {
      connectedAt = performance.now();
      for (const c of chunks) s.write(c);
      s.end();
    });
    s.on('data', (d) => {
      if (greetingAfterMs < 0) greetingAfterMs = performance.now() - connectedAt;
      text += String(d);
    });
    s.on('end', () => {
      ended = true;
      s.destroy();
    });
    s.on('error', reject);
    s.on('close', () => resolve({ text, greetingAfterMs, ended }));
  });
}

describe('latency relay (bench support)', () => {
  it('forwards both directions in order, half-closes included, and delays the first byte by two round trips', async () => {
    const server = await echoServer();
    const relay = await startLatencyRelay({ host: '127.0.0.1', target: { host: '127.0.0.1', port: server.port }, oneWayMs: 20 });
    try {
      const chunks = Array.from({ length: 50 }, (_, i) => `line ${i}\n`);
      const got = await client(relay.port, chunks);
      assert.equal(got.text, `hello\n${chunks.join('')}bye\n`);
      assert.equal(server.seen.join(''), chunks.join(''));
      assert.ok(got.ended, 'the server end reached the client');
      // A lower bound only (a slow machine makes it later, never earlier): SYN, SYN-ACK, ACK, then the greeting.
      assert.ok(got.greetingAfterMs >= 4 * 20 - 2, `greeting after ${got.greetingAfterMs.toFixed(1)} ms`);
    } finally {
      await relay.close();
      await server.close();
    }
  });

  it('resets the server side when the client resets', async () => {
    const server = await echoServer();
    const relay = await startLatencyRelay({ host: '127.0.0.1', target: { host: '127.0.0.1', port: server.port }, oneWayMs: 5 });
    try {
      const s = net.connect({ host: '127.0.0.1', port: relay.port });
      await new Promise((r) => s.once('data', r));
      s.resetAndDestroy();
      // The relay's upstream connection goes too: the server ends up with no connection open.
      for (let i = 0; i < 500 && server.open() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(server.open(), 0);
    } finally {
      await relay.close();
      await server.close();
    }
  });
});
