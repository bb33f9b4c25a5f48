/**
 * The command bundles' V8 code cache: written after a load, used by the next load of the same text, never used
 * when it or its folder is writable by others, and keyed by the text (V8 itself only checks the length).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLE_HEAD, cacheUse, loadBundle, writeCaches } from '../../../src/cli/codeCache';

describe('cli/codeCache', () => {
  let dir: string;
  let savedCacheHome: string | undefined;
  const cacheFolder = () => path.join(dir, 'cache', 'mail-tls-doctor');
  const cacheFiles = () => (fs.existsSync(cacheFolder()) ? fs.readdirSync(cacheFolder()).filter((f) => f.endsWith('.bin')) : []);
  const load = (file: string) => {
    delete require.cache[file];
    return loadBundle(file) as { value: number; twice(n: number): number };
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-codecache-'));
    savedCacheHome = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
  });
  afterEach(() => {
    if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCacheHome;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('compiles, writes the cache, and the next load of the same text uses it', () => {
    const file = path.join(dir, 'cli-x.js');
    fs.writeFileSync(file, 'exports.value = 7; exports.twice = (n) => 2 * n;\n');
    const first = load(file);
    assert.equal(first.value, 7);
    assert.equal(first.twice(21), 42);
    assert.equal(require.cache[file]?.exports, first, 'registered as a module, so require() finds the same one');
    assert.equal(cacheUse.get(file), 'compiled');
    writeCaches();
    const files = cacheFiles();
    assert.equal(files.length, 1);
    if (process.platform !== 'win32') assert.equal(fs.statSync(path.join(cacheFolder(), files[0])).mode & 0o777, 0o600);
    const second = load(file);
    assert.equal(cacheUse.get(file), 'accepted');
    assert.equal(second.twice(5), 10);
  });

  it('a bundle written inside the wrapper (as the build writes the command bundles) runs once, as it is, cached like any other', () => {
    const file = path.join(dir, 'cli-w.js');
    fs.writeFileSync(
      file,
      `${BUNDLE_HEAD}\n"use strict"; globalThis.mtdWrappedRuns = (globalThis.mtdWrappedRuns ?? 0) + 1; exports.value = 9; exports.twice = (n) => 2 * n;\n})`,
    );
    const g = globalThis as { mtdWrappedRuns?: number };
    delete g.mtdWrappedRuns;
    const first = load(file);
    assert.equal(first.value, 9);
    assert.equal(g.mtdWrappedRuns, 1, 'its body ran once: not wrapped a second time');
    assert.equal(cacheUse.get(file), 'compiled');
    writeCaches();
    const second = load(file);
    assert.equal(cacheUse.get(file), 'accepted');
    assert.equal(second.twice(4), 8);
    assert.equal(g.mtdWrappedRuns, 2);
    delete g.mtdWrappedRuns;
  });

  it('a changed text of the same length is not served the old cache (V8 would accept it), and its own replaces it', () => {
    const file = path.join(dir, 'cli-y.js');
    fs.writeFileSync(file, 'exports.value = 1; exports.twice = (n) => 2 * n;\n');
    load(file);
    writeCaches();
    assert.equal(load(file).value, 1);
    assert.equal(cacheUse.get(file), 'accepted');
    fs.writeFileSync(file, 'exports.value = 2; exports.twice = (n) => 3 * n;\n');
    const changed = load(file);
    assert.equal(cacheUse.get(file), 'compiled');
    assert.equal(changed.value, 2);
    assert.equal(changed.twice(2), 6);
    writeCaches();
    assert.equal(cacheFiles().length, 1);
    const again = load(file);
    assert.equal(cacheUse.get(file), 'accepted');
    assert.equal(again.twice(2), 6, 'the new text, from the new cache');
  });

  it('a cache whose copy of the bundle differs in any byte, or is cut short, is not used', () => {
    const file = path.join(dir, 'cli-c.js');
    // Longer than one piece of the comparison (16 KB), so a difference in a later piece is seen too.
    fs.writeFileSync(file, `exports.value = 4; exports.twice = (n) => 2 * n;\n// ${'x'.repeat(40_000)}\n`);
    load(file);
    writeCaches();
    const cache = path.join(cacheFolder(), cacheFiles()[0]);
    const good = fs.readFileSync(cache);
    for (const at of [0, 20_000, fs.statSync(file).size - 1]) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x20;
      fs.writeFileSync(cache, bad, { mode: 0o600 });
      assert.equal(load(file).value, 4);
      assert.equal(cacheUse.get(file), 'compiled', `byte ${at} changed`);
      writeCaches();
    }
    fs.writeFileSync(cache, good.subarray(0, 30_000), { mode: 0o600 });
    load(file);
    assert.equal(cacheUse.get(file), 'compiled', 'cut short');
    writeCaches();
    load(file);
    assert.equal(cacheUse.get(file), 'accepted');
  });

  it('ignores a cache file others may write, and writes a private one instead', function () {
    if (process.platform === 'win32') this.skip();
    const file = path.join(dir, 'cli-z.js');
    fs.writeFileSync(file, 'exports.value = 3; exports.twice = (n) => 2 * n;\n');
    load(file);
    writeCaches();
    const cache = path.join(cacheFolder(), cacheFiles()[0]);
    fs.chmodSync(cache, 0o666);
    assert.equal(load(file).value, 3);
    assert.equal(cacheUse.get(file), 'compiled');
    writeCaches();
    assert.equal(fs.statSync(path.join(cacheFolder(), cacheFiles()[0])).mode & 0o777, 0o600);
    fs.chmodSync(cacheFolder(), 0o777);
    load(file);
    assert.equal(cacheUse.get(file), 'compiled', 'a folder others may write is not trusted either');
    fs.chmodSync(cacheFolder(), 0o700);
  });

  it('a bundle that cannot be read or compiled throws that error (a plain require of a wrapped bundle would export nothing)', () => {
    assert.throws(() => load(path.join(dir, 'cli-missing.js')), /ENOENT/);
    const broken = path.join(dir, 'cli-broken.js');
    fs.writeFileSync(broken, `${BUNDLE_HEAD}\nexports.value = ;\n})`);
    assert.throws(() => load(broken), SyntaxError);
    assert.equal(require.cache[broken], undefined);
  });

  it('with no home directory to name a cache folder, the bundle still loads, uncached', () => {
    const file = path.join(dir, 'cli-home.js');
    fs.writeFileSync(file, 'exports.value = 5; exports.twice = (n) => 2 * n;\n');
    const saved = process.env.XDG_CACHE_HOME;
    // Node's own module object: what the loader's os.homedir() reads.
    const nodeOs = require('node:os') as { homedir: () => string };
    const homedir = nodeOs.homedir;
    delete process.env.XDG_CACHE_HOME;
    nodeOs.homedir = () => {
      throw new Error('no home');
    };
    try {
      assert.equal(load(file).value, 5);
      assert.equal(cacheUse.get(file), 'uncached');
    } finally {
      nodeOs.homedir = homedir;
      process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('an error thrown by the module propagates and leaves it unregistered', () => {
    const file = path.join(dir, 'cli-bad.js');
    fs.writeFileSync(file, 'throw new Error("top-level failure");\n');
    assert.throws(() => load(file), /top-level failure/);
    assert.equal(require.cache[file], undefined);
  });
});
