/**
 * TLS 1.0 and 1.1 asked with one hello offering both (src/core/probe/versionScan.ts, `splitLegacyRange`) against
 * real OpenSSL servers (Node's own TLS) on loopback: every verdict is the one a hello per version gives, and the
 * connections the server sees are counted, so a probe that opens one too many (or decides a version it did not
 * ask) fails here.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectionLimiter, probeEndpoint, type ProbeResult, type TlsVersionName } from '../../src/core/probe';
import { startMailServer, type LabTls } from '../support/lab/mailServer';
import { makePki, type TestPki } from '../support/pki';

const NAME = 'mail.legacy.test';
const TIMEOUT = 3000;
type Versions = Record<TlsVersionName, boolean | null>;
const V = (a: boolean, b: boolean, c: boolean, d: boolean): Versions => ({ TLSv1: a, 'TLSv1.1': b, 'TLSv1.2': c, 'TLSv1.3': d });

/** A TCP relay in front of a server that counts the connections the probe opens. */
async function counted(port: number): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    n++;
    const up = net.connect(port, '127.0.0.1');
    for (const s of [c, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        c.destroy();
        up.destroy();
      });
    }
    c.pipe(up);
    up.pipe(c);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    count: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const show = (r: ProbeResult) =>
  `versions: ${JSON.stringify(r.versions)}\nreasons: ${JSON.stringify(r.versionReasons)}\n` +
  r.transcript.map((l) => `  ${l.at} ${l.conn ? `[${l.conn}] ` : ''}${l.kind} ${l.text}`).join('\n');

/** The transcript lines that state a version's verdict (accepted, refused, not decided, not tested). */
const verdictLines = (r: ProbeResult, v: TlsVersionName) =>
  r.transcript.filter(
    (l) => l.conn === v && (l.text.startsWith(`${v}: `) || l.text.startsWith(`${v} accepted`)) && !/asked with a hello of its own/.test(l.text),
  );

describe('TLS 1.0 and 1.1 with one hello offering both', function () {
  this.timeout(30_000);
  let pki: TestPki;
  let leaf: ReturnType<TestPki['leaf']>;
  const closers: Array<() => Promise<void>> = [];
  before(() => {
    pki = makePki('Legacy range');
    leaf = pki.leaf({ cn: NAME, sans: [NAME] });
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  async function probeWith(t: Partial<LabTls>, protocol: 'smtp' | 'imap' = 'smtp', perHost = 2): Promise<{ r: ProbeResult; connections: number }> {
    const server = await startMailServer({ protocol, serves: 'starttls', tls: { certPem: pki.chain(leaf), keyPem: leaf.keyPem, ...t } });
    closers.push(server.close);
    const relay = await counted(server.port);
    closers.push(relay.close);
    const [r] = await probeEndpoint(
      { host: '127.0.0.1', port: relay.port, protocol, mode: 'starttls', servername: NAME, caFiles: [pki.rootFile()] },
      { timeoutMs: TIMEOUT, limiter: new ConnectionLimiter({ perHost }) },
    );
    return { r, connections: relay.count() };
  }

  it('legacy refused by the security level (internal_error before any ServerHello): both from one hello, one connection fewer', async () => {
    for (const perHost of [1, 2]) {
      const { r, connections } = await probeWith({ minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=2' }, 'imap', perHost);
      assert.deepEqual(r.versions, V(false, false, true, true), show(r));
      for (const v of ['TLSv1', 'TLSv1.1'] as const) {
        assert.match(
          r.versionReasons![v],
          /^refused \(alert "internal error" instead of a ServerHello to one hello offering both TLSv1 and TLSv1\.1, while TLSv1\.2 and TLSv1\.3 completed/,
          show(r),
        );
        assert.equal(verdictLines(r, v).length, 2, `one attempt line and one verdict note for ${v}\n${show(r)}`);
      }
      // main (TLS 1.3), TLS 1.2, and one for both legacy versions
      assert.equal(connections, 3, show(r));
      assert.ok(
        r.findings.every((f) => f.id !== 'tls.legacy-version-accepted'),
        show(r),
      );
    }
  });

  it('every version accepted: the server picks TLS 1.1 from the range, and TLS 1.0 is asked with a hello of its own', async () => {
    const { r, connections } = await probeWith({ minVersion: 'TLSv1' });
    assert.deepEqual(r.versions, V(true, true, true, true), show(r));
    assert.match(r.versionReasons!['TLSv1.1'], /^accepted/);
    assert.match(r.versionReasons!.TLSv1, /^accepted \([^,]+\)$/, 'TLS 1.0 from its own hello');
    assert.ok(
      r.transcript.some((l) => l.conn === 'TLSv1' && /asked with a hello of its own \(the server chose TLSv1\.1/.test(l.text)),
      show(r),
    );
    assert.equal(connections, 4, show(r));
    assert.ok(r.findings.some((f) => f.id === 'tls.legacy-version-accepted'));
  });

  it('a hole at TLS 1.1 (OpenSSL skips it and answers TLS 1.0 with the downgrade sentinel): 1.1 refused, 1.0 accepted on its own hello', async () => {
    const { r, connections } = await probeWith({ minVersion: 'TLSv1', secureOptions: crypto.constants.SSL_OP_NO_TLSv1_1 });
    assert.deepEqual(r.versions, V(true, false, true, true), show(r));
    assert.match(r.versionReasons!['TLSv1.1'], /^refused \(the server answered with another version: TLSv1, marked as a downgrade/, show(r));
    assert.match(r.versionReasons!.TLSv1, /^accepted/, show(r));
    assert.equal(connections, 4, show(r));
    const legacy = r.findings.find((f) => f.id === 'tls.legacy-version-accepted');
    assert.ok(legacy, show(r));
  });

  it('a minimum of TLS 1.2 (protocol_version to the range): TLS 1.1 refused, TLS 1.0 still asked on its own', async () => {
    // GnuTLS with a hole at 1.1 refuses the range hello the same way and accepts a TLS 1.0 hello
    // (test/integration/interop/tlsStacks.test.ts), so this answer must not decide TLS 1.0.
    const { r, connections } = await probeWith({ minVersion: 'TLSv1.2' });
    assert.deepEqual(r.versions, V(false, false, true, true), show(r));
    assert.equal(r.versionReasons!['TLSv1.1'], 'refused (alert "protocol version")');
    assert.equal(r.versionReasons!.TLSv1, 'refused (alert "protocol version")');
    assert.ok(
      r.transcript.some((l) => l.conn === 'TLSv1' && /asked with a hello of its own \(a version refusal of TLS 1\.1/.test(l.text)),
      show(r),
    );
    assert.equal(connections, 4, show(r));
  });

  it('TLS 1.0 only on the main connection: no range hello (one version is known), 1.1 asked on its own', async () => {
    const { r } = await probeWith({ minVersion: 'TLSv1', maxVersion: 'TLSv1' });
    assert.deepEqual(r.versions, V(true, false, false, false), show(r));
    assert.equal(r.tls?.version, 'TLSv1');
    assert.ok(!r.transcript.some((l) => /offering both/.test(l.text)), show(r));
  });

  it('the range hello is the single-version TLS 1.1 hello, byte for byte apart from the random', async () => {
    // What makes the TLS 1.1 verdict of the range exact: the server cannot tell them apart.
    const hello = (minVersion: tls.SecureVersion) =>
      new Promise<Buffer>((resolve) => {
        const srv = net.createServer((s) => {
          let got = Buffer.alloc(0);
          s.on('data', (d) => {
            got = Buffer.concat([got, d]);
            if (got.length >= 5 && got.length >= 5 + got.readUInt16BE(3)) {
              s.destroy();
              srv.close();
              resolve(got);
            }
          });
        });
        srv.listen(0, '127.0.0.1', () => {
          const c = tls.connect({
            host: '127.0.0.1',
            port: (srv.address() as net.AddressInfo).port,
            minVersion,
            maxVersion: 'TLSv1.1',
            ciphers: 'DEFAULT:@SECLEVEL=0',
            servername: NAME,
            rejectUnauthorized: false,
          });
          c.on('error', () => undefined);
        });
      });
    const zeroRandom = (b: Buffer) => Buffer.concat([b.subarray(0, 11), Buffer.alloc(32), b.subarray(43)]).toString('hex');
    const [single, range] = [await hello('TLSv1.1'), await hello('TLSv1')];
    assert.equal(zeroRandom(range), zeroRandom(single));
    assert.equal(range.readUInt16BE(9), 0x0302, 'legacy_version TLS 1.1');
  });
});
