/**
 * Loads a CLI command bundle (dist/cli-NAME.js) with a V8 code cache, so a run does not parse and compile the
 * same JavaScript again. The build routes each command's `require('./NAME')` here (scripts/build.mjs); from the
 * TypeScript sources (tests, tsx) nothing changes.
 *
 * The cache is V8's own (`vm.Script#createCachedData`), taken when the process exits, so it holds every function
 * the command ran, not only the top level (a cache taken right after compiling holds almost nothing: V8
 * compiles functions on their first call). It lives beside the roots index in the user's cache folder, keyed by a
 * copy of the bundle's bytes (below) and the Node version: V8 itself rejects a cache made by another V8 or with
 * other flags, but checks only the length of the source. A cache file is used only when it and its folder belong to
 * this user and nobody else may write them, since it is code this process runs. Anything unusable (no cache
 * folder, a rejected or unreadable cache) means compiling without it, and a rejected cache is rewritten. A bundle
 * that cannot be read or compiled throws that error, as `require` would (a plain `require` of a bundle the build
 * wrapped would run nothing and export nothing).
 *
 * The cache file starts with a copy of the bundle's bytes, and is used only when that copy equals the bundle
 * (V8 checks only the source's length). Comparing bytes is exact and needs no hash: hashing with SHA-256 loaded
 * Node's `crypto` (17 internal modules, 4-6 ms) before a probe's first connect, and a hash in JavaScript cost as
 * much, run cold. The file's name holds what V8 checks anyway (Node version, architecture) and the bundle's size.
 *
 * The build writes each command bundle already wrapped (`BUNDLE_HEAD` ... `})`, scripts/build.mjs), so its text
 * is compiled as it is read; any other file is wrapped here. Both files are read into one buffer: first the
 * bundle (decoded, then compared with the cache's copy), then V8's data over it. On this machine a page touched
 * for the first time costs about 20 us, and a second buffer and a wrapped copy of the text were about 100 such
 * pages per run.
 */
import * as fs from 'node:fs';
import type { Module as ModuleClass } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const CACHE_FORMAT = 3;
// Node's module class, as the constructor of this file's own module: `require('node:module')` would also load the
// ES module loader and source-map support (four internal modules) that a command run never uses.
const Module: typeof ModuleClass =
  typeof module === 'object' && typeof (module.constructor as Partial<typeof ModuleClass>).createRequire === 'function'
    ? (module.constructor as typeof ModuleClass)
    : (require('node:module') as typeof import('node:module')).Module;
/** How a pre-wrapped bundle starts: the CommonJS wrapper, written by the build around the bundle (`})` ends it). */
export const BUNDLE_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const toWrite: Array<{ script: vm.Script; file: string; text: string }> = [];
let writeAtExit = false;

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
  const mod = new Module(filename);
  mod.filename = filename;
  // Registered before it runs, as Node does, so a require cycle back to this bundle finds it.
  require.cache[filename] = mod;
  try {
    compiled.call(mod.exports, mod.exports, Module.createRequire(filename), mod, filename, path.dirname(filename));
  } catch (err) {
    delete require.cache[filename];
    throw err;
  }
  mod.loaded = true;
  return mod.exports;
}

type Wrapper = (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;

/** The bundle as a CommonJS wrapper function; throws when the bundle cannot be read or compiled. */
function compile(filename: string): Wrapper {
  const room = readWithRoom(filename);
  const bytes = room.buffer.subarray(0, room.length);
  const file = cacheFile(path.basename(filename), bytes.length);
  const text = bytes.toString('utf8');
  const source = text.startsWith(BUNDLE_HEAD) ? text : `${BUNDLE_HEAD}${text.replace(/^#!.*/, '')}\n})`;
  // The text is decoded: V8's data is read over the bundle's bytes once they are compared.
  const cachedData = file ? readCache(file, bytes, room.buffer) : undefined;
  const script = new vm.Script(source, { filename, cachedData });
  const accepted = cachedData !== undefined && script.cachedDataRejected === false;
  cacheUse.set(filename, !file ? 'uncached' : accepted ? 'accepted' : 'compiled');
  if (file && !accepted) {
    if (!writeAtExit) process.once('exit', writeCaches);
    writeAtExit = true;
    toWrite.push({ script, file, text });
  }
  return script.runInThisContext() as Wrapper;
}

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mail-tls-doctor');
}

/** Undefined when there is no cache folder to name (no home directory): the bundle is then compiled, uncached. */
function cacheFile(name: string, size: number): string | undefined {
  const key = fnv1a(`${CACHE_FORMAT}\n${process.version}\n${process.arch}\n${name}\n${size}`);
  try {
    return path.join(cacheDir(), `code-${name.replace(/\.js$/, '')}-${key}.bin`);
  } catch {
    return undefined;
  }
}

/** A short name for a short string (not a check of anything: the cache's bytes are compared). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * A file's bytes at the start of a buffer twice its size: the room after them is not touched (so costs no
 * memory) until V8's data from the cache, about 1.3 times the bundle's size, is read over the bundle's bytes.
 */
function readWithRoom(filename: string): { buffer: Buffer; length: number } {
  const fd = fs.openSync(filename, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.allocUnsafeSlow(Math.max(2 * size, 64 * 1024));
    return { buffer, length: readAll(fd, buffer.subarray(0, size)) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads into `into` from `at` in the file until it is full or the file ends; the number of bytes read. */
function readAll(fd: number, into: Buffer, at = 0): number {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, at + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * V8's data from the cache (read into `room`, over `bundle`, when it fits), if the file and its folder are this
 * user's and writable by nobody else, and the file starts with exactly `bundle`'s bytes (compared a piece at a
 * time, so the copy costs no more memory). Opened without blocking and checked once opened: only a regular file
 * is read, the one that was checked.
 */
function readCache(file: string, bundle: Buffer, room: Buffer): Buffer | undefined {
  let fd: number | undefined;
  try {
    if (!ownedAndPrivate(fs.statSync(path.dirname(file)))) return undefined;
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !ownedAndPrivate(st)) return undefined;
    if (st.size <= bundle.length || !startsWith(fd, bundle)) return undefined;
    const size = st.size - bundle.length;
    const into = size <= room.length ? room.subarray(0, size) : Buffer.allocUnsafe(size);
    return into.subarray(0, readAll(fd, into, bundle.length));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether the file's first bytes are exactly `bytes`. */
function startsWith(fd: number, bytes: Buffer): boolean {
  const piece = Buffer.allocUnsafe(16 * 1024);
  for (let at = 0; at < bytes.length;) {
    const want = Math.min(piece.length, bytes.length - at);
    const n = readAll(fd, piece.subarray(0, want), at);
    if (n !== want || !piece.subarray(0, n).equals(bytes.subarray(at, at + n))) return false;
    at += n;
  }
  return true;
}

/** POSIX only: on Windows the mode bits say nothing, and the profile folder's ACLs keep it the user's. */
function ownedAndPrivate(st: fs.Stats): boolean {
  if (typeof process.getuid !== 'function') return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** At exit: every function the run compiled goes into the cache; older caches of the same bundle are removed. */
export function writeCaches(): void {
  for (const { script, file, text } of toWrite.splice(0)) {
    try {
      const dir = path.dirname(file);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const prefix = path.basename(file).replace(/-[0-9a-f]+\.bin$/, '-');
      for (const old of fs.readdirSync(dir))
        if (old.startsWith(prefix) && old.endsWith('.bin') && old !== path.basename(file)) fs.rmSync(path.join(dir, old), { force: true });
      const tmp = `${file}.${process.pid}.tmp`;
      // The text as decoded, not the file as it is now: a cache never pairs a newer bundle with older code (a
      // bundle that is not UTF-8 gets a copy that never matches, so it is compiled each time).
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(text, 'utf8'), script.createCachedData()]), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      // Best effort: a read-only or full cache folder only means the next run compiles again.
    }
  }
}
