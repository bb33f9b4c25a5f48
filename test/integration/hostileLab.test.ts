/**
 * The hostile lab checked with a bare socket client, independent of the probe engine: if a hostile server did
 * not misbehave the way it claims, every robustness test built on it would prove nothing.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as lab from '../support/hostile';
import { LONG_CHAIN_LENGTH, startHostile, type HostileServer } from '../support/hostile';

interface Client {
  sock: net.Socket;
  received(): Buffer;
  /** Resolves when the received bytes satisfy `test`, or rejects after `ms`. */
  until(test: (b: Buffer) => boolean, ms?: number): Promise<Buffer>;
  closed: Promise<string>;
}

function dial(s: HostileServer): Client {
  const sock = net.connect(s.port, s.host);
  let buf = Buffer.alloc(0);
  let waiters: Array<() => void> = [];
  const cap = 16 * 1024 * 1024;
  sock.on('data', (d: Buffer) => {
    if (buf.length < cap) buf = Buffer.concat([buf, d]);
    waiters.forEach((w) => w());
  });
  const closed = new Promise<string>((resolve) => {
    sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    sock.on('close', () => resolve('close'));
  });
  return {
    sock,
    received: () => buf,
    closed,
    until(test, ms = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (test(buf)) {
            waiters = waiters.filter((w) => w !== check);
            clearTimeout(timer);
            resolve(buf);
          }
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`timed out with ${buf.length} bytes: ${JSON.stringify(buf.subarray(0, 120).toString('latin1'))}`));
        }, ms);
        waiters.push(check);
        check();
      });
    },
  };
}

const has = (text: string) => (b: Buffer) => b.toString('latin1').includes(text);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays the plaintext part of SMTP up to the STARTTLS go-ahead. */
async function toStartTls(c: Client): Promise<void> {
  await c.until(has('220 '));
  c.sock.write('EHLO probe.test\r\n');
  await c.until(has('250 8BITMIME'));
  c.sock.write('STARTTLS\r\n');
  await c.until(has('220 2.0.0'));
}

function tlsOver(sock: net.Socket, opts: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({ socket: sock, servername: 'localhost', rejectUnauthorized: false, ...opts });
    t.once('secureConnect', () => resolve(t));
    t.once('error', reject);
  });
}

describe('hostile lab (checked with a bare socket)', function () {
  this.timeout(15000);
  const servers: HostileServer[] = [];
  const start = async (...args: Parameters<typeof startHostile>) => {
    const s = await startHostile(...args);
    servers.push(s);
    return s;
  };
  // The lab's keys (49 of them for the long chain) are made up front: made lazily, they would be made inside a
  // STARTTLS wait of 3 s, which a loaded machine overruns.
  before(() => {
    lab.healthyTls();
    lab.longChainTls();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('healthy: a full STARTTLS dialogue over SMTP, IMAP and POP3, counted', async () => {
    for (const [protocol, capa, stls, ok] of [
      ['smtp', 'EHLO x', 'STARTTLS', '220 2.0.0'],
      ['imap', 'a1 CAPABILITY', 'a2 STARTTLS', 'a2 OK'],
      ['pop3', 'CAPA', 'STLS', '+OK Begin'],
    ] as const) {
      const s = await start(lab.healthy(), { protocol });
      const c = dial(s);
      await c.until((b) => b.length > 0);
      c.sock.write(`${capa}\r\n`);
      await c.until(has(protocol === 'pop3' ? 'STLS' : 'STARTTLS'));
      c.sock.write(`${stls}\r\n`);
      await c.until(has(ok));
      const t = await tlsOver(c.sock, { ca: lab.healthyTls().caPem, rejectUnauthorized: true });
      assert.equal(t.authorized, true);
      t.end();
      assert.equal(s.stats.accepted, 1);
    }
  });

  it('healthy implicit TLS greets after the handshake', async () => {
    const s = await start(lab.healthy(), { mode: 'implicit', protocol: 'imap' });
    const t = tls.connect({ port: s.port, host: s.host, servername: 'localhost', ca: lab.healthyTls().caPem });
    const greeting = await new Promise<string>((resolve, reject) => {
      t.once('data', (d) => resolve(d.toString()));
      t.once('error', reject);
    });
    assert.match(greeting, /^\* OK /);
    t.destroy();
  });

  it('silent: accepts and sends nothing', async () => {
    const s = await start(lab.silent());
    const c = dial(s);
    await sleep(200);
    assert.equal(c.received().length, 0);
    assert.equal(s.stats.open, 1);
  });

  it('drip: the greeting arrives one byte per interval', async () => {
    const s = await start(lab.drip(40));
    // Timed from the dial, which precedes the server's first byte: a late read of the first byte (a loaded
    // machine) would shorten a window measured from it, while two intervals always lie between dial and byte 3.
    const t0 = performance.now();
    const c = dial(s);
    await c.until((b) => b.length >= 3);
    assert.ok(performance.now() - t0 >= 75, `3 bytes after ${Math.round(performance.now() - t0)} ms`);
    assert.ok(!c.received().includes(10));
  });

  it('endless capabilities: megabytes of continuation lines, never a last line', async () => {
    for (const protocol of ['smtp', 'imap', 'pop3'] as const) {
      const s = await start(lab.endlessCapabilities(), { protocol });
      const c = dial(s);
      await c.until((b) => b.length > 0);
      c.sock.write(protocol === 'smtp' ? 'EHLO x\r\n' : protocol === 'imap' ? 'a1 CAPABILITY\r\n' : 'CAPA\r\n');
      const b = await c.until((x) => x.length > 2_000_000);
      const text = b.toString('latin1');
      const last = protocol === 'smtp' ? /\r\n250 / : protocol === 'imap' ? /\r\na1 OK/ : /\r\n\.\r\n/;
      assert.doesNotMatch(text, last);
      c.sock.destroy();
    }
  });

  it('huge line: megabytes without a newline', async () => {
    const s = await start(lab.hugeLine(3));
    const c = dial(s);
    const b = await c.until((x) => x.length >= 3 * 1024 * 1024);
    assert.ok(!b.includes(10));
  });

  it('garbage: random binary bytes', async () => {
    const s = await start(lab.garbage(64));
    const c = dial(s);
    const b = await c.until((x) => x.length >= 64 * 1024);
    assert.ok(b.includes(0) && b.some((x) => x > 0x7f));
  });

  it('starttls-plaintext: 220 to STARTTLS, then plaintext where the ServerHello should be', async () => {
    const s = await start(lab.startTlsPlaintext());
    const c = dial(s);
    await toStartTls(c);
    await assert.rejects(tlsOver(c.sock), (e: NodeJS.ErrnoException) => /SSL|TLS|socket/i.test(`${e.code} ${e.message}`));
  });

  it('long chain: the handshake carries 50 certificates', async () => {
    const s = await start(lab.longChain());
    const c = dial(s);
    await toStartTls(c);
    const t = await tlsOver(c.sock);
    let n = 0;
    const seen = new Set<string>();
    for (
      let cert: tls.DetailedPeerCertificate | undefined = t.getPeerCertificate(true);
      cert && !seen.has(cert.fingerprint256);
      cert = cert.issuerCertificate
    ) {
      seen.add(cert.fingerprint256);
      n++;
    }
    assert.equal(n, LONG_CHAIN_LENGTH);
    t.destroy();
  });

  for (const kind of ['garbage', 'truncated', 'bad-framing'] as const) {
    it(`malformed certificate (${kind}): the client's handshake fails on the certificate`, async () => {
      for (const mode of ['starttls', 'implicit'] as const) {
        const s = await start(lab.malformedCertificate(kind), { mode });
        const c = dial(s);
        if (mode === 'starttls') await toStartTls(c);
        await assert.rejects(tlsOver(c.sock), (e: NodeJS.ErrnoException) => {
          // A parse failure of the Certificate message, not a version or cipher mismatch.
          assert.match(`${e.code} ${e.message}`, /ASN1|BAD_PACKET|LENGTH|DECODE|CERT|X509|BAD_MESSAGE|HEADER/i);
          return true;
        });
      }
    });
  }

  it('reset mid-reply: half a capability reply, then RST', async () => {
    const s = await start(lab.resetMidReply());
    const c = dial(s);
    await c.until(has('220 '));
    c.sock.write('EHLO x\r\n');
    assert.equal(await c.closed, 'ECONNRESET');
    assert.match(c.received().toString(), /250-hostile/);
    assert.doesNotMatch(c.received().toString(), /250 8BITMIME/);
  });

  it('never-close: answers QUIT, then keeps the connection even after the client ends its side', async () => {
    const s = await start(lab.neverClose());
    const c = dial(s);
    await c.until(has('220 '));
    c.sock.write('QUIT\r\n');
    await c.until(has('221 '));
    c.sock.end();
    for (let i = 0; i < 100 && s.stats.open > 0; i++) await sleep(10);
    assert.equal(s.stats.open, 0, 'the client has gone');
    await sleep(100);
    assert.equal(s.heldSockets(), 1, 'the server still holds its end');
  });

  it('busy: 421 and hang-up; accepts are timed per address', async () => {
    const stats = lab.connectionStats();
    const s = await start(lab.busy(), { stats, host: '127.0.0.3' });
    for (let i = 0; i < 2; i++) {
      const c = dial(s);
      await c.until(has('421 '));
      await c.closed;
    }
    assert.equal(stats.byAddress.get('127.0.0.3')?.accepted, 2);
    assert.equal(stats.acceptedAt.get('127.0.0.3')?.length, 2);
  });
});
