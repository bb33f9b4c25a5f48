/**
 * One connection's dialogue: send a command, read a reply, every line in the transcript. Never pipelines:
 * each command waits for the previous reply (strict servers answer pipelined commands with 554).
 */
import type { Socket } from 'node:net';
import { LIMITS, LineReader, ProtocolLimitError } from './lineReader';
import type { Scope } from './scope';
import type { Transcript } from './transcript';

export class Conn {
  reader: LineReader;

  constructor(
    public socket: Socket,
    readonly scope: Scope,
    readonly transcript: Transcript,
    readonly timeoutMs: number,
    /** Transcript label for extra connections (version scan); undefined for the main one. */
    readonly label?: string,
    /** Sockets to close before the connection's slot is given back. */
    private readonly held: Socket[] = [],
  ) {
    this.reader = new LineReader(socket, scope);
  }

  /** Continues the dialogue over the TLS socket that replaced the plaintext one. */
  upgrade(socket: Socket): void {
    this.held.push(socket);
    this.socket = socket;
    this.reader = new LineReader(socket, this.scope);
  }

  send(line: string): void {
    // Commands are built from constants and validated names only; refuse anything that could split a line.
    if (/[\r\n\0]/.test(line)) throw new Error('refusing to send a command containing CR, LF or NUL');
    this.transcript.add('C', line, this.label);
    this.socket.write(`${line}\r\n`);
  }

  async line(step: string, ms = this.timeoutMs): Promise<string> {
    const l = await this.reader.readLine(step, ms);
    this.transcript.add('S', l, this.label);
    return l;
  }

  /** Reads lines until `isLast` says the reply is complete, bounded in count. */
  async lines(step: string, isLast: (line: string, index: number) => boolean, ms = this.timeoutMs): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line(step, ms);
      out.push(l);
      if (isLast(l, out.length - 1)) return out;
      if (out.length >= LIMITS.maxReplyLines)
        throw this.reader.refuse(new ProtocolLimitError(`the reply to "${step}" has more than ${LIMITS.maxReplyLines} lines`));
    }
  }
}
