import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SideFileCache, watchedPath } from '../../../src/extension/sideFileCache';

describe('SideFileCache (what a lint reads besides its file)', () => {
  let dir: string;
  const disk = (p: string) => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };

  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-side-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a watched file once, absent or present, until its path is invalidated; then the disk again', () => {
    const master = path.join(dir, 'master.cf');
    let reads = 0;
    const counted = (p: string) => (reads++, disk(p));
    const cache = new SideFileCache(() => true);
    assert.equal(cache.read(master, counted, 'file:///main.cf'), undefined);
    fs.writeFileSync(master, 'smtp inet n - y - - smtpd\n');
    assert.equal(cache.read(master, counted, 'file:///main.cf'), undefined, 'kept until an event says otherwise');
    assert.equal(reads, 1);
    assert.deepEqual(cache.invalidate(master), ['file:///main.cf']);
    assert.equal(cache.read(master, counted, 'file:///main.cf'), 'smtp inet n - y - - smtpd\n');
    assert.equal(reads, 2);
    fs.writeFileSync(master, 'changed\n');
    assert.equal(cache.read(master, counted, 'file:///other/main.cf'), 'smtp inet n - y - - smtpd\n');
    // Both files that read it are named, once each.
    assert.deepEqual(cache.invalidate(master).sort(), ['file:///main.cf', 'file:///other/main.cf']);
    assert.equal(cache.read(master, counted, 'file:///main.cf'), 'changed\n');
    assert.deepEqual(cache.invalidate(path.join(dir, 'unrelated.pem')), []);
    assert.equal(cache.read(master, counted, 'file:///main.cf'), 'changed\n');
    assert.equal(reads, 3);
  });

  it('a folder event forgets everything below it; another spelling of the case too; clear forgets all', () => {
    const cert = path.join(dir, 'etc', 'ssl', 'mail.pem');
    fs.mkdirSync(path.dirname(cert), { recursive: true });
    fs.writeFileSync(cert, 'old');
    const cache = new SideFileCache(() => true);
    cache.read(cert, disk, 'a');
    cache.read(path.join(dir, 'etc', 'sslx.pem'), disk, 'b');
    assert.equal(cache.size, 2);
    assert.deepEqual(cache.invalidate(path.join(dir, 'etc', 'ssl')), ['a']);
    assert.equal(cache.size, 1, 'a sibling whose name only starts like the folder stays');
    cache.read(cert, disk, 'a');
    assert.deepEqual(cache.invalidate(path.join(dir, 'ETC', 'SSL', 'MAIL.PEM')), ['a']);
    cache.read(cert, disk, 'a');
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('never keeps what is not watched, nor a text over 1 MB', () => {
    let reads = 0;
    let asked = 0;
    const unwatched = new SideFileCache(() => (asked++, false));
    const p = path.join(dir, 'a.pem');
    fs.writeFileSync(p, 'x');
    assert.equal(
      unwatched.read(p, (q) => (reads++, disk(q)), 'r'),
      'x',
    );
    fs.writeFileSync(p, 'y');
    assert.equal(
      unwatched.read(p, (q) => (reads++, disk(q)), 'r'),
      'y',
    );
    assert.equal(reads, 2);
    assert.equal(asked, 1, 'whether it is watched is asked once until an event for it');
    assert.deepEqual(unwatched.invalidate(p), ['r']);
    unwatched.read(p, disk, 'r');
    assert.equal(asked, 2);
    const cache = new SideFileCache(() => true);
    const big = 'x'.repeat(1024 * 1024 + 1);
    assert.equal(
      cache.read(p, () => big, 'r'),
      big,
    );
    assert.equal(cache.size, 0);
  });

  it('watchedPath: inside a folder, not through a link, not under .git or node_modules, a missing file by its nearest folder', () => {
    const ws = path.join(dir, 'ws');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(ws, 'etc', 'ssl'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'cert.pem'), 'x');
    fs.writeFileSync(path.join(ws, 'etc', 'ssl', 'real.pem'), 'x');
    fs.symlinkSync(path.join(outside, 'cert.pem'), path.join(ws, 'etc', 'ssl', 'linked.pem'));
    fs.symlinkSync(outside, path.join(ws, 'linkeddir'));
    fs.symlinkSync(path.join(ws, 'etc', 'ssl', 'real.pem'), path.join(ws, 'etc', 'ssl', 'inner-link.pem'));
    const roots = [ws];
    assert.equal(watchedPath(path.join(ws, 'etc', 'ssl', 'real.pem'), roots), true);
    assert.equal(watchedPath(path.join(ws, 'master.cf'), roots), true, 'missing, but its folder is watched');
    assert.equal(watchedPath(path.join(ws, 'no', 'such', 'folder', 'mail.pem'), roots), true, 'missing folders: by the nearest existing one');
    assert.equal(watchedPath(path.join(outside, 'cert.pem'), roots), false);
    assert.equal(watchedPath(path.join(ws, 'etc', 'ssl', 'linked.pem'), roots), false, 'a link out');
    assert.equal(watchedPath(path.join(ws, 'etc', 'ssl', 'inner-link.pem'), roots), false, 'a link: its target may change without an event for it');
    assert.equal(watchedPath(path.join(ws, 'linkeddir', 'cert.pem'), roots), false, 'through a linked folder');
    assert.equal(watchedPath(path.join(ws, 'linkeddir', 'new.pem'), roots), false, 'a missing file in a linked folder');
    assert.equal(watchedPath(path.join(ws, 'linkeddir', 'new', 'new.pem'), roots), false, 'a missing folder in a linked folder');
    fs.mkdirSync(path.join(ws, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'node_modules', 'x', '.env'), 'A=1');
    assert.equal(watchedPath(path.join(ws, 'node_modules', 'x', '.env'), roots), false);
    assert.equal(watchedPath(path.join(ws, '.git', 'config'), roots), false);
    assert.equal(watchedPath(path.join(ws, 'etc', 'ssl', 'real.pem'), []), false, 'no workspace folder');
  });
});
