import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // The editor features arrive with the extension issue; the core is usable from the CLI already.
}

export function deactivate(): void {}
