import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LinkedFiles, realFolder } from '../../../src/extension/linkedFiles';

describe('LinkedFiles (linted files in a folder the workspace links to)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-linked-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('notes a file reached through a linked folder (at any depth), not one in a plain folder; counts its folder until the last goes', () => {
    const target = path.join(dir, 'etc-postfix');
    fs.mkdirSync(path.join(target, 'sub'), { recursive: true });
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    fs.symlinkSync(target, path.join(ws, 'postfix'));
    const linked = new LinkedFiles();
    const g0 = linked.generation;
    linked.note('main', path.join(ws, 'postfix', 'main.cf'));
    linked.note('master', path.join(ws, 'postfix', 'master.cf'));
    linked.note('deep', path.join(ws, 'postfix', 'sub', 'main.cf'));
    linked.note('plain', path.join(ws, 'main.cf'));
    assert.deepEqual(
      [...linked.values()].sort(),
      [path.join(ws, 'postfix', 'main.cf'), path.join(ws, 'postfix', 'master.cf'), path.join(ws, 'postfix', 'sub', 'main.cf')].sort(),
    );
    assert.equal(linked.hasFolder(path.join(ws, 'postfix')), true);
    assert.equal(linked.hasFolder(ws), false);
    assert.equal(realFolder(path.join(ws, 'postfix', 'sub', 'main.cf')), path.join(target, 'sub'));
    const g1 = linked.generation;
    assert.notEqual(g1, g0);
    linked.note('main', path.join(ws, 'postfix', 'main.cf'));
    assert.equal(linked.generation, g1, 'noting again changes nothing');
    linked.drop('main');
    assert.equal(linked.hasFolder(path.join(ws, 'postfix')), true, 'master.cf is still there');
    linked.drop('master');
    assert.equal(linked.hasFolder(path.join(ws, 'postfix')), false);
    assert.notEqual(linked.generation, g1);
  });

  it('a folder that cannot be resolved (gone) is taken as given: not linked', () => {
    const linked = new LinkedFiles();
    linked.note('gone', path.join(dir, 'missing', 'main.cf'));
    assert.deepEqual([...linked.values()], []);
    assert.equal(realFolder(path.join(dir, 'missing', 'main.cf')), path.join(dir, 'missing'));
  });
});
