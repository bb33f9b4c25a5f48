/**
 * Wrong port / mode pairs and a TLS layer with nothing behind it, against real servers on loopback:
 * - a close right after a good handshake, before any greeting, is `tls.closed-before-greeting` (a TLS terminator
 *   whose backend is down), not a rejected greeting, in implicit TLS and when STARTTLS was asked of the port;
 * - implicit TLS asked of a plaintext port says "use STARTTLS" only when STARTTLS is offered, else `mode.no-tls`;
 * - STARTTLS asked of an implicit-TLS port is named after SILENT_PORT_MS, through a second connection, long before
 *   the greeting timeout, and never with more connections at once than the per-host cap.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Protocol, TlsMode } from '../../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint, type ProbeResult } from '../../src/core/probe';
import { SILENT_PORT_MS } from '../../src/core/probe/session';
import { startMailServer } from '../support/lab/mailServer';
import { makePki, type TestPki } from '../support/pki';

const NAME = 'mail.modes.test';

/**
 * The mode findings tell the client what to set: for Postfix as the client that is smtp_tls_wrappermode with
 * smtp_tls_security_level (what postfix/smtp itself demands for port 465), never the server's smtpd_* settings.
 */
function assertClientAdvice(fix: string): void {
  assert.ok(fix.includes('`smtp_tls_wrappermode = yes` with `smtp_tls_security_level = encrypt`'), fix);
  assert.ok(fix.includes('`smtp_tls_wrappermode = no`'), fix);
  assert.doesNotMatch(fix, /smtpd_/, fix);
}

interface Counted {
  port: number;
  /** Most connections open at the same time. */
  peak: number;
  close(): Promise<void>;
}

/** An implicit-TLS server; `greet: false` closes right after the handshake (a terminator with its backend down). */
async function implicitServer(pki: TestPki, protocol: Protocol, greet: boolean): Promise<Counted> {
  const leaf = pki.leaf({ cn: NAME, sans: [NAME] });
  let open = 0;
  const state = { peak: 0 };
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: pki.chain(leaf), key: leaf.keyPem }, (s) => {
    s.on('error', () => undefined);
    if (!greet) {
      s.destroy();
      return;
    }
    s.write(protocol === 'smtp' ? '220 mail.modes.test ESMTP\r\n' : protocol === 'imap' ? '* OK ready\r\n' : '+OK ready\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const tag = line.split(' ')[0];
        if (/^(QUIT|\S+ LOGOUT)$/i.test(line)) s.end(protocol === 'imap' ? `* BYE\r\n${tag} OK\r\n` : protocol === 'smtp' ? '221 bye\r\n' : '+OK bye\r\n');
        else if (protocol === 'smtp') s.write(/^EHLO/i.test(line) ? '250-mail.modes.test\r\n250 8BITMIME\r\n' : '502 no\r\n');
        else if (protocol === 'imap') s.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK\r\n`);
        else s.write(/^CAPA/i.test(line) ? '+OK\r\nUSER\r\n.\r\n' : '-ERR no\r\n');
      }
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    open++;
    state.peak = Math.max(state.peak, open);
    s.once('close', () => {
      open--;
      sockets.delete(s);
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    get peak() {
      return state.peak;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function probe(
  port: number,
  protocol: Protocol,
  mode: TlsMode,
  caFile: string,
  timeoutMs: number,
  extra: { limiter?: ConnectionLimiter; scanVersions?: boolean } = {},
): Promise<ProbeResult> {
  const [r] = await probeEndpoint(
    { host: '127.0.0.1', port, protocol, mode, servername: NAME, caFiles: [caFile] },
    { timeoutMs, ehloName: 'probe.test', ...extra },
  );
  return r;
}

const ids = (r: ProbeResult) => r.findings.map((f) => f.id);
const show = (r: ProbeResult) =>
  `findings: ${ids(r).join(', ')}\n${r.transcript.map((l) => `  ${l.at} ${l.conn ? `[${l.conn}] ` : ''}${l.kind} ${l.text}`).join('\n')}`;

describe('wrong mode pairs and a TLS layer with nothing behind it', function () {
  this.timeout(30_000);
  let pki: TestPki;
  let caFile: string;
  const closers: Array<() => Promise<void>> = [];
  before(() => {
    pki = makePki('Modes');
    caFile = pki.rootFile();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
    it(`${protocol}: a close right after the handshake, before any greeting, is tls.closed-before-greeting with the terminator's backend as cause`, async () => {
      const server = await implicitServer(pki, protocol, false);
      closers.push(server.close);
      const r = await probe(server.port, protocol, 'implicit', caFile, 3000);
      assert.ok(ids(r).includes('tls.closed-before-greeting'), show(r));
      assert.ok(!ids(r).includes('greeting.rejected'), show(r));
      assert.ok(!ids(r).includes('tls.closed-after-handshake'), show(r));
      const f = r.findings.find((x) => x.id === 'tls.closed-before-greeting')!;
      assert.match(f.detail, /backend is down/);
      assert.match(f.fix, /stunnel `connect =`/);
      assert.doesNotMatch(f.fix, /read the reply text/i);
      // TLS itself worked: it is still reported and judged.
      assert.ok(r.tls, show(r));
      assert.equal(r.trusted, true, show(r));
    });
  }

  it('STARTTLS asked of such a port names both: the port wants implicit TLS, and nothing greets behind it', async () => {
    const server = await implicitServer(pki, 'imap', false);
    closers.push(server.close);
    const r = await probe(server.port, 'imap', 'starttls', caFile, 10_000);
    assert.ok(ids(r).includes('mode.expects-implicit-tls'), show(r));
    assert.ok(ids(r).includes('tls.closed-before-greeting'), show(r));
    // Named through the second connection, not after the 10 s greeting timeout.
    assert.ok(r.durationMs < 10_000, `took ${r.durationMs} ms\n${show(r)}`);
  });

  for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
    it(`${protocol}: implicit TLS asked of a plaintext port without STARTTLS says the port has no TLS, not "use STARTTLS"`, async () => {
      const plain = await startMailServer({ protocol, serves: 'starttls' });
      closers.push(plain.close);
      const r = await probe(plain.port, protocol, 'implicit', caFile, 3000);
      assert.ok(ids(r).includes('mode.no-tls'), show(r));
      assert.ok(!ids(r).includes('mode.expects-starttls'), show(r));
      // The capability list was really asked for on the plaintext connection.
      const asked = protocol === 'smtp' ? /^EHLO / : protocol === 'imap' ? /CAPABILITY$/ : /^CAPA$/;
      assert.ok(
        r.transcript.some((l) => l.conn === 'plaintext' && l.kind === 'C' && asked.test(l.text)),
        show(r),
      );
    });

    it(`${protocol}: implicit TLS asked of a plaintext port that offers STARTTLS says "use STARTTLS"`, async () => {
      const leaf = pki.leaf({ cn: NAME, sans: [NAME] });
      const plain = await startMailServer({ protocol, serves: 'starttls', tls: { certPem: pki.chain(leaf), keyPem: leaf.keyPem } });
      closers.push(plain.close);
      const r = await probe(plain.port, protocol, 'implicit', caFile, 3000);
      assert.ok(ids(r).includes('mode.expects-starttls'), show(r));
      assert.ok(!ids(r).includes('mode.no-tls'), show(r));
      const f = r.findings.find((x) => x.id === 'mode.expects-starttls')!;
      assert.match(f.detail, /offers (STARTTLS|STLS), so STARTTLS works/);
      if (protocol === 'smtp') assertClientAdvice(f.fix);
    });
  }

  it(`STARTTLS asked of an implicit-TLS port is named after ${SILENT_PORT_MS} ms of silence, through a second connection`, async () => {
    const server = await implicitServer(pki, 'smtp', true);
    closers.push(server.close);
    const timeoutMs = 20_000;
    const r = await probe(server.port, 'smtp', 'starttls', caFile, timeoutMs);
    assert.ok(ids(r).includes('mode.expects-implicit-tls'), show(r));
    assert.ok(!ids(r).includes('greeting.timeout'), show(r));
    assert.equal(r.trusted, true, show(r));
    assertClientAdvice(r.findings.find((x) => x.id === 'mode.expects-implicit-tls')!.fix);
    assert.ok(
      r.transcript.some((l) => l.conn === 'TLS first' && l.kind === 'S' && /^220 /.test(l.text)),
      `the greeting over TLS came on the second connection\n${show(r)}`,
    );
    // The whole probe (version scan included) ends long before one greeting timeout would have passed.
    assert.ok(r.durationMs < timeoutMs / 2, `took ${r.durationMs} ms\n${show(r)}`);
    assert.ok(server.peak <= 2, `at most 2 connections at once, saw ${server.peak}`);
  });

  it('with a per-host cap of 1, no second connection is opened: the pair is named after the greeting timeout instead', async () => {
    const server = await implicitServer(pki, 'smtp', true);
    closers.push(server.close);
    const limiter = new ConnectionLimiter({ perHost: 1 });
    const r = await probe(server.port, 'smtp', 'starttls', caFile, 2500, { limiter, scanVersions: false });
    assert.ok(ids(r).includes('mode.expects-implicit-tls'), show(r));
    assert.equal(server.peak, 1, 'never more than one connection at once');
    assert.ok(!r.transcript.some((l) => l.conn === 'TLS first' && /^connected/.test(l.text)), show(r));
  });

  for (const cap of [2, 1]) {
    it(`STARTTLS asked of an implicit-TLS port whose handshake fails (an alert) is named too, with the TLS failure (per-host cap ${cap})`, async () => {
      // Answers every ClientHello with handshake_failure (no cipher for its RSA key): TLS first, but broken, like
      // Debian 12's OpenSMTPD 6.8 with OpenSSL 3 (internal_error after its certificate).
      const leaf = pki.leaf({ cn: NAME, sans: [NAME] });
      const sockets = new Set<net.Socket>();
      const server = tls.createServer({ cert: pki.chain(leaf), key: leaf.keyPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, (s) =>
        s.destroy(),
      );
      server.on('connection', (s: net.Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });
      const port = (server.address() as net.AddressInfo).port;
      const timeoutMs = cap === 2 ? 20_000 : 2500;
      const r = await probe(port, 'smtp', 'starttls', caFile, timeoutMs, { limiter: new ConnectionLimiter({ perHost: cap }), scanVersions: false });
      assert.ok(ids(r).includes('mode.expects-implicit-tls'), show(r));
      assert.ok(ids(r).includes('tls.handshake-failed'), show(r));
      assert.ok(!ids(r).includes('greeting.timeout'), show(r));
      assert.equal(r.tls, null);
      const f = r.findings.find((x) => x.id === 'mode.expects-implicit-tls')!;
      assert.match(f.detail, /answered in TLS \(the handshake itself failed/);
      assert.doesNotMatch(f.detail, /succeeded/);
      // With a free slot, after the silent delay on a second connection, not after the greeting timeout.
      if (cap === 2) assert.ok(r.durationMs < timeoutMs / 2, `took ${r.durationMs} ms\n${show(r)}`);
    });
  }

  it('a server that greets late (after the silent delay) is still probed with STARTTLS on the first connection', async () => {
    const leaf = pki.leaf({ cn: NAME, sans: [NAME] });
    const ctx = tls.createSecureContext({ cert: pki.chain(leaf), key: leaf.keyPem });
    const sockets = new Set<net.Socket>();
    let ehlos = 0;
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
      // A greet-pause (Exim's `delay` in the connect ACL): a client that talks first is dropped.
      const early = () => s.destroy();
      s.once('data', early);
      setTimeout(() => {
        if (s.destroyed) return;
        s.off('data', early);
        s.write('220 slow.modes.test ESMTP\r\n');
        let buf = '';
        const onData = (d: Buffer) => {
          buf += d.toString('latin1');
          if (!buf.includes('\n')) return;
          const line = buf.trim();
          buf = '';
          if (/^EHLO/i.test(line)) {
            ehlos++;
            s.write('250-slow.modes.test\r\n250 STARTTLS\r\n');
          } else if (/^STARTTLS/i.test(line)) {
            s.off('data', onData);
            s.write('220 go ahead\r\n');
            const t = new tls.TLSSocket(s, { isServer: true, secureContext: ctx });
            t.on('error', () => undefined);
            t.on('data', (x) => {
              const l = x.toString();
              if (/^EHLO/i.test(l)) t.write('250 slow.modes.test\r\n');
              else if (/^QUIT/i.test(l)) t.end('221 bye\r\n');
            });
          } else if (/^QUIT/i.test(line)) s.end('221 bye\r\n');
        };
        s.on('data', onData);
      }, SILENT_PORT_MS + 700);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    );
    const r = await probe((server.address() as net.AddressInfo).port, 'smtp', 'starttls', caFile, 6000, { scanVersions: false });
    assert.ok(!ids(r).some((id) => id.startsWith('mode.')), show(r));
    assert.equal(r.trusted, true, show(r));
    assert.ok(ehlos >= 1, show(r));
    assert.ok(
      r.transcript.some((l) => l.conn === 'TLS first' && /second connection failed/.test(l.text)),
      show(r),
    );
  });
});
