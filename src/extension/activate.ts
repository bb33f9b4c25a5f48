import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from './api';
import { EditorLoader } from './editorLoader';
import { Command, DOC_SCHEME, POSTFIX_LANGUAGE, VIEW_ID } from './ids';
import { loadTimes } from './loadClock';
import { apiRelay, codeActionsRelay, DocsRelay, hoverRelay, TreeRelay } from './shell';
import { cpuMs, type ActivationTimings } from './timings';

/**
 * Registers every contribution (commands, the results view, quick fixes, hovers, the read-only documents) and
 * returns. The editor part behind them (src/extension/editor.ts, dist/ext-editor.js: linters, diagnostics, the
 * tree's content, watch mode) loads right after, for the startup lint, or earlier on the first call that needs it
 * (a command, a hover, the view asking for its items). Nothing here waits on the network or the workspace scan.
 */
export function activate(context: vscode.ExtensionContext): MailTlsDoctorApi {
  const activateStart = performance.now();
  const activateCpu = cpuMs();
  const times: ActivationTimings = { ...loadTimes(), activateMs: NaN, activateCpuMs: NaN };
  const tree = new TreeRelay(() => loader.get());
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  // The startup work runs after activate() returned (a timer), so the host counts none of it as activation.
  const started = new Promise<void>((resolve) => setTimeout(resolve, 0))
    .then(() => loader.get().start())
    .then(
      () => void (times.startedMs = performance.now() - activateStart),
      (err) => {
        if (loader.loaded) loader.loaded.logFailure('Startup', err);
        else console.error(`Mail TLS Doctor: loading the editor part failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      },
    );
  const activation = (): ActivationTimings => ({ ...times, editorLoad: loader.loadTimes });
  const loader: EditorLoader = new EditorLoader(context, view, started, activation, (editor) =>
    context.subscriptions.push(tree.connect(editor), docs.connect(editor)),
  );
  const docs = new DocsRelay(loader);
  const editor = () => loader.get();
  context.subscriptions.push(
    view,
    tree,
    docs,
    ...Object.values(Command).map((id) => vscode.commands.registerCommand(id, (...args: unknown[]) => editor().commands[id](...args))),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, codeActionsRelay(loader), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.languages.registerHoverProvider({ language: POSTFIX_LANGUAGE }, hoverRelay(editor)),
    vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, docs),
  );
  times.activateMs = performance.now() - activateStart;
  times.activateCpuMs = cpuMs() - activateCpu;
  return apiRelay(editor, started);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
