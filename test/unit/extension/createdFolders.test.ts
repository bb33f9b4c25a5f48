import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreatedFolders, MAX_CREATED, MAX_FOLDERS } from '../../../src/extension/createdFolders';

describe('CreatedFolders (new folders the workspace watcher reported)', () => {
  let root: string;
  const p = (...s: string[]) => path.join(root, ...s);
  const rel = (abs: string) => path.relative(root, abs);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-created-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps the top-most new folders, drops files and paths below a kept folder', () => {
    fs.mkdirSync(p('a', 'b', 'c'), { recursive: true });
    fs.mkdirSync(p('a-b'));
    fs.writeFileSync(p('a', 'b', 'c', 'main.cf'), '');
    fs.writeFileSync(p('file.txt'), '');
    const c = new CreatedFolders();
    // Child first, then its parent: both noted, the parent wins in take().
    for (const x of [p('a', 'b', 'c'), p('a', 'b', 'c', 'main.cf'), p('a'), p('a-b'), p('file.txt'), p('gone')]) c.add(x, rel(x));
    assert.deepEqual(c.take(), [p('a'), p('a-b')]);
    assert.deepEqual(c.take(), [], 'take() starts over');
  });

  it('a path below a noted one is not noted again (an unpacked tree is one entry)', () => {
    const c = new CreatedFolders();
    c.add(p('tree'), 'tree');
    for (let i = 0; i < 50; i++) c.add(p('tree', `d${i}`, 'main.cf'), `tree/d${i}/main.cf`);
    assert.equal(c.size, 1);
  });

  it('ignores the folders the scan skips, judged relative to the workspace folder', () => {
    const c = new CreatedFolders();
    c.add(p('node_modules', 'pkg'), 'node_modules/pkg');
    c.add(p('x', '.git', 'refs'), 'x/.git/refs');
    assert.equal(c.size, 0);
    // A workspace that itself lives under a folder named build/ is still watched.
    const inBuild = path.join(root, 'build', 'project', 'new');
    fs.mkdirSync(inBuild, { recursive: true });
    c.add(inBuild, 'new');
    assert.deepEqual(c.take(), [inBuild]);
  });

  it('more than MAX_FOLDERS new folders to search (a branch switch): undefined, one scan instead of a search each', () => {
    const c = new CreatedFolders();
    for (let i = 0; i <= MAX_FOLDERS; i++) c.add(p(`d${i}`), `d${i}`);
    assert.equal(
      c.take(() => true),
      undefined,
    );
    for (let i = 0; i < MAX_FOLDERS; i++) c.add(p(`d${i}`), `d${i}`);
    assert.equal(c.take(() => true)?.length, MAX_FOLDERS);
  });

  it('more than MAX_CREATED new paths at once: undefined (scan the workspace), then back to normal', () => {
    const c = new CreatedFolders();
    for (let i = 0; i <= MAX_CREATED; i++) c.add(p(`f${i}`), `f${i}`);
    assert.equal(
      c.take(() => true),
      undefined,
    );
    c.add(p('late'), 'late');
    assert.deepEqual(
      c.take(() => true),
      [p('late')],
    );
  });
});
