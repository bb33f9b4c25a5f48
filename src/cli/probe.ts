/** `mail-tls-doctor probe`: argument parsing and output; the work is done by src/core/probe. */
import { isIpLiteral, printable, validateHostname, type Endpoint, type Protocol, type TlsMode } from '../core/endpoint';
import { isProtocol, protocolList } from '../core/protocols';
import { termSafe as t } from '../core/escape';
import { hasError } from '../core/finding';
import type { DefinedAt } from '../core/report/records';
import type { PathProblem } from './lint';
import { probeMany, type ProbeResult } from '../core/probe';
import { describeRepeats, summarizeRepeats } from '../core/probe/repeat';
import { formatResult } from '../core/probe/report';
import { caFileArg, intArg } from './args';
import { whenTlsLoads } from '../core/nodeLazy';
import { compileIpPatternOnce } from './ipPattern';
import { CliIO, EXIT_CANCELLED, paint, UsageError } from './io';
import { RunOutput, takeCommonOptions } from './output';
import {
  dedupeTargets,
  inShard,
  parseShard,
  parseTargetList,
  parseTargetSpec,
  readInput,
  targetEndpoint,
  type Shard,
  type Target,
  type TargetSpec,
} from './targets';
import { plural } from '../core/wording';

export interface ProbeArgs {
  targets: TargetSpec[];
  protocol?: Protocol;
  mode?: TlsMode;
  servername?: string;
  caFiles: string[];
  timeoutMs?: number;
  repeat: number;
  verbose: boolean;
  inputs: string[];
  fromConfig: string[];
  shard?: Shard;
  concurrency?: number;
  /** --resolver: every name is resolved through this server only. */
  resolver?: import('../core/dns/client').DnsServer;
}

export function parseProbeArgs(args: string[]): ProbeArgs {
  const out: ProbeArgs = { targets: [], caFiles: [], repeat: 1, verbose: false, inputs: [], fromConfig: [] };
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
      case '--ca':
        out.caFiles.push(caFileArg(value()));
        break;
      case '--timeout':
        out.timeoutMs = intArg(flag, value(), 100, 600_000);
        break;
      case '--repeat':
        out.repeat = intArg(flag, value(), 1, 100);
        break;
      case '--input':
        out.inputs.push(value());
        break;
      case '--from-config':
        out.fromConfig.push(value());
        break;
      case '--shard':
        out.shard = parseShard(value());
        break;
      case '--concurrency':
        out.concurrency = intArg(flag, value(), 1, 256);
        break;
      case '--resolver':
        out.resolver = require('./check').parseResolverArg(value());
        break;
      case '--verbose':
      case '-v':
        out.verbose = true;
        break;
      default: {
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${printable(arg)}"`);
        const t = parseTargetSpec(arg);
        if ('error' in t) throw new UsageError(t.error);
        out.targets.push(t);
      }
    }
  }
  if (out.targets.length === 0 && out.inputs.length === 0 && out.fromConfig.length === 0) {
    throw new UsageError('give at least one HOST[:PORT] to probe (or --input FILE, --from-config PATH)');
  }
  return out;
}

export async function runProbe(args: string[], io: CliIO): Promise<number> {
  const { common, rest } = takeCommonOptions(args);
  const a = parseProbeArgs(rest);
  const text = common.format === 'text';
  // Asked when first needed, and only for text: whether stdout is a terminal loads node:tty (3-7 ms here), which
  // would otherwise come before the first connection's greeting is read (JSON is never coloured).
  let painter: ReturnType<typeof paint> | undefined;
  const p = () => (painter ??= paint(text && io.color));
  const opts = { protocol: a.protocol, mode: a.mode, servername: a.servername, caFiles: a.caFiles };
  const targets: Target[] = a.targets.map((t) => ({ endpoint: targetEndpoint(t, opts) }));
  for (const file of a.inputs) {
    const input = await readInput(file, io.readStdin);
    targets.push(...parseTargetList(input.name, input.text, opts));
  }
  for (const t of configTargets(a, io)) targets.push(t);
  const all = dedupeTargets(targets);
  const planned = all.filter((t) => inShard(t.endpoint, a.shard));
  if (text && a.shard) io.err(p().dim(`shard ${a.shard.index}/${a.shard.count}: ${planned.length} of ${plural(all.length, 'endpoint')}\n`));
  if (text && targets.length > all.length)
    io.err(p().dim(`note: ${plural(targets.length - all.length, 'target')} named an endpoint already listed; each endpoint is probed once\n`));
  const endpoints = planned.map((t) => t.endpoint);
  const definedAt = new Map(planned.map((t) => [t.endpoint, t.definedAt]));
  if (text) {
    for (const ep of endpoints) {
      if (isIpLiteral(ep.host) && !ep.servername) {
        io.err(
          p().dim(`note: ${t(ep.host)} is an IP address; the certificate is checked against it. Give --servername NAME to check the name your clients use.\n`),
        );
      }
    }
  }
  // The DNS client comes with the `check` command's bundle (as --resolver's parsing above): a plain probe's bundle
  // holds none of it (about 35 KB of its 190 KB), so it does not read it at every start.
  const resolve = a.resolver ? (require('./check') as typeof import('./check')).probeResolver(a.resolver, io.signal, a.timeoutMs) : undefined;
  // Before the first TLS handshake (ipPattern.ts), and not before the first connect: with Node's TLS module, which
  // the probe loads after that connect has gone out (while the server prepares its greeting, or the TCP handshake
  // completes for implicit TLS).
  whenTlsLoads(compileIpPatternOnce);
  const out = new RunOutput('probe', io, common);
  const runs: ProbeResult[][] = [];
  try {
    for (let i = 0; i < a.repeat; i++) {
      if (text && a.repeat > 1) io.err(p().dim(`run ${i + 1} of ${a.repeat}...\n`));
      const run = i + 1;
      // Later runs wait out a back-off an earlier run's 421 started (the note below says so) instead of giving up.
      const results = await probeMany(endpoints, {
        signal: io.signal,
        timeoutMs: a.timeoutMs,
        resolve,
        ...(a.resolver ? { resolverServer: a.resolver } : {}),
        ...(a.concurrency ? { concurrency: a.concurrency } : {}),
        ...(i > 0 ? { maxBackoffWaitMs: Infinity } : {}),
        // Streamed as each endpoint address is done (JSON Lines); the text and JSON forms come at the end.
        onResult: (r) => {
          const at = definedAt.get(r.endpoint);
          out.emit({ type: 'probe', ...(a.repeat > 1 ? { run } : {}), ...r, ...(at?.length ? { definedAt: at } : {}) });
        },
      });
      runs.push(results);
      if (i + 1 < a.repeat && results.some((r) => r.backoffMs !== undefined)) {
        if (text) io.err(p().dim('note: a server answered "too many connections"; the next run waits for its back-off to pass.\n'));
      }
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      io.err('mail-tls-doctor probe: cancelled\n');
      return EXIT_CANCELLED;
    }
    throw err;
  }
  const verdicts = a.repeat > 1 ? summarizeRepeats(runs) : undefined;
  for (const v of verdicts ?? []) out.emit({ type: 'repeat', ...v });
  return out.finish({
    json: () => {
      const results = runs.flatMap((run, i) => run.map((r) => withPlace(a.repeat > 1 ? { run: i + 1, ...r } : r, definedAt.get(r.endpoint))));
      return { results, ...(verdicts ? { repeat: verdicts } : {}), ...(a.shard ? { shard: a.shard } : {}) };
    },
    text: () => {
      const lines: string[] = [];
      if (endpoints.length === 0) lines.push(p().dim('No endpoint to probe in this run.\n'));
      for (const r of representative(runs)) lines.push(`${formatResult(r, p(), a.verbose)}\n`);
      if (verdicts) {
        lines.push(p().bold(`Over ${a.repeat} runs:\n`));
        for (const line of describeRepeats(verdicts)) lines.push(`  ${t(line)}\n`);
      }
      return lines.join('');
    },
  });
}

function withPlace<T extends object>(r: T, at: DefinedAt[] | undefined): T & { definedAt?: DefinedAt[] } {
  return at?.length ? { ...r, definedAt: at } : r;
}

/** `--from-config PATH`: the endpoints the configs under PATH name, each with the line that named it. */
function configTargets(a: ProbeArgs, io: CliIO): Target[] {
  if (a.fromConfig.length === 0) return [];
  const problems: PathProblem[] = [];
  const out: Target[] = [];
  // Required here, not imported: only --from-config needs the config parsers (and their JS/TS parser).
  const { lintPaths, pathProblemText } = require('./lint') as typeof import('./lint');
  for (const report of lintPaths(a.fromConfig, problems, io.signal)) {
    for (const e of report.endpoints) {
      const endpoint: Endpoint = { ...e.endpoint };
      // --ca adds trust for every endpoint; --servername only names those the config gives no name to verify.
      if (a.caFiles.length) endpoint.caFiles = [...(endpoint.caFiles ?? []), ...a.caFiles];
      if (a.servername && !endpoint.servername) endpoint.servername = a.servername;
      out.push({ endpoint, definedAt: { file: e.file, range: e.range, source: e.source } });
    }
  }
  const missing = problems.find((m) => m.kind === 'missing');
  if (missing) throw new UsageError(`--from-config ${pathProblemText(missing)}`);
  for (const m of problems) io.err(`${t(pathProblemText(m))}\n`);
  return out;
}

/** For each endpoint address, the first run that failed (the one worth reading), else the last run. */
function representative(runs: ProbeResult[][]): ProbeResult[] {
  const last = runs[runs.length - 1];
  return last.map((r, i) => runs.map((run) => run[i]).find((x) => x && hasError(x.findings)) ?? r);
}
