/**
 * Reads CRLF (or LF) terminated lines from a socket, bounded in line length, total bytes and time. A server
 * that sends too much, too long a line, or nothing at all cannot make the probe grow or hang.
 */
import type { Socket } from 'node:net';
import type { Scope } from './scope';

export const LIMITS = {
  /** RFC 5321 allows 512 octets for a reply line; real servers stay far below. Be tolerant, but bounded. */
  maxLineBytes: 4096,
  /** Lines in one multi-line reply (EHLO, CAPA, CAPABILITY). */
  maxReplyLines: 200,
  /** Everything one dialogue may receive before TLS (and again after). */
  maxDialogueBytes: 128 * 1024,
};

export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  constructor(
    readonly reset: boolean,
    readonly code?: string,
  ) {
    super(reset ? `the server reset the connection${code ? ` (${code})` : ''}` : 'the server closed the connection');
  }
}

export class ProtocolLimitError extends Error {
  override name = 'ProtocolLimitError';
}

const LF = 0x0a;
const CR = 0x0d;
const NOTHING = Buffer.alloc(0);

export class LineReader {
  /**
   * The bytes received and not consumed yet, as Node read them: a line is decoded on its own when asked for, and
   * a chunk is never turned into a string whole (a flood's 64 KB chunks were, each, for the one line in them).
   */
  private buf: Buffer = NOTHING;
  private total = 0;
  private closed: ConnectionClosedError | undefined;
  private overflow: ProtocolLimitError | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.total += chunk.length;
    if (this.total > LIMITS.maxDialogueBytes) {
      this.overflow ??= new ProtocolLimitError(`the server sent more than ${LIMITS.maxDialogueBytes} bytes in one dialogue`);
      this.socket.destroy();
    } else {
      // Only when a previous chunk left a partial line does a chunk get copied (onto it).
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      if (this.buf.length > LIMITS.maxLineBytes && this.buf.indexOf(LF) < 0) {
        // Nothing more from this server can be read as a line: stop taking bytes (and memory) at once rather
        // than filling the dialogue's allowance with a flood. (A copy: a view would keep the whole chunk.)
        this.overflow ??= new ProtocolLimitError(`the server sent a line longer than ${LIMITS.maxLineBytes} bytes`);
        this.buf = Buffer.from(this.buf.subarray(0, LIMITS.maxLineBytes + 1));
        this.socket.destroy();
      }
    }
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.closed ??= new ConnectionClosedError(false);
    this.wake?.();
  };
  private readonly onError = (err: NodeJS.ErrnoException) => {
    this.closed ??= new ConnectionClosedError(err.code === 'ECONNRESET' || err.code === 'EPIPE', err.code);
    this.wake?.();
  };

  constructor(
    readonly socket: Socket,
    private readonly scope: Scope,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** The bytes received so far that no line has consumed (e.g. the start of a TLS record), one character per byte. */
  get pending(): string {
    return this.buf.toString('latin1');
  }

  /** Bytes received so far on this connection (consumed or not). */
  get received(): number {
    return this.total;
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Resolves with the next line (without its line end, decoded as UTF-8). */
  readLine(step: string, ms: number): Promise<string> {
    return this.scope.step<string>(step, ms, (resolve, reject) => {
      const check = () => {
        const nl = this.buf.indexOf(LF);
        if (nl >= 0 && nl <= LIMITS.maxLineBytes) {
          const line = this.buf.toString('utf8', 0, nl > 0 && this.buf[nl - 1] === CR ? nl - 1 : nl);
          this.buf = nl + 1 < this.buf.length ? this.buf.subarray(nl + 1) : NOTHING;
          resolve(line);
        } else if (nl > LIMITS.maxLineBytes || this.overflow) {
          reject(this.overflow ?? new ProtocolLimitError(`the server sent a line longer than ${LIMITS.maxLineBytes} bytes`));
        } else if (this.closed) {
          reject(this.closed);
        }
      };
      this.wake = check;
      check();
      return () => {
        this.wake = undefined;
      };
    });
  }

  /**
   * The dialogue hit one of its limits (e.g. a reply with too many lines): whatever the server sends next is a
   * flood nobody reads (nor what is buffered), so stop taking bytes at once, as the line and byte limits do. Returns `err` to throw.
   */
  refuse(err: ProtocolLimitError): ProtocolLimitError {
    this.overflow ??= err;
    this.buf = NOTHING;
    this.socket.destroy();
    return err;
  }

  /** Stops reading so the socket can be handed to TLS; returns what was buffered and never consumed. */
  detach(): string {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    const rest = this.buf.toString('latin1');
    this.buf = NOTHING;
    return rest;
  }
}
