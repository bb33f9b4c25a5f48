import { isatty } from 'node:tty';
import { main } from './cli/main';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  // isatty() rather than process.stdin.isTTY: merely touching process.stdin sets up a stream (a pipe socket under
  // a CI runner or an editor) that no command but `explain -` reads, at a cost every run would pay.
  color: isatty(1) && !process.env.NO_COLOR,
  readStdin: isatty(0) ? undefined : () => readAll(process.stdin),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`mail-tls-doctor: ${String(err)}\n`);
    process.exitCode = 3;
  },
);

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += b.length;
    if (size > 10 * 1024 * 1024) throw new Error('standard input is larger than 10 MB');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
