import * as vscode from 'vscode';
import type { DomainReport } from '../core/domain';
import type { chooseResolver } from '../core/dns/resolver';
import { termSafe } from '../core/escape';
import type { TranscriptLine } from '../core/probe';
import { formatLine } from '../core/probe/transcript';
import { applySeverityOverrides } from '../core/report/overrides';
import { abortOnCancel } from './cancellation';
import { networkPart } from './engineParts';
import { IdleTracker } from './idle';
import { CONFIG_SECTION } from './ids';
import { notice, showError, showInfo } from './notify';
import { isIgnoredHost, SettingKey, type Settings } from './settings';
import { probedFromLabel } from './where';
import { plural } from '../core/wording';

export type DomainState = { kind: 'checking' } | { kind: 'done'; report: DomainReport } | { kind: 'error'; message: string } | { kind: 'cancelled' };

export interface DomainRun {
  domains: string[];
  title: string;
  /** Cancels like the notification's Cancel button (scripts, tests). */
  cancellation?: vscode.CancellationToken;
  /** Lab ports, like the CLI's --smtp-port and --https-port (MX hosts are probed on 25, policies fetched on 443). */
  smtpPort?: number;
  httpsPort?: number;
}

/**
 * Runs the core domain check (src/core/domain) with the probe settings (extra CA files, timeout, expiry warning,
 * ignored hosts, severity overrides) and the resolver setting, under a cancellable progress notification; keeps
 * the latest state per domain. Every DNS question goes to the one resolver the settings name (or the system's).
 */
export class DomainService implements vscode.Disposable {
  private readonly states = new Map<string, DomainState>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly idle = new IdleTracker();

  constructor(
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  state(domain: string): DomainState | undefined {
    return this.states.get(domain);
  }

  /** Domains with a state (checked by hand or named by the workspace), in the order they were first checked. */
  domains(): string[] {
    return [...this.states.keys()];
  }

  reports(): DomainReport[] {
    return [...this.states.values()].flatMap((s) => (s.kind === 'done' ? [s.report] : []));
  }

  get busy(): boolean {
    return this.idle.busy;
  }

  whenIdle(): Promise<void> {
    return this.idle.whenIdle();
  }

  async run({ domains, title, cancellation, smtpPort, httpsPort }: DomainRun): Promise<DomainReport[]> {
    const s = this.settings();
    const unique = [...new Set(domains)].filter((d) => !isIgnoredHost(d, s.ignoredHosts));
    if (unique.length === 0) {
      if (domains.length) void showInfo('Mail TLS Doctor: the domain is in mailTlsDoctor.probe.ignoredHosts; nothing was checked.');
      return [];
    }
    const { caFileProblem, chooseResolver } = networkPart(); // the domain check and the probe engine, loaded on first use
    const caProblem = s.extraCaFiles.find((f) => caFileProblem(f) !== undefined);
    if (caProblem) {
      this.log.error(
        `The extra CA file ${JSON.stringify(termSafe(caProblem, 300))} (setting mailTlsDoctor.probe.extraCaFiles) cannot be read; no domain was checked.`,
      );
      void showError(
        'Mail TLS Doctor: a file in the setting mailTlsDoctor.probe.extraCaFiles cannot be read (see the output "Mail TLS Doctor"); no domain was checked.',
      );
      return [];
    }
    const choice = chooseResolver(s.dnsResolver, undefined, `${CONFIG_SECTION}.${SettingKey.dnsResolver}`);
    if ('error' in choice) {
      this.log.error(`Domain check: ${choice.error.replace('--resolver IP[:PORT]', `the setting ${CONFIG_SECTION}.${SettingKey.dnsResolver}`)}`);
      void showError(`Mail TLS Doctor: no DNS resolver to ask; set ${CONFIG_SECTION}.${SettingKey.dnsResolver}. Nothing was checked.`);
      return [];
    }
    const ended = this.idle.start();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: notice(title), cancellable: true },
        async (progress, token) => {
          const abort = abortOnCancel(cancellation ? [token, cancellation] : [token]);
          const out: DomainReport[] = [];
          try {
            for (const d of unique) this.setState(d, { kind: 'checking' });
            let done = 0;
            // One domain after another (each one's MX addresses are probed in parallel by the core).
            for (const domain of unique) {
              if (abort.signal.aborted) {
                this.setState(domain, { kind: 'cancelled' });
                continue;
              }
              progress.report({ message: notice(`${done + 1}/${unique.length}: ${domain}`) });
              const report = await this.checkOne(domain, s, choice, abort.signal, smtpPort, httpsPort);
              if (report) out.push(report);
              progress.report({ increment: 100 / unique.length });
              done++;
            }
            return out;
          } finally {
            abort.dispose();
          }
        },
      );
    } finally {
      ended();
      this.changed.fire();
    }
  }

  private async checkOne(
    domain: string,
    s: Settings,
    choice: Exclude<ReturnType<typeof chooseResolver>, { error: string }>,
    signal: AbortSignal,
    smtpPort?: number,
    httpsPort?: number,
  ): Promise<DomainReport | undefined> {
    // One resolver per domain, so each DNSSEC summary reads only its own answers (as the CLI does).
    const { checkDomain, DomainResolver } = networkPart();
    const resolver = new DomainResolver(choice, { signal, timeoutMs: s.timeoutMs });
    const probedFrom = probedFromLabel(vscode.env.remoteName);
    this.log.info(`Checking the mail domain ${domain} from ${probedFrom} (resolver ${resolver.label})`);
    try {
      const raw = await checkDomain(domain, {
        resolver,
        caFiles: s.extraCaFiles,
        timeoutMs: s.timeoutMs,
        signal,
        smtpPort,
        httpsPort,
        skipMx: (mx) => isIgnoredHost(mx, s.ignoredHosts),
        probeOptions: {
          expiryWarningDays: s.expiryWarningDays,
          probedFrom,
          onTranscript: (line: TranscriptLine) => this.log.trace(`[${domain}] ${formatLine(line)}`),
        },
      });
      const report: DomainReport = {
        ...raw,
        findings: applySeverityOverrides(raw.findings, s.severityOverrides),
        results: raw.results.map((r) => ({ ...r, findings: applySeverityOverrides(r.findings, s.severityOverrides) })),
      };
      // Names and reasons come from DNS: one escaped line each.
      const lines = [
        `${domain}: MX ${report.mx.status} (${report.mx.hosts.map((h) => h.name).join(', ') || 'no host'}), DANE ${report.dane.published ? 'published' : 'none'}, ` +
          `MTA-STS ${report.mtaSts.status}, TLS-RPT ${report.tlsRpt.status}, ${plural(report.findings.length, 'finding')}; ${resolver.queryCount} DNS queries`,
        ...report.senders.map((v) => `    ${v.sender}: ${v.outcome}${v.via ? ` via ${v.via}` : ''}: ${v.reason}`),
      ];
      this.log.info(lines.map((l) => termSafe(l, 1000)).join('\n'));
      this.setState(domain, { kind: 'done', report });
      return report;
    } catch (err) {
      if (signal.aborted) {
        this.log.info(`Cancelled: domain check of ${domain}`);
        this.setState(domain, { kind: 'cancelled' });
      } else {
        const message = err instanceof Error ? err.message : String(err);
        this.log.error(`Domain check of ${domain} failed: ${message}`);
        this.setState(domain, { kind: 'error', message });
      }
      return undefined;
    }
  }

  private setState(domain: string, state: DomainState): void {
    this.states.set(domain, state);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
