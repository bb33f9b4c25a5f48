import * as vscode from 'vscode';
import { makeApi, type MailTlsDoctorApi } from './api';
import { FindingCodeActions } from './codeActions';
import { registerCommands } from './commands';
import { SCHEME, VirtualDocs } from './commands/virtualDocs';
import { Controller } from './controller';
import { POSTFIX_LANGUAGE } from './ids';
import { PostfixHoverProvider } from './postfix/hover';
import { cpuMs } from './timings';
import { WatchService } from './watch';

/**
 * Wires the core engine into the editor. Nothing here waits on the network or the workspace scan: activation
 * returns at once and the first lint runs right after.
 */
export function activate(context: vscode.ExtensionContext): MailTlsDoctorApi {
  const activateStart = performance.now();
  const activateCpu = cpuMs();
  const ctl = new Controller(context.extensionUri);
  const actions = new FindingCodeActions(ctl.diagnostics);
  const watch = new WatchService(ctl, context.workspaceState);
  context.subscriptions.push(
    ctl,
    watch,
    ...registerCommands(ctl, actions, context.extensionUri),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, actions, { providedCodeActionKinds: FindingCodeActions.kinds }),
    vscode.languages.registerHoverProvider({ language: POSTFIX_LANGUAGE }, new PostfixHoverProvider()),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, new VirtualDocs()),
  );
  ctl.log.info(
    `Mail TLS Doctor ${context.extension.packageJSON.version} active; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted (restricted mode)'}; remote: ${vscode.env.remoteName ?? 'none'}.`,
  );
  const started = new Promise<void>((resolve) => setTimeout(resolve, 0))
    .then(() => ctl.start())
    .catch((err) => ctl.log.error(`Startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
  return makeApi(ctl, started, watch, { activateMs: performance.now() - activateStart, activateCpuMs: cpuMs() - activateCpu });
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
