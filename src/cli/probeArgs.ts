/**
 * `mail-tls-doctor probe`'s own arguments. Apart from src/cli/probe.ts so the dispatcher can read them before the
 * probe engine loads (src/cli/earlyConnect.ts) without loading it.
 */
import { parseTarget, printable, validateHostname, type Protocol, type TlsMode } from '../core/endpoint';
import { isProtocol, protocolList } from '../core/protocols';
import { caFileArg, intArg } from './args';
import { UsageError } from './io';
import { parseShard, type Shard } from './targets';

export interface ProbeArgs {
  targets: { host: string; port?: number }[];
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
        const t = parseTarget(arg);
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
