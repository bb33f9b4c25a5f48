import * as assert from 'node:assert/strict';
import { IdleTracker } from '../../../src/extension/idle';

describe('IdleTracker (the probe and domain services)', () => {
  it('is idle at first: whenIdle resolves at once', async () => {
    const t = new IdleTracker();
    assert.equal(t.busy, false);
    await t.whenIdle();
  });

  it('whenIdle waits for the last of overlapping runs; ending a run twice counts once', async () => {
    const t = new IdleTracker();
    const endA = t.start();
    const endB = t.start();
    let idle = false;
    const waiting = t.whenIdle().then(() => (idle = true));
    endA();
    endA();
    await new Promise((r) => setImmediate(r));
    assert.equal(idle, false, 'released while a run was still in flight');
    assert.equal(t.busy, true);
    endB();
    await waiting;
    assert.equal(idle, true);
    assert.equal(t.busy, false);
    const endC = t.start();
    let again = false;
    const second = t.whenIdle().then(() => (again = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(again, false);
    endC();
    await second;
  });
});
