/**
 * The real error texts: the real `nodemailer` package connects to small SMTP servers on 127.0.0.1 (plain with
 * STARTTLS, implicit TLS, broken chains, TLS 1.0 only...) and what it throws must map to the right explanation.
 * nodemailer only ever connects to 127.0.0.1 here.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import nodemailer from 'nodemailer';
import { explainError } from '../../src/core/explain';
import { listenClosable, type Listening } from '../support/listen';
import { startMailServer, type RunningServer } from '../support/lab/mailServer';
import { makePki, type Issued, type TestPki } from '../support/pki';
import { serveLegacyRenegotiationHello } from '../support/hostile/rawTls';

interface ServerOptions {
  /** Implicit TLS from the first byte (port-465 style). */
  implicit?: tls.SecureContextOptions & { minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion };
  /** STARTTLS offered with this context; 'none' = not offered (502); 'close' = hang up after "220 Go ahead". */
  starttls?: (tls.SecureContextOptions & { minVersion?: tls.SecureVersion }) | 'none' | 'close';
  /** Offer AUTH PLAIN LOGIN and answer every AUTH with this reply. */
  authReply?: string;
}

/** A minimal SMTP responder: enough of EHLO/STARTTLS/QUIT for nodemailer's verify(). Reads are bounded. */
async function startSmtp(opts: ServerOptions): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const speak = (sock: net.Socket, secured: boolean) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    const onData = (chunk: string) => {
      buf += chunk;
      if (buf.length > 8192) return sock.destroy();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') {
          const offer = !secured && opts.starttls !== undefined && opts.starttls !== 'none';
          const auth = opts.authReply ? '250-AUTH PLAIN LOGIN\r\n' : '';
          sock.write(offer ? `250-localhost\r\n250-STARTTLS\r\n${auth}250 8BITMIME\r\n` : `250-localhost\r\n${auth}250 8BITMIME\r\n`);
        } else if (verb === 'STARTTLS' && !secured && opts.starttls !== undefined && opts.starttls !== 'none') {
          sock.write('220 2.0.0 Ready to start TLS\r\n');
          if (opts.starttls === 'close') {
            sock.destroy();
            return;
          }
          sock.removeListener('data', onData);
          const secure = new tls.TLSSocket(sock, { isServer: true, ...opts.starttls });
          secure.on('error', () => undefined);
          speak(secure, true);
          return;
        } else if (verb === 'AUTH' && opts.authReply) {
          sock.write(`${opts.authReply}\r\n`);
        } else if (verb === 'QUIT') {
          sock.end('221 2.0.0 Bye\r\n');
        } else if (verb === 'STARTTLS') {
          sock.write('502 5.5.1 Error: command not implemented\r\n');
        } else {
          sock.write('250 2.0.0 OK\r\n');
        }
      }
    };
    sock.on('data', onData);
  };
  const onConnection = (sock: net.Socket, secured: boolean) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.write('220 localhost ESMTP test\r\n');
    speak(sock, secured);
  };
  const server = opts.implicit ? tls.createServer(opts.implicit, (s) => onConnection(s, true)) : net.createServer((s) => onConnection(s, false));
  server.on('tlsClientError', () => undefined);
  if (opts.implicit) {
    // The raw TCP sockets of a TLS server (a client that never starts TLS) must be closable too.
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  }
  return listenClosable(server, sockets);
}

/** RFC 2409's 1024-bit MODP group (Oakley group 2) as a PEM DHparams, built from Node's copy of the prime. */
function modp2Pem(): string {
  const int = (b: Buffer) => {
    const v = b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
    return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
  };
  const group = crypto.getDiffieHellman('modp2');
  const body = Buffer.concat([int(group.getPrime()), int(group.getGenerator())]);
  const der = Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END DH PARAMETERS-----\n`;
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
}

interface Caught {
  code?: string;
  message: string;
}

async function nodemailerError(port: number, options: Record<string, unknown>): Promise<Caught> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    connectionTimeout: 1000,
    greetingTimeout: 1000,
    socketTimeout: 2000,
    ...options,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  try {
    await transport.verify();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code, message: String(e.message) };
  } finally {
    transport.close();
  }
  throw new Error('nodemailer connected without an error');
}

function assertExplains(caught: Caught, id: string): void {
  // As a user pastes it: the message alone, and "CODE message" as nodemailer logs it.
  for (const text of [caught.message, `${caught.code ?? ''} ${caught.message}`]) {
    const ids: string[] = explainError(text).matches.map((m) => m.id);
    assert.ok(ids.includes(id), `"${text}" should be explained as ${id}, got ${JSON.stringify(ids)}`);
  }
}

describe('real nodemailer errors map to the right explanation', function () {
  this.timeout(15000);
  let pki: TestPki;
  let good: Issued;
  const servers: Listening[] = [];
  const start = async (o: ServerOptions) => {
    const s = await startSmtp(o);
    servers.push(s);
    return s;
  };

  before(() => {
    pki = makePki('nodemailer-errors');
    good = pki.leaf({ cn: 'localhost', sans: ['localhost', '127.0.0.1'] });
  });
  const labServers: RunningServer[] = [];
  after(async () => {
    await Promise.all([...servers, ...labServers].map((s) => s.close()));
  });

  it('secure: true on a STARTTLS port -> wrong version number', async () => {
    const s = await start({ starttls: { key: good.keyPem, cert: pki.chain(good) } });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem } });
    assert.match(caught.message, /wrong version number/);
    assert.equal(caught.code, 'ESOCKET');
    assertExplains(caught, 'explain.wrong-version-number');
  });

  it('secure: false on an implicit-TLS port -> Greeting never received', async () => {
    const s = await start({ implicit: { key: good.keyPem, cert: pki.chain(good) } });
    const caught = await nodemailerError(s.port, { secure: false });
    assert.match(caught.message, /Greeting never received/);
    assert.equal(caught.code, 'ETIMEDOUT');
    assertExplains(caught, 'explain.greeting-never-received');
    assert.ok(!explainError(caught.message).matches.some((m) => m.id === 'explain.connection-timeout'), 'the generic timeout stays quiet');
  });

  it('pointed at an IMAP port, or turned away in the greeting -> Invalid greeting', async () => {
    const imap = await startMailServer({ protocol: 'imap', serves: 'starttls', tls: { certPem: pki.chain(good), keyPem: good.keyPem } });
    const refusing = await startMailServer({ protocol: 'smtp', serves: 'starttls', rejectWith: ['554 5.7.1 not accepting connections from you'] });
    labServers.push(imap, refusing);
    for (const [port, response] of [
      [imap.port, /^\* OK/],
      [refusing.port, /^554 /],
    ] as const) {
      const caught = await nodemailerError(port, { secure: false, requireTLS: true, tls: { ca: pki.root.certPem } });
      assert.equal(caught.code, 'EPROTOCOL');
      assert.match(caught.message.replace(/^Invalid greeting\. response=/, ''), response);
      assertExplains(caught, 'explain.invalid-greeting');
    }
  });

  it('self-signed server certificate', async () => {
    const self = makePki('selfsigned').otherRoot;
    const s = await start({ implicit: { key: self.keyPem, cert: self.certPem } });
    const caught = await nodemailerError(s.port, { secure: true });
    assert.match(caught.message, /self[- ]signed certificate/);
    assertExplains(caught, caught.message.includes('in certificate chain') ? 'explain.self-signed-in-chain' : 'explain.self-signed-leaf');
  });

  it('leaf-only chain -> unable to verify the first certificate', async () => {
    const s = await start({ implicit: { key: good.keyPem, cert: good.certPem } });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem } });
    assert.match(caught.message, /unable to verify the first certificate/);
    assertExplains(caught, 'explain.incomplete-chain');
  });

  it('unknown root -> unable to get local issuer certificate', async () => {
    const s = await start({ implicit: { key: good.keyPem, cert: pki.chain(good) } });
    const caught = await nodemailerError(s.port, { secure: true });
    assert.match(caught.message, /unable to get local issuer certificate/);
    assertExplains(caught, 'explain.unknown-issuer');
  });

  it('untrusted root sent in the chain -> self-signed certificate in certificate chain', async () => {
    const s = await start({ implicit: { key: good.keyPem, cert: pki.chain(good) + pki.root.certPem } });
    const caught = await nodemailerError(s.port, { secure: true });
    assert.match(caught.message, /self[- ]signed certificate in certificate chain/);
    assertExplains(caught, 'explain.self-signed-in-chain');
  });

  it('expired certificate', async () => {
    const expired = pki.leaf({
      cn: 'localhost',
      sans: ['localhost', '127.0.0.1'],
      notBefore: new Date(Date.now() - 20 * 86400e3),
      notAfter: new Date(Date.now() - 86400e3),
    });
    const s = await start({ implicit: { key: expired.keyPem, cert: pki.chain(expired) } });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem } });
    assert.match(caught.message, /certificate has expired/);
    assertExplains(caught, 'explain.cert-expired');
  });

  it('certificate for another name -> ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const other = pki.leaf({ cn: 'smtp.other.test', sans: ['smtp.other.test'] });
    const s = await start({ implicit: { key: other.keyPem, cert: pki.chain(other) } });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem, servername: 'mail.example.test' } });
    assert.match(caught.message, /does not match certificate's altnames/);
    const m = explainError(caught.message).matches.find((x) => x.id === 'explain.hostname-mismatch');
    assert.ok(m, JSON.stringify(explainError(caught.message)));
    assert.equal(m.endpoint?.host, 'mail.example.test');
  });

  it('requireTLS against a server without STARTTLS -> ETLS', async () => {
    const s = await start({ starttls: 'none' });
    const caught = await nodemailerError(s.port, { secure: false, requireTLS: true });
    assert.equal(caught.code, 'ETLS');
    assertExplains(caught, 'explain.starttls-unavailable');
  });

  it('server hangs up after STARTTLS -> disconnected before secure TLS connection', async () => {
    const s = await start({ starttls: 'close' });
    const caught = await nodemailerError(s.port, { secure: false, requireTLS: true });
    assert.match(caught.message, /disconnected before secure TLS connection was established/);
    assertExplains(caught, 'explain.disconnected-before-tls');
  });

  it('TLS 1.0/1.1-only server -> protocol version alert', async () => {
    const s = await start({
      implicit: { key: good.keyPem, cert: pki.chain(good), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' },
    });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem } });
    assertExplains(caught, 'explain.tls-version-rejected');
  });

  it('a server with a 1024-bit DH group and a client at security level 2 -> dh key too small; leaving out DHE is the fix', async () => {
    const dh = { key: good.keyPem, cert: pki.chain(good), dhparam: modp2Pem(), maxVersion: 'TLSv1.2' as const };
    const dheOnly = await start({ implicit: { ...dh, ciphers: 'DHE-RSA-AES128-GCM-SHA256' } });
    const caught = await nodemailerError(dheOnly.port, { secure: true, tls: { ca: pki.root.certPem, ciphers: 'DEFAULT@SECLEVEL=2' } });
    assert.match(caught.message, /dh key too small/);
    assertExplains(caught, 'explain.dh-key-too-small');
    assert.ok(!explainError(caught.message).matches.some((m) => m.id === 'explain.handshake-failure'), 'the broad entry stays quiet');
    // The explanation's client-side fix, as written there, against a server that offers ECDHE beside DHE (and prefers DHE).
    const both = await start({ implicit: { ...dh, ciphers: 'DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256', honorCipherOrder: true } });
    assert.match(explainError(caught.message).matches[0].fix, /DEFAULT_CIPHERS \+ ':!kEDH'/);
    const still = await nodemailerError(both.port, { secure: true, tls: { ca: pki.root.certPem, ciphers: 'DEFAULT@SECLEVEL=2' } });
    assert.match(still.message, /dh key too small/);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: both.port,
      secure: true,
      tls: { ca: pki.root.certPem, ciphers: `${tls.DEFAULT_CIPHERS}:!kEDH:@SECLEVEL=2` },
    } as Parameters<typeof nodemailer.createTransport>[0]);
    try {
      assert.equal(await transport.verify(), true);
    } finally {
      transport.close();
    }
  });

  it('a SHA-1 signed certificate -> CA signature digest algorithm too weak (Node refuses it by default)', async () => {
    const sha1 = pki.leaf({ cn: 'localhost', sans: ['localhost', '127.0.0.1'], hash: 'sha1' });
    const s = await start({ implicit: { key: sha1.keyPem, cert: pki.chain(sha1), ciphers: 'DEFAULT@SECLEVEL=0' } });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem } });
    assert.match(caught.message, /CA signature digest algorithm too weak/);
    assertExplains(caught, 'explain.weak-certificate-signature');
  });

  it('a 1024-bit RSA certificate against a client at security level 2 -> EE certificate key too weak', async () => {
    const small = pki.leaf({ cn: 'localhost', sans: ['localhost', '127.0.0.1'], keyBits: 1024 });
    const s = await start({ implicit: { key: small.keyPem, cert: pki.chain(small), ciphers: 'DEFAULT@SECLEVEL=0' } });
    const caught = await nodemailerError(s.port, { secure: true, tls: { ca: pki.root.certPem, ciphers: 'DEFAULT@SECLEVEL=2' } });
    assert.match(caught.message, /EE certificate key too weak/);
    assertExplains(caught, 'explain.weak-certificate-key');
  });

  it('a server without RFC 5746 renegotiation_info -> unsafe legacy renegotiation disabled', async () => {
    const sockets = new Set<net.Socket>();
    const legacy = await listenClosable(
      net.createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => undefined);
        serveLegacyRenegotiationHello(sock);
      }),
      sockets,
    );
    servers.push(legacy);
    const caught = await nodemailerError(legacy.port, { secure: true, tls: { ca: pki.root.certPem, maxVersion: 'TLSv1.2' } });
    assert.match(caught.message, /unsafe legacy renegotiation disabled/);
    assertExplains(caught, 'explain.unsafe-legacy-renegotiation');
    assert.ok(!explainError(caught.message).matches.some((m) => m.id === 'explain.handshake-failure'), 'the broad entry stays quiet');
  });

  it('a refused login -> EAUTH "Invalid login: 535", explained as credentials, not TLS', async () => {
    const s = await start({ starttls: { key: good.keyPem, cert: pki.chain(good) }, authReply: '535 5.7.8 Authentication credentials invalid' });
    const caught = await nodemailerError(s.port, { secure: false, requireTLS: true, tls: { ca: pki.root.certPem }, auth: { user: 'u', pass: 'wrong' } });
    assert.equal(caught.code, 'EAUTH');
    assert.match(caught.message, /Invalid login: 535/);
    assertExplains(caught, 'explain.auth-rejected');
    const empty = await nodemailerError(s.port, { secure: false, requireTLS: true, tls: { ca: pki.root.certPem }, auth: { user: '', pass: '' } });
    assertExplains(empty, 'explain.auth-rejected');
  });

  it('nothing listening -> ECONNREFUSED, with the endpoint to probe', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const caught = await nodemailerError(port, { secure: false });
    assert.equal(caught.code, 'ESOCKET');
    const m = explainError(caught.message).matches.find((x) => x.id === 'explain.connection-refused');
    assert.ok(m, caught.message);
    assert.deepEqual(m.endpoint && { host: m.endpoint.host, port: m.endpoint.port }, { host: '127.0.0.1', port });
  });
});
