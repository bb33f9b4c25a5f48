/**
 * Host validation is the gate between configs and dialogues: fuzz it against Node's own address parsers and
 * the one rule that matters (an accepted name can never carry a byte that splits or extends a command line).
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import fc from 'fast-check';
import { parseTarget, printable, validateHostname } from '../../../src/core/endpoint';
import { fcParams } from '../../fuzz/config';
import { growthProblems, startGrowthSuite } from '../../fuzz/growth';
import { NASTY } from '../../fuzz/arbitraries';

const UNSAFE = /[\u0000-\u0020\u007f-\uffff]/;

/** Valid names, addresses, and the same with a hostile character spliced in. */
const hostLike = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.tuple(fc.domain(), fc.nat(), fc.constantFrom(...NASTY, '\u0085', '\u00a0', '\u3000', '\u0007', '%eth0')).map(([d, at, c]) => {
    const i = at % (d.length + 1);
    return d.slice(0, i) + c + d.slice(i);
  }),
  fc.stringMatching(/^[a-z0-9-]{60,70}(\.[a-z]{2,5}){1,2}$/),
);

describe('fuzz: host validation and target parsing', function () {
  this.timeout(60000);
  // The growth check measures in a process of its own, beside the property tests (test/fuzz/growth.ts).
  before(() => void startGrowthSuite('endpoint'));

  it('validateHostname never throws and never accepts a byte that could reach a dialogue unescaped', () => {
    fc.assert(
      fc.property(hostLike, (h) => {
        const r = validateHostname(h);
        if (!r.ok) {
          assert.ok(r.reason.length > 0);
          return;
        }
        assert.doesNotMatch(h, UNSAFE, `accepted ${JSON.stringify(h)}`);
        if (r.kind === 'name') {
          const name = h.replace(/\.$/, '');
          assert.ok(name.length <= 253);
          for (const label of name.split('.')) assert.ok(label.length >= 1 && label.length <= 63, `label of ${h}`);
        }
      }),
      fcParams(3000),
    );
  });

  it('agrees with Node on what is an IPv4 or IPv6 literal', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), hostLike), (h) => {
        const r = validateHostname(h);
        if (net.isIPv4(h)) assert.deepEqual(r, { ok: true, kind: 'ipv4' }, h);
        else if (net.isIPv6(h) && !h.includes('%')) assert.deepEqual(r, { ok: true, kind: 'ipv6' }, h);
        else if (r.ok) assert.equal(r.kind, 'name', `${h} is not an address for Node`);
      }),
      fcParams(3000),
    );
  });

  it('refuses CR, LF, NUL, spaces, control characters and non-ASCII wherever they sit', () => {
    const bad = fc.constantFrom('\r', '\n', '\u0000', ' ', '\t', '\u0007', '\u007f', '\u00e9', '\u200b', '\u{1f4e7}', '\ud800');
    fc.assert(
      fc.property(fc.domain(), fc.nat(), bad, (d, at, c) => {
        const i = at % (d.length + 1);
        assert.equal(validateHostname(d.slice(0, i) + c + d.slice(i)).ok, false);
      }),
      fcParams(2000),
    );
  });

  it('parseTarget never throws; what it returns is a validated host and a real port', () => {
    const target = fc.oneof(
      hostLike,
      fc.tuple(hostLike, fc.oneof(fc.integer({ min: -5, max: 70000 }).map(String), fc.string({ maxLength: 8 }))).map(([h, p]) => `${h}:${p}`),
      fc.tuple(hostLike, fc.string({ maxLength: 8 })).map(([h, p]) => `[${h}]:${p}`),
    );
    fc.assert(
      fc.property(target, (t) => {
        const r = parseTarget(t);
        if ('error' in r) {
          assert.ok(r.error.length > 0 && !/[\r\n\u0000]/.test(r.error), 'errors are printable');
          return;
        }
        assert.equal(validateHostname(r.host).ok, true, `host ${JSON.stringify(r.host)}`);
        if (r.port !== undefined) assert.ok(Number.isInteger(r.port) && r.port >= 1 && r.port <= 65535);
      }),
      fcParams(3000),
    );
  });

  it('parseTarget round-trips valid names, IPv4 and bracketed IPv6 with ports', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()), fc.integer({ min: 1, max: 65535 }), (h, port) => {
        const text = h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
        assert.deepEqual(parseTarget(text), { host: h, port });
      }),
      fcParams(2000),
    );
  });

  it('printable output is one bounded line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (s, max) => {
        const p = printable(s, max);
        assert.doesNotMatch(p, /[\r\n\u0000]/);
        assert.ok(p.length <= max + 3);
      }),
      fcParams(2000),
    );
  });

  it('grows linearly on pathological names', async () => {
    for (const fn of [validateHostname, parseTarget]) assert.deepEqual(await growthProblems('endpoint', fn.name), [], fn.name);
  });
});
