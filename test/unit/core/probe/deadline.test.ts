import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { deadline, STALL_MS } from '../../../../src/core/probe/deadline';
import { LineReader } from '../../../../src/core/probe/lineReader';
import { Scope, TimeoutError } from '../../../../src/core/probe/scope';

/** Keeps this process busy without yielding to the event loop, as a synchronous child-process start does. */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

/** A loopback pair: the server's socket and the client's, once both are connected. */
async function pair(): Promise<{ server: net.Socket; client: net.Socket; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  const server = await accepted;
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe('deadline: a timeout does not count a stall of this process', () => {
  it('a timer that fires on time expires at once, as setTimeout does', async () => {
    const t = Date.now();
    await new Promise<void>((r) => deadline(30, r));
    const took = Date.now() - t;
    assert.ok(took >= 25 && took < 30 + 200, `took ${took} ms`);
  });

  it('an answer that arrived while the process was blocked past the deadline is read, not reported as a timeout', async () => {
    const p = pair();
    const { server, client, close } = await p;
    const scope = new Scope();
    try {
      const reader = new LineReader(client, scope);
      // The line is on its way before the step starts; the process then blocks past the step's 50 ms, so the
      // step's timer and the line are due in the same turn of the event loop, the timer first.
      await new Promise<void>((r) => server.write('* OK ready\r\n', () => r()));
      const line = reader.readLine('greeting', 50);
      block(50 + 10 * STALL_MS);
      assert.equal(await line, '* OK ready');
    } finally {
      scope.dispose();
      close();
    }
  });

  it('a server that stays silent still times out, within twice the timeout even after a stall', async () => {
    const { client, close } = await pair();
    const scope = new Scope();
    try {
      const reader = new LineReader(client, scope);
      const t = Date.now();
      const line = reader.readLine('greeting', 100);
      block(150);
      await assert.rejects(line, (e: unknown) => e instanceof TimeoutError);
      const took = Date.now() - t;
      assert.ok(took >= 100 && took < 2 * 100 + 150, `took ${took} ms`);
      // Without a stall it is the timeout itself.
      const t2 = Date.now();
      await assert.rejects(reader.readLine('greeting', 60), (e: unknown) => e instanceof TimeoutError);
      assert.ok(Date.now() - t2 < 60 + 200, `took ${Date.now() - t2} ms`);
    } finally {
      scope.dispose();
      close();
    }
  });
});
