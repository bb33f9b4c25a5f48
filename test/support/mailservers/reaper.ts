/**
 * Makes sure every server the tier starts is stopped, even when a test throws, mocha bails, or the process is
 * interrupted: each server registers its pid file and folder; they are killed and removed on exit and on
 * SIGINT/SIGTERM/SIGHUP.
 */
import * as fs from 'node:fs';
import { waitForPort } from './ports';

interface Tracked {
  name: string;
  /** The master process to stop, read from its pid file at the time of the kill. */
  pid(): number | undefined;
  /** Synchronous: also runs inside process 'exit'. Called once the process is gone. */
  cleanup(): void;
}

const tracked = new Set<Tracked>();
let hooked = false;

export function track(name: string, pid: () => number | undefined, cleanup: () => void = () => undefined): () => void {
  hookProcess();
  const entry: Tracked = { name, pid, cleanup };
  tracked.add(entry);
  return () => tracked.delete(entry);
}

/**
 * Stops everything still tracked: SIGTERM to all at once, a bounded blocking wait (nothing async runs on the
 * exit path), SIGKILL for stragglers, then the cleanups, after the processes, since a dying daemon may still
 * write into its folder.
 */
function killAll(): void {
  const entries = [...tracked];
  tracked.clear();
  const pids = entries.map((t) => safe(() => t.pid()));
  for (const pid of pids) killPid(pid, 'SIGTERM');
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 5_000;
  while (pids.some((p) => p !== undefined && isRunning(p)) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 20);
  for (const pid of pids) killPid(pid, 'SIGKILL');
  for (const t of entries) safe(() => t.cleanup());
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined; // best effort: the process or folder may already be gone
  }
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** The pid in a pid file (Postfix pads it with spaces), or undefined. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True while the process runs. A zombie counts as gone: daemons re-parented to a PID 1 that does not reap (as
 * in some containers) stay zombies forever, yet hold no socket.
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

export function killPid(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (pid === undefined || !isRunning(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function waitGone(pid: number | undefined, timeoutMs: number): Promise<boolean> {
  if (pid === undefined) return true;
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/**
 * Waits until a spawned server listens on every port, or fails with its log when it exits first; returns its
 * stop function (SIGTERM, SIGKILL after 3 s, then the clean-up), which also runs when the wait fails.
 */
export async function untilListening(
  name: string,
  child: { pid?: number; once(event: 'exit', f: (code: number | null) => void): unknown },
  ports: number[],
  log: () => string,
  cleanUp: () => void,
): Promise<() => Promise<void>> {
  const stop = async () => {
    killPid(child.pid, 'SIGTERM');
    if (!(await waitGone(child.pid, 3_000))) killPid(child.pid, 'SIGKILL');
    cleanUp();
  };
  try {
    await Promise.race([
      Promise.all(ports.map((port) => waitForPort(port, 15_000))),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${log()}`)))),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}
