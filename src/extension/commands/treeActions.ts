import * as vscode from 'vscode';
import { endpointLabel, type Endpoint } from '../../core/endpoint';
import { formatLine } from '../../core/probe/transcript';
import { cliCommandFor } from '../../core/report/cliCommand';
import type { Controller } from '../controller';
import { toRange } from '../diagnostics';
import { showInfo } from '../notify';
import type { Node } from '../tree';
import type { VirtualDocs } from './virtualDocs';

type EndpointNode = Extract<Node, { kind: 'endpoint' }>;
type FindingNode = Extract<Node, { kind: 'finding' }>;

export async function probeAgain(ctl: Controller, node?: EndpointNode): Promise<void> {
  if (!node) return;
  await ctl.probeEndpoints([node.entry.endpoint], `Mail TLS Doctor: probing ${node.entry.endpoint.host}`, true);
}

export async function openDefinition(ctl: Controller, node?: EndpointNode): Promise<void> {
  const def = node?.entry.definitions[0] ?? (node ? ctl.definitionsOf(node.entry.endpoint)[0] : undefined);
  if (!def) {
    void showInfo('This endpoint was probed by hand; no config file defines it.');
    return;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(def.file));
  const range = toRange(def.range);
  await vscode.window.showTextDocument(doc, { selection: range });
}

/** `Show Transcript`: the dialogue of one endpoint (picked when not given), as a read-only document. */
export async function showTranscript(ctl: Controller, docs: VirtualDocs, node?: EndpointNode): Promise<vscode.TextDocument | undefined> {
  const done = ctl.probes.allStates().filter((s) => s.state.kind === 'done');
  let ep: Endpoint | undefined = node?.entry.endpoint;
  if (!ep) {
    if (done.length === 0) {
      void showInfo('No probe has run yet: probe the workspace or a host first.');
      return undefined;
    }
    const pick =
      done.length === 1
        ? { ep: done[0].endpoint }
        : await vscode.window.showQuickPick(
            done.map((s) => ({ label: endpointLabel(s.endpoint), ep: s.endpoint })),
            { title: 'Mail TLS Doctor: transcript of which endpoint?' },
          );
    ep = pick?.ep;
  }
  if (!ep) return undefined;
  const state = ctl.probes.state(ep);
  if (state?.kind !== 'done') {
    void showInfo(`${endpointLabel(ep)} has no finished probe yet.`);
    return undefined;
  }
  const text = state.results
    .map((r) =>
      [`# ${endpointLabel(ep!)}${r.address ? ` at ${r.address}` : ''}, probed from ${r.probedFrom} at ${r.startedAt}`, ...r.transcript.map(formatLine)].join(
        '\n',
      ),
    )
    .join('\n\n');
  return docs.showText(`transcript-${ep.host}-${ep.port}.log`, `${text}\n`);
}

export async function copyFinding(node?: FindingNode): Promise<void> {
  if (!node) return;
  const f = node.finding;
  const text = [`[${f.severity}] ${f.id}: ${f.title}`, f.detail, `Fix: ${f.fix}`, ...(f.evidence ?? []).map((e) => `  ${e}`)].join('\n');
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage('Mail TLS Doctor: finding copied', 3000);
}

export async function copyCliCommand(node?: EndpointNode): Promise<void> {
  if (!node) return;
  await vscode.env.clipboard.writeText(cliCommandFor(node.entry.endpoint));
  void vscode.window.setStatusBarMessage('Mail TLS Doctor: CLI command copied', 3000);
}
