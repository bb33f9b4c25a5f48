/** Shapes shared by the probe engine, the CLI and the editor. */
import type { DnsServer } from '../dns/server';
import type { Endpoint } from '../endpoint';
import type { Finding } from '../finding';
import type { CertificateInfo } from '../cert/types';
import type { Socket } from 'node:net';
import type { ConnectionLimiter } from './limiter';
import type { Scope } from './scope';

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export const TLS_VERSIONS: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * One line of a probe's transcript. `C`/`S` are dialogue lines (client, server), `tls` a TLS event, `note` what
 * the engine did or concluded. `conn` names the connection when there is more than the main one (e.g. `TLSv1`).
 */
export interface TranscriptLine {
  /** Milliseconds since the probe of this address started. */
  at: number;
  kind: 'C' | 'S' | 'tls' | 'note';
  text: string;
  conn?: string;
}

/**
 * Opens the byte stream a probe talks over. The default is a TCP connection (src/core/probe/tcp.ts); tests inject
 * a scripted in-memory server. STARTTLS and implicit TLS run `tls.connect({ socket })` over whatever it returns.
 */
export interface Dialer {
  /** Resolves with a connected stream, or rejects with the system error (`code`: ECONNREFUSED...) or a timeout. */
  connect(scope: Scope, address: string, port: number, timeoutMs: number): Promise<Socket>;
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /** How connections are opened; default TCP. */
  dialer?: Dialer;
  /** Per step (connect, each reply, the handshake); default 10000. */
  timeoutMs?: number;
  /** Injectable name resolution; default `dns.lookup(host, { all: true })`. */
  resolve?: (host: string) => Promise<string[]>;
  /** The DNS server `resolve` asks, when the user named one (`--resolver`): the `dig` a finding suggests asks it too. */
  resolverServer?: DnsServer;
  /** Test each TLS version on its own connection; default true. */
  scanVersions?: boolean;
  /** The name sent with EHLO; default this machine's FQDN when it has one, else an address literal. */
  ehloName?: string;
  now?: Date;
  expiryWarningDays?: number;
  /** Shared between probes: per-host connection cap and back-off after a 421. */
  limiter?: ConnectionLimiter;
  /**
   * How long a probe may wait for a host's back-off (after a 421) before it ends with `probe.backing-off`
   * instead; default its step timeout (`timeoutMs`). A --repeat run that means to wait passes Infinity.
   */
  maxBackoffWaitMs?: number;
  /** Called for every transcript line as it happens (the editor streams them to an output channel). */
  onTranscript?: (line: TranscriptLine) => void;
  /** Where the probe runs; default `os.hostname()`. */
  probedFrom?: string;
}

export interface ProbeResult {
  endpoint: Endpoint;
  /** The address probed; absent when the name did not resolve. */
  address?: string;
  probedFrom: string;
  /** Negotiated on the main connection; null when no handshake succeeded. */
  tls: { version: string; cipher: string } | null;
  /** true accepted, false refused, null not tested (not reached, or this runtime's TLS library cannot offer it). */
  versions: Record<TlsVersionName, boolean | null>;
  /**
   * Why each version got its verdict, e.g. `refused (alert "handshake failure" instead of a ServerHello, while
   * TLSv1.1 completed a handshake on the same endpoint)` or `not decided (the server closed or reset the
   * connection before any reply)`. Present when the versions were scanned.
   */
  versionReasons?: Record<TlsVersionName, string>;
  /** The server said it was busy (SMTP 421, IMAP BYE): new connections to it wait this long. */
  backoffMs?: number;
  certificates: CertificateInfo[];
  trusted?: boolean;
  findings: Finding[];
  transcript: TranscriptLine[];
  startedAt: string;
  durationMs: number;
}
