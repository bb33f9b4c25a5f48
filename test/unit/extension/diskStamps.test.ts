import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiskStamps } from '../../../src/extension/diskStamps';

describe('DiskStamps (linted files whose change no watcher reported)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-stamps-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes a file as if it had been written `ageS` seconds ago (older than the 2 s in which a stamp cannot tell). */
  const write = (p: string, text: string, ageS = 60) => {
    fs.writeFileSync(p, text);
    const old = new Date(Date.now() - ageS * 1000);
    fs.utimesSync(p, old, old);
  };

  it('names a file edited, deleted or replaced since it was noted, once, and not one left alone', () => {
    const [edited, deleted, replaced, kept] = ['main.cf', 'dovecot.conf', 'mailer.js', 'master.cf'].map((n) => path.join(dir, n));
    for (const p of [edited, deleted, replaced, kept]) write(p, 'smtpd_tls_security_level = may\n');
    const stamps = new DiskStamps();
    for (const p of [edited, deleted, replaced, kept]) stamps.note(`file://${p}`, p);
    assert.deepEqual(stamps.changed(), [], 'nothing changed yet');

    write(edited, 'smtpd_tls_security_level = none\n', 30); // same size: the time tells
    fs.rmSync(deleted);
    const tmp = path.join(dir, 'mailer.js.tmp');
    write(tmp, 'smtpd_tls_security_level = may\n'); // an editor's save: same text and time, another inode
    fs.renameSync(tmp, replaced);

    assert.deepEqual(stamps.changed().sort(), [`file://${deleted}`, `file://${edited}`, `file://${replaced}`].sort());
    assert.deepEqual(stamps.changed(), [], 'forgotten until linted (noted) again');
    assert.equal(stamps.size, 1);
  });

  it('a file written in the last 2 s cannot be told from its next write: it counts as changed', () => {
    const p = path.join(dir, 'main.cf');
    fs.writeFileSync(p, 'relayhost = [smtp.example.com]:587\n');
    const stamps = new DiskStamps();
    stamps.note('k', p);
    assert.deepEqual(stamps.changed(), ['k']);
  });

  it('a file missing when noted that appears is a change; dropped keys are not checked', () => {
    const p = path.join(dir, 'main.cf');
    const q = path.join(dir, 'master.cf');
    const stamps = new DiskStamps();
    stamps.note('appears', p);
    stamps.note('dropped', q);
    stamps.drop('dropped');
    write(p, 'x\n');
    write(q, 'y\n');
    assert.deepEqual(stamps.changed(), ['appears']);
  });
});
