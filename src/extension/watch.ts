/**
 * Watch mode: with `mailTlsDoctor.probe.intervalMinutes` set (0 = off, at least 5), the workspace's endpoints are
 * probed again in the background, in trusted workspaces only, and not while the window has been without focus
 * for long. Each round is compared with the state before it: a pass -> fail (or back) and a certificate
 * crossing the expiry-warning threshold are logged with their time and notified ("Show", "Don't warn for this
 * host"). The status bar shows the soonest certificate expiry among the workspace's probed endpoints and opens
 * that endpoint's config line.
 */
import * as vscode from 'vscode';
import { hostPort, printable, type Endpoint } from '../core/endpoint';
import {
  describePersistence,
  diffSnapshots,
  expiryPhrase,
  OutcomeHistory,
  shouldPause,
  snapshotOf,
  soonestExpiry,
  watchIntervalMs,
  type EndpointSnapshot,
  type SoonestExpiry,
  type Transition,
} from '../core/report/watch';
import type { Controller } from './controller';
import { endpointKey } from './endpointKey';
import { Command } from './ids';
import { notice } from './notify';

export const SHOW_ENDPOINT_COMMAND = Command.showEndpoint;
const MUTED_KEY = 'mailTlsDoctor.watch.mutedHosts';
export const SHOW = 'Show';
export const MUTE = "Don't warn for this host";

export interface LoggedTransition {
  at: string;
  kind: Transition['kind'];
  host: string;
  text: string;
  notified: boolean;
}

export interface WatchStatus {
  intervalMs: number;
  paused: boolean;
  running: boolean;
  rounds: number;
  transitions: LoggedTransition[];
  expiry?: { text: string; tooltip: string; color?: string; level: SoonestExpiry['level']; endpoint: Endpoint };
  mutedHosts: string[];
}

export class WatchService implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mailTlsDoctor.expiry', vscode.StatusBarAlignment.Left, 9);
  private readonly history = new OutcomeHistory();
  private readonly log: LoggedTransition[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  private focused = vscode.window.state.focused;
  private unfocusedSince: number | undefined = this.focused ? undefined : Date.now();
  private skippedWhilePaused = false;
  private rounds = 0;
  private running: Promise<void> | undefined;
  private expiry: SoonestExpiry | undefined;

  constructor(
    private readonly ctl: Controller,
    private readonly memento: vscode.Memento,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.item.name = 'Mail TLS Doctor: certificate expiry';
    ctl.persistence = (ep) => {
      const p = this.history.of(endpointKey(ep));
      return p ? describePersistence(p) : undefined;
    };
    this.disposables.push(
      this.item,
      ctl.probes.onDidChange(() => this.updateExpiry()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mailTlsDoctor')) setTimeout(() => this.configure(), 0); // after the controller reloaded
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.configure()),
      vscode.window.onDidChangeWindowState((s) => this.onWindowState(s.focused)),
    );
    this.configure();
    this.updateExpiry();
  }

  /** (Re)starts the timer from the settings and the workspace trust. */
  configure(): void {
    const ms = this.ctl.trusted ? watchIntervalMs(this.ctl.settings.probeIntervalMinutes) : 0;
    if (ms === this.intervalMs && (this.timer || ms === 0)) return;
    this.intervalMs = ms;
    clearInterval(this.timer);
    this.timer = undefined;
    if (ms > 0) {
      this.timer = setInterval(() => void this.round('timer'), ms);
      this.ctl.log.info(`Watch mode: probing the workspace's mail servers every ${ms / 60_000} minutes while the window is in use.`);
    } else if (this.ctl.settings.probeIntervalMinutes > 0 && !this.ctl.trusted) {
      this.ctl.log.info('Watch mode is off: the workspace is not trusted.');
    }
  }

  private onWindowState(focused: boolean): void {
    this.focused = focused;
    if (!focused) {
      this.unfocusedSince ??= Date.now();
      return;
    }
    this.unfocusedSince = undefined;
    // A round skipped while paused runs as soon as the user is back.
    if (this.skippedWhilePaused && this.intervalMs > 0) {
      this.skippedWhilePaused = false;
      void this.round('resumed');
    }
  }

  get paused(): boolean {
    return shouldPause(this.focused, this.unfocusedSince, Date.now(), this.intervalMs);
  }

  /** One round: probe the workspace's endpoints in the background and report what changed. */
  round(reason: 'timer' | 'resumed' | 'request'): Promise<void> {
    if (this.running) return this.running;
    if (!this.ctl.trusted) return Promise.resolve();
    if (reason === 'timer' && this.paused) {
      if (!this.skippedWhilePaused) this.ctl.log.info('Watch mode: paused while the window is not in use.');
      this.skippedWhilePaused = true;
      return Promise.resolve();
    }
    this.running = this.doRound().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async doRound(): Promise<void> {
    const endpoints = this.ctl.workspaceEndpoints();
    if (endpoints.length === 0 || this.ctl.probes.busy) return;
    const before = this.snapshots(endpoints);
    await this.ctl.probeEndpoints(endpoints, 'Mail TLS Doctor: watching mail servers', false, undefined, true);
    const after = this.snapshots(endpoints);
    this.rounds++;
    for (const [key, s] of after) this.history.record(key, s.failing);
    const changes = diffSnapshots(before, after, this.ctl.settings.expiryWarningDays, this.now());
    for (const t of changes) this.report(t);
    this.ctl.render();
  }

  private snapshots(endpoints: readonly Endpoint[]): Map<string, EndpointSnapshot> {
    const out = new Map<string, EndpointSnapshot>();
    for (const ep of endpoints) {
      const s = this.ctl.probes.state(ep);
      if (s?.kind === 'done') out.set(endpointKey(ep), snapshotOf(ep, s.results));
    }
    return out;
  }

  private report(t: Transition): void {
    const at = this.now().toISOString();
    const host = t.endpoint.host.toLowerCase();
    const muted = this.mutedHosts().includes(host);
    const text = printable(t.text, 400);
    this.ctl.log.info(`Watch ${at}: ${text}${muted ? ' (not notified: warnings for this host are off)' : ''}`);
    const entry: LoggedTransition = { at, kind: t.kind, host, text, notified: !muted && t.kind !== 'fail-to-pass' };
    this.log.push(entry);
    if (!entry.notified) return;
    const show = t.kind === 'expiry-warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(notice(`Mail TLS Doctor: ${text}`), SHOW, MUTE).then((choice) => this.respond(t.endpoint, choice));
  }

  /** The notification's buttons (also used by tests, which cannot press them). */
  async respond(ep: Endpoint, choice: string | undefined): Promise<void> {
    if (choice === SHOW) await this.showEndpoint(ep);
    else if (choice === MUTE) {
      const hosts = new Set(this.mutedHosts());
      hosts.add(ep.host.toLowerCase());
      await this.memento.update(MUTED_KEY, [...hosts].sort());
      this.ctl.log.info(`Watch: no more notifications for ${printable(ep.host)} (its transitions are still logged here).`);
    }
  }

  mutedHosts(): string[] {
    const v = this.memento.get<unknown>(MUTED_KEY);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  /** The status bar item's command (SHOW_ENDPOINT_COMMAND): the endpoint given, else the soonest expiry's. */
  showEndpointCommand(ep?: Endpoint): Promise<void> {
    return this.showEndpoint(ep ?? this.expiry?.endpoint);
  }

  /** Opens the config line that names the endpoint, else the results view. */
  async showEndpoint(ep: Endpoint | undefined): Promise<void> {
    const def = ep ? this.ctl.definitionsOf(ep)[0] : undefined;
    if (!def) {
      await vscode.commands.executeCommand('mailTlsDoctor.showView');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(def.file));
    const r = def.range;
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) });
  }

  private updateExpiry(): void {
    // The workspace's endpoints (what the configs name, what watch mode watches); hosts probed by hand are ad hoc.
    const snaps = [...this.snapshots(this.ctl.workspaceEndpoints()).values()];
    const warningDays = this.ctl.settings.expiryWarningDays;
    this.expiry = soonestExpiry(snaps, warningDays, this.now());
    if (!this.expiry) {
      this.item.hide();
      return;
    }
    const e = this.expiry;
    this.item.text = `${e.level === 'ok' ? '$(watch)' : '$(warning)'} cert ${expiryPhrase(e.notAfter, this.now())}`;
    this.item.tooltip = `Mail TLS Doctor: the soonest certificate expiry among probed endpoints: ${printable(hostPort(e.endpoint.host, e.endpoint.port))}, valid until ${e.notAfter} (warning at ${warningDays} days). Click to open it.`;
    this.item.backgroundColor =
      e.level === 'expired'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : e.level === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.command = { title: 'Open endpoint', command: SHOW_ENDPOINT_COMMAND, arguments: [e.endpoint] };
    this.item.show();
  }

  status(): WatchStatus {
    this.updateExpiry();
    const e = this.expiry;
    return {
      intervalMs: this.intervalMs,
      paused: this.paused,
      running: !!this.running,
      rounds: this.rounds,
      transitions: [...this.log],
      mutedHosts: this.mutedHosts(),
      ...(e
        ? {
            expiry: {
              text: this.item.text,
              tooltip: String(this.item.tooltip),
              color: (this.item.backgroundColor as vscode.ThemeColor | undefined)?.id,
              level: e.level,
              endpoint: e.endpoint,
            },
          }
        : {}),
    };
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
