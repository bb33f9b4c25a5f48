import { main } from './cli/main';
import { processIO } from './cli/stdio';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

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
