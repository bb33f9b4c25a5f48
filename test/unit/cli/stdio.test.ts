import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { fdWriter } from '../../../src/cli/stdio';

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('CLI output written straight to the descriptor (src/cli/stdio.ts)', () => {
  it('writes every byte, multi-byte text included, in order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stdio-'));
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    try {
      let asked = false;
      const write = fdWriter(fd, () => {
        asked = true;
        return collector().stream;
      });
      const big = 'x'.repeat(300_000);
      write('héllo ✓\n');
      write(big);
      write('end\n');
      fs.closeSync(fd);
      assert.equal(fs.readFileSync(file, 'utf8'), `héllo ✓\n${big}end\n`);
      assert.equal(asked, false, 'the stream is never set up when the descriptor takes everything');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands the text, and all later text, to the stream when the descriptor fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stdio-'));
    const fd = fs.openSync(path.join(dir, 'x'), 'w');
    fs.closeSync(fd); // now EBADF
    const c = collector();
    let setups = 0;
    const write = fdWriter(fd, () => {
      setups++;
      return c.stream;
    });
    write('first ✓\n');
    write('second\n');
    assert.equal(c.text(), 'first ✓\nsecond\n');
    assert.equal(setups, 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('drops the rest, without an uncaught error, once the stream says the reader has gone (EPIPE)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stdio-'));
    const fd = fs.openSync(path.join(dir, 'x'), 'w');
    fs.closeSync(fd); // EBADF: the stream takes over
    let writes = 0;
    const gone = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const write = fdWriter(fd, () => gone);
    write('first\n');
    await new Promise((r) => setImmediate(r)); // the stream reports the error here; unhandled, it would throw
    write('second\n');
    assert.equal(writes, 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI piped to a reader that stops early (| head) ends with its documented exit code, no EPIPE trace', async () => {
    // test/fixtures linted verbosely is far more than a pipe holds, so the CLI is still writing when the reader goes.
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/cli.ts', 'lint', 'test/fixtures', '-v', '--fail-on', 'never'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|at .*\(/, stderr);
    assert.equal(code, 0, '--fail-on never: 0 unless the command could not run');
  });
});
