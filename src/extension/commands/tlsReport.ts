/**
 * "Mail TLS Report": a webview of a mail log or TLS-RPT reports (failures per destination over time, result types
 * per MX, findings with "open line", "explain" and "check now"). The HTML comes from the pure renderer in
 * src/core/report/html.ts with a fresh nonce: strict CSP, no remote content, scripts only ours.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { readBounded, readTail } from '../../core/fsread';
import type { LogInput, TlsViewModel } from '../../core/report/tlsView';
import type { ReportSummary } from '../../core/tlsrpt';
import type { Controller } from '../controller';
import { reportsPart } from '../engineParts';
import { findingDocUri } from '../findingDocs';
import { Command } from '../ids';
import { showWarning } from '../notify';
import { plural } from '../../core/wording';

const MAX_BYTES = 16 * 1024 * 1024;
const VIEW_TYPE = 'mailTlsDoctor.tlsReport';

export interface TlsReportPanel {
  panel: vscode.WebviewPanel;
  model: TlsViewModel;
  html: string;
  /** What a message from the page does (the page's own messages take this path; tests call it directly). */
  handle(msg: unknown): Promise<void>;
}

/**
 * Reads one file the user named, as bytes: an open editor's text first; from disk a TLS-RPT report (JSON,
 * gzipped or not) whole within the bound, and a mail log over the bound by its tail, from its first whole line.
 */
function readReportFile(fsPath: string): { bytes: Uint8Array; firstLine: number } | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath && !/\.gz$/i.test(fsPath));
  if (open) return { bytes: Buffer.from(open.getText(), 'utf8'), firstLine: 0 };
  if (/\.(json|gz)$/i.test(fsPath)) {
    const r = readBounded(fsPath, MAX_BYTES);
    return r.ok ? { bytes: r.data, firstLine: 0 } : undefined;
  }
  // The tail's findings and "Open line" name the file's lines, counted from its start.
  const tail = readTail(fsPath, MAX_BYTES);
  return tail && { bytes: tail.data, firstLine: tail.firstLine };
}

async function pickFiles(arg: unknown): Promise<vscode.Uri[]> {
  const list = Array.isArray(arg) ? arg : arg ? [arg] : [];
  const uris = list.filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  if (uris.length) return uris;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && /(\.log|maillog|mail\.(log|err|warn|info)|\.json)(\.\d+)?$/i.test(active.fsPath)) return [active];
  return (
    (await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Show Mail TLS Report',
      filters: { 'Mail logs and TLS-RPT reports': ['log', 'json', 'gz', 'txt'], 'All files': ['*'] },
    })) ?? []
  );
}

/**
 * The one report panel, owned by an instance the editor part makes on activation and puts in
 * context.subscriptions: disposing it closes the panel and drops the panel's listeners.
 */
export class TlsReportView implements vscode.Disposable {
  private current: TlsReportPanel | undefined;
  private listeners: vscode.Disposable[] = [];

  constructor(
    private readonly ctl: Controller,
    private readonly extensionUri: vscode.Uri,
  ) {}

  async show(arg?: unknown): Promise<TlsReportPanel | undefined> {
    const ctl = this.ctl;
    const uris = await pickFiles(arg);
    if (!uris.length) return undefined;
    const { buildTlsViewModel, renderTlsReportHtml, viewInputFromBytes } = reportsPart();
    const logs: LogInput[] = [];
    const reports: ReportSummary[] = [];
    for (const uri of uris) {
      const read = readReportFile(uri.fsPath);
      if (!read) {
        ctl.log.warn(`Mail TLS Report: cannot read ${uri.fsPath}`);
        continue;
      }
      const input = viewInputFromBytes(uri.fsPath, read.bytes, undefined, read.firstLine);
      if ('log' in input) logs.push(input.log);
      else if ('report' in input) reports.push(input.report);
      else ctl.log.info(`Mail TLS Report: ${uri.fsPath} skipped (${input.skipped})`);
    }
    if (!logs.length && !reports.length) {
      void showWarning('Mail TLS Doctor: none of these files is a mail log or a TLS-RPT report.');
      return undefined;
    }
    const model = buildTlsViewModel(logs, reports);
    const panel = this.current?.panel ?? this.createPanel();
    const html = renderTlsReportHtml(model, { nonce: crypto.randomBytes(18).toString('base64'), cspSource: panel.webview.cspSource });
    panel.webview.html = html;
    panel.reveal();
    this.current = { panel, model, html, handle: (msg) => this.handle(msg) };
    ctl.log.info(`Mail TLS Report: ${plural(logs.length, 'mail log')}, ${plural(reports.length, 'TLS-RPT report')}, ${plural(model.rows.length, 'finding')}.`);
    return this.current;
  }

  private createPanel(): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Mail TLS Report', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    this.listeners.push(
      panel.onDidDispose(() => {
        this.current = undefined;
        this.disposeListeners();
      }),
      panel.webview.onDidReceiveMessage((msg: unknown) => this.handle(msg)),
    );
    return panel;
  }

  private disposeListeners(): void {
    const listeners = this.listeners;
    this.listeners = [];
    for (const d of listeners) d.dispose();
  }

  /** Messages carry only a row index: file names, lines and hosts come from our model, never from the page. */
  async handle(msg: unknown): Promise<void> {
    const current = this.current;
    if (!current || typeof msg !== 'object' || msg === null) return;
    const { type, row } = msg as { type?: unknown; row?: unknown };
    if (typeof row !== 'number' || !Number.isInteger(row)) return;
    const r = current.model.rows[row];
    if (!r) return;
    try {
      if (type === 'open' && r.file && r.line !== undefined && !/\.gz$/i.test(r.file)) {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(r.file));
        const pos = new vscode.Position(r.line, 0);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.Beside });
      } else if (type === 'explain') {
        await vscode.commands.executeCommand('vscode.open', findingDocUri(this.extensionUri, r.id), vscode.ViewColumn.Beside);
      } else if (type === 'check' && r.check) {
        await vscode.commands.executeCommand(Command.probeHost, r.check);
      }
    } catch (err) {
      this.ctl.log.error(`Mail TLS Report action failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    const panel = this.current?.panel;
    this.current = undefined;
    panel?.dispose();
    this.disposeListeners();
  }
}
