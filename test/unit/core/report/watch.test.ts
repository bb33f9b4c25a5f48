import * as assert from 'node:assert/strict';
import { makeEndpoint } from '../../../../src/core/endpoint';
import type { ProbeResult } from '../../../../src/core/probe/types';
import {
  describePersistence,
  diffSnapshots,
  expiryPhrase,
  OutcomeHistory,
  PAUSE_AFTER_UNFOCUSED_MS,
  shouldPause,
  snapshotOf,
  soonestExpiry,
  watchIntervalMs,
} from '../../../../src/core/report/watch';
import { readSettings } from '../../../../src/extension/settings';

const DAY = 86_400_000;
const now = new Date('2026-06-01T12:00:00Z');
const ep = makeEndpoint('mx.example.net', 25);
const other = makeEndpoint('smtp.example.org', 587);

function result(days: number | undefined, errors: string[] = [], address = '192.0.2.1'): ProbeResult {
  return {
    endpoint: ep,
    address,
    probedFrom: 't',
    tls: null,
    versions: { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null },
    certificates:
      days === undefined ? [] : ([{ notAfter: new Date(now.getTime() + days * DAY + 3600_000).toISOString() }] as unknown as ProbeResult['certificates']),
    findings: errors.map((id) => ({ id: id as 'cert.expired', severity: 'error' as const, title: id, detail: '', fix: '' })),
    transcript: [],
    startedAt: now.toISOString(),
    durationMs: 1,
  };
}

describe('watch mode decisions (pure)', () => {
  it('interval: 0 is off, anything else at least 5 minutes; settings clamp and say so', () => {
    assert.equal(watchIntervalMs(0), 0);
    assert.equal(watchIntervalMs(-3), 0);
    assert.equal(watchIntervalMs(1), 5 * 60_000);
    assert.equal(watchIntervalMs(30), 30 * 60_000);
    const r = readSettings((k) => (k === 'probe.intervalMinutes' ? 2 : undefined));
    assert.equal(r.settings.probeIntervalMinutes, 5);
    assert.match(r.problems.join(' '), /at most every 5 minutes/);
    assert.equal(readSettings(() => undefined).settings.probeIntervalMinutes, 0);
    assert.equal(readSettings((k) => (k === 'probe.intervalMinutes' ? 'often' : undefined)).settings.probeIntervalMinutes, 0);
  });

  it('pauses only after the window has been unfocused for long', () => {
    const t = 1_000_000_000;
    assert.equal(shouldPause(true, undefined, t, 5 * 60_000), false);
    assert.equal(shouldPause(false, t - 60_000, t, 5 * 60_000), false);
    assert.equal(shouldPause(false, t - PAUSE_AFTER_UNFOCUSED_MS, t, 5 * 60_000), true);
    assert.equal(shouldPause(false, t - PAUSE_AFTER_UNFOCUSED_MS, t, 60 * 60_000), false, 'a long interval waits at least one interval');
  });

  it('snapshots take the soonest leaf over the addresses and the error ids', () => {
    const s = snapshotOf(ep, [result(40, [], 'a'), result(12, ['tls.lost-connection'], 'b')]);
    assert.equal(s.failing, true);
    assert.deepEqual(s.errorIds, ['tls.lost-connection']);
    assert.equal(Math.floor((Date.parse(s.notAfter!) - now.getTime()) / DAY), 12);
    assert.equal(snapshotOf(ep, [result(undefined, ['tcp.refused'])]).notAfter, undefined);
  });

  it('transitions: pass -> fail, fail -> pass, crossing the warning threshold once; a first sighting is a baseline', () => {
    const snap = (days: number | undefined, errors: string[] = []) => new Map([['k', snapshotOf(ep, [result(days, errors)])]]);
    assert.deepEqual(diffSnapshots(new Map(), snap(5), 30, now), []);
    const warn = diffSnapshots(snap(31), snap(29), 30, now);
    assert.deepEqual(
      warn.map((t) => t.kind),
      ['expiry-warning'],
    );
    assert.match(warn[0].text, /expires in 29 d \(warning at 30 days; valid until 2026-06-30 13:00 UTC\)/);
    assert.deepEqual(diffSnapshots(snap(29), snap(28), 30, now), [], 'already inside the threshold: no new warning');
    assert.deepEqual(
      diffSnapshots(snap(40), snap(-1, ['cert.expired']), 30, now).map((t) => t.kind),
      ['pass-to-fail', 'expiry-warning'],
    );
    assert.deepEqual(
      diffSnapshots(snap(-1, ['cert.expired']), snap(300), 30, now).map((t) => t.kind),
      ['fail-to-pass'],
    );
    assert.deepEqual(diffSnapshots(snap(undefined, ['tcp.refused']), snap(undefined, ['tcp.timeout']), 30, now), [], 'still failing');
  });

  it("the warning threshold is the probe's and the lint's (cert.expires-soon): 30 days and 1 hour left is not within 30 days", () => {
    const snap = (days: number) => new Map([['k', snapshotOf(ep, [result(days)])]]);
    assert.deepEqual(diffSnapshots(snap(31), snap(30), 30, now), []);
    assert.equal(soonestExpiry([snapshotOf(ep, [result(30)])], 30, now)!.level, 'ok');
    assert.equal(soonestExpiry([snapshotOf(ep, [result(29)])], 30, now)!.level, 'warning');
  });

  it('the soonest expiry and its level', () => {
    const a = snapshotOf(ep, [result(90)]);
    const b = snapshotOf(other, [result(10)]);
    const s = soonestExpiry([a, b], 30, now)!;
    assert.equal(s.endpoint, other);
    assert.equal(s.level, 'warning');
    assert.equal(soonestExpiry([a], 30, now)!.level, 'ok');
    assert.equal(soonestExpiry([snapshotOf(ep, [result(-2)])], 30, now)!.level, 'expired');
    assert.equal(soonestExpiry([snapshotOf(ep, [result(undefined)])], 30, now), undefined);
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    assert.equal(expiryPhrase(at(12 * DAY), now), 'expires in 12 d');
    assert.equal(expiryPhrase(at(12 * DAY + 13 * 3600_000), now), 'expires in 13 d', 'from a week on: the nearest whole day');
    assert.equal(expiryPhrase(at(5 * DAY - 600_000), now), 'expires in 4 d 23 h', '4.99 days is not "4 d"');
    assert.equal(expiryPhrase(at(5 * 3600_000), now), 'expires in 5 h 0 min');
    assert.equal(expiryPhrase(at(-3 * DAY), now), 'expired 3 d ago');
  });

  it('persistent since the first failure vs intermittent with the rate, over a bounded window', () => {
    const h = new OutcomeHistory(4);
    for (const f of [false, false, true, true]) h.record('k', f);
    assert.deepEqual({ ...h.of('k')! }, { rounds: 4, failed: 2, rate: 0.5, streak: 2, verdict: 'persistent' });
    assert.match(describePersistence(h.of('k')!), /persistent: failing in the last 2 watch probes/);
    h.record('k', false);
    h.record('k', true);
    assert.equal(h.of('k')!.verdict, 'intermittent');
    assert.equal(h.of('k')!.rounds, 4, 'the window keeps the last 4');
    assert.match(describePersistence(h.of('k')!), /intermittent: failed 3 of the last 4 watch probes \(75%\)/);
    assert.equal(h.of('other'), undefined);
  });
});
