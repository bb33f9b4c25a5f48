/**
 * The probe engine against the hostile lab: every probe ends within its time bound with a finding (never an
 * exception), leaves no connection open, and an abort ends it within 100 ms.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import type { Protocol, TlsMode } from '../../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint, type ProbeResult } from '../../src/core/probe';
import * as lab from '../support/hostile';
import { startHostile, type Behaviour, type HostileServer } from '../support/hostile';
import { loadFactor } from '../support/loadSlack';
import { waitFor } from '../support/wait';

/** Per step (connect, each reply, the handshake): short, so the whole file stays fast. */
const STEP_MS = 600;
/**
 * The most steps a failing main connection can chain before giving up (connect, greeting, a TLS attempt on a
 * silent port, capabilities, STARTTLS, handshake, goodbye), plus slack for a loaded machine.
 */
const mainBoundMs = () => Math.round(7 * STEP_MS + 1500 * loadFactor());

type Variant = { protocol: Protocol; mode: TlsMode };
const ALL: Variant[] = [
  { protocol: 'smtp', mode: 'starttls' },
  { protocol: 'smtp', mode: 'implicit' },
  { protocol: 'imap', mode: 'starttls' },
  { protocol: 'imap', mode: 'implicit' },
  { protocol: 'pop3', mode: 'starttls' },
  { protocol: 'pop3', mode: 'implicit' },
];
const STARTTLS_ONLY = ALL.filter((v) => v.mode === 'starttls');

/** Which findings a behaviour may end in: it must be named for what happened, not a catch-all. */
interface Case {
  make: () => Behaviour;
  variants: Variant[];
  /** Finding ids any one of which describes the failure. */
  expect: RegExp;
  /** The handshake completes (the probe then judges the chain). */
  handshakes?: boolean;
}

const CASES: Case[] = [
  { make: lab.silent, variants: ALL, expect: /^(greeting\.timeout|tls\.handshake-timeout|mode\.expects-implicit-tls)$/ },
  { make: () => lab.drip(1000), variants: ALL, expect: /^(greeting\.timeout|tls\.handshake-timeout)$/ },
  { make: lab.endlessCapabilities, variants: ALL, expect: /^protocol\.bad-reply$/ },
  { make: () => lab.hugeLine(8), variants: ALL, expect: /^(protocol\.bad-reply|greeting\.(rejected|timeout))$/ },
  { make: () => lab.garbage(256), variants: ALL, expect: /^(protocol\.bad-reply|greeting\.(rejected|timeout)|tls\.handshake-failed|tls\.lost-connection)$/ },
  { make: lab.startTlsPlaintext, variants: ALL, expect: /^(tls\.handshake-failed|tls\.lost-connection|mode\.expects-starttls)$/ },
  { make: () => lab.malformedCertificate('garbage'), variants: ALL, expect: /^(tls\.handshake-failed|tls\.lost-connection)$/ },
  { make: () => lab.malformedCertificate('truncated'), variants: STARTTLS_ONLY, expect: /^(tls\.handshake-failed|tls\.lost-connection)$/ },
  { make: () => lab.malformedCertificate('bad-framing'), variants: STARTTLS_ONLY, expect: /^(tls\.handshake-failed|tls\.lost-connection)$/ },
  { make: lab.resetMidReply, variants: ALL, expect: /^(protocol\.bad-reply|tls\.lost-connection|tls\.closed-after-handshake)$/ },
  { make: lab.longChain, variants: ALL, expect: /^cert\./, handshakes: true },
  { make: lab.neverClose, variants: ALL, expect: /^cert\./, handshakes: true },
];

/**
 * Sockets of this process still connected to `port`. Counted on the client side because a server may keep its
 * end open on purpose (never-close): what matters is that the probe let go of its own.
 */
function clientSocketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof net.Socket && h.remotePort === port).length;
}

function describeResult(r: ProbeResult): string {
  return `${r.findings.map((f) => f.id).join(', ')} in ${r.durationMs} ms\n  ${r.transcript
    .slice(-8)
    .map((l) => `${l.kind} ${l.text}`)
    .join('\n  ')}`;
}

describe('hostile servers vs the probe engine', function () {
  this.timeout(60000);
  const servers: HostileServer[] = [];
  // Make the lab's certificates up front: made lazily, they would block the event loop inside a timed probe.
  before(() => {
    lab.healthyTls();
    lab.longChainTls();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  for (const c of CASES) {
    const name = c.make().name;
    it(`${name}: ends in time with a finding, over ${c.variants.map((v) => `${v.protocol}/${v.mode}`).join(', ')}`, async () => {
      const runs = c.variants.map(async (v) => {
        const server = await startHostile(c.make(), v);
        servers.push(server);
        const t0 = performance.now();
        const results = await probeEndpoint(server.endpoint(), {
          timeoutMs: STEP_MS,
          scanVersions: false,
          limiter: new ConnectionLimiter(),
        });
        const elapsed = performance.now() - t0;
        const label = `${name} ${v.protocol}/${v.mode}`;
        assert.equal(results.length, 1, label);
        const r = results[0];
        const bound = mainBoundMs();
        assert.ok(elapsed < bound, `${label}: took ${Math.round(elapsed)} ms (bound ${bound})`);
        assert.ok(r.findings.length > 0, `${label}: no finding`);
        assert.ok(
          r.findings.some((f) => c.expect.test(f.id)),
          `${label}: expected ${c.expect}, got ${describeResult(r)}`,
        );
        for (const f of r.findings) {
          assert.notEqual(f.id, 'probe.internal-error', `${label}: the engine's catch-all fired: ${f.detail}`);
          assert.doesNotMatch(f.detail, /unexpected error/, `${label}: the engine's catch-all fired: ${f.detail}`);
          for (const e of f.evidence ?? []) assert.ok(e.length <= 2000, `${label}: ${f.id} evidence of ${e.length} chars`);
        }
        if (c.handshakes) {
          assert.ok(r.tls, `${label}: handshake expected, got ${describeResult(r)}`);
          assert.ok(r.certificates.length > 0);
        }
        assert.ok(r.transcript.length <= 1000, `${label}: transcript of ${r.transcript.length} lines`);
        // Nothing outlives the probe, a never-closing server included.
        assert.ok(await waitFor(() => clientSocketsTo(server.port) === 0, 1000), `${label}: ${clientSocketsTo(server.port)} socket(s) still open`);
        assert.ok(await waitFor(() => server.stats.open === 0, 1000), `${label}: the server still sees ${server.stats.open} connection(s)`);
      });
      await Promise.all(runs);
    });
  }

  it('the 50-certificate chain is recorded and judged, not trusted', async () => {
    const server = await startHostile(lab.longChain(), { protocol: 'smtp', mode: 'starttls' });
    servers.push(server);
    const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, scanVersions: false, limiter: new ConnectionLimiter() });
    assert.ok(r.certificates.length >= 1 && r.certificates.length <= lab.LONG_CHAIN_LENGTH, `${r.certificates.length} certificates`);
    assert.notEqual(r.trusted, true);
    assert.ok(
      r.findings.some((f) => f.severity === 'error' && f.id.startsWith('cert.')),
      describeResult(r),
    );
  });

  it('with the TLS version scan on, handshaking hostile servers still end in time and close everything', async () => {
    const runs = [lab.longChain, lab.neverClose].map(async (make) => {
      const server = await startHostile(make(), { protocol: 'smtp', mode: 'starttls' });
      servers.push(server);
      const t0 = performance.now();
      const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
      const elapsed = performance.now() - t0;
      // Main connection, then version scans two at a time (the per-host cap): three rounds of steps at most.
      assert.ok(elapsed < 3 * mainBoundMs(), `${server.behaviour}: ${Math.round(elapsed)} ms`);
      assert.ok(
        Object.values(r.versions).some((x) => x !== null),
        describeResult(r),
      );
      assert.ok(server.stats.maxOpen <= 2, `${server.behaviour}: ${server.stats.maxOpen} connections at once`);
      assert.ok(await waitFor(() => clientSocketsTo(server.port) === 0, 1000), `${server.behaviour}: sockets left open`);
    });
    await Promise.all(runs);
  });

  describe('a failure in the dialogue after a successful handshake is a finding, not a transcript note', () => {
    const cases: Array<['reset' | 'close' | 'garbage', RegExp]> = [
      ['reset', /^tls\.closed-after-handshake$/],
      ['close', /^tls\.closed-after-handshake$/],
      ['garbage', /^protocol\.bad-reply$/],
    ];
    for (const [how, expect] of cases) {
      it(`${how} at the first command over TLS: ${expect.source}, over every protocol and mode`, async () => {
        await Promise.all(
          ALL.map(async (v) => {
            const server = await startHostile(lab.failAfterTls(how), v);
            servers.push(server);
            const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, scanVersions: false, limiter: new ConnectionLimiter() });
            const label = `${v.protocol}/${v.mode}: ${describeResult(r)}`;
            // TLS itself worked, and what it showed is still reported.
            assert.ok(r.tls, label);
            assert.ok(r.certificates.length > 0, label);
            const f = r.findings.find((x) => expect.test(x.id));
            assert.ok(f, label);
            assert.equal(f.severity, 'error', label);
            assert.ok(
              f.evidence?.some((e) => /TLS|handshake/.test(e)),
              `${label}: the evidence shows the handshake`,
            );
            if (f.id === 'tls.closed-after-handshake') {
              const command = v.protocol === 'smtp' ? 'EHLO' : v.protocol === 'imap' ? 'CAPABILITY' : 'CAPA';
              assert.match(f.title, new RegExp(command), label);
              assert.ok(
                f.evidence?.some((e) => e.startsWith('C: ') && e.includes(command)),
                `${label}: the evidence shows the command`,
              );
              assert.match(f.evidence?.at(-1) ?? '', how === 'reset' ? /reset/ : /closed/, label);
            }
            assert.ok(!r.findings.some((x) => x.id === 'probe.internal-error'), label);
          }),
        );
      });
    }

    it('the version scan still runs after such a failure (TLS itself works)', async () => {
      const server = await startHostile(lab.failAfterTls('reset'), { protocol: 'smtp', mode: 'starttls' });
      servers.push(server);
      const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, limiter: new ConnectionLimiter() });
      assert.ok(
        r.findings.some((f) => f.id === 'tls.closed-after-handshake'),
        describeResult(r),
      );
      assert.equal(r.versions['TLSv1.3'], true, describeResult(r));
      assert.ok(r.versions['TLSv1.2'] !== null, describeResult(r));
    });
  });

  it('pop3: noise that starts with "-" or "+" is a bad reply, not a "-ERR" rejection', async () => {
    for (const line of ['-oS\u00a7 noise', '+ noise']) {
      const server = await startHostile(lab.noiseLine(line), { protocol: 'pop3', mode: 'starttls' });
      servers.push(server);
      const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, scanVersions: false, limiter: new ConnectionLimiter() });
      assert.ok(
        r.findings.some((f) => f.id === 'protocol.bad-reply'),
        describeResult(r),
      );
      assert.ok(!r.findings.some((f) => f.id === 'greeting.rejected'), describeResult(r));
    }
  });

  describe('protocol.bad-reply speaks of the protocol probed', () => {
    for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
      it(`${protocol}: garbage instead of a greeting`, async () => {
        const server = await startHostile(lab.garbage(1), { protocol, mode: 'starttls' });
        servers.push(server);
        const [r] = await probeEndpoint(server.endpoint(), { timeoutMs: STEP_MS, scanVersions: false, limiter: new ConnectionLimiter() });
        const f = r.findings.find((x) => x.id === 'protocol.bad-reply');
        assert.ok(f, describeResult(r));
        const text = `${f.title} ${f.detail} ${f.fix}`;
        assert.match(f.title, new RegExp(protocol.toUpperCase()));
        if (protocol === 'smtp') assert.match(text, /SMTP inspection/);
        else assert.doesNotMatch(text, /SMTP|fixup/, text);
      });
    }
  });

  describe('abort', () => {
    /** Time from abort() to the probe's promise settling, median of several runs. */
    async function abortDelay(make: () => Behaviour, v: Variant, abortAfterMs: number): Promise<{ median: number; all: number[] }> {
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        const server = await startHostile(make(), v);
        servers.push(server);
        const ac = new AbortController();
        const probe = probeEndpoint(server.endpoint(), { signal: ac.signal, timeoutMs: 30_000, limiter: new ConnectionLimiter() });
        // Swallow the expected rejection now; it is inspected below.
        const settled = probe.then(
          (r) => ({ ok: true as const, r }),
          (e: Error) => ({ ok: false as const, e }),
        );
        await new Promise((r) => setTimeout(r, abortAfterMs));
        const t0 = performance.now();
        ac.abort();
        const outcome = await settled;
        delays.push(performance.now() - t0);
        assert.equal(outcome.ok, false, `${server.behaviour}: the probe finished before the abort`);
        if (!outcome.ok) assert.equal(outcome.e.name, 'AbortError', `${server.behaviour}: ${outcome.e.message}`);
        assert.ok(await waitFor(() => clientSocketsTo(server.port) === 0, 1000), `${server.behaviour}: sockets left open after abort`);
      }
      const sorted = [...delays].sort((a, b) => a - b);
      return { median: sorted[2], all: delays };
    }

    const hanging: Array<[string, () => Behaviour, Variant]> = [
      ['silent (waiting for a greeting)', lab.silent, { protocol: 'smtp', mode: 'starttls' }],
      ['drip (mid-greeting)', () => lab.drip(1000), { protocol: 'imap', mode: 'starttls' }],
      ['silent implicit (waiting in the handshake)', lab.silent, { protocol: 'pop3', mode: 'implicit' }],
      ['never-close (after a full dialogue)', lab.neverClose, { protocol: 'smtp', mode: 'starttls' }],
    ];
    for (const [label, make, v] of hanging) {
      it(`${label}: the probe settles within 100 ms of abort()`, async () => {
        const { median, all } = await abortDelay(make, v, 150);
        assert.ok(median <= 100, `median ${median.toFixed(1)} ms (runs: ${all.map((d) => d.toFixed(1)).join(', ')})`);
      });
    }

    it('an already aborted signal opens no connection', async () => {
      const server = await startHostile(lab.healthy());
      servers.push(server);
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(probeEndpoint(server.endpoint(), { signal: ac.signal, limiter: new ConnectionLimiter() }), { name: 'AbortError' });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(server.stats.accepted, 0);
    });
  });
});
