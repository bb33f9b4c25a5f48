/** `mail-tls-doctor probe`: argument parsing and output; the work is done by src/core/probe. */
import * as fs from 'node:fs';
import { isIpLiteral, makeEndpoint, parseTarget, printable, validateHostname, type Endpoint, type Protocol, type TlsMode } from '../core/endpoint';
import { isProtocol, protocolList } from '../core/protocols';
import { hasError } from '../core/finding';
import { probeMany, type ProbeResult } from '../core/probe';
import { describeRepeats, summarizeRepeats } from '../core/probe/repeat';
import { formatResult } from '../core/probe/report';
import { CliIO, EXIT_FINDINGS, EXIT_OK, paint, UsageError } from './io';

export interface ProbeArgs {
  targets: { host: string; port?: number }[];
  protocol?: Protocol;
  mode?: TlsMode;
  servername?: string;
  caFiles: string[];
  timeoutMs?: number;
  repeat: number;
  json: boolean;
  verbose: boolean;
}


export function parseProbeArgs(args: string[]): ProbeArgs {
  const out: ProbeArgs = { targets: [], caFiles: [], repeat: 1, json: false, verbose: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = args[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--protocol': {
        const p = value().toLowerCase();
        if (!isProtocol(p)) throw new UsageError(`--protocol must be ${protocolList()}, not "${printable(p)}"`);
        out.protocol = p;
        break;
      }
      case '--starttls':
      case '--implicit': {
        const m: TlsMode = flag === '--starttls' ? 'starttls' : 'implicit';
        if (out.mode && out.mode !== m) throw new UsageError('--starttls and --implicit exclude each other');
        out.mode = m;
        break;
      }
      case '--servername': {
        const n = value();
        const check = validateHostname(n);
        if (!check.ok) throw new UsageError(`invalid --servername "${printable(n)}": ${check.reason}`);
        out.servername = n;
        break;
      }
      case '--ca': {
        const f = value();
        try {
          if (!fs.statSync(f).isFile()) throw new Error('not a file');
          fs.accessSync(f, fs.constants.R_OK);
        } catch {
          throw new UsageError(`--ca ${printable(f)}: cannot read that file`);
        }
        out.caFiles.push(f);
        break;
      }
      case '--timeout':
        out.timeoutMs = intArg(flag, value(), 100, 600_000);
        break;
      case '--repeat':
        out.repeat = intArg(flag, value(), 1, 100);
        break;
      case '--json':
        out.json = true;
        break;
      case '--verbose':
      case '-v':
        out.verbose = true;
        break;
      default: {
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${printable(arg)}"`);
        const t = parseTarget(arg);
        if ('error' in t) throw new UsageError(t.error);
        out.targets.push(t);
      }
    }
  }
  if (out.targets.length === 0) throw new UsageError('give at least one HOST[:PORT] to probe');
  return out;
}

function intArg(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${printable(v)}"`);
  return Number(v);
}

export async function runProbe(args: string[], io: CliIO): Promise<number> {
  const a = parseProbeArgs(args);
  const endpoints: Endpoint[] = a.targets.map((t) => makeEndpoint(t.host, t.port, { protocol: a.protocol, mode: a.mode, servername: a.servername, caFiles: a.caFiles }));
  const p = paint(io.color);
  if (!a.json) {
    for (const ep of endpoints) {
      if (isIpLiteral(ep.host) && !ep.servername) {
        io.err(p.dim(`note: ${ep.host} is an IP address; the certificate is checked against it. Give --servername NAME to check the name your clients use.\n`));
      }
    }
  }
  const runs: ProbeResult[][] = [];
  try {
    for (let i = 0; i < a.repeat; i++) {
      if (!a.json && a.repeat > 1) io.err(p.dim(`run ${i + 1} of ${a.repeat}...\n`));
      // Later runs wait out a back-off an earlier run's 421 started (the note below says so) instead of giving up.
      const run = await probeMany(endpoints, { signal: io.signal, timeoutMs: a.timeoutMs, ...(i > 0 ? { maxBackoffWaitMs: Infinity } : {}) });
      runs.push(run);
      if (i + 1 < a.repeat && run.some((r) => r.transcript.some((l) => /no new connection to it for/.test(l.text)))) {
        io.err(p.dim('note: a server answered "too many connections"; the next run waits for its back-off to pass.\n'));
      }
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      io.err('mail-tls-doctor probe: cancelled\n');
      return 130;
    }
    throw err;
  }
  const all = runs.flat();
  const verdicts = a.repeat > 1 ? summarizeRepeats(runs) : undefined;
  if (a.json) {
    const results = runs.flatMap((run, i) => run.map((r) => (a.repeat > 1 ? { run: i + 1, ...r } : r)));
    io.out(`${JSON.stringify(verdicts ? { results, repeat: verdicts } : { results }, null, 2)}\n`);
  } else {
    for (const r of representative(runs)) io.out(`${formatResult(r, p, a.verbose)}\n`);
    if (verdicts) {
      io.out(p.bold(`Over ${a.repeat} runs:\n`));
      for (const line of describeRepeats(verdicts)) io.out(`  ${line}\n`);
    }
  }
  return all.some((r) => hasError(r.findings)) ? EXIT_FINDINGS : EXIT_OK;
}

/** For each endpoint address, the first run that failed (the one worth reading), else the last run. */
function representative(runs: ProbeResult[][]): ProbeResult[] {
  const last = runs[runs.length - 1];
  return last.map((r, i) => runs.map((run) => run[i]).find((x) => x && hasError(x.findings)) ?? r);
}
