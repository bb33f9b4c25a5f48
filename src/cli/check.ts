/** `mail-tls-doctor check DOMAIN...`: argument parsing and output; the work is done by src/core/domain. */
import { printable } from '../core/endpoint';
import { termSafe } from '../core/escape';
import { parseMailDomain } from '../core/domain/name';
import { parseServer, type DnsServer } from '../core/dns/client';
import { addressResolver, chooseResolver, DomainResolver } from '../core/dns/resolver';
import { checkDomain, type DomainReport } from '../core/domain';
import { formatDomain } from '../core/domain/report';
import type { RunRecord } from '../core/report/records';
import type { PathProblem } from './lint';
import { caFileArg, intArg } from './args';
import { compileIpPatternOnce } from './ipPattern';
import { CliIO, EXIT_CANCELLED, paint, UsageError } from './io';
import { RunOutput, takeCommonOptions } from './output';

export interface CheckArgs {
  domains: string[];
  resolver?: DnsServer;
  caFiles: string[];
  timeoutMs?: number;
  smtpPort?: number;
  httpsPort?: number;
  verbose: boolean;
  /** `--from-config PATH`: also check the mail domains the configs under PATH name (policy-map entries, relayhost). */
  fromConfig: string[];
}

export function parseResolverArg(v: string): DnsServer {
  const s = parseServer(v);
  if ('error' in s) throw new UsageError(`--resolver: ${s.error}`);
  return s;
}

/** `probe --resolver`: every name the probe resolves is asked of this server only. */
export function probeResolver(server: DnsServer, signal: AbortSignal | undefined, timeoutMs: number | undefined): (host: string) => Promise<string[]> {
  return addressResolver(new DomainResolver({ server, source: 'option', trusted: true }, { signal, timeoutMs }));
}

export function parseCheckArgs(args: string[]): CheckArgs {
  const out: CheckArgs = { domains: [], caFiles: [], verbose: false, fromConfig: [] };
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
      case '--from-config':
        out.fromConfig.push(value());
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
  if (out.domains.length === 0 && out.fromConfig.length === 0) throw new UsageError('give at least one DOMAIN to check (or --from-config PATH)');
  return out;
}

export async function runCheck(args: string[], io: CliIO): Promise<number> {
  const { common, rest } = takeCommonOptions(args);
  const a = parseCheckArgs(rest);
  const choice = chooseResolver(a.resolver);
  if ('error' in choice) throw new UsageError(choice.error);
  for (const d of configDomains(a.fromConfig, io)) if (!a.domains.includes(d)) a.domains.push(d);
  const p = paint(io.color);
  const out = new RunOutput('check', io, common, {
    text: (r) => (r.type === 'subject' && r.kind === 'domain' ? formatDomain((r as unknown as { report: DomainReport }).report, p, a.verbose) : undefined),
  });
  const reports: DomainReport[] = [];
  compileIpPatternOnce();
  try {
    for (const domain of a.domains) {
      // One resolver per domain, so each domain's DNSSEC summary reads only its own answers.
      const resolver = new DomainResolver(choice, { signal: io.signal, timeoutMs: a.timeoutMs });
      const report = await checkDomain(domain, {
        resolver,
        caFiles: a.caFiles,
        timeoutMs: a.timeoutMs,
        signal: io.signal,
        smtpPort: a.smtpPort,
        httpsPort: a.httpsPort,
      });
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
      return EXIT_CANCELLED;
    }
    throw err;
  }
  return out.finish({ json: () => ({ domains: reports }) });
}

/**
 * `--from-config PATH`: the mail domains the configs under PATH name (TLS policy-table and transport-table entries,
 * an unbracketed relayhost), once each, in the order found; where each came from goes to standard error.
 */
function configDomains(paths: string[], io: CliIO): string[] {
  if (paths.length === 0) return [];
  const problems: PathProblem[] = [];
  const out: string[] = [];
  // Required here, not imported: only --from-config needs the config parsers.
  const { lintPaths, pathProblemText } = require('./lint') as typeof import('./lint');
  for (const report of lintPaths(paths, problems, io.signal)) {
    for (const d of report.domains ?? []) {
      // A sender's own domain (nodemailer from/auth.user) is not where the config delivers: only when named.
      if (d.sender || out.includes(d.domain)) continue;
      out.push(d.domain);
      io.err(`${termSafe(d.domain)}: from ${termSafe(d.file)}:${d.range.start.line + 1} (${termSafe(d.source)})\n`);
    }
  }
  const missing = problems.find((m) => m.kind === 'missing');
  if (missing) throw new UsageError(`--from-config ${pathProblemText(missing)}`);
  for (const m of problems) io.err(`${termSafe(pathProblemText(m))}\n`);
  if (out.length === 0)
    throw new UsageError(`--from-config: no mail domain named in ${paths.join(', ')} (TLS policy-table or transport-table entries, an unbracketed relayhost)`);
  return out;
}
