import * as vscode from 'vscode';
import type { CertificateInfo } from '../core/cert/types';
import { endpointLabel, type Endpoint } from '../core/endpoint';
import type { Finding } from '../core/finding';
import type { DiscoveredEndpoint } from '../core/lint/types';
import { TLS_VERSIONS, type ProbeResult } from '../core/probe/types';
import { versionState, type VersionState } from '../core/probe/versionDecision';
import { mdCodeBlock, mdInline as md, mdProse, termSafe } from '../core/escape';
import { resultVerdict, verdictOf, type Verdict } from '../core/report/verdict';
import { domainChildren, type DomainEntry } from './domainTree';
import { endpointKey } from './endpointKey';
import { TreeContext } from './ids';
import type { ProbeState } from './probeService';

export interface EndpointEntry {
  endpoint: Endpoint;
  /** The config places that name it, in this group. */
  definitions: DiscoveredEndpoint[];
}

export interface TreeInput {
  groups: { label: string; uri?: vscode.Uri; entries: EndpointEntry[] }[];
  state(ep: Endpoint): ProbeState | undefined;
  /** Why an endpoint that was never probed has no result (shown instead of a result). */
  notProbedReason(ep: Endpoint): string;
  /** Watch mode: persistent or intermittent over the last rounds (with the rate), when watched. */
  persistence?(ep: Endpoint): string | undefined;
  /** The "Domains" part: domains the workspace names and domains checked by hand. */
  domains?: DomainEntry[];
}

export type Node =
  | { kind: 'group'; label: string; uri?: vscode.Uri; entries: EndpointEntry[] }
  | { kind: 'endpoint'; entry: EndpointEntry; state?: ProbeState; reason: string; persistence?: string }
  | { kind: 'address'; endpoint: Endpoint; result: ProbeResult }
  | { kind: 'section'; label: string; icon: string; children: Node[]; tooltip?: string; description?: string; expanded?: boolean }
  | { kind: 'domains'; entries: DomainEntry[] }
  | { kind: 'domain'; entry: DomainEntry }
  | { kind: 'finding'; endpoint?: Endpoint; finding: Finding }
  | { kind: 'cert'; cert: CertificateInfo; index: number }
  | { kind: 'info'; label: string; description?: string; icon: string; tooltip?: string; color?: string };

const VERDICT_ICON: Record<Verdict, [string, string]> = {
  pass: ['pass', 'testing.iconPassed'],
  warn: ['warning', 'problemsWarningIcon.foreground'],
  fail: ['error', 'problemsErrorIcon.foreground'],
};
const VERSION_ICON: Record<VersionState, string> = { accepted: 'check', refused: 'close', 'not decided': 'question', 'not tested': 'dash' };
const SEVERITY_ICON: Record<Finding['severity'], [string, string]> = {
  error: ['error', 'problemsErrorIcon.foreground'],
  warning: ['warning', 'problemsWarningIcon.foreground'],
  info: ['info', 'problemsInfoIcon.foreground'],
};

/** The "Mail TLS" view: endpoints grouped by the config that defines them, with their probe results. */
export class ResultTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private input: TreeInput = { groups: [], state: () => undefined, notProbedReason: () => '' };

  setInput(input: TreeInput): void {
    this.input = input;
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const groups: Node[] = this.input.groups.filter((g) => g.entries.length > 0).map((g) => ({ kind: 'group', ...g }));
      return this.input.domains?.length ? [...groups, { kind: 'domains', entries: this.input.domains }] : groups;
    }
    switch (node.kind) {
      case 'group':
        return node.entries.map((entry) => ({
          kind: 'endpoint',
          entry,
          state: this.input.state(entry.endpoint),
          reason: this.input.notProbedReason(entry.endpoint),
          persistence: this.input.persistence?.(entry.endpoint),
        }));
      case 'endpoint':
        return endpointChildren(node);
      case 'address':
        return resultChildren(node.endpoint, node.result);
      case 'section':
        return node.children;
      case 'domains':
        return node.entries.map((entry) => ({ kind: 'domain', entry }));
      case 'domain':
        return domainChildren(node.entry);
      case 'finding':
        return findingChildren(node.finding);
      case 'cert':
        return certChildren(node.cert);
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return treeItem(node);
  }

  /** Endpoints whose last probe failed: the view's badge. */
  failingCount(): number {
    let n = 0;
    for (const g of this.input.groups) {
      for (const e of g.entries) {
        const s = this.input.state(e.endpoint);
        if (s?.kind === 'done' && s.results.some((r) => resultVerdict(r) === 'fail')) n++;
      }
    }
    return n;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function endpointChildren(node: Extract<Node, { kind: 'endpoint' }>): Node[] {
  const s = node.state;
  const ep = node.entry.endpoint;
  if (!s) return [{ kind: 'info', label: node.reason, icon: 'circle-outline' }];
  if (s.kind === 'probing') return [{ kind: 'info', label: 'Probing...', icon: 'loading~spin' }];
  if (s.kind === 'cancelled') return [{ kind: 'info', label: 'Cancelled', icon: 'circle-slash' }];
  if (s.kind === 'error')
    return [
      { kind: 'info', label: 'The probe could not run', description: s.message, icon: 'error', color: 'problemsErrorIcon.foreground', tooltip: s.message },
    ];
  const watched: Node[] = node.persistence ? [{ kind: 'info', label: `Watch: ${node.persistence}`, icon: 'history' }] : [];
  if (s.results.length === 1) return [...watched, ...resultChildren(ep, s.results[0])];
  return [...watched, ...s.results.map((result): Node => ({ kind: 'address', endpoint: ep, result }))];
}

function resultChildren(ep: Endpoint, r: ProbeResult): Node[] {
  const out: Node[] = [];
  out.push(
    r.tls
      ? { kind: 'info', label: `Negotiated ${r.tls.version}`, description: r.tls.cipher, icon: 'lock' }
      : { kind: 'info', label: 'No TLS session', icon: 'unlock', color: 'problemsErrorIcon.foreground' },
  );
  for (const finding of sortFindings(r.findings)) out.push({ kind: 'finding', endpoint: ep, finding });
  if (r.certificates.length) {
    out.push({
      kind: 'section',
      label: `Certificate chain (${r.certificates.length} as sent)`,
      icon: r.trusted === false ? 'workspace-untrusted' : 'verified',
      tooltip:
        r.trusted === undefined
          ? undefined
          : r.trusted
            ? 'The chain verifies against the trusted roots.'
            : 'The chain does not verify against the trusted roots.',
      children: r.certificates.map((cert, index) => ({ kind: 'cert', cert, index })),
    });
  }
  out.push({
    kind: 'section',
    label: 'TLS versions',
    icon: 'versions',
    children: TLS_VERSIONS.map((v) => {
      const state = versionState(r, v);
      const reason = r.versionReasons?.[v];
      return {
        kind: 'info',
        label: v,
        // Why, next to the verdict: "refused (alert "handshake failure" instead of a ServerHello, while ...)".
        description: reason && reason !== state ? reason : state,
        icon: VERSION_ICON[state],
        ...(state === 'not decided' ? { color: 'problemsWarningIcon.foreground' } : {}),
        // Plain text, one line: the reason may quote what the server sent (an alert, a cipher).
        ...(reason ? { tooltip: termSafe(`${v}: ${reason}`) } : {}),
      } satisfies Node;
    }),
  });
  out.push({
    kind: 'info',
    label: `Probed from ${r.probedFrom}`,
    description: `${new Date(r.startedAt).toLocaleTimeString()}, ${r.durationMs} ms${r.address ? `, ${r.address}` : ''}`,
    icon: 'remote',
  });
  return out;
}

function findingChildren(f: Finding): Node[] {
  const out: Node[] = [];
  if (f.fix) out.push({ kind: 'info', label: `Fix: ${f.fix}`, icon: 'lightbulb', tooltip: f.fix });
  for (const e of f.evidence ?? []) out.push({ kind: 'info', label: e, icon: 'quote' });
  return out;
}

function certChildren(c: CertificateInfo): Node[] {
  return [
    { kind: 'info', label: `Issuer: ${c.issuer}`, icon: 'arrow-up' },
    { kind: 'info', label: `Valid until ${c.notAfter}`, description: `from ${c.notBefore}`, icon: 'calendar' },
    ...(c.sans.length ? [{ kind: 'info', label: `Names: ${c.sans.join(', ')}`, icon: 'symbol-string' } satisfies Node] : []),
    { kind: 'info', label: `Key ${c.keyType} ${c.keyBits} bits, ${c.signatureAlgorithm}`, icon: 'key' },
  ];
}

function sortFindings(fs: readonly Finding[]): Finding[] {
  const rank = { error: 0, warning: 1, info: 2 };
  return [...fs].sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function icon(id: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

function treeItem(node: Node): vscode.TreeItem {
  const C = vscode.TreeItemCollapsibleState;
  switch (node.kind) {
    case 'group': {
      // Labels are plain text, but a bidi override in a file name or a certificate field would still reorder what
      // is shown: external text in labels and descriptions goes through the one-line escaper.
      const item = new vscode.TreeItem(termSafe(node.label), C.Expanded);
      item.iconPath = node.uri ? vscode.ThemeIcon.File : icon('terminal');
      item.resourceUri = node.uri;
      item.description = `${node.entries.length} endpoint${node.entries.length === 1 ? '' : 's'}`;
      item.id = `group:${node.label}`;
      return item;
    }
    case 'endpoint':
      return endpointItem(node);
    case 'address': {
      const v = resultVerdict(node.result);
      const item = new vscode.TreeItem(node.result.address ?? 'no address', C.Expanded);
      item.description = node.result.tls?.version ?? 'no TLS';
      item.iconPath = icon(...VERDICT_ICON[v]);
      return item;
    }
    case 'section': {
      // Domain sections are labelled with names from DNS: escaped like every external label.
      const item = new vscode.TreeItem(termSafe(node.label), node.expanded ? C.Expanded : C.Collapsed);
      item.iconPath = icon(node.icon);
      if (node.description !== undefined) item.description = termSafe(node.description);
      if (node.tooltip) item.tooltip = node.tooltip;
      return item;
    }
    case 'domains': {
      const item = new vscode.TreeItem('Domains', C.Expanded);
      item.iconPath = icon('globe');
      item.description = `${node.entries.length} mail domain${node.entries.length === 1 ? '' : 's'}`;
      item.id = 'domains';
      item.tooltip =
        'Mail domains the workspace names (an unbracketed relayhost, policy and transport maps) and domains checked by hand: MX hosts, DANE, MTA-STS, TLS-RPT and what senders do.';
      return item;
    }
    case 'domain':
      return domainItem(node.entry);
    case 'finding': {
      const f = node.finding;
      const item = new vscode.TreeItem(termSafe(f.title), C.Collapsed);
      item.description = f.id;
      item.iconPath = icon(...SEVERITY_ICON[f.severity]);
      item.contextValue = TreeContext.finding;
      item.tooltip = findingTooltip(f);
      return item;
    }
    case 'cert': {
      const c = node.cert;
      const item = new vscode.TreeItem(termSafe(`${node.index}: ${c.subject}`), C.Collapsed);
      const expired = Date.parse(c.notAfter) < Date.now();
      item.description = `expires ${c.notAfter.slice(0, 10)}`;
      item.iconPath = icon(expired ? 'warning' : 'file-certificate', expired ? 'problemsErrorIcon.foreground' : undefined);
      const t = new vscode.MarkdownString();
      t.appendMarkdown(`**${md(c.subject)}**\n\nIssuer: ${md(c.issuer)}\n\nValid ${md(c.notBefore)} to ${md(c.notAfter)}\n\nSHA-256 \`${c.fingerprint256}\``);
      item.tooltip = t;
      return item;
    }
    case 'info': {
      const item = new vscode.TreeItem(termSafe(node.label), C.None);
      item.description = node.description === undefined ? undefined : termSafe(node.description);
      item.iconPath = icon(node.icon, node.color);
      if (node.tooltip) item.tooltip = termSafe(node.tooltip);
      return item;
    }
  }
}

/**
 * Where a config names an endpoint or a domain, for a tooltip: what named it and its workspace-relative file and line,
 * as the report writes it (`relayhost in main.cf (etc/postfix/main.cf:7)`); a workspace has many configs. Text, never a link.
 */
function placeOf(d: { source: string; file: string; range: { start: { line: number } } }): string {
  return `${md(d.source)} (${md(vscode.workspace.asRelativePath(d.file))}:${d.range.start.line + 1})`;
}

function domainItem(e: DomainEntry): vscode.TreeItem {
  const s = e.state;
  const item = new vscode.TreeItem(termSafe(e.domain), vscode.TreeItemCollapsibleState.Collapsed);
  const verdict = s?.kind === 'done' ? verdictOf(s.report.findings) : '';
  item.id = `domain:${e.domain}:${s?.kind ?? 'none'}${verdict}`;
  item.contextValue = TreeContext.domain;
  const t = new vscode.MarkdownString();
  t.appendMarkdown(`**${md(e.domain)}**\n\n`);
  for (const d of e.definitions) t.appendMarkdown(`Named by ${placeOf(d)}\n\n`);
  if (!s) {
    item.description = e.reason;
    item.iconPath = icon(e.reason.includes('trusted') ? 'workspace-untrusted' : 'circle-outline');
    t.appendMarkdown(md(e.reason));
  } else if (s.kind === 'checking') {
    item.description = 'checking...';
    item.iconPath = icon('loading~spin');
  } else if (s.kind === 'cancelled') {
    item.description = 'cancelled';
    item.iconPath = icon('circle-slash');
  } else if (s.kind === 'error') {
    item.description = 'the check failed to run';
    item.iconPath = icon('error', 'problemsErrorIcon.foreground');
    t.appendMarkdown(md(s.message));
  } else {
    const r = s.report;
    const v = verdictOf(r.findings);
    item.iconPath = icon(...VERDICT_ICON[v]);
    const hosts = r.mx.status === 'null' ? 'null MX' : `${r.mx.hosts.length} MX`;
    const policies = [
      r.dane.hosts.some((h) => h.applies) ? 'DANE' : '',
      r.mtaSts.policy ? `MTA-STS ${r.mtaSts.policy.mode}` : '',
      r.tlsRpt.status === 'ok' ? 'TLS-RPT' : '',
    ].filter(Boolean);
    item.description = termSafe(
      `${hosts}${policies.length ? ` · ${policies.join(', ')}` : ''} · ${r.findings.length ? `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}` : 'no findings'}`,
    );
    item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    t.appendMarkdown(`**${v.toUpperCase()}**: ${md(item.description)}\n\n`);
    for (const f of sortFindings(r.findings).slice(0, 8)) t.appendMarkdown(`- ${f.severity}: ${mdProse(f.title)}\n`);
  }
  item.tooltip = t;
  return item;
}

function endpointItem(node: Extract<Node, { kind: 'endpoint' }>): vscode.TreeItem {
  const ep = node.entry.endpoint;
  const s = node.state;
  const item = new vscode.TreeItem(endpointLabel(ep), vscode.TreeItemCollapsibleState.Collapsed);
  // The state is part of the id: the tree keeps an item's expansion per id, and a fresh result should open in
  // its own default state (failures expanded) rather than inherit the collapsed "not probed yet" row's.
  const verdict = s?.kind === 'done' ? verdictOf(s.results.flatMap((r) => r.findings)) : '';
  item.id = `endpoint:${node.entry.definitions[0]?.file ?? 'manual'}:${endpointKey(ep)}:${s?.kind ?? 'none'}${verdict}`;
  item.contextValue = TreeContext.endpoint;
  const t = new vscode.MarkdownString();
  t.appendMarkdown(`**${md(endpointLabel(ep))}**\n\n`);
  for (const d of node.entry.definitions) t.appendMarkdown(`Defined by ${placeOf(d)}\n\n`);
  if (!s) {
    item.description = node.reason;
    item.iconPath = icon(node.reason.includes('trusted') ? 'workspace-untrusted' : 'circle-outline');
    t.appendMarkdown(md(node.reason));
  } else if (s.kind === 'probing') {
    item.description = 'probing...';
    item.iconPath = icon('loading~spin');
  } else if (s.kind === 'cancelled') {
    item.description = 'cancelled';
    item.iconPath = icon('circle-slash');
  } else if (s.kind === 'error') {
    item.description = 'probe failed to run';
    item.iconPath = icon('error', 'problemsErrorIcon.foreground');
    t.appendMarkdown(md(s.message));
  } else {
    const findings = s.results.flatMap((r) => r.findings);
    const v = verdictOf(findings);
    item.iconPath = icon(...VERDICT_ICON[v]);
    const versions = [...new Set(s.results.map((r) => r.tls?.version ?? 'no TLS'))].join(', ');
    item.description = `${versions} · ${findings.length ? `${findings.length} finding${findings.length === 1 ? '' : 's'}` : 'no findings'}${node.persistence && !node.persistence.startsWith('no failure') ? ` · ${node.persistence}` : ''}`;
    item.collapsibleState = v === 'pass' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
    t.appendMarkdown(`**${v.toUpperCase()}**: ${md(item.description)}\n\n`);
    t.appendMarkdown(`Probed from ${md(s.results[0]?.probedFrom ?? '?')}\n\n`);
    for (const f of sortFindings(findings).slice(0, 8)) t.appendMarkdown(`- ${f.severity}: ${mdProse(f.title)}\n`);
  }
  item.tooltip = t;
  return item;
}

function findingTooltip(f: Finding): vscode.MarkdownString {
  const t = new vscode.MarkdownString();
  t.appendMarkdown(`**${mdProse(f.title)}** (\`${f.id}\`, ${f.severity})\n\n${mdProse(f.detail)}\n\n**Fix:** ${mdProse(f.fix)}`);
  if (f.evidence?.length) {
    // Not appendCodeblock: its fixed ``` fence closes at the first evidence line that holds one.
    t.appendMarkdown(`\n\n${mdCodeBlock(f.evidence)}`);
  }
  return t;
}
