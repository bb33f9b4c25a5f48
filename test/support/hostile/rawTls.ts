/**
 * A hand-written TLS 1.2 server flight (ServerHello, Certificate, ServerHelloDone) whose certificate is broken.
 * Node's `tls` server refuses to load a corrupt certificate, so the only real way to make a client parse one is
 * to write the handshake bytes ourselves: the client's Certificate parsing is what the test exercises, so the
 * server never needs keys or the rest of the handshake.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

export type MalformedCertKind =
  /** Random bytes where the DER should be, inside correct TLS framing. */
  | 'garbage'
  /** A real certificate cut in half: the DER's own length claims more than there is. */
  | 'truncated'
  /** The certificate list claims to be far longer than the handshake message. */
  | 'bad-framing';

/** Reads one complete TLS record (the ClientHello) from the socket, bounded at 64 KiB. */
export function readClientHello(sock: Socket, onHello: (hello: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length > 65536) return sock.destroy();
    if (buf.length < 5) return;
    const need = 5 + buf.readUInt16BE(3);
    if (buf.length < need) return;
    sock.off('data', onData);
    onHello(buf.subarray(0, need));
  };
  sock.on('data', onData);
}

/** Picks a TLS 1.2 ECDHE-RSA suite the client offered (any answer will do: the handshake dies at the certificate). */
export function chooseSuite(hello: Buffer): number {
  const preferred = [0xc02f, 0xc030, 0xcca8, 0xc013, 0xc014, 0x009c, 0x002f];
  try {
    // record(5) + handshake header(4) + version(2) + random(32)
    let p = 5 + 4 + 2 + 32;
    p += 1 + hello[p]; // session id
    const len = hello.readUInt16BE(p);
    const offered = new Set<number>();
    for (let i = p + 2; i + 1 < p + 2 + len && i + 1 < hello.length; i += 2) offered.add(hello.readUInt16BE(i));
    return preferred.find((s) => offered.has(s)) ?? 0xc02f;
  } catch {
    return 0xc02f;
  }
}

export function serverFlight(kind: MalformedCertKind, realDer: Buffer, suite: number): Buffer {
  const extensions = Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00]); // renegotiation_info: OpenSSL 3 insists on it
  const serverHello = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    randomBytes(32),
    Buffer.from([0x00]), // empty session id
    u16(suite),
    Buffer.from([0x00]), // no compression
    u16(extensions.length),
    extensions,
  ]);
  const certDer = kind === 'garbage' ? randomBytes(700) : kind === 'truncated' ? realDer.subarray(0, realDer.length >> 1) : realDer;
  const entry = Buffer.concat([u24(certDer.length), certDer]);
  const listLength = kind === 'bad-framing' ? entry.length + 40000 : entry.length;
  const certificate = Buffer.concat([u24(listLength), entry]);
  const flight = Buffer.concat([handshake(2, serverHello), handshake(11, certificate), handshake(14, Buffer.alloc(0))]);
  return record(0x16, flight);
}

/**
 * A TLS 1.2 ServerHello without the renegotiation_info extension (RFC 5746), as a server whose TLS stack predates
 * 2010 sends it: OpenSSL 3 clients stop right there ("unsafe legacy renegotiation disabled").
 */
export function serveLegacyRenegotiationHello(sock: Socket): void {
  readClientHello(sock, (hello) => {
    const serverHello = Buffer.concat([Buffer.from([0x03, 0x03]), randomBytes(32), Buffer.from([0x00]), u16(chooseSuite(hello)), Buffer.from([0x00])]);
    if (!sock.destroyed) sock.write(record(0x16, handshake(2, serverHello)));
  });
}

/** Serves the broken flight on `sock` once the client's hello has arrived. */
export function serveMalformedCertificate(sock: Socket, kind: MalformedCertKind, realDer: Buffer): void {
  readClientHello(sock, (hello) => {
    if (!sock.destroyed) sock.write(serverFlight(kind, realDer, chooseSuite(hello)));
  });
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

function record(type: number, body: Buffer): Buffer {
  const header = Buffer.from([type, 0x03, 0x03, 0, 0]);
  header.writeUInt16BE(body.length, 3);
  return Buffer.concat([header, body]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
