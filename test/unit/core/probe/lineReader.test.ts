import * as assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { Conn } from '../../../../src/core/probe/conn';
import { ConnectionClosedError, LIMITS, LineReader, ProtocolLimitError } from '../../../../src/core/probe/lineReader';
import { Scope } from '../../../../src/core/probe/scope';
import { Transcript } from '../../../../src/core/probe/transcript';

/** The server's side of a byte stream: whatever is written arrives at the reader in exactly these chunks. */
function stream() {
  const wire = new PassThrough();
  return { socket: wire as unknown as Socket, wire, send: (...chunks: Buffer[]) => chunks.forEach((c) => wire.write(c)) };
}

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('line reader', () => {
  it('reads CRLF and LF lines split anywhere across chunks, a multi-byte character included', async () => {
    const { socket, send } = stream();
    const reader = new LineReader(socket, new Scope());
    const text = bytes('220 mx.example ESMTP \u00e9t\u00e9 \u2713\r\n250-A\n250 B\r\n');
    // Cut inside the two-byte é and the three-byte check mark, and between CR and LF.
    const cuts = [0, 20, 22, 26, 27, 31, 32, text.length];
    send(...cuts.slice(1).map((end, i) => text.subarray(cuts[i], end)));
    assert.equal(await reader.readLine('greeting', 1000), '220 mx.example ESMTP \u00e9t\u00e9 \u2713');
    assert.equal(await reader.readLine('EHLO', 1000), '250-A');
    assert.equal(await reader.readLine('EHLO', 1000), '250 B');
    assert.equal(reader.received, text.length);
  });

  it('takes a line of exactly the limit (its CR included); one byte more without a line end stops reading at once', async () => {
    const ok = stream();
    const r1 = new LineReader(ok.socket, new Scope());
    ok.send(Buffer.alloc(LIMITS.maxLineBytes - 1, 'a'), bytes('\r\n'), Buffer.alloc(LIMITS.maxLineBytes, 'b'), bytes('\n'));
    assert.equal((await r1.readLine('greeting', 1000)).length, LIMITS.maxLineBytes - 1);
    assert.equal((await r1.readLine('greeting', 1000)).length, LIMITS.maxLineBytes);

    const long = stream();
    const r2 = new LineReader(long.socket, new Scope());
    long.send(bytes('220 '), Buffer.alloc(64 * 1024, 'A'));
    await assert.rejects(r2.readLine('greeting', 1000), (e: Error) => e instanceof ProtocolLimitError && /longer than 4096 bytes/.test(e.message));
    assert.equal(long.socket.destroyed, true);
    // What it keeps of the flood is the line's worth, not the chunk.
    assert.equal(r2.pending.length, LIMITS.maxLineBytes + 1);
  });

  it('hands over the bytes no line consumed, counted in bytes, and reads nothing after that', async () => {
    const { socket, send } = stream();
    const reader = new LineReader(socket, new Scope());
    send(bytes('220 go ahead\r\n\u00ff\u00fe'));
    assert.equal(await reader.readLine('STARTTLS', 1000), '220 go ahead');
    assert.equal(reader.detach().length, 4);
    send(bytes('more'));
    assert.equal(reader.received, 18);
  });

  it('a closed connection rejects the waiting read once the buffered lines are used up', async () => {
    const { socket, wire } = stream();
    const reader = new LineReader(socket, new Scope());
    wire.end(bytes('+OK last\r\npartial'));
    assert.equal(await reader.readLine('greeting', 1000), '+OK last');
    await assert.rejects(reader.readLine('CAPA', 1000), ConnectionClosedError);
  });

  it('a reply past its line limit ends the connection: the flood behind it is not read', async () => {
    const { socket, send } = stream();
    const conn = new Conn(socket, new Scope(), new Transcript(), 1000);
    send(bytes(Array.from({ length: LIMITS.maxReplyLines + 50 }, (_, i) => `250-item ${i}\r\n`).join('')));
    await assert.rejects(
      conn.lines('EHLO', (l) => l.startsWith('250 ')),
      (e: Error) => e instanceof ProtocolLimitError && /more than 200 lines/.test(e.message),
    );
    assert.equal(socket.destroyed, true);
    // Later reads say why, without waiting for their timeout.
    await assert.rejects(conn.line('QUIT', 60_000), /more than 200 lines/);
  });
});
