import * as assert from 'node:assert/strict';
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
});
