import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SideFileCache } from '../../../src/extension/sideFileCache';

describe('SideFileCache (what a lint reads besides its file)', () => {
  let dir: string;
  let reads: number;
  const disk = (p: string) => {
    reads++;
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-side-'));
    reads = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes a file as if it had been written `ageS` seconds ago (older than the 2 s in which files are read every time). */
  const write = (p: string, text: string, ageS = 60) => {
    fs.writeFileSync(p, text);
    const old = new Date(Date.now() - ageS * 1000);
    fs.utimesSync(p, old, old);
  };

  it('reads an unchanged file once, absent or present; a change on disk (no event needed) is read again', () => {
    const master = path.join(dir, 'master.cf');
    const cache = new SideFileCache();
    assert.equal(cache.read(master, disk, 'a'), undefined);
    assert.equal(cache.read(master, disk, 'a'), undefined);
    assert.equal(reads, 1, 'a missing file is asked by stat only');
    write(master, 'smtp inet n - y - - smtpd\n');
    assert.equal(cache.read(master, disk, 'a'), 'smtp inet n - y - - smtpd\n');
    assert.equal(cache.read(master, disk, 'a'), 'smtp inet n - y - - smtpd\n');
    assert.equal(reads, 2);
    // Rewritten in place, the same size: its times tell.
    write(master, 'smtp inet n - n - - smtpd\n', 50);
    assert.equal(cache.read(master, disk, 'a'), 'smtp inet n - n - - smtpd\n');
    const tmp = path.join(dir, 'new');
    write(tmp, 'replaced by rename\n');
    fs.renameSync(tmp, master);
    assert.equal(cache.read(master, disk, 'a'), 'replaced by rename\n');
    fs.rmSync(master);
    assert.equal(cache.read(master, disk, 'a'), undefined);
    assert.equal(reads, 5);
  });

  it('reads a file modified in the last 2 s every time (two writes within a clock tick look alike)', () => {
    const p = path.join(dir, 'fresh.pem');
    fs.writeFileSync(p, 'one');
    const cache = new SideFileCache();
    assert.equal(cache.read(p, disk, 'a'), 'one');
    assert.equal(cache.read(p, disk, 'a'), 'one');
    assert.equal(reads, 2);
  });

  it('follows a symbolic link to its target, also outside any workspace', () => {
    const target = path.join(dir, 'outside.pem');
    const link = path.join(dir, 'mail.pem');
    write(target, 'old');
    fs.symlinkSync(target, link);
    const cache = new SideFileCache();
    assert.equal(cache.read(link, disk, 'a'), 'old');
    assert.equal(cache.read(link, disk, 'a'), 'old');
    assert.equal(reads, 1);
    write(target, 'renewed', 50);
    assert.equal(cache.read(link, disk, 'a'), 'renewed');
  });

  it('invalidate names the files that read a path (or anything under a folder), in any case, and forgets it', () => {
    const cert = path.join(dir, 'etc', 'ssl', 'mail.pem');
    fs.mkdirSync(path.dirname(cert), { recursive: true });
    write(cert, 'x');
    const cache = new SideFileCache();
    cache.read(cert, disk, 'file:///a/main.cf');
    cache.read(cert, disk, 'file:///b/main.cf');
    cache.read(path.join(dir, 'etc', 'sslx.pem'), disk, 'file:///c/main.cf');
    assert.equal(reads, 2);
    assert.deepEqual(cache.invalidate(path.join(dir, 'unrelated.pem')), []);
    assert.deepEqual(cache.invalidate(path.join(dir, 'ETC', 'SSL')).sort(), ['file:///a/main.cf', 'file:///b/main.cf']);
    assert.equal(cache.size, 1, 'a sibling whose name only starts like the folder stays');
    cache.read(cert, disk, 'file:///a/main.cf');
    assert.equal(reads, 3);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('stale() names the readers of what changed on disk since it was kept (a missed watcher event), and only those', () => {
    const cert = path.join(dir, 'mail.pem');
    const key = path.join(dir, 'mail.key');
    const missing = path.join(dir, 'ca.pem');
    write(cert, 'old cert');
    write(key, 'key');
    const cache = new SideFileCache();
    cache.read(cert, disk, 'file:///a/main.cf');
    cache.read(key, disk, 'file:///b/main.cf');
    cache.read(missing, disk, 'file:///c/main.cf');
    const generation = cache.generation;
    assert.deepEqual([...cache.paths()].sort(), [key, cert, missing].sort());
    assert.deepEqual(cache.readers().sort(), ['file:///a/main.cf', 'file:///b/main.cf', 'file:///c/main.cf']);
    assert.deepEqual(cache.stale(), [], 'nothing changed');
    assert.equal(cache.generation, generation, 'a check that forgets nothing changes nothing');
    write(cert, 'renewed cert', 50);
    write(missing, 'a CA file that appeared', 50);
    assert.deepEqual(cache.stale().sort(), ['file:///a/main.cf', 'file:///c/main.cf']);
    assert.notEqual(cache.generation, generation);
    assert.deepEqual([...cache.paths()], [key], 'the changed paths are forgotten, so the next lint reads them');
    assert.deepEqual(cache.stale(), []);
    assert.equal(cache.read(cert, disk, 'file:///a/main.cf'), 'renewed cert');
  });

  it('never keeps a text over 1 MB', () => {
    const p = path.join(dir, 'big.map');
    write(p, 'x');
    const cache = new SideFileCache();
    const big = 'x'.repeat(1024 * 1024 + 1);
    assert.equal(
      cache.read(p, () => big, 'r'),
      big,
    );
    assert.equal(
      cache.read(p, () => 'small', 'r'),
      'small',
    );
  });
  it('names the readers of texts it did not keep (an open document, a file just written) when the path changes', () => {
    const main = path.join(dir, 'dovecot.conf');
    const fresh = path.join(dir, 'conf.d', '10-auth.conf');
    fs.mkdirSync(path.dirname(fresh));
    fs.writeFileSync(fresh, 'disable_plaintext_auth = no\n');
    const cache = new SideFileCache();
    // The conf.d file got dovecot.conf's open text; dovecot.conf read a conf.d file modified in the last 2 s (not kept).
    cache.noteRead(main, 'file:///ws/dovecot/conf.d/10-ssl.conf');
    assert.equal(cache.read(fresh, disk, 'file:///ws/dovecot/dovecot.conf'), 'disable_plaintext_auth = no\n');
    assert.equal(cache.size, 0);
    assert.deepEqual(cache.invalidate(main), ['file:///ws/dovecot/conf.d/10-ssl.conf']);
    assert.deepEqual(cache.invalidate(main), [], 'forgotten until the next lint notes it again');
    assert.deepEqual(cache.invalidate(path.join(dir, 'CONF.D')), ['file:///ws/dovecot/dovecot.conf'], 'a folder, in any case');
    cache.noteRead(main, 'r');
    cache.clear();
    assert.deepEqual(cache.invalidate(main), []);
  });

  it('listingChanged names the files that listed the folder a file was created in or deleted from (a glob include)', () => {
    const confD = path.join(dir, 'dovecot', 'conf.d');
    const cache = new SideFileCache();
    cache.noteListing(confD, 'file:///ws/dovecot/dovecot.conf');
    cache.noteListing(confD, 'file:///ws/dovecot/conf.d/10-ssl.conf');
    cache.noteListing(path.join(dir, 'other'), 'file:///ws/other/dovecot.conf');
    assert.deepEqual(cache.listingChanged(path.join(dir, 'dovecot', 'unrelated.conf')), []);
    assert.deepEqual(cache.listingChanged(path.join(confD, 'deeper', 'x.conf')), [], 'only the folder itself was listed');
    assert.deepEqual(cache.listingChanged(path.join(confD, '20-imap.conf')).sort(), [
      'file:///ws/dovecot/conf.d/10-ssl.conf',
      'file:///ws/dovecot/dovecot.conf',
    ]);
    assert.deepEqual(cache.listingChanged(path.join(confD, '30-pop3.conf')), [], 'forgotten until the next lint lists it again');
    // A deleted folder: the listings inside it.
    cache.noteListing(confD, 'file:///ws/dovecot/dovecot.conf');
    assert.deepEqual(cache.listingChanged(path.join(dir, 'dovecot')), ['file:///ws/dovecot/dovecot.conf']);
    // A change of content is not a listing change: invalidate does not name listers.
    cache.noteListing(confD, 'file:///ws/dovecot/dovecot.conf');
    assert.deepEqual(cache.invalidate(path.join(confD, '10-ssl.conf')), []);
  });
});
