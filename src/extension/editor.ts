/**
 * The editor part: everything activation registers but does not run (the linters and their diagnostics, the
 * tree's content, hovers, quick fixes, watch mode, the commands' work). scripts/build.mjs makes it a bundle of its
 * own, dist/ext-editor.js, which src/extension/editorLoader.ts requires on first use: the startup lint right after
 * `activate()` returned, or a command, a hover or the view asking before that. Activation itself (dist/extension.js)
 * only registers the contributions, so VS Code's activation time is the small shell's.
 */
import * as vscode from 'vscode';
import { makeApi, type MailTlsDoctorApi } from './api';
import { FindingCodeActions } from './codeActions';
import { commandHandlers, type CommandHandler } from './commands';
import { TlsReportView } from './commands/tlsReport';
import { VirtualDocs } from './commands/virtualDocs';
import { Controller } from './controller';
import type { CommandId } from './ids';
import { PostfixHoverProvider } from './postfix/hover';
import type { ResultTreeProvider } from './tree';
import type { ActivationTimings } from './timings';
import { WatchService } from './watch';

/** What activation's registrations hand their calls to. */
export interface Editor {
  readonly commands: Record<CommandId, CommandHandler>;
  readonly actions: FindingCodeActions;
  readonly hover: PostfixHoverProvider;
  readonly docs: VirtualDocs;
  readonly tree: ResultTreeProvider;
  readonly api: MailTlsDoctorApi;
  /** The startup work: lint the workspace, then probe if the user asked for that. */
  start(): Promise<void>;
  logFailure(what: string, err: unknown): void;
}

/**
 * Builds the editor's state behind the registrations made on activation: `view` is the results view created
 * there, `started` the startup work's promise (for the API). Every disposable goes to the extension's context.
 */
export function load(context: vscode.ExtensionContext, view: vscode.TreeView<unknown>, started: Promise<void>, activation: () => ActivationTimings): Editor {
  const ctl = new Controller(context.extensionUri, view);
  const actions = new FindingCodeActions(ctl.diagnostics);
  const watch = new WatchService(ctl, context.workspaceState);
  const docs = new VirtualDocs();
  const tlsReport = new TlsReportView(ctl, context.extensionUri);
  context.subscriptions.push(ctl, watch, docs, tlsReport);
  ctl.log.info(
    `Mail TLS Doctor ${context.extension.packageJSON.version} active; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted (restricted mode)'}; remote: ${vscode.env.remoteName ?? 'none'}.`,
  );
  return {
    commands: commandHandlers(ctl, actions, watch, context.extensionUri, docs, tlsReport),
    actions,
    hover: new PostfixHoverProvider(),
    docs,
    tree: ctl.tree,
    api: makeApi(ctl, started, watch, activation),
    start: () => ctl.start(),
    logFailure: (what, err) => ctl.log.error(`${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  };
}
