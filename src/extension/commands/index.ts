import * as vscode from 'vscode';
import { FindingCodeActions, fixAllOfKind } from '../codeActions';
import type { Controller } from '../controller';
import { readmeUri } from '../findingDocs';
import { Command, VIEW_ID } from '../ids';
import { checkMailDomain, checkWorkspaceDomains } from './domain';
import { explainErrorCommand } from './explain';
import { probeHost, probeWorkspace } from './probe';
import { exportReport } from './report';
import { showTlsReport } from './tlsReport';
import { copyCliCommand, copyFinding, openDefinition, probeAgain, showTranscript } from './treeActions';

/** Every command of the manifest, bound to its handler; the disposables go to the extension context. */
export function registerCommands(ctl: Controller, actions: FindingCodeActions, extensionUri: vscode.Uri): vscode.Disposable[] {
  const r = vscode.commands.registerCommand;
  return [
    // No argument reaches the handler: a command link (`command:mailTlsDoctor.probeWorkspace?...`) must not weaken the trust prompt.
    r(Command.probeWorkspace, () => probeWorkspace(ctl)),
    r(Command.probeHost, (target?: string, opts?: Parameters<typeof probeHost>[2]) => probeHost(ctl, typeof target === 'string' ? target : undefined, opts)),
    r(Command.checkDomain, (target?: unknown, opts?: Parameters<typeof checkMailDomain>[2]) => checkMailDomain(ctl, target, opts ?? {})),
    // No argument, as for Probe Workspace: a command link must not skip the trust prompt.
    r(Command.checkWorkspaceDomains, () => checkWorkspaceDomains(ctl)),
    r(Command.explainError, (text?: string) => explainErrorCommand(ctl, typeof text === 'string' ? text : undefined)),
    r(Command.lintWorkspace, async () => {
      await ctl.lint.scanWorkspace();
      const n = ctl.lint.lintedFiles().reduce((s, f) => s + f.findings.length, 0);
      void vscode.window.setStatusBarMessage(`Mail TLS Doctor: ${n} finding(s) in ${ctl.lint.lintedFiles().length} file(s)`, 5000);
      return n;
    }),
    r(Command.showTranscript, (node) => showTranscript(ctl, node)),
    r(Command.exportReport, () => exportReport(ctl)),
    r(Command.openDocs, () => vscode.commands.executeCommand('markdown.showPreview', readmeUri(extensionUri))),
    r(Command.showTlsReport, (uri?: unknown, uris?: unknown) => showTlsReport(ctl, extensionUri, Array.isArray(uris) && uris.length ? uris : uri)),
    r(Command.showView, () => vscode.commands.executeCommand(`${VIEW_ID}.focus`)),
    r(Command.probeAgain, (node) => probeAgain(ctl, node)),
    r(Command.openDefinition, (node) => openDefinition(ctl, node)),
    r(Command.copyFinding, (node) => copyFinding(node)),
    r(Command.copyCliCommand, (node) => copyCliCommand(node)),
    r(Command.fixAllOfKind, (uri: vscode.Uri, id: string) => fixAllOfKind(actions, uri, id)),
  ];
}
