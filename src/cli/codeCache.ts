/**
 * Loads a CLI command bundle (dist/cli-NAME.js) with a V8 code cache, so a run does not parse and compile the
 * same JavaScript again. The build routes each command's `require('./NAME')` here (scripts/build.mjs); from the
 * TypeScript sources (tests, tsx) nothing changes.
 *
 * The cache is V8's own (`vm.Script#createCachedData`), taken when the process exits, so it holds every function
 * the command ran, not only the top level (a cache taken right after compiling holds almost nothing: V8
 * compiles functions on their first call). It lives beside the roots index in the user's cache folder, keyed by a
 * SHA-256 of the bundle's text and the Node version: V8 itself rejects a cache made by another V8 or with other
 * flags, but checks only the length of the source. A cache file is used only when it and its folder belong to
 * this user and nobody else may write them, since it is code this process runs. Anything unusable (no cache
 * folder, a rejected or unreadable cache) falls back to a plain `require`, and a rejected cache is rewritten.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const CACHE_FORMAT = 2;
const toWrite: Array<{ script: vm.Script; file: string }> = [];

/** `name` is the bundle's file name next to this one, e.g. `cli-probe.js`. Returns its `module.exports`. */
export function loadCommandBundle(name: string): unknown {
  return loadBundle(path.join(__dirname, name));
}

/** How the last load of a file used the cache (for tests): read and accepted, or compiled (cache to be written). */
export const cacheUse = new Map<string, 'accepted' | 'compiled' | 'uncached'>();

/** Loads a CommonJS file through the code cache; its `module.exports`. */
export function loadBundle(filename: string): unknown {
  // Node's own module registry: a bundle is loaded once per process, whichever bundle (or plain require) asks.
  const known = require.cache[filename];
  if (known) return known.exports;
  const compiled = compile(filename);
  if (!compiled) return require(filename);
  const mod = new Module(filename);
  mod.filename = filename;
  // Registered before it runs, as Node does, so a require cycle back to this bundle finds it.
  require.cache[filename] = mod;
  try {
    compiled.call(mod.exports, mod.exports, createRequire(filename), mod, filename, path.dirname(filename));
  } catch (err) {
    delete require.cache[filename];
    throw err;
  }
  mod.loaded = true;
  return mod.exports;
}

type Wrapper = (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;

/** The bundle as a CommonJS wrapper function, or undefined when it cannot be compiled this way (then: require). */
function compile(filename: string): Wrapper | undefined {
  try {
    // Keyed by the file's bytes: hashing the text would encode all of it to UTF-8 once more (about 1 ms a run).
    const bytes = fs.readFileSync(filename);
    const source = bytes.toString('utf8').replace(/^#!.*/, '');
    const file = cacheFile(path.basename(filename), bytes);
    const cachedData = file ? readCache(file) : undefined;
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename, cachedData });
    const accepted = cachedData !== undefined && script.cachedDataRejected === false;
    cacheUse.set(filename, !file ? 'uncached' : accepted ? 'accepted' : 'compiled');
    if (file && !accepted) {
      if (toWrite.length === 0) process.once('exit', writeCaches);
      toWrite.push({ script, file });
    }
    return script.runInThisContext() as Wrapper;
  } catch {
    return undefined;
  }
}

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mail-tls-doctor');
}

function cacheFile(name: string, bytes: Buffer): string | undefined {
  const key = createHash('sha256').update(`${CACHE_FORMAT}\n${process.version}\n${process.arch}\n${name}\n`).update(bytes).digest('hex').slice(0, 32);
  return path.join(cacheDir(), `code-${name.replace(/\.js$/, '')}-${key}.bin`);
}

/** The cache's bytes, if the file and its folder are this user's and writable by nobody else. */
function readCache(file: string): Buffer | undefined {
  try {
    if (!ownedAndPrivate(fs.statSync(path.dirname(file))) || !ownedAndPrivate(fs.statSync(file))) return undefined;
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** POSIX only: on Windows the mode bits say nothing, and the profile folder's ACLs keep it the user's. */
function ownedAndPrivate(st: fs.Stats): boolean {
  if (typeof process.getuid !== 'function') return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** At exit: every function the run compiled goes into the cache; older caches of the same bundle are removed. */
export function writeCaches(): void {
  for (const { script, file } of toWrite.splice(0)) {
    try {
      const dir = path.dirname(file);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const prefix = path.basename(file).replace(/-[0-9a-f]+\.bin$/, '-');
      for (const old of fs.readdirSync(dir))
        if (old.startsWith(prefix) && old.endsWith('.bin') && old !== path.basename(file)) fs.rmSync(path.join(dir, old), { force: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      // Best effort: a read-only or full cache folder only means the next run compiles again.
    }
  }
}
