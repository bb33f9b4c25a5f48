import * as vscode from 'vscode';
import type { Finding, TextEdit } from '../core/finding';
import { findingSpec, isFindingId } from '../core/findings';
import { mergeEdits } from './mergeEdits';
import { DiagnosticsStore, toRange } from './diagnostics';
import { DIAGNOSTIC_SOURCE } from './ids';

/**
 * Turns the edits a finding carries into quick fixes, plus "fix all of this kind in the file". The linter already
 * knows the fix (and guarantees that applying it makes the finding go away), so nothing is re-derived here.
 * Only quick fixes: activation registers it (through src/extension/shell.ts) with that one kind.
 */
export class FindingCodeActions implements vscode.CodeActionProvider {
  constructor(private readonly store: DiagnosticsStore) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const actions: vscode.CodeAction[] = [];
    const fixAllDone = new Set<string>();
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const f = this.store.findingFor(d);
      if (!f?.edits?.length) continue;
      const fix = new vscode.CodeAction(f.editTitle ?? `Fix: ${f.title}`, vscode.CodeActionKind.QuickFix);
      fix.diagnostics = [d];
      fix.edit = workspaceEdit(doc.uri, f.edits);
      // Preferred (applied by "auto fix") only when the change stays on the flagged lines.
      fix.isPreferred = f.edits.every((e) => e.range.start.line >= (f.range?.start.line ?? -1) && e.range.end.line <= (f.range?.end.line ?? -1));
      actions.push(fix);

      const id = codeOf(d);
      if (!id || fixAllDone.has(id)) continue;
      const same = this.fixableOfKind(doc.uri, id);
      if (same.length > 1) {
        fixAllDone.add(id);
        // Worded like the single fix ("Fix: <title>"), with the kind's generic title: this finding's own title may
        // name its line's value, which the others do not share.
        const kind = isFindingId(id) ? findingSpec(id).title : f.title;
        const all = new vscode.CodeAction(`Fix all ${same.length} in this file: ${kind}`, vscode.CodeActionKind.QuickFix);
        all.diagnostics = same.map((x) => x.diagnostic);
        all.edit = workspaceEdit(doc.uri, mergeEdits(same.map((x) => x.finding)));
        actions.push(all);
      }
    }
    return actions;
  }

  /** Diagnostics of one id in a file that carry edits. */
  fixableOfKind(uri: vscode.Uri, id: string): { diagnostic: vscode.Diagnostic; finding: Finding }[] {
    const out: { diagnostic: vscode.Diagnostic; finding: Finding }[] = [];
    for (const d of this.store.get(uri)) {
      const f = this.store.findingFor(d);
      if (f?.edits?.length && codeOf(d) === id) out.push({ diagnostic: d, finding: f });
    }
    return out;
  }
}

/** Applies every fix of one id in a file (the command behind the code action, also usable from tests). */
export async function fixAllOfKind(actions: FindingCodeActions, uri: vscode.Uri, id: string): Promise<boolean> {
  const same = actions.fixableOfKind(uri, id);
  if (same.length === 0) return false;
  return vscode.workspace.applyEdit(workspaceEdit(uri, mergeEdits(same.map((x) => x.finding))));
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

function workspaceEdit(uri: vscode.Uri, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(uri, toRange(e.range), e.newText);
  return we;
}
