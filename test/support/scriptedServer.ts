/**
 * A scripted mail server in memory: the client's end of a connection as a Duplex, whose peer answers each
 * command line with the lines a script returns. For unit tests of every dialogue branch without a socket.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface Script {
  /** Sent as soon as the client reads (the greeting); may be empty for a silent server. */
  greeting: string[];
  /** The reply to one command line; undefined sends nothing (a server that does not answer). */
  reply(command: string): string[] | undefined;
  /** Close the connection after answering this command. */
  closeAfter?: (command: string) => boolean;
}

export interface ScriptedConnection {
  socket: Socket;
  /** Every command line the client sent, in order. */
  received: string[];
}

export function scriptedConnection(script: Script): ScriptedConnection {
  const received: string[] = [];
  let pending = '';
  let greeted = false;
  const duplex = new Duplex({
    read() {
      if (greeted) return;
      greeted = true;
      if (script.greeting.length) this.push(script.greeting.map((l) => `${l}\r\n`).join(''));
    },
    write(chunk: Buffer, _enc, done) {
      pending += chunk.toString('latin1');
      let nl: number;
      while ((nl = pending.indexOf('\r\n')) >= 0) {
        const command = pending.slice(0, nl);
        pending = pending.slice(nl + 2);
        received.push(command);
        const lines = script.reply(command);
        if (lines?.length) this.push(lines.map((l) => `${l}\r\n`).join(''));
        if (script.closeAfter?.(command)) this.push(null);
      }
      done();
    },
    final(done) {
      this.push(null);
      done();
    },
  });
  return { socket: duplex as unknown as Socket, received };
}
