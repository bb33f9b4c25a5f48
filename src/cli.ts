import { main } from './cli/main';
import { processIO } from './cli/stdio';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
// When the event loop has nothing left to do, the process ends the way process.exit() ends it: 'exit' listeners
// run (the code cache is written there), then the process exits without Node's teardown of the environment and
// the V8 heap. Only the teardown is skipped: 'beforeExit' comes once every socket, timer and pending write is done,
// just where the process would have exited anyway. Whole-process CPU of a JSON probe: see docs/performance.md.
process.once('beforeExit', () => process.exit());

main(process.argv.slice(2), processIO(controller.signal, readAll)).then(
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
