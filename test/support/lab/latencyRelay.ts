/**
 * A TCP relay on loopback that puts a remote server's network latency in front of a local one: every chunk is
 * forwarded `oneWayMs` after it arrived, in both directions, in order, and so are the half-closes (FIN). The
 * TCP handshake is emulated too: the server sees the connection 1.5 round trips (SYN, SYN-ACK, ACK) after the
 * client connected, so its greeting reaches the client two round trips after the client's connect, as it does
 * over a real link (on loopback the client's own connect completes at once; what it sends meanwhile waits for
 * the server). Not emulated: bandwidth, loss, reordering. For the bench only: the lab's servers answer at once.
 */
import * as net from 'node:net';
import { listenClosable, type Listening } from '../listen';

export interface LatencyRelayOptions {
  /** Where the relay listens (a loopback address) and on which port (0: a free one). */
  host: string;
  port?: number;
  /** The server behind it. */
  target: { host: string; port: number };
  /** Delay per direction, in ms (half the round-trip time). */
  oneWayMs: number;
}

/** One direction of a connection: chunks (and the end, as null) leave in order, each `delayMs` after it came. */
class DelayLine {
  private readonly queue: Array<{ due: number; data: Buffer | null }> = [];
  private timer: NodeJS.Timeout | undefined;

  /** `out`: the far side; until it is connected nothing leaves, then what is due leaves at once. */
  constructor(
    private readonly delayMs: number,
    private out: net.Socket | undefined,
  ) {}

  push(data: Buffer | null): void {
    this.queue.push({ due: performance.now() + this.delayMs, data });
    this.schedule();
  }

  /** The far side is connected: release what is due. */
  open(out: net.Socket): void {
    this.out = out;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.timer || !this.out || !this.queue.length) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.queue[0].due - performance.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = performance.now();
    // A timer may fire a fraction of a millisecond early; what is due within one millisecond leaves now.
    while (this.queue.length && this.queue[0].due <= now + 1) {
      const { data } = this.queue.shift()!;
      if (this.out!.destroyed) return this.stop();
      if (data) this.out!.write(data);
      else this.out!.end();
    }
    this.schedule();
  }
}

export async function startLatencyRelay(opts: LatencyRelayOptions): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    client.setNoDelay(true);
    const toServer = new DelayLine(opts.oneWayMs, undefined);
    const toClient = new DelayLine(opts.oneWayMs, client);
    let upstream: net.Socket | undefined;
    const end = () => {
      toServer.stop();
      toClient.stop();
      client.destroy();
      upstream?.destroy();
    };
    client.on('data', (d) => toServer.push(d));
    client.on('end', () => toServer.push(null));
    // A reset on either side resets the other at once; a close after both FINs needs nothing more.
    client.on('error', end);
    client.on('close', () => {
      clearTimeout(connectTimer);
      if (!upstream) end();
    });
    // SYN-ACK back to the client, its ACK to the server: the server accepts 1.5 round trips after the SYN.
    const connectTimer = setTimeout(() => {
      if (client.destroyed) return;
      const up = net.connect({ host: opts.target.host, port: opts.target.port, allowHalfOpen: true });
      upstream = up;
      track(up);
      up.setNoDelay(true);
      up.on('connect', () => toServer.open(up));
      up.on('data', (d) => toClient.push(d));
      up.on('end', () => toClient.push(null));
      up.on('error', end);
    }, 3 * opts.oneWayMs);
  });
  return listenClosable(server, sockets, opts.host, opts.port ?? 0);
}
