/**
 * "Mail TLS Report": a webview of a mail log or TLS-RPT reports (failures per destination over time, result types
 * per MX, findings with "open line", "explain" and "check now"). The HTML comes from the pure renderer in
 * src/core/report/html.ts with a fresh nonce: strict CSP, no remote content, scripts only ours.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LogInput, TlsViewModel } from '../../core/report/tlsView';
import type { ReportSummary } from '../../core/tlsrpt';
import type { Controller } from '../controller';
import { reportsPart } from '../engineParts';
import { findingDocUri } from '../findingDocs';
import { Command } from '../ids';
import { showWarning } from '../notify';

const MAX_BYTES = 16 * 1024 * 1024;
const VIEW_TYPE = 'mailTlsDoctor.tlsReport';

export interface TlsReportPanel {
  panel: vscode.WebviewPanel;
  model: TlsViewModel;
  html: string;
  /** What a message from the page does (the page's own messages take this path; tests call it directly). */
  handle(msg: unknown): Promise<void>;
}

let current: TlsReportPanel | undefined;

function readBounded(fsPath: string): Uint8Array | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath && !/\.gz$/i.test(fsPath));
  if (open) return Buffer.from(open.getText(), 'utf8');
  let fd: number | undefined;
  try {
    if (!fs.statSync(fsPath).isFile()) return undefined;
    fd = fs.openSync(fsPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const size = fs.fstatSync(fd).size;
    const start = /\.gz$/i.test(fsPath) ? 0 : Math.max(0, size - MAX_BYTES);
    if (/\.gz$/i.test(fsPath) && size > MAX_BYTES) return undefined;
    const buf = Buffer.alloc(Math.min(size, MAX_BYTES));
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, start));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* closed */
      }
  }
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

export async function showTlsReport(ctl: Controller, extensionUri: vscode.Uri, arg?: unknown): Promise<TlsReportPanel | undefined> {
  const uris = await pickFiles(arg);
  if (!uris.length) return undefined;
  const { buildTlsViewModel, renderTlsReportHtml, viewInputFromBytes } = reportsPart();
  const logs: LogInput[] = [];
  const reports: ReportSummary[] = [];
  for (const uri of uris) {
    const bytes = readBounded(uri.fsPath);
    if (!bytes) {
      ctl.log.warn(`Mail TLS Report: cannot read ${uri.fsPath}`);
      continue;
    }
    const input = viewInputFromBytes(uri.fsPath, bytes);
    if ('log' in input) logs.push(input.log);
    else if ('report' in input) reports.push(input.report);
    else ctl.log.info(`Mail TLS Report: ${uri.fsPath} skipped (${input.skipped})`);
  }
  if (!logs.length && !reports.length) {
    void showWarning('Mail TLS Doctor: none of these files is a mail log or a TLS-RPT report.');
    return undefined;
  }
  const model = buildTlsViewModel(logs, reports);
  const panel =
    current?.panel ?? vscode.window.createWebviewPanel(VIEW_TYPE, 'Mail TLS Report', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
  if (!current) {
    panel.onDidDispose(() => (current = undefined));
    panel.webview.onDidReceiveMessage((msg: unknown) => tlsReportMessage(ctl, extensionUri, msg));
  }
  const html = renderTlsReportHtml(model, { nonce: crypto.randomBytes(18).toString('base64'), cspSource: panel.webview.cspSource });
  panel.webview.html = html;
  panel.reveal();
  current = { panel, model, html, handle: (msg) => tlsReportMessage(ctl, extensionUri, msg) };
  ctl.log.info(`Mail TLS Report: ${logs.length} mail log(s), ${reports.length} TLS-RPT report(s), ${model.rows.length} finding(s).`);
  return current;
}

/** Messages carry only a row index: file names, lines and hosts come from our model, never from the page. */
export async function tlsReportMessage(ctl: Controller, extensionUri: vscode.Uri, msg: unknown): Promise<void> {
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
      await vscode.commands.executeCommand('vscode.open', findingDocUri(extensionUri, r.id), vscode.ViewColumn.Beside);
    } else if (type === 'check' && r.check) {
      await vscode.commands.executeCommand(Command.probeHost, r.check);
    }
  } catch (err) {
    ctl.log.error(`Mail TLS Report action failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
