import * as vscode from 'vscode';
import { DOC_SCHEME } from '../ids';

export const SCHEME = DOC_SCHEME;

/**
 * Read-only documents (transcripts, explanations) served from memory: no untitled buffers that ask to be saved
 * on close, and nothing written to the workspace. One instance, made by the editor part and disposed with the
 * extension (context.subscriptions), owns the texts and the change event.
 */
export class VirtualDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}` });
    this.docs.set(uri.path, text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? '';
  }

  async showMarkdown(name: string, text: string): Promise<vscode.Uri> {
    const uri = this.put(`${name}.md`, text);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
    return uri;
  }

  async showText(name: string, text: string): Promise<vscode.TextDocument> {
    const uri = this.put(name, text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  dispose(): void {
    this.changed.dispose();
    this.docs.clear();
  }
}
