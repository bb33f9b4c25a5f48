/** Runs a command with a time limit and collects its output; never rejects (the result says what happened). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Wall time, for the tier's timing report. */
  ms: number;
}

export interface RunOptions {
  timeoutMs: number;
  input?: string;
  /** Written to stdin after this delay, or as soon as stdout matches `inputWhen`, whichever comes first. */
  inputDelayMs?: number;
  /**
   * Output that shows the tool is ready for input. s_client, for one, quits on stdin EOF even before it prints
   * the session it just negotiated, so its QUIT must wait for that report.
   */
  inputWhen?: RegExp;
  env?: NodeJS.ProcessEnv;
  /**
   * The command starts a daemon that inherits its stdout/stderr (dovecot), so pipes would never close: its
   * output goes to a file instead, read once the command exits. Other commands use pipes and resolve on
   * 'close', which is what guarantees all their output has been read.
   */
  daemonizes?: boolean;
  /** Output beyond this is dropped, so a chatty tool cannot eat the test's memory. */
  maxBytes?: number;
}

export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return opts.daemonizes ? runDaemonizing(cmd, args, opts) : runPiped(cmd, args, opts);
}

async function runDaemonizing(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-run-'));
  const outFile = path.join(dir, 'output');
  const fd = fs.openSync(outFile, 'w');
  try {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once('error', () => resolve([null, null]));
      child.once('exit', (c, s) => resolve([c, s]));
    });
    clearTimeout(timer);
    const output = fs.readFileSync(outFile, 'latin1').slice(0, opts.maxBytes ?? 1 << 20);
    return { code, signal, stdout: '', stderr: output, timedOut, ms: Date.now() - started };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runPiped(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const max = opts.maxBytes ?? 1 << 20;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let inputTimer: NodeJS.Timeout | undefined;
    let inputSent = false;
    const sendInput = () => {
      if (inputSent) return;
      inputSent = true;
      if (inputTimer) clearTimeout(inputTimer);
      child.stdin.end(opts.input);
    };
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < max) stdout += d.toString('latin1');
      if (opts.input !== undefined && opts.inputWhen?.test(stdout)) sendInput();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < max) stderr += d.toString('latin1');
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading its input
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    if (opts.input !== undefined) {
      inputTimer = setTimeout(sendInput, opts.inputDelayMs ?? 0);
    } else {
      child.stdin.end();
    }
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (inputTimer) clearTimeout(inputTimer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    };
    child.once('error', (err) => {
      stderr += String(err);
      finish(null, null);
    });
    child.once('close', finish);
  });
}
