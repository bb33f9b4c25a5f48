import * as vscode from 'vscode';
import { DOC_SCHEME } from '../ids';

export const SCHEME = DOC_SCHEME;

/**
 * Read-only documents (transcripts, explanations) served from memory: no untitled buffers that ask to be saved
 * on close, and nothing written to the workspace.
 */
export class VirtualDocs implements vscode.TextDocumentContentProvider {
  private static readonly docs = new Map<string, string>();
  private static readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = VirtualDocs.changed.event;

  static put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}` });
    this.docs.set(uri.path, text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return VirtualDocs.docs.get(uri.path) ?? '';
  }
}

export async function showMarkdown(name: string, text: string): Promise<vscode.Uri> {
  const uri = VirtualDocs.put(`${name}.md`, text);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
  return uri;
}

export async function showText(name: string, text: string): Promise<vscode.TextDocument> {
  const uri = VirtualDocs.put(name, text);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc;
}
