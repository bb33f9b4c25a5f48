import * as vscode from 'vscode';
import type { Endpoint } from '../core/endpoint';
import { endpointLabel } from '../core/endpoint';
import type { ProbeResult, TranscriptLine } from '../core/probe';
import { termSafe } from '../core/escape';
import { formatLine } from '../core/probe/transcript';
import { applySeverityOverrides } from '../core/report/overrides';
import { abortOnCancel } from './cancellation';
import { endpointKey } from './endpointKey';
import { networkPart } from './engineParts';
import { IdleTracker } from './idle';
import type { Settings } from './settings';
import { notice, showError } from './notify';
import { probedFromLabel } from './where';
import { plural } from '../core/wording';

export type ProbeState = { kind: 'probing' } | { kind: 'done'; results: ProbeResult[] } | { kind: 'error'; message: string } | { kind: 'cancelled' };

export interface ProbeRun {
  endpoints: Endpoint[];
  title: string;
  /** Cancels like the notification's Cancel button, for a caller that cannot press it (a script, a test). */
  cancellation?: vscode.CancellationToken;
  /** Watch mode: progress in the status bar area instead of a notification. */
  background?: boolean;
}

/**
 * Runs probes under a cancellable progress notification, keeps the latest state per endpoint and streams
 * each result to listeners (the tree) and its transcript to the log as it finishes.
 */
export class ProbeService implements vscode.Disposable {
  private readonly states = new Map<string, ProbeState>();
  private readonly endpointsByKey = new Map<string, Endpoint>();
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with the key of the endpoint whose state changed (undefined: many). */
  readonly onDidChange = this.changed.event;
  private readonly idle = new IdleTracker();

  constructor(
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  state(ep: Endpoint): ProbeState | undefined {
    return this.states.get(endpointKey(ep));
  }

  allStates(): { endpoint: Endpoint; state: ProbeState }[] {
    return [...this.states].map(([k, state]) => ({ endpoint: this.endpointsByKey.get(k)!, state }));
  }

  results(): ProbeResult[] {
    return [...this.states.values()].flatMap((s) => (s.kind === 'done' ? s.results : []));
  }

  get busy(): boolean {
    return this.idle.busy;
  }

  whenIdle(): Promise<void> {
    return this.idle.whenIdle();
  }

  /** Probes with progress and a cancel button; cancelling aborts every connection in flight. */
  async run({ endpoints, title, cancellation, background }: ProbeRun): Promise<ProbeResult[]> {
    const unique = [...new Map(endpoints.map((e) => [endpointKey(e), e])).values()];
    if (unique.length === 0) return [];
    const s = this.settings();
    const { caFileProblem } = networkPart(); // the probe engine, loaded on the first probe
    const caProblem = s.extraCaFiles.find((f) => caFileProblem(f) !== undefined);
    if (caProblem) {
      this.log.error(
        `The extra CA file ${JSON.stringify(termSafe(caProblem, 300))} (setting mailTlsDoctor.probe.extraCaFiles) cannot be read; nothing was probed.`,
      );
      void showError(
        'Mail TLS Doctor: a file in the setting mailTlsDoctor.probe.extraCaFiles cannot be read (see the output "Mail TLS Doctor"); nothing was probed.',
      );
      return [];
    }
    const ended = this.idle.start();
    try {
      return await vscode.window.withProgress(
        { location: background ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: notice(title), cancellable: !background },
        async (progress, token) => {
          const abort = abortOnCancel(cancellation ? [token, cancellation] : [token]);
          try {
            return await this.probeAll(unique, s, abort.signal, (done, ep) =>
              progress.report({ increment: 100 / unique.length, message: notice(`${done}/${unique.length}: ${endpointLabel(ep)}`) }),
            );
          } finally {
            abort.dispose();
          }
        },
      );
    } finally {
      ended();
      this.changed.fire(undefined);
    }
  }

  /**
   * The core's `probeMany` does the pool, the up-front checks and cancel-on-failure; this keeps the tree's state
   * per endpoint from its callbacks. A cancel leaves every endpoint not done as cancelled and returns what finished.
   */
  private async probeAll(endpoints: Endpoint[], s: Settings, signal: AbortSignal, onDone: (done: number, ep: Endpoint) => void): Promise<ProbeResult[]> {
    for (const ep of endpoints) this.setState(ep, { kind: 'probing' });
    const probedFrom = probedFromLabel(vscode.env.remoteName);
    const withCas = endpoints.map((ep) => (s.extraCaFiles.length ? { ...ep, caFiles: [...(ep.caFiles ?? []), ...s.extraCaFiles] } : { ...ep }));
    const all: ProbeResult[] = [];
    const settled = new Set<number>();
    const started = new Set<number>();
    let done = 0;
    const settle = (i: number, ep: Endpoint, state: ProbeState) => {
      settled.add(i);
      this.setState(ep, state);
    };
    try {
      await networkPart().probeMany(withCas, {
        signal,
        concurrency: s.concurrency,
        timeoutMs: s.timeoutMs,
        expiryWarningDays: s.expiryWarningDays,
        probedFrom,
        onStart: (ep, i) => {
          started.add(i);
          this.log.info(`Probing ${endpointLabel(ep)} from ${probedFrom}`);
        },
        onTranscript: (line: TranscriptLine, ep) => this.log.trace(`[${endpointLabel(ep)}] ${formatLine(line)}`),
        onEndpointDone: (ep, raw, i) => {
          const results = raw.map((r) => ({ ...r, findings: applySeverityOverrides(r.findings, s.severityOverrides) }));
          all.push(...results);
          this.logResults(endpointLabel(ep), results);
          settle(i, ep, { kind: 'done', results });
          onDone(++done, ep);
        },
        onFailure: (ep, err, i) => {
          const message = err instanceof Error ? err.message : String(err);
          this.log.error(`Probe of ${endpointLabel(ep)} failed: ${message}`);
          settle(i, ep, { kind: 'error', message });
        },
      });
    } catch {
      // A cancel, or the failure onFailure named: every endpoint not done is cancelled (probeMany stopped them).
      withCas.forEach((ep, i) => {
        if (settled.has(i)) return;
        if (started.has(i)) this.log.info(`Cancelled: ${endpointLabel(ep)}`);
        settle(i, ep, { kind: 'cancelled' });
      });
    }
    return all;
  }

  /** The transcript goes to the log at info level too: "Show Transcript" and bug reports rely on it. */
  private logResults(label: string, results: ProbeResult[]): void {
    for (const r of results) {
      const head = `${label}${r.address ? ` at ${r.address}` : ''}: ${r.tls ? `${r.tls.version} ${r.tls.cipher}` : 'no TLS'}, ${plural(r.findings.length, 'finding')}, ${r.durationMs} ms`;
      this.log.info(`${head}\n${r.transcript.map((l) => `    ${formatLine(l)}`).join('\n')}`);
    }
  }

  private setState(ep: Endpoint, state: ProbeState): void {
    const key = endpointKey(ep);
    // Keep the endpoint as the caller named it (without the extra CA files added per run).
    if (!this.endpointsByKey.has(key)) this.endpointsByKey.set(key, { ...ep, caFiles: undefined });
    this.states.set(key, state);
    this.changed.fire(key);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
