import * as assert from 'node:assert/strict';
import type { Endpoint } from '../../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint, type ProbeResult } from '../../src/core/probe';
import { setTlsRuntimeForTests, tlsRuntime } from '../../src/core/probe/tlsRuntime';
import { LAB_SERVER_NAMES, startLab, type Lab } from '../support/lab';
import { startMailServer } from '../support/lab/mailServer';

const TIMEOUT = 1500;

describe('probe engine against the failure lab', function () {
  this.timeout(60_000);
  let lab: Lab;
  const results: Record<string, ProbeResult> = {};
  const endpointOf = (name: string): Endpoint => {
    const s = lab.servers[name];
    return { host: s.host, port: s.port, protocol: s.protocol, mode: s.mode, servername: s.servername, caFiles: [lab.caFile] };
  };

  before(async () => {
    lab = await startLab();
    const limiter = new ConnectionLimiter({ backoffMs: 60_000 });
    await Promise.all(
      LAB_SERVER_NAMES.map(async (name) => {
        const rs = await probeEndpoint(endpointOf(name), { timeoutMs: TIMEOUT, limiter, probedFrom: 'lab-test' });
        assert.equal(rs.length, 1);
        results[name] = rs[0];
      }),
    );
  });
  after(() => lab?.close());

  for (const name of LAB_SERVER_NAMES) {
    it(`diagnoses "${name}"`, () => {
      const r = results[name];
      const ids: string[] = r.findings.map((f) => f.id);
      const expect = lab.servers[name].expect;
      for (const id of expect) assert.ok(ids.includes(id), `${name}: expected ${id}, got ${ids.join(', ') || 'nothing'}`);
      if (expect.length === 0) {
        assert.deepEqual(
          r.findings.filter((f) => f.severity !== 'info').map((f) => f.id),
          [],
          `${name} should be healthy`,
        );
        assert.equal(r.trusted, true);
      } else {
        // The class's id must not be a side effect that also shows on a healthy server.
        for (const id of expect) assert.ok(!results.healthy.findings.some((f) => f.id === id), `${id} also on the healthy server`);
      }
      for (const f of r.findings) {
        assert.ok(f.title && f.detail && f.fix, `${f.id} lacks words`);
        assert.ok(['error', 'warning', 'info'].includes(f.severity));
      }
      assert.equal(r.address, '127.0.0.1');
      assert.equal(r.probedFrom, 'lab-test');
    });
  }

  it('records the negotiated version, the accepted versions and the chain as sent', () => {
    const h = results.healthy;
    assert.ok(h.tls && /^TLSv1\.[23]$/.test(h.tls.version) && h.tls.cipher.length > 0);
    assert.deepEqual(h.versions, { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true });
    assert.equal(h.certificates.length, 2, 'leaf and intermediate');
    assert.match(h.certificates[0].subject, /mail\.lab\.test/);
    assert.equal(results['leaf-only'].certificates.length, 1, 'leaf only, nothing added from local stores');
    assert.deepEqual(results['legacy-only'].versions, { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false });
    assert.equal(results['legacy-only'].tls?.version, 'TLSv1.1');
    assert.deepEqual(results['tls12-only'].versions, { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false });
  });

  it('keeps a C:/S: transcript of the dialogue with TLS events', () => {
    const t = results.healthy.transcript;
    const texts = t.filter((l) => !l.conn).map((l) => `${l.kind} ${l.text}`);
    assert.ok(texts.includes('S 220 mail.lab.test ESMTP ready'), 'multi-line greeting read to its end');
    assert.ok(texts.some((x) => /^C EHLO \S+$/.test(x)));
    assert.ok(texts.includes('C STARTTLS'));
    assert.ok(texts.some((x) => x.startsWith('tls TLSv1.')));
    assert.ok(texts.includes('C QUIT'));
    const order = ['C STARTTLS', 'S 220 2.0.0 Ready to start TLS', 'tls handshake started'].map((x) => texts.indexOf(x));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'never pipelined: STARTTLS waits for its reply',
    );
    assert.ok(t.some((l) => l.conn === 'TLSv1' && l.kind === 'tls' && /refused/.test(l.text)));
  });

  it('says which of several addresses fails', async () => {
    const ep = { ...endpointOf('healthy'), host: 'mail.lab.test' };
    const rs = await probeEndpoint(ep, { timeoutMs: TIMEOUT, scanVersions: false, resolve: async () => ['127.0.0.1', '127.0.0.2'] });
    assert.deepEqual(
      rs.map((r) => r.address),
      ['127.0.0.1', '127.0.0.2'],
    );
    assert.deepEqual(
      rs[0].findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.deepEqual(
      rs[1].findings.map((f) => f.id),
      ['tcp.refused'],
    );
    assert.match(rs[1].findings[0].title, /127\.0\.0\.2/);
  });

  it('probes an IPv6 address, with an address-literal EHLO', async function () {
    const leaf = lab.pki.leaf({ cn: 'mail.lab.test' });
    let srv;
    try {
      srv = await startMailServer({ protocol: 'smtp', serves: 'starttls', tls: { certPem: lab.pki.chain(leaf), keyPem: leaf.keyPem } }, '::1');
    } catch {
      return this.skip(); // no IPv6 loopback on this machine
    }
    try {
      const [r] = await probeEndpoint(
        { host: '::1', port: srv.port, protocol: 'smtp', mode: 'starttls', servername: 'mail.lab.test', caFiles: [lab.caFile] },
        { timeoutMs: TIMEOUT, scanVersions: false },
      );
      assert.equal(r.address, '::1');
      assert.equal(r.trusted, true);
      assert.deepEqual(
        r.findings.filter((f) => f.severity !== 'info'),
        [],
      );
      assert.ok(
        r.transcript.some((l) => l.kind === 'C' && l.text === 'EHLO [IPv6:::1]') || r.transcript.some((l) => l.kind === 'C' && /^EHLO \S+\.\S+$/.test(l.text)),
      );
    } finally {
      await srv.close();
    }
  });

  it('reports dns.unresolved through the injected resolver', async () => {
    const ep = { ...endpointOf('healthy'), host: 'nowhere.lab.test' };
    const rs = await probeEndpoint(ep, { resolve: async () => Promise.reject(Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' })) });
    assert.equal(rs.length, 1);
    assert.equal(rs[0].address, undefined);
    assert.deepEqual(
      rs[0].findings.map((f) => f.id),
      ['dns.unresolved'],
    );
  });

  it('says "not tested" (null) for versions this runtime cannot offer, never "refused"', async () => {
    const real = tlsRuntime();
    setTlsRuntimeForTests({ ...real, canOffer: { ...real.canOffer, TLSv1: false, 'TLSv1.1': false } });
    try {
      const [r] = await probeEndpoint(endpointOf('healthy'), { timeoutMs: TIMEOUT });
      assert.equal(r.versions.TLSv1, null);
      assert.equal(r.versions['TLSv1.1'], null);
      assert.equal(r.versions['TLSv1.3'], true);
      assert.ok(r.transcript.some((l) => l.conn === 'TLSv1' && /not tested/.test(l.text)));
      assert.ok(!r.findings.some((f) => f.id.startsWith('tls.') && f.severity !== 'info'));
    } finally {
      setTlsRuntimeForTests(undefined);
    }
  });

  it('backs off after a 421 greeting instead of opening more connections', async () => {
    const limiter = new ConnectionLimiter({ backoffMs: 5_000 });
    const [r] = await probeEndpoint(endpointOf('greeting-421'), { timeoutMs: TIMEOUT, limiter });
    assert.ok(r.findings.some((f) => f.id === 'greeting.rejected'));
    assert.deepEqual(Object.values(r.versions), [null, null, null, null], 'no version scan against a busy server');
    const key = `127.0.0.1|${lab.servers['greeting-421'].port}`;
    assert.ok(limiter.backoffRemaining(key) > 0);
    const ac = new AbortController();
    const granted = limiter.acquire(key, ac.signal).then(
      () => 'granted',
      () => 'cancelled',
    );
    const first = await Promise.race([granted, new Promise((r) => setTimeout(() => r('waiting'), 100))]);
    assert.equal(first, 'waiting');
    ac.abort();
    assert.equal(await granted, 'cancelled');
  });

  it('stops promptly when cancelled', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = probeEndpoint(endpointOf('silent'), { timeoutMs: 20_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 150);
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    // Far below the 20 s step timeout: the sockets were destroyed, nothing waited.
    assert.ok(Date.now() - started < 5_000);
  });

  it('streams transcript lines as they happen', async () => {
    const seen: string[] = [];
    await probeEndpoint(endpointOf('healthy-pop3'), { timeoutMs: TIMEOUT, scanVersions: false, onTranscript: (l) => seen.push(`${l.kind} ${l.text}`) });
    assert.ok(seen.includes('C CAPA'));
    assert.ok(seen.includes('C STLS'));
    assert.ok(seen.includes('C QUIT'));
  });

  it('a check by IP address advises the name the certificate covers, not a certificate for the address', async () => {
    const { servername: _name, ...byAddress } = endpointOf('healthy');
    const [r] = await probeEndpoint(byAddress, { timeoutMs: TIMEOUT, scanVersions: false });
    const f = r.findings.find((x) => x.id === 'cert.hostname-mismatch');
    assert.ok(f, `got ${r.findings.map((x) => x.id).join(', ')}`);
    assert.match(f.title, /not valid for 127\.0\.0\.1; it covers: mail\.lab\.test/);
    assert.ok(f.fix.includes('`--servername mail.lab.test`'), f.fix);
    assert.ok(f.fix.includes("`tls: { servername: 'mail.lab.test' }`"), f.fix);
    assert.doesNotMatch(f.fix, /certbot certonly -d 127/);
    // Checked by name, the advice is still a certificate that covers the name.
    const named = results['wrong-name'].findings.find((x) => x.id === 'cert.hostname-mismatch');
    assert.match(named!.fix, /certbot certonly -d mail\.lab\.test/);
  });

  describe("a client pointed at another mail protocol's port says which protocol answered", () => {
    // [lab server, protocol and mode the client uses, what the port speaks, the probe command that fits the port]
    const cases: [string, Endpoint['protocol'], Endpoint['mode'], string, string][] = [
      ['healthy-imap', 'smtp', 'starttls', 'IMAP', '--protocol imap --starttls'],
      ['healthy-imaps', 'smtp', 'implicit', 'IMAP', '--protocol imap --implicit'],
      // Implicit TLS on a plaintext port of another protocol: the plaintext look names the protocol, not "use STARTTLS".
      ['healthy-pop3', 'smtp', 'implicit', 'POP3', '--protocol pop3 --starttls'],
      ['healthy', 'imap', 'starttls', 'SMTP', '--protocol smtp --starttls'],
      ['healthy-imap', 'pop3', 'starttls', 'IMAP', '--protocol imap --starttls'],
    ];
    for (const [name, protocol, mode, spoken, command] of cases) {
      it(`${name} probed as ${protocol} (${mode}): "speaks ${spoken}"`, async () => {
        const [r] = await probeEndpoint({ ...endpointOf(name), protocol, mode }, { timeoutMs: TIMEOUT, scanVersions: false });
        const ids = r.findings.map((f) => f.id);
        assert.deepEqual(
          ids.filter((id) => id !== 'cert.chain-order' && id !== 'tls.no-tls13'),
          ['protocol.other-protocol'],
          `got ${ids.join(', ')}`,
        );
        const f = r.findings.find((x) => x.id === 'protocol.other-protocol')!;
        assert.equal(f.title, `Port ${lab.servers[name].port} speaks ${spoken}, not ${protocol.toUpperCase()}.`);
        assert.ok(f.fix.includes(`\`${command}\``), f.fix);
        // The other protocol's greeting is the evidence, within the lines a terminal shows.
        assert.ok(
          f.evidence!.slice(0, 3).some((e) => e.includes('S: ') && new RegExp(spoken === 'SMTP' ? '220[ -]' : spoken === 'IMAP' ? '\\* OK' : '\\+OK').test(e)),
          f.evidence!.join('\n'),
        );
      });
    }
  });
});
