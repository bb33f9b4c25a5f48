/**
 * The real process's standard streams for the CLI, set up only as far as a command uses them. `process.stdout`
 * on a pipe is a net.Socket, and asking whether a descriptor is a terminal loads `node:tty`: either loads
 * net, stream and tty, a quarter of what `mail-tls-doctor --version` costs on top of bare Node. So output is
 * written straight to the descriptor, and the terminal checks run when a command first asks.
 */
import * as fs from 'node:fs';
import type { CliIO } from './io';

/**
 * Writes all of `text` to `fd` synchronously. A descriptor that cannot take it now (a non-blocking pipe that is
 * full: EAGAIN) or fails in any other way hands the rest, and everything after it, to the stream, which then
 * behaves exactly as it did for every write before (waits for the reader).
 * A reader that has gone (EPIPE: `mail-tls-doctor lint . | head`) reads nothing more: the rest is dropped and the
 * command runs on, so its exit code still means what docs/ci.md says (1 = findings), not an uncaught error's 1
 * with a stack trace, which a CI shell with pipefail would take for findings.
 */
export function fdWriter(fd: number, stream: () => NodeJS.WritableStream): (text: string) => void {
  let fallback: NodeJS.WritableStream | undefined;
  let readerGone = false;
  const isReaderGone = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
  return (text) => {
    if (readerGone) return;
    if (fallback) {
      fallback.write(text);
      return;
    }
    const buf = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done);
    } catch (err) {
      if (isReaderGone(err)) {
        readerGone = true;
        return;
      }
      fallback = stream();
      fallback.on('error', (e: unknown) => {
        if (!isReaderGone(e)) throw e;
        readerGone = true;
      });
      fallback.write(buf.subarray(done));
    }
  };
}

const isTerminal = (fd: number): boolean => (require('node:tty') as typeof import('node:tty')).isatty(fd);

export function processIO(signal: AbortSignal, readAll: (s: NodeJS.ReadableStream) => Promise<string>): CliIO {
  return {
    out: fdWriter(1, () => process.stdout),
    err: fdWriter(2, () => process.stderr),
    // Getters: only the commands that colour or read standard input pay for the terminal checks.
    get color() {
      return isTerminal(1) && !process.env.NO_COLOR;
    },
    get readStdin() {
      return isTerminal(0) ? undefined : () => readAll(process.stdin);
    },
    signal,
  };
}
