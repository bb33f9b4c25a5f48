import * as vscode from 'vscode';
import type { ReportEntry } from '../../core/report/markdown';
import type { Controller } from '../controller';
import { endpointKey } from '../endpointKey';
import { reportsPart } from '../engineParts';

/** The report as Markdown text: every endpoint (probed or not, and why not), then the lint findings per file. */
export function buildReport(ctl: Controller): string {
  const entries: ReportEntry[] = [];
  const seen = new Set<string>();
  for (const g of ctl.treeInput().groups) {
    for (const e of g.entries) {
      const k = endpointKey(e.endpoint);
      if (seen.has(k)) continue;
      seen.add(k);
      const defs = ctl.definitionsOf(e.endpoint).map((d) => `${d.source} (${vscode.workspace.asRelativePath(d.file)}:${d.range.start.line + 1})`);
      const state = ctl.probes.state(e.endpoint);
      if (state?.kind === 'done' && state.results.length) {
        for (const result of state.results) entries.push({ endpoint: e.endpoint, definedBy: defs, result });
      } else {
        const note =
          state?.kind === 'error' ? `The probe could not run: ${state.message}` : state?.kind === 'cancelled' ? 'Cancelled.' : ctl.notProbedReason(e.endpoint);
        entries.push({ endpoint: e.endpoint, definedBy: defs, note });
      }
    }
  }
  const lintFindings = ctl.lint.lintedFiles().map((f) => ({ file: vscode.workspace.asRelativePath(f.uri), findings: f.findings }));
  return reportsPart().renderMarkdownReport({ generatedAt: new Date(), entries, lintFindings });
}

/** `Export Report (Markdown)`: an untitled Markdown document the user can read, save or paste into a ticket. */
export async function exportReport(ctl: Controller): Promise<vscode.TextDocument> {
  await ctl.lint.whenIdle();
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: buildReport(ctl) });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}
