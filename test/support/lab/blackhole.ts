/**
 * A loopback port whose SYNs go unanswered, like a firewall that drops packets: a listener in a worker thread
 * whose event loop is blocked (so it never accepts), with its small backlog filled by our own connections.
 * Linux then drops new SYNs, and a client sees no answer at all: the `tcp.timeout` case, without touching
 * any non-loopback address.
 */
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';

const WORKER = `
const net = require('node:net');
const { parentPort } = require('node:worker_threads');
const server = net.createServer(() => {});
// backlog 1: Node turns 0 into its default of 511.
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20);
});
`;

export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

export async function startBlackhole(): Promise<Blackhole> {
  const worker = new Worker(WORKER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, 60));
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
    const ok = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 250);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!ok) break;
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      await worker.terminate();
    },
  };
}
