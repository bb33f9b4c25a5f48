import * as vscode from 'vscode';
import { FindingCodeActions, fixAllOfKind } from '../codeActions';
import type { Controller } from '../controller';
import { readmeUri } from '../findingDocs';
import { Command, VIEW_ID, type CommandId } from '../ids';
import type { WatchService } from '../watch';
import { checkMailDomain, checkWorkspaceDomains } from './domain';
import { explainErrorCommand } from './explain';
import { probeHost, probeWorkspace } from './probe';
import { exportReport } from './report';
import type { TlsReportView } from './tlsReport';
import type { VirtualDocs } from './virtualDocs';
import { copyCliCommand, copyFinding, openDefinition, probeAgain, showTranscript } from './treeActions';
import { plural } from '../../core/wording';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commands take whatever the caller passes; each handler checks it
export type CommandHandler = (...args: any[]) => unknown;

/**
 * Every command of the manifest (and the extension's own), bound to its handler. Activation registers each id
 * (src/extension/activate.ts) before this part is loaded; the registration calls the handler from here.
 */
export function commandHandlers(
  ctl: Controller,
  actions: FindingCodeActions,
  watch: WatchService,
  extensionUri: vscode.Uri,
  docs: VirtualDocs,
  tlsReport: TlsReportView,
): Record<CommandId, CommandHandler> {
  return {
    // No argument reaches the handler: a command link (`command:mailTlsDoctor.probeWorkspace?...`) must not weaken the trust prompt.
    [Command.probeWorkspace]: () => probeWorkspace(ctl),
    [Command.probeHost]: (target?: string, opts?: Parameters<typeof probeHost>[2]) => probeHost(ctl, typeof target === 'string' ? target : undefined, opts),
    [Command.checkDomain]: (target?: unknown, opts?: Parameters<typeof checkMailDomain>[2]) => checkMailDomain(ctl, target, opts ?? {}),
    // No argument, as for Probe Workspace: a command link must not skip the trust prompt.
    [Command.checkWorkspaceDomains]: () => checkWorkspaceDomains(ctl),
    [Command.explainError]: (text?: string) => explainErrorCommand(ctl, docs, typeof text === 'string' ? text : undefined),
    [Command.lintWorkspace]: async () => {
      await ctl.lint.scanWorkspace();
      const n = ctl.lint.lintedFiles().reduce((s, f) => s + f.findings.length, 0);
      void vscode.window.setStatusBarMessage(`Mail TLS Doctor: ${plural(n, 'finding')} in ${plural(ctl.lint.lintedFiles().length, 'file')}`, 5000);
      return n;
    },
    [Command.showTranscript]: (node) => showTranscript(ctl, docs, node),
    [Command.exportReport]: () => exportReport(ctl),
    [Command.openDocs]: () => vscode.commands.executeCommand('markdown.showPreview', readmeUri(extensionUri)),
    [Command.showTlsReport]: (uri?: unknown, uris?: unknown) => tlsReport.show(Array.isArray(uris) && uris.length ? uris : uri),
    [Command.showView]: () => vscode.commands.executeCommand(`${VIEW_ID}.focus`),
    [Command.probeAgain]: (node) => probeAgain(ctl, node),
    [Command.openDefinition]: (node) => openDefinition(ctl, node),
    [Command.copyFinding]: (node) => copyFinding(node),
    [Command.copyCliCommand]: (node) => copyCliCommand(node),
    [Command.fixAllOfKind]: (uri: vscode.Uri, id: string) => fixAllOfKind(actions, uri, id),
    [Command.showEndpoint]: (ep?: Parameters<WatchService['showEndpoint']>[0]) => watch.showEndpointCommand(ep),
  };
}
