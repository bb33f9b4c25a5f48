/**
 * A probe's first connection, opened by the dispatcher before the probe engine loads. A mail server starts
 * its work for a client at the connect (Dovecot forks and execs an `imap-login`, about 25-35 ms before it greets;
 * Postfix's smtpd alike), and the CLI needs about as long to load the engine (its bundle, Node's `tls` and
 * `crypto`) before it would connect: opened first, the two overlap instead of following each other.
 *
 * Only where the connection is certainly the one the probe opens first: one target, an IP address (no name to
 * resolve), nothing that adds or drops endpoints (`--input`, `--from-config`, `--shard`, `--resolver`), and
 * an endpoint and CA files the probe's own up-front checks accept (the same functions), so no socket opens for an
 * endpoint the probe would refuse. The engine takes it through its dialer for its first connection to that
 * address and port (src/cli/probe.ts), inside a connection slot, so the per-host cap counts it; until then no
 * other connection to that host exists. If the connect failed, or the server reset or closed it with nothing left
 * to read, before the engine took it, the engine opens its connection the usual way instead (what it sees is then
 * what it would have seen; such a server sees one connection more). What the server sent before a close is kept
 * for the engine. One the engine never took is closed when the command ends.
 */
import type { Socket } from 'node:net';
import { isIpLiteral, makeEndpoint } from '../core/endpoint';
import { endpointCheck, readCaTexts } from '../core/probe/checks';
import { openTcp, type OpenedSocket } from '../core/probe/tcp';
import { compileIpPatternOnce } from './ipPattern';
import { takeCommonOptions } from './output/options';
import { parseProbeArgs } from './probeArgs';

export interface EarlyConnection {
  readonly address: string;
  readonly port: number;
  /**
   * The socket, once, for the first connection the probe opens to `address:port`; undefined for any other, on a
   * later call, or when the connection already failed (then the caller connects as usual).
   */
  take(address: string, port: number): OpenedSocket | undefined;
  /** Closes the socket if the probe did not take it. */
  discard(): void;
}

/** Options whose endpoints are not known from the arguments alone, or not all probed: no early connection. */
const OPEN_ENDED = ['--input', '--from-config', '--shard', '--resolver'];

/** Opens the first connection of `probe ARGS` when that is certain (see above); undefined otherwise. */
export function openEarlyConnection(args: readonly string[]): EarlyConnection | undefined {
  if (args.some((a) => OPEN_ENDED.some((o) => a === o || a.startsWith(`${o}=`)))) return undefined;
  let address: string;
  let port: number;
  try {
    const a = parseProbeArgs(takeCommonOptions(args).rest);
    if (a.targets.length !== 1) return undefined;
    const t = a.targets[0];
    // Node checks an IPv6 address with its large pattern: compiled the cheap way first (ipPattern.ts).
    if (t.host.includes(':')) compileIpPatternOnce();
    if (!isIpLiteral(t.host)) return undefined;
    const ep = makeEndpoint(t.host, t.port, { protocol: a.protocol, mode: a.mode, servername: a.servername, caFiles: a.caFiles });
    // The probe's own up-front checks (validate.ts makes its findings from these); the CLI names no EHLO name.
    if (endpointCheck(ep, undefined) || !('pems' in readCaTexts(ep.caFiles))) return undefined;
    address = ep.host;
    port = ep.port;
  } catch {
    // Bad arguments: the command reports them, and connects nowhere.
    return undefined;
  }
  return new Early(address, port, openTcp(address, port));
}

class Early implements EarlyConnection {
  private connected = false;
  private failed = false;
  private taken = false;
  private readonly onError = () => {
    this.failed = true;
  };

  constructor(
    readonly address: string,
    readonly port: number,
    private readonly socket: Socket,
  ) {
    socket.once('connect', () => (this.connected = true));
    // Until the engine takes it, an error is only remembered (and never unhandled).
    socket.on('error', this.onError);
  }

  take(address: string, port: number): OpenedSocket | undefined {
    if (this.taken || address !== this.address || port !== this.port) return undefined;
    this.taken = true;
    this.socket.off('error', this.onError);
    if (this.failed || this.socket.destroyed) {
      this.socket.destroy();
      return undefined;
    }
    return { socket: this.socket, connected: this.connected };
  }

  discard(): void {
    if (this.taken) return;
    this.taken = true;
    this.socket.destroy();
  }
}
