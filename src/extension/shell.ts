/**
 * What activation registers in front of the editor part (src/extension/editor.ts), so that activating loads only
 * dist/extension.js: each registration hands its calls to the part, loading it on the first call that needs it,
 * and relays the part's events once it is loaded. Nothing here knows what a finding is.
 */
import * as vscode from 'vscode';
import type { Endpoint } from '../core/endpoint';
import type { MailTlsDoctorApi } from './api';
import type { Editor, EditorLoader } from './editorLoader';
import type { Node } from './tree';

/** The results view's data: the part's tree, loaded when the window first asks for the view's items. */
export class TreeRelay implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly editor: () => Editor) {}

  connect(editor: Editor): vscode.Disposable {
    return editor.tree.onDidChangeTreeData((node) => this.changed.fire(node));
  }

  getChildren(node?: Node): Node[] {
    return this.editor().tree.getChildren(node);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return this.editor().tree.getTreeItem(node);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The read-only documents (transcripts, explanations): only a loaded part has made any. */
export class DocsRelay implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly loader: EditorLoader) {}

  connect(editor: Editor): vscode.Disposable {
    return editor.docs.onDidChange((uri) => this.changed.fire(uri));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.loader.loaded?.docs.provideTextDocumentContent(uri) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Quick fixes come from the part's diagnostics: before it is loaded there are none of ours, so no fixes. */
export function codeActionsRelay(loader: EditorLoader): vscode.CodeActionProvider {
  return {
    provideCodeActions: (doc, range, context) => loader.loaded?.actions.provideCodeActions(doc, range, context) ?? [],
  };
}

export function hoverRelay(editor: () => Editor): vscode.HoverProvider {
  return { provideHover: (doc, pos) => editor().hover.provideHover(doc, pos) };
}

/** The API activation returns: each call goes to the part's (src/extension/api.ts), loading it if needed. */
export function apiRelay(editor: () => Editor, started: Promise<void>): MailTlsDoctorApi {
  const api = () => editor().api;
  return {
    getTreeSnapshot: (maxDepth?: number) => api().getTreeSnapshot(maxDepth),
    whenStarted: () => started,
    whenIdle: () => api().whenIdle(),
    probeStateCount: () => api().probeStateCount(),
    badge: () => api().badge(),
    get isTrusted() {
      return vscode.workspace.isTrusted;
    },
    watch: () => api().watch(),
    runWatchRound: () => api().runWatchRound(),
    respondToWatch: (ep: Endpoint, choice: string) => api().respondToWatch(ep, choice),
    recentNotices: () => api().recentNotices(),
    timings: () => api().timings(),
  };
}
