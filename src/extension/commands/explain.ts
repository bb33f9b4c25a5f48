import * as vscode from 'vscode';
import { endpointLabel, hostPort } from '../../core/endpoint';
import { explainError, matchToFinding } from '../../core/explain';
import type { Finding } from '../../core/finding';
import type { Controller } from '../controller';
import { reportsPart } from '../engineParts';
import { Command } from '../ids';
import { showInfo } from '../notify';
import type { VirtualDocs } from './virtualDocs';

/**
 * `Explain Mail TLS Error...`: the selection, or pasted text, explained with causes and the fix; when the text
 * names a server, offers to probe it (an explicit click, so also fine in an untrusted workspace).
 */
export async function explainErrorCommand(ctl: Controller, docs: VirtualDocs, text?: string): Promise<Finding[]> {
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  const input =
    text ??
    (await vscode.window.showInputBox({
      title: 'Mail TLS Doctor: Explain Mail TLS Error',
      prompt: 'Paste a log line or an error message (Postfix, nodemailer, OpenSSL, Dovecot...)',
      value: selected?.slice(0, 4000),
      ignoreFocusOut: true,
    }));
  if (!input?.trim()) return [];
  const { matches } = explainError(input);
  const findings = matches.map(matchToFinding);
  ctl.log.info(`Explained an error text: ${findings.map((f) => f.id).join(', ') || 'no match'}`);
  if (findings.length === 0) {
    void showInfo('Mail TLS Doctor does not recognise this text as a mail TLS error. Try the whole log line, including the server name.');
    return [];
  }
  const body = reportsPart().renderMarkdownReport({
    title: 'Mail TLS error explained',
    generatedAt: new Date(),
    entries: [],
    lintFindings: [{ file: 'The pasted text', findings }],
  });
  await docs.showMarkdown('explanation', body);
  const endpoint = matches.find((m) => m.endpoint)?.endpoint;
  if (endpoint && text === undefined) {
    void showInfo(`The text names ${endpointLabel(endpoint)}. Probe it to see what it does now?`, 'Probe').then(
      (go) =>
        go && vscode.commands.executeCommand(Command.probeHost, hostPort(endpoint.host, endpoint.port), { protocol: endpoint.protocol, mode: endpoint.mode }),
    );
  }
  return findings;
}
