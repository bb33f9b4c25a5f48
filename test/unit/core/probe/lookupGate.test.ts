/**
 * Turns for name lookups: no more run than the resolver has threads, first come first served, and a lookup's
 * timeout starts with its turn, so a queue of names behind a slow resolver is not reported as unanswered.
 */
import * as assert from 'node:assert/strict';
import { resolveAll } from '../../../../src/core/probe';
import { Gate } from '../../../../src/core/probe/lookupGate';

/** A resolver like getaddrinfo on a pool of `threads`: a lookup waits for a thread, then takes `ms`. */
function pooledResolver(threads: number, ms: number): { resolve: (host: string) => Promise<string[]>; most: () => number } {
  const pool = new Gate(threads);
  let running = 0;
  let most = 0;
  return {
    resolve: async (host) => {
      const done = await pool.enter();
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      done();
      return [`127.0.0.${host.length}`];
    },
    most: () => most,
  };
}

describe('probe/lookupGate', () => {
  it('lets at most `size` in at once, in the order they came, and ends a turn once however often it is ended', async () => {
    const gate = new Gate(2);
    const order: number[] = [];
    const ends: Array<() => void> = [];
    const entered = [1, 2, 3, 4].map((i) => gate.enter().then((end) => (order.push(i), ends.push(end))));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [1, 2]);
    ends[0]();
    ends[0]();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [1, 2, 3], 'ending the same turn twice lets only one more in');
    ends[1]();
    await Promise.all(entered);
    assert.deepEqual(order, [1, 2, 3, 4]);
  });

  it('a caller cancelled while waiting leaves the queue without taking a turn', async () => {
    const gate = new Gate(1);
    const first = await gate.enter();
    const ac = new AbortController();
    const cancelled = gate.enter(ac.signal);
    const next = gate.enter();
    ac.abort();
    await assert.rejects(cancelled, (e: Error) => e.name === 'AbortError');
    first();
    const end = await next;
    end();
  });

  it('a lookup queued behind a slow resolver gets its whole timeout once its turn comes', async () => {
    const names = ['a.test', 'bb.test', 'ccc.test', 'dddd.test', 'eeeee.test', 'ffffff.test'];
    // One resolver thread, 100 ms a lookup, 400 ms timeout: the sixth name waits 500 ms for the thread.
    const ungated = pooledResolver(1, 100);
    const plain = await Promise.all(names.map((n) => resolveAll(n, { resolve: ungated.resolve, timeoutMs: 400 }, undefined)));
    assert.ok(
      plain.some((r) => 'error' in r && /no answer from the resolver/.test(r.error)),
      `without turns the queue's wait counts: ${JSON.stringify(plain)}`,
    );
    const gated = pooledResolver(1, 100);
    const turns = new Gate(1);
    const results = await Promise.all(names.map((n) => resolveAll(n, { resolve: gated.resolve, timeoutMs: 400 }, turns)));
    assert.deepEqual(
      results,
      names.map((n) => ({ addresses: [`127.0.0.${n.length}`] })),
    );
    assert.equal(gated.most(), 1);
  });
});
