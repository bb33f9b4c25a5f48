import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Endpoint } from '../core/endpoint';
import { endpointLabel } from '../core/endpoint';
import { probeEndpoint, type ProbeResult, type TranscriptLine } from '../core/probe';
import { termSafe } from '../core/escape';
import { formatLine } from '../core/probe/transcript';
import { applySeverityOverrides } from '../core/report/overrides';
import { endpointKey } from './endpointKey';
import type { Settings } from './settings';
import { notice, showError } from './notify';
import { probedFromLabel } from './where';

export type ProbeState =
  | { kind: 'probing' }
  | { kind: 'done'; results: ProbeResult[] }
  | { kind: 'error'; message: string }
  | { kind: 'cancelled' };

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
  private running = 0;
  private idleWaiters: (() => void)[] = [];

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
    return this.running > 0;
  }

  whenIdle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  /** Probes with progress and a cancel button; cancelling aborts every connection in flight. */
  async run({ endpoints, title, cancellation, background }: ProbeRun): Promise<ProbeResult[]> {
    const unique = [...new Map(endpoints.map((e) => [endpointKey(e), e])).values()];
    if (unique.length === 0) return [];
    const s = this.settings();
    const caProblem = s.extraCaFiles.find((f) => !isReadableFile(f));
    if (caProblem) {
      this.log.error(`The extra CA file ${JSON.stringify(termSafe(caProblem, 300))} (setting mailTlsDoctor.probe.extraCaFiles) cannot be read; nothing was probed.`);
      void showError('Mail TLS Doctor: a file in the setting mailTlsDoctor.probe.extraCaFiles cannot be read (see the output "Mail TLS Doctor"); nothing was probed.');
      return [];
    }
    this.running++;
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
      if (--this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.changed.fire(undefined);
    }
  }

  private async probeAll(
    endpoints: Endpoint[],
    s: Settings,
    signal: AbortSignal,
    onDone: (done: number, ep: Endpoint) => void,
  ): Promise<ProbeResult[]> {
    for (const ep of endpoints) this.setState(ep, { kind: 'probing' });
    const probedFrom = probedFromLabel(vscode.env.remoteName);
    const all: ProbeResult[] = [];
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < endpoints.length) {
        const ep = { ...endpoints[next++] };
        if (s.extraCaFiles.length) ep.caFiles = [...(ep.caFiles ?? []), ...s.extraCaFiles];
        if (signal.aborted) {
          this.setState(ep, { kind: 'cancelled' });
          continue;
        }
        const label = endpointLabel(ep);
        this.log.info(`Probing ${label} from ${probedFrom}`);
        try {
          const raw = await probeEndpoint(ep, {
            signal,
            timeoutMs: s.timeoutMs,
            expiryWarningDays: s.expiryWarningDays,
            probedFrom,
            onTranscript: (line: TranscriptLine) => this.log.trace(`[${label}] ${formatLine(line)}`),
          });
          const results = raw.map((r) => ({ ...r, findings: applySeverityOverrides(r.findings, s.severityOverrides) }));
          all.push(...results);
          this.logResults(label, results);
          this.setState(ep, { kind: 'done', results });
        } catch (err) {
          if (signal.aborted) {
            this.log.info(`Cancelled: ${label}`);
            this.setState(ep, { kind: 'cancelled' });
          } else {
            const message = err instanceof Error ? err.message : String(err);
            this.log.error(`Probe of ${label} failed: ${message}`);
            this.setState(ep, { kind: 'error', message });
          }
        }
        onDone(++done, ep);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(s.concurrency, endpoints.length)) }, worker));
    return all;
  }

  /** The transcript goes to the log at info level too: "Show Transcript" and bug reports rely on it. */
  private logResults(label: string, results: ProbeResult[]): void {
    for (const r of results) {
      const head = `${label}${r.address ? ` at ${r.address}` : ''}: ${r.tls ? `${r.tls.version} ${r.tls.cipher}` : 'no TLS'}, ${r.findings.length} finding(s), ${r.durationMs} ms`;
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

/**
 * One AbortController for every token that may cancel a run: the Cancel button and a caller's token take the
 * same path to the probes' signal, so what a test proves with its token holds for the button.
 */
function abortOnCancel(tokens: readonly vscode.CancellationToken[]): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const subs = tokens.map((t) => t.onCancellationRequested(() => abort.abort()));
  if (tokens.some((t) => t.isCancellationRequested)) abort.abort();
  return { signal: abort.signal, dispose: () => subs.forEach((sub) => sub.dispose()) };
}

function isReadableFile(f: string): boolean {
  try {
    fs.accessSync(f, fs.constants.R_OK);
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}
