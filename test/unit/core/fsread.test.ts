/**
 * Bounded reads and the workspace boundary (src/core/fsread.ts) on real files: /proc files that report size 0 and
 * stream gigabytes, FIFOs, folders, and symbolic links out of a folder.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { linkOutside, listFiles, readBounded, readTail, readTextBounded } from '../../../src/core/fsread';

describe('fsread: bounded reads', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-fsread-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('/proc/self/pagemap (stat size 0, streams without end) is refused after max + 1 bytes', function () {
    if (!fs.existsSync('/proc/self/pagemap')) this.skip();
    assert.equal(fs.statSync('/proc/self/pagemap').size, 0, 'the premise: stat says 0 bytes');
    const before = process.memoryUsage().rss;
    const r = readBounded('/proc/self/pagemap', 1024 * 1024);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'too-large');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays bounded');
  });

  it('reads a file up to the bound exactly, and refuses one byte more', () => {
    const f = path.join(dir, 'exact.pem');
    fs.writeFileSync(f, 'x'.repeat(1000));
    const ok = readBounded(f, 1000);
    assert.ok(ok.ok && ok.data.length === 1000);
    const over = readBounded(f, 999);
    assert.ok(!over.ok && over.reason === 'too-large');
    assert.equal(readTextBounded(f, 1000), 'x'.repeat(1000));
  });

  it('refuses FIFOs, folders and devices without blocking, and says missing for a missing file', () => {
    const fifo = path.join(dir, 'main.cf');
    execFileSync('mkfifo', [fifo]);
    const r = readBounded(fifo, 1024);
    assert.ok(!r.ok && r.reason === 'not-a-file');
    const d = readBounded(dir, 1024);
    assert.ok(!d.ok && d.reason === 'not-a-file');
    const z = readBounded('/dev/zero', 1024);
    assert.ok(!z.ok && z.reason === 'not-a-file');
    const m = readBounded(path.join(dir, 'nope'), 1024);
    assert.ok(!m.ok && m.reason === 'missing');
  });

  it('reads a log by its tail from its first whole line: a partial first line is dropped, a whole one kept', () => {
    const f = path.join(dir, 'mail.log');
    fs.writeFileSync(f, 'first line\nsecond line\nthird\n');
    // The last 15 bytes start inside "second line": that half line is dropped.
    assert.equal(readTail(f, 15)?.data.toString(), 'third\n');
    // The last 18 bytes start exactly at "second line" (the byte before is a newline): nothing is dropped.
    assert.equal(readTail(f, 18)?.data.toString(), 'second line\nthird\n');
    // A file within the bound is read whole, from its start.
    assert.equal(readTail(f, 1000)?.data.toString(), 'first line\nsecond line\nthird\n');
    // A tail without any line end holds no whole line.
    fs.writeFileSync(f, 'x'.repeat(100));
    assert.equal(readTail(f, 10)?.data.length, 0);
    assert.equal(readTail(dir, 10), undefined);
    assert.equal(readTail(path.join(dir, 'missing.log'), 10), undefined);
  });
});

/** Node's own fs module (the one the code under test calls through), to count the bytes it reads. */
const nodeFs = createRequire(__filename)('node:fs') as typeof fs;

function countingReads<T>(run: () => T): { value: T; bytes: number } {
  const real = nodeFs.readSync;
  let bytes = 0;
  nodeFs.readSync = ((...args: Parameters<typeof real>) => {
    const got = (real as (...a: unknown[]) => number)(...args);
    bytes += got;
    return got;
  }) as typeof real;
  try {
    return { value: run(), bytes };
  } finally {
    nodeFs.readSync = real;
  }
}

describe('fsread: the line a tail starts on', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-tailline-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is the file's line, counted as the editor counts lines (LF, CRLF, a lone CR), across read chunks", () => {
    const f = path.join(dir, 'mail.log');
    fs.writeFileSync(f, 'first line\nsecond line\nthird\n');
    assert.deepEqual(readTail(f, 1000) && { ...readTail(f, 1000), data: undefined }, { data: undefined, firstLine: 0 });
    assert.equal(readTail(f, 15)?.firstLine, 2);
    assert.equal(readTail(f, 18)?.firstLine, 1);
    // Breaks of every kind, with a CR-LF pair split across the 1 MB chunks the count reads.
    const chunk = 1024 * 1024;
    const head = `${'a'.repeat(chunk - 1)}\r\nb\rc\r\nd\n`;
    fs.writeFileSync(f, `${head}LAST\n`);
    const tail = readTail(f, 5);
    assert.equal(tail?.data.toString(), 'LAST\n');
    const lines = `${head}LAST\n`.split(/\r\n|\n|\r/);
    assert.equal(lines[tail?.firstLine ?? -1], 'LAST');
    assert.equal(tail?.firstLine, 4);
  });

  it('of a log that grew is counted from where the last count stopped; a rewritten one from its start', () => {
    const f = path.join(dir, 'grows.log');
    // Every line differs, so a tail's first line is found once in the file.
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, k) => `Nov 28 04:00:00 mx1 postfix/qmgr[9]: ${from + k}: removed\n`).join('');
    const check = () => {
      const read = countingReads(() => readTail(f, 1000));
      const tail = read.value;
      assert.ok(tail);
      const all = fs.readFileSync(f, 'utf8').split('\n');
      assert.equal(all[tail.firstLine], tail.data.toString().split('\n')[0]);
      return read.bytes;
    };
    fs.writeFileSync(f, lines(0, 20_000));
    const whole = fs.statSync(f).size;
    assert.ok(check() >= whole - 1000, 'the first count reads what comes before the tail');
    const added = Buffer.byteLength(lines(20_000, 5_000));
    fs.appendFileSync(f, lines(20_000, 5_000));
    assert.ok(check() < added + 4_000, 'after an append, only the new bytes (and the tail) are read');
    // Rewritten in place (the same inode, longer, other bytes): counted from the start, right.
    fs.writeFileSync(f, lines(100_000, 30_000));
    check();
    // Emptied (copytruncate) and written again: right too.
    fs.truncateSync(f, 0);
    fs.appendFileSync(f, lines(200_000, 40));
    check();
  });
});

describe('fsread: the workspace boundary on real paths', () => {
  let base: string;
  let ws: string;
  let secret: string;
  before(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-boundary-')));
    ws = path.join(base, 'ws');
    fs.mkdirSync(path.join(ws, 'etc', 'postfix'), { recursive: true });
    secret = path.join(base, 'home', '.netrc');
    fs.mkdirSync(path.dirname(secret), { recursive: true });
    fs.writeFileSync(secret, 'machine smtp.example.com login bob password Hunter2-Secret\n');
    fs.writeFileSync(path.join(ws, 'etc', 'postfix', 'real.cf'), 'relayhost = x\n');
    fs.symlinkSync(secret, path.join(ws, 'etc', 'postfix', 'main.cf'));
    fs.symlinkSync(path.join(ws, 'etc', 'postfix', 'real.cf'), path.join(ws, 'inside-link.cf'));
    fs.symlinkSync(path.join(base, 'home'), path.join(ws, 'homedir'));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('finds a file link out of the workspace', () => {
    assert.equal(linkOutside(path.join(ws, 'etc', 'postfix', 'main.cf'), [ws]), secret);
  });

  it('finds a folder link out of the workspace (the link is a parent, not the file)', () => {
    assert.equal(linkOutside(path.join(ws, 'homedir', '.netrc'), [ws]), secret);
  });

  it('lets links that stay inside, plain files, and paths outside every folder through', () => {
    assert.equal(linkOutside(path.join(ws, 'inside-link.cf'), [ws]), undefined);
    assert.equal(linkOutside(path.join(ws, 'etc', 'postfix', 'real.cf'), [ws]), undefined);
    assert.equal(linkOutside(secret, [ws]), undefined, 'a path named outside is not a link escape');
  });

  it('holds when the workspace folder itself is reached through a link', () => {
    const alias = path.join(base, 'alias');
    fs.symlinkSync(ws, alias);
    assert.equal(linkOutside(path.join(alias, 'etc', 'postfix', 'real.cf'), [alias]), undefined);
    assert.equal(linkOutside(path.join(alias, 'etc', 'postfix', 'main.cf'), [alias]), secret);
  });
});

describe('fsread: listing a folder (glob includes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-list-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names files and links to files (GNU Stow, NixOS), in byte order; not folders, links to folders or dangling links', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stow-'));
    try {
      fs.writeFileSync(path.join(elsewhere, '10-ssl.conf'), 'ssl = required\n');
      fs.writeFileSync(path.join(dir, '10-auth.conf'), 'auth_mechanisms = plain\n');
      fs.writeFileSync(path.join(dir, 'Z-upper.conf'), '');
      fs.symlinkSync(path.join(elsewhere, '10-ssl.conf'), path.join(dir, '10-ssl.conf'));
      fs.mkdirSync(path.join(dir, 'sub.conf'));
      fs.symlinkSync(elsewhere, path.join(dir, 'folder-link.conf'));
      fs.symlinkSync(path.join(elsewhere, 'gone.conf'), path.join(dir, 'dangling.conf'));
      assert.deepEqual(listFiles(dir), ['10-auth.conf', '10-ssl.conf', 'Z-upper.conf']);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('stops at 1000 names without failing on a bigger folder; undefined for a folder it cannot read', () => {
    for (let i = 0; i < 1010; i++) fs.writeFileSync(path.join(dir, `f${i}.conf`), '');
    assert.equal(listFiles(dir)?.length, 1000);
    assert.equal(listFiles(path.join(dir, 'missing')), undefined);
    assert.equal(listFiles(path.join(dir, 'f1.conf')), undefined, 'a file is no folder');
  });
});
