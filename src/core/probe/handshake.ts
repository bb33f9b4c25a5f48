/**
 * One TLS handshake, on a fresh connection (implicit TLS) or on the socket a STARTTLS dialogue prepared. It
 * never trusts or rejects anything itself: it records the chain the server sent, and the certificate judge
 * decides afterwards, the way a strict client would. Node hands the chain over linked from the leaf by issuer
 * (`getPeerCertificate(true)`), not in the order it came: certificates out of order, duplicated or unrelated are
 * gone by then, so of the judge's chain-order notes only a root the server sent reaches it from a live probe
 * (docs/findings-cert.md).
 */
import * as net from 'node:net';
import type * as tls from 'node:tls';
import { isIpLiteral } from '../endpoint';
import { nodeTls } from '../nodeLazy';
import type { Scope } from './scope';
import { contextFor, offeredCiphers } from './secureContexts';
import { tlsRuntime } from './tlsRuntime';
import type { TlsVersionName } from './types';

export interface HandshakeResult {
  socket: tls.TLSSocket;
  version: string;
  cipher: string;
  /** OpenSSL name and the IANA name, e.g. ECDHE-RSA-AES128-GCM-SHA256. */
  cipherStandardName?: string;
  /** Ephemeral key exchange, e.g. { type: 'ECDH', name: 'X25519', size: 253 } or { type: 'DH', size: 1024 }. */
  ephemeral?: { type?: string; name?: string; size?: number };
  /** DER of each certificate, leaf first, as the server sent them; empty when the caller asked for no chain. */
  chain: Buffer[];
}

export interface HandshakeOptions {
  host: string;
  port: number;
  servername: string;
  /** An upgraded STARTTLS socket; without it, a new TCP connection is opened. */
  socket?: net.Socket;
  /** Offer exactly this version; without it, every version this runtime can offer. */
  version?: TlsVersionName;
  /** With `version`: offer every version from this one up to `version` (the legacy range hello). */
  minVersion?: TlsVersionName;
  timeoutMs: number;
  /**
   * Default true. False for a handshake that only tests acceptance (the version scans): the chain is judged once,
   * from the main connection, and reading it converts every certificate into a JavaScript object.
   */
  readChain?: boolean;
}

export function tlsHandshake(scope: Scope, opts: HandshakeOptions): Promise<HandshakeResult> {
  const rt = tlsRuntime();
  const legacy = opts.version === 'TLSv1' || opts.version === 'TLSv1.1';
  let secureContext: tls.SecureContext;
  try {
    secureContext = contextFor(
      (opts.version && opts.minVersion) ?? opts.version ?? (rt.canOffer.TLSv1 ? 'TLSv1' : rt.canOffer['TLSv1.1'] ? 'TLSv1.1' : 'TLSv1.2'),
      opts.version ?? 'TLSv1.3',
      offeredCiphers(rt.permissiveCiphers, legacy),
    );
  } catch (e) {
    // Our own library refused the settings: the server was never asked, so this is "not tested".
    return Promise.reject(Object.assign(new Error(`this runtime's TLS library cannot offer that: ${(e as Error).message}`), { code: 'ERR_LOCAL_TLS_SETUP' }));
  }
  const connectOpts: tls.ConnectionOptions = { rejectUnauthorized: false, secureContext };
  // RFC 6066 forbids IP literals in SNI; the name is still checked against the certificate afterwards.
  if (!isIpLiteral(opts.servername)) connectOpts.servername = opts.servername.replace(/\.$/, '');
  if (opts.socket) {
    // The raw socket's own errors surface on the TLS socket; keep a listener so none is ever unhandled.
    opts.socket.on('error', () => undefined);
    // Nagle on from here: see the comment at 'secureConnect'.
    opts.socket.setNoDelay(false);
    connectOpts.socket = opts.socket;
  } else {
    connectOpts.host = opts.host;
    connectOpts.port = opts.port;
  }
  const offered = opts.version ? (opts.minVersion && opts.minVersion !== opts.version ? `${opts.minVersion} to ${opts.version}` : opts.version) : '';
  return scope.step<HandshakeResult>(`TLS handshake${offered ? ` (${offered})` : ''}`, opts.timeoutMs, (resolve, reject) => {
    let socket: tls.TLSSocket;
    try {
      socket = scope.track(nodeTls().connect(connectOpts));
    } catch (e) {
      reject(e as Error);
      return;
    }
    const onError = (err: Error) => reject(err);
    const onClose = () => reject(Object.assign(new Error('the server closed the connection during the TLS handshake'), { code: 'ECONNRESET' }));
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('secureConnect', () => {
      socket.off('close', onClose);
      // Resolve on the next turn, after our TLS 1.3 Finished has left in a segment of its own. Written in the same
      // segment, the first command makes the server's reply wait behind its session ticket: the server's Nagle
      // holds the reply until our delayed ACK of the ticket (about 40 ms on Linux). On its own, our next write
      // waits for the server's ticket (our Nagle) and carries that ACK, as OpenSSL clients do.
      setImmediate(() => onSecure());
    });
    const onSecure = () => {
      const cipher = socket.getCipher();
      const eph = socket.getEphemeralKeyInfo();
      resolve({
        socket,
        version: socket.getProtocol() ?? 'unknown',
        cipher: cipher?.name ?? 'unknown',
        cipherStandardName: (cipher as { standardName?: string } | undefined)?.standardName,
        ephemeral: eph && typeof eph === 'object' && Object.keys(eph).length ? (eph as HandshakeResult['ephemeral']) : undefined,
        chain: opts.readChain === false ? [] : peerChain(socket),
      });
    };
    return () => {
      socket.off('error', onError);
      socket.off('close', onClose);
      // Later errors (after we are done with this step) must not become unhandled exceptions.
      socket.on('error', () => undefined);
    };
  });
}

/** Follows the issuer links Node built from the certificates the server sent, stopping at a self-loop. */
function peerChain(socket: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate;
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(cert.raw);
    const next = cert.issuerCertificate as tls.DetailedPeerCertificate | undefined;
    if (!next || next === cert) break;
    cert = next;
  }
  return out;
}
