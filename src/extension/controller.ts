import * as vscode from 'vscode';
import { hostPort, type Endpoint } from '../core/endpoint';
import { statusText } from './statusText';
import type { DiscoveredDomain, DiscoveredEndpoint } from '../core/lint/types';
import type { ProbeResult } from '../core/probe/types';
import { resultVerdict } from '../core/report/verdict';
import type { DomainReport } from '../core/domain';
import { DiagnosticsStore } from './diagnostics';
import { DomainService, type DomainRun } from './domainService';
import type { DomainEntry } from './domainTree';
import { endpointKey } from './endpointKey';
import { CONFIG_SECTION, Command } from './ids';
import { LintService } from './lintService';
import { ProbeService } from './probeService';
import { showWarning } from './notify';
import { DEFAULT_SETTINGS, isIgnoredHost, readSettings, SettingKey, type Settings } from './settings';
import { ResultTreeProvider, type EndpointEntry, type TreeInput } from './tree';

export const MANUAL_GROUP = 'Probed by hand';
/** Never taken from workspace or folder settings: they make the extension connect or trust without being asked. */
const MACHINE_ONLY_SETTINGS: ReadonlySet<string> = new Set([
  SettingKey.probeOnStartup,
  SettingKey.probeIntervalMinutes,
  SettingKey.extraCaFiles,
  SettingKey.dnsResolver,
]);
/** Bursts of changes (a scan, a relint, a probe run's states) within this window give one tree refresh. */
const RENDER_DELAY_MS = 50;

/**
 * The extension's state in one place: settings, the lint and probe services, the tree, the status bar and the
 * workspace-trust gate. Commands call into it; it never decides what a finding is (that is src/core's job).
 */
export class Controller implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Mail TLS Doctor', { log: true });
  readonly diagnostics: DiagnosticsStore;
  readonly lint: LintService;
  readonly probes: ProbeService;
  readonly domainChecks: DomainService;
  readonly tree = new ResultTreeProvider();
  readonly view: vscode.TreeView<unknown>;
  private readonly status = vscode.window.createStatusBarItem('mailTlsDoctor.status', vscode.StatusBarAlignment.Left, 10);
  private settingsValue: Settings = DEFAULT_SETTINGS;
  private readonly manual = new Map<string, Endpoint>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Endpoint keys the user asked to probe in this session: an untrusted workspace's hosts need that. */
  private readonly explicitlyProbed = new Set<string>();
  private renderTimer: NodeJS.Timeout | undefined;
  /** Watch mode's verdict per endpoint over its last rounds (set by the watch service), shown in the tree. */
  persistence?: (ep: Endpoint) => string | undefined;

  /** `view` is the results view, created on activation (src/extension/activate.ts) with this controller's tree behind it. */
  constructor(extensionUri: vscode.Uri, view: vscode.TreeView<unknown>) {
    this.diagnostics = new DiagnosticsStore(extensionUri);
    this.loadSettings(false);
    this.lint = new LintService(this.diagnostics, () => this.settingsValue, this.log);
    this.probes = new ProbeService(() => this.settingsValue, this.log);
    this.domainChecks = new DomainService(() => this.settingsValue, this.log);
    this.view = view;
    this.status.name = 'Mail TLS Doctor';
    this.status.command = Command.showView;
    this.disposables.push(
      this.log,
      this.diagnostics,
      this.lint,
      this.probes,
      this.domainChecks,
      this.status,
      this.tree,
      this.lint.onDidChange(() => {
        this.publishDomainDiagnostics();
        this.scheduleRender();
      }),
      this.probes.onDidChange(() => this.scheduleRender()),
      this.domainChecks.onDidChange(() => this.scheduleRender()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        this.loadSettings(true);
        this.lint.relintAll().catch((err) => this.logFailure('Linting again with the new settings', err));
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.onTrustGranted().catch((err) => this.logFailure('Work after the workspace was trusted', err));
      }),
    );
    this.render();
  }

  get settings(): Settings {
    return this.settingsValue;
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Startup work, off the activation path: lint the workspace, then probe if the user asked for that. */
  async start(): Promise<void> {
    await this.lint.scanWorkspace();
    await this.autoProbe('startup');
  }

  /**
   * Probes nobody asked for right now (startup): only in a trusted workspace, because the host names come from
   * the workspace's files and an untrusted repository must not make the editor connect anywhere on its own.
   */
  async autoProbe(reason: 'startup' | 'trust-granted'): Promise<ProbeResult[]> {
    if (!this.settingsValue.probeOnStartup) return [];
    if (!this.trusted) {
      this.log.info(`Not probing on ${reason}: the workspace is not trusted (hosts named in it are probed only when you run a probe command).`);
      return [];
    }
    return this.probeEndpoints(this.workspaceEndpoints(), "Mail TLS Doctor: probing the workspace's mail servers");
  }

  /** Discovered endpoints, deduplicated, without ignored hosts. */
  workspaceEndpoints(): Endpoint[] {
    const byKey = new Map<string, Endpoint>();
    for (const d of this.lint.endpoints()) {
      if (isIgnoredHost(d.endpoint.host, this.settingsValue.ignoredHosts)) continue;
      byKey.set(endpointKey(d.endpoint), d.endpoint);
    }
    return [...byKey.values()];
  }

  definitionsOf(ep: Endpoint): DiscoveredEndpoint[] {
    const k = endpointKey(ep);
    return this.lint.endpoints().filter((d) => endpointKey(d.endpoint) === k);
  }

  async probeEndpoints(
    endpoints: Endpoint[],
    title: string,
    explicit = false,
    cancellation?: vscode.CancellationToken,
    background = false,
  ): Promise<ProbeResult[]> {
    if (explicit) for (const e of endpoints) this.explicitlyProbed.add(endpointKey(e));
    const results = await this.probes.run({ endpoints, title, cancellation, background });
    this.publishProbeDiagnostics();
    return results;
  }

  /**
   * The config places naming mail domains the domain check is offered: sender domains (nodemailer `from`,
   * `auth.user`) only when the user asked for them (setting domains.includeSenderDomains).
   */
  offeredDomains(): DiscoveredDomain[] {
    return this.lint.domains().filter((d) => !d.sender || this.settingsValue.includeSenderDomains);
  }

  /** Mail domains the workspace names (without ignored ones), each once. */
  workspaceDomains(): string[] {
    return [...new Set(this.offeredDomains().map((d) => d.domain))].filter((d) => !isIgnoredHost(d, this.settingsValue.ignoredHosts));
  }

  /** Runs the domain check; its findings then show on the config lines that name each domain. */
  async checkDomains(run: DomainRun): Promise<DomainReport[]> {
    const reports = await this.domainChecks.run(run);
    this.publishDomainDiagnostics();
    return reports;
  }

  /**
   * Domain check findings on every config line that names the domain (an unbracketed relayhost, a policy-map
   * entry): the domain's own findings and the warnings and errors of its MX probes. Infos stay in the tree.
   */
  private publishDomainDiagnostics(): void {
    const defs = this.offeredDomains();
    const keep = new Set<string>();
    for (const domain of this.domainChecks.domains()) {
      const state = this.domainChecks.state(domain);
      if (state?.kind !== 'done') continue;
      const r = state.report;
      const probeFindings = r.results.flatMap((res) =>
        res.findings.map((f) => ({ ...f, title: `${f.title} (MX ${res.endpoint.servername ?? ''} at ${res.address ?? res.endpoint.host})` })),
      );
      for (const def of defs.filter((d) => d.domain === domain)) {
        const key = `domain:${domain}:${def.file}`;
        if (keep.has(key)) continue;
        keep.add(key);
        const findings = [...r.findings, ...probeFindings]
          .filter((f) => f.severity !== 'info')
          .map((f) => ({ ...f, file: def.file, range: def.range, edits: undefined, title: `${f.title} (domain check of ${domain})` }));
        this.diagnostics.set(key, findings, def.file);
      }
    }
    for (const src of this.diagnostics.sources()) if (src.startsWith('domain:') && !keep.has(src)) this.diagnostics.delete(src);
  }

  private domainEntries(): DomainEntry[] {
    const byDomain = new Map<string, DomainEntry>();
    const reason = (d: string) =>
      isIgnoredHost(d, this.settingsValue.ignoredHosts)
        ? 'ignored (mailTlsDoctor.probe.ignoredHosts)'
        : this.trusted
          ? 'not checked yet (run Check Workspace Mail Domains)'
          : 'not checked: the workspace is not trusted (run Check Workspace Mail Domains to check anyway)';
    for (const def of this.offeredDomains()) {
      let e = byDomain.get(def.domain);
      if (!e) byDomain.set(def.domain, (e = { domain: def.domain, definitions: [], state: this.domainChecks.state(def.domain), reason: reason(def.domain) }));
      e.definitions.push(def);
    }
    for (const d of this.domainChecks.domains())
      if (!byDomain.has(d)) byDomain.set(d, { domain: d, definitions: [], state: this.domainChecks.state(d), reason: reason(d) });
    return [...byDomain.values()];
  }

  addManual(ep: Endpoint): void {
    this.manual.set(endpointKey(ep), ep);
    this.render();
  }

  /**
   * Probe findings that trace back to a config line (the relayhost whose port wants implicit TLS, the transport
   * whose certificate is expired) also show on that line, next to the lint findings.
   */
  private publishProbeDiagnostics(): void {
    for (const src of this.diagnostics.sources()) if (src.startsWith('probe:')) this.diagnostics.delete(src);
    for (const { endpoint, state } of this.probes.allStates()) {
      if (state.kind !== 'done') continue;
      for (const def of this.definitionsOf(endpoint)) {
        const findings = state.results
          .flatMap((r) => r.findings)
          .filter((f) => f.severity !== 'info')
          .map((f) => ({ ...f, file: def.file, range: def.range, edits: undefined, title: `${f.title} (probe of ${hostPort(endpoint.host, endpoint.port)})` }));
        this.diagnostics.set(`probe:${endpointKey(endpoint)}:${def.file}`, findings, def.file);
      }
    }
  }

  private loadSettings(announce: boolean): void {
    const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const { settings, problems, problemKeys } = readSettings((k) => {
      if (!MACHINE_ONLY_SETTINGS.has(k)) return cfg.get(k);
      // Settings that make the extension connect or trust on its own: only the user's (or the remote machine's)
      // value counts. The manifest scopes them `machine`; this holds even where a host ignored that scope.
      const i = cfg.inspect(k);
      if (i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined) {
        this.log.warn(`Setting: ${CONFIG_SECTION}.${k} is set by the workspace; ignored (only user or remote machine settings count for it).`);
      }
      return i?.globalValue ?? i?.defaultValue;
    });
    this.settingsValue = settings;
    for (const p of problems) this.log.warn(`Setting: ${p}`);
    if (announce && problemKeys.length) {
      // The values are workspace text: the notification names only the settings and points to the output.
      void showWarning(
        `Mail TLS Doctor: ${problemKeys.length === 1 ? 'the setting' : 'the settings'} ${problemKeys.join(', ')} ${problemKeys.length === 1 ? 'has a value' : 'have values'} that cannot be used; the defaults apply. Details are in the output "Mail TLS Doctor".`,
        'Show Output',
      ).then((pick) => pick && this.log.show(true));
    }
  }

  private async onTrustGranted(): Promise<void> {
    this.log.info('The workspace is now trusted: linting again and, if enabled, probing on startup.');
    this.loadSettings(true);
    await this.lint.scanWorkspace();
    await this.autoProbe('trust-granted');
    this.render();
  }

  notProbedReason(ep: Endpoint): string {
    if (isIgnoredHost(ep.host, this.settingsValue.ignoredHosts)) return 'ignored (mailTlsDoctor.probe.ignoredHosts)';
    if (!this.trusted && !this.explicitlyProbed.has(endpointKey(ep))) return 'not probed: the workspace is not trusted (run Probe Workspace to connect anyway)';
    return 'not probed yet';
  }

  /** The tree's input: one group per config file that defines endpoints, then the hosts probed by hand. */
  treeInput(): TreeInput {
    const groups = new Map<string, { label: string; uri?: vscode.Uri; entries: Map<string, EndpointEntry> }>();
    for (const d of this.lint.endpoints()) {
      const uri = vscode.Uri.file(d.file);
      const label = vscode.workspace.asRelativePath(uri);
      let g = groups.get(d.file);
      if (!g) groups.set(d.file, (g = { label, uri, entries: new Map() }));
      const k = endpointKey(d.endpoint);
      const e = g.entries.get(k);
      if (e) e.definitions.push(d);
      else g.entries.set(k, { endpoint: d.endpoint, definitions: [d] });
    }
    const sorted = [...groups.values()].sort((a, b) => a.label.localeCompare(b.label));
    const manual = [...this.manual.values()].map((endpoint) => ({ endpoint, definitions: [] }));
    const out: TreeInput['groups'] = sorted.map((g) => ({ label: g.label, uri: g.uri, entries: [...g.entries.values()] }));
    if (manual.length) out.push({ label: MANUAL_GROUP, entries: manual });
    return {
      groups: out,
      state: (ep) => this.probes.state(ep),
      notProbedReason: (ep) => this.notProbedReason(ep),
      persistence: (ep) => this.persistence?.(ep),
      domains: this.domainEntries(),
    };
  }

  private logFailure(what: string, err: unknown): void {
    this.log.error(`${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  private scheduleRender(): void {
    this.renderTimer ??= setTimeout(() => this.render(), RENDER_DELAY_MS);
  }

  /** Runs a pending render now, for readers (the API) that must see the latest state. */
  flushRender(): void {
    if (this.renderTimer) this.render();
  }

  render(): void {
    clearTimeout(this.renderTimer);
    this.renderTimer = undefined;
    const input = this.treeInput();
    this.tree.setInput(input);
    const endpointCount = input.groups.reduce((n, g) => n + g.entries.length, 0);
    const failing = this.tree.failingCount();
    this.view.badge = failing ? { value: failing, tooltip: `${failing} endpoint${failing === 1 ? '' : 's'} failing` } : undefined;
    // Over a tree, restricted mode is the view's message. An empty view says it in the manifest's welcome content
    // (viewsWelcome, with its buttons), which VS Code shows only while no message is set: never both.
    const empty = input.groups.every((g) => g.entries.length === 0) && !input.domains?.length;
    this.view.message =
      this.trusted || empty
        ? undefined
        : 'Restricted mode: configs are linted, but hosts named in this workspace are only probed when you run a probe command.';
    this.updateStatus(endpointCount);
  }

  private updateStatus(endpointCount: number): void {
    const results = this.probes.results();
    const fail = results.filter((r) => resultVerdict(r) === 'fail').length;
    const warn = results.filter((r) => resultVerdict(r) === 'warn').length;
    const { text, tooltip } = statusText({ probing: this.probes.busy, endpoints: endpointCount, results: results.length, fail, warn });
    this.status.text = text;
    this.status.tooltip = tooltip;
    if (endpointCount || results.length) this.status.show();
    else this.status.hide();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    clearTimeout(this.renderTimer); // after the services: their last events may have scheduled one
    this.renderTimer = undefined;
  }
}
