/** `mail-tls-doctor check DOMAIN...`: argument parsing and output; the work is done by src/core/domain. */
import { printable } from '../core/endpoint';
import { parseMailDomain } from '../core/domain/name';
import { parseServer, type DnsServer } from '../core/dns/client';
import { chooseResolver, DomainResolver } from '../core/dns/resolver';
import { checkDomain, type DomainReport } from '../core/domain';
import { formatDomain } from '../core/domain/report';
import type { RunRecord } from '../core/report/records';
import { caFileArg, intArg } from './args';
import { CliIO, paint, UsageError } from './io';
import { RunOutput, takeCommonOptions } from './output';


export interface CheckArgs {
  domains: string[];
  resolver?: DnsServer;
  caFiles: string[];
  timeoutMs?: number;
  smtpPort?: number;
  httpsPort?: number;
  verbose: boolean;
}

export function parseResolverArg(v: string): DnsServer {
  const s = parseServer(v);
  if ('error' in s) throw new UsageError(`--resolver: ${s.error}`);
  return s;
}

export function parseCheckArgs(args: string[]): CheckArgs {
  const out: CheckArgs = { domains: [], caFiles: [], verbose: false };
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
      case '--resolver':
        out.resolver = parseResolverArg(value());
        break;
      case '--ca':
        out.caFiles.push(caFileArg(value()));
        break;
      case '--timeout':
        out.timeoutMs = intArg(flag, value(), 100, 600_000);
        break;
      case '--smtp-port':
        out.smtpPort = intArg(flag, value(), 1, 65535);
        break;
      case '--https-port':
        out.httpsPort = intArg(flag, value(), 1, 65535);
        break;
      case '--verbose':
      case '-v':
        out.verbose = true;
        break;
      default: {
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${printable(arg)}"`);
        const d = parseMailDomain(arg);
        if ('error' in d) throw new UsageError(`"${printable(arg)}" is not a mail domain: ${d.error}`);
        out.domains.push(d.domain);
      }
    }
  }
  if (out.domains.length === 0) throw new UsageError('give at least one DOMAIN to check');
  return out;
}

export async function runCheck(args: string[], io: CliIO): Promise<number> {
  const { common, rest } = takeCommonOptions(args);
  const a = parseCheckArgs(rest);
  const choice = chooseResolver(a.resolver);
  if ('error' in choice) throw new UsageError(choice.error);
  const p = paint(io.color);
  const out = new RunOutput(io, common, { text: (r) => (r.type === 'subject' && r.kind === 'domain' ? formatDomain((r as unknown as { report: DomainReport }).report, p, a.verbose) : undefined) });
  const reports: DomainReport[] = [];
  try {
    for (const domain of a.domains) {
      // One resolver per domain, so each domain's DNSSEC summary reads only its own answers.
      const resolver = new DomainResolver(choice, { signal: io.signal, timeoutMs: a.timeoutMs });
      const report = await checkDomain(domain, { resolver, caFiles: a.caFiles, timeoutMs: a.timeoutMs, signal: io.signal, smtpPort: a.smtpPort, httpsPort: a.httpsPort });
      reports.push(report);
      // The per-address probes are probe records (SARIF, JSON Lines); the domain's own findings a subject record.
      for (const r of report.results) out.emit({ type: 'probe', ...r });
      const { findings, results: _results, domain: name, ...rest } = report;
      const subject = { type: 'subject', kind: 'domain', name, findings, ...rest } as RunRecord;
      // Text renders the whole domain at once, from the report kept beside the record (not serialised).
      Object.defineProperty(subject, 'report', { value: report, enumerable: false });
      out.emit(subject);
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') {
      io.err('mail-tls-doctor check: cancelled\n');
      return 130;
    }
    throw err;
  }
  return out.finish({ json: () => ({ domains: reports }) });
}
