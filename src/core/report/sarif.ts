/**
 * SARIF 2.1.0 from run records, as GitHub code scanning and other SARIF viewers read it: one rule per finding id
 * (title, help text, docs link), one result per finding located at the file and range (lints), at the config or
 * target-list line that named the endpoint (probes, when known) or at a logical location (the endpoint, the
 * domain), severities mapped to levels, and `partialFingerprints` that stay the same from run to run so an
 * unchanged problem is not reported as new. A probe finding seen at several addresses or in several `--repeat`
 * runs is one result, which says in how many runs it appeared.
 */
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { endpointLabel, hostPort, type Endpoint } from '../endpoint';
import { compareSeverity, type Finding, type Range, type Severity } from '../finding';
import { findingSpec, isFindingId, makeFinding } from '../findings';
import { nodeCrypto } from '../nodeLazy';
import { TLS_VERSIONS } from '../probe/types';
import { versionState } from '../probe/versionDecision';
import { docsAnchorFor, docsPageFor } from './docs';
import type { DefinedAt, ProbeRecord, RunRecord } from './records';

export const FINGERPRINT_KEY = 'mailTlsDoctorFinding/v1';

export interface SarifOptions {
  toolVersion: string;
  /** Absolute directory file paths are made relative to (the repository root in CI); default the cwd. */
  srcRoot?: string;
  /** An absolute link to an id's documentation, when there is one. */
  docsUrl?: (id: string) => string | undefined;
  /** Tool information URI (the project's home page), when known. */
  informationUri?: string;
  /**
   * Problems of the run itself that are no record (a path given on the command line that does not exist, a folder
   * that cannot be read): notifications of the run beside the skipped files'; an error one marks the run unsuccessful.
   */
  notifications?: ReadonlyArray<{ level: 'error' | 'warning'; text: string; path?: string }>;
}

const LEVEL: Record<Severity, Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub's `security-severity` (0-10) orders alerts; errors in TLS setup are high, warnings medium. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.0', warning: '4.0', info: '1.0' };

interface Pending {
  ruleId: string;
  severity: Severity;
  message: string;
  locations: Sarif.Location[];
  fingerprint: string;
  properties?: Sarif.PropertyBag;
}

export function toSarif(records: readonly RunRecord[], opts: SarifOptions): Sarif.Log {
  const root = path.resolve(opts.srcRoot ?? process.cwd());
  const pending: Pending[] = [];
  const seenFindings: Finding[] = [];

  // Lints: one result per finding, at its file and range.
  for (const r of records) {
    if (r.type !== 'lint') continue;
    const occurrences = new Map<string, number>();
    const sorted = [...r.findings].sort(
      (a, b) =>
        (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0) ||
        (a.range?.start.character ?? 0) - (b.range?.start.character ?? 0) ||
        a.id.localeCompare(b.id),
    );
    for (const f of sorted) {
      const file = f.file ?? r.file;
      const uri = artifactUri(file, root);
      // Line numbers move when lines are added above; the id, the file and what the finding says do not.
      const base = `lint|${f.id}|${uri}|${f.title}`;
      const n = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, n);
      seenFindings.push(f);
      pending.push({
        ruleId: f.id,
        severity: f.severity,
        message: messageOf(f),
        locations: [physical(uri, f.range)],
        fingerprint: `${hash(base)}:${n}`,
      });
    }
  }

  // Probes: grouped by endpoint and id across addresses and runs.
  const repeatRuns = new Map<string, number>();
  for (const r of records)
    if (r.type === 'probe' && r.run !== undefined) repeatRuns.set(endpointKey(r.endpoint), Math.max(repeatRuns.get(endpointKey(r.endpoint)) ?? 0, r.run));
  const groups = new Map<
    string,
    {
      endpoint: Endpoint;
      id: string;
      findings: Finding[];
      addresses: Set<string>;
      runs: Set<number>;
      definedAt: DefinedAt[];
      versions: Map<string, Record<string, string>>;
    }
  >();
  const probes = records.filter((r): r is ProbeRecord => r.type === 'probe').sort(compareProbes);
  for (const r of probes) {
    for (const f of r.findings) {
      const key = `${endpointKey(r.endpoint)}|${f.id}`;
      let g = groups.get(key);
      if (!g)
        groups.set(key, (g = { endpoint: r.endpoint, id: f.id, findings: [], addresses: new Set(), runs: new Set(), definedAt: [], versions: new Map() }));
      g.findings.push(f);
      // The first run's view per address (runs are sorted): each version's verdict with its reason.
      if (r.versionReasons && !g.versions.has(r.address ?? '')) g.versions.set(r.address ?? '', versionProperties(r));
      if (r.address) g.addresses.add(r.address);
      g.runs.add(r.run ?? 1);
      for (const d of r.definedAt ?? []) if (!g.definedAt.some((x) => x.file === d.file && x.range.start.line === d.range.start.line)) g.definedAt.push(d);
      seenFindings.push(f);
    }
  }
  for (const g of groups.values()) {
    const worst = [...g.findings].sort((a, b) => compareSeverity(a.severity, b.severity))[0];
    const label = endpointLabel(g.endpoint);
    const totalRuns = repeatRuns.get(endpointKey(g.endpoint));
    let message = `${label}: ${messageOf(worst)}`;
    if (g.addresses.size > 1) message += ` (at ${[...g.addresses].sort().join(', ')})`;
    if (totalRuns && totalRuns > 1) {
      message +=
        g.runs.size === totalRuns
          ? ` Seen in every one of ${totalRuns} runs: persistent.`
          : ` Seen in ${g.runs.size} of ${totalRuns} runs (${Math.round((100 * g.runs.size) / totalRuns)}%): intermittent.`;
    }
    const logical: Sarif.LogicalLocation = { name: endpointName(g.endpoint), fullyQualifiedName: endpointUrl(g.endpoint), kind: 'resource' };
    const locations: Sarif.Location[] = g.definedAt.length
      ? g.definedAt.map((d) => ({ ...physical(artifactUri(d.file, root), d.range), logicalLocations: [logical], message: { text: d.source } }))
      : [{ logicalLocations: [logical] }];
    pending.push({
      ruleId: g.id,
      severity: worst.severity,
      message,
      locations,
      fingerprint: hash(`probe|${g.id}|${endpointKey(g.endpoint)}`),
      properties: {
        endpoint: endpointUrl(g.endpoint),
        ...(g.addresses.size ? { addresses: [...g.addresses].sort() } : {}),
        ...(totalRuns && totalRuns > 1
          ? { runs: totalRuns, failedRuns: g.runs.size, persistence: g.runs.size === totalRuns ? 'persistent' : 'intermittent' }
          : {}),
        ...tlsVersionsProperty(g.versions),
      },
    });
  }

  // Explanations and other subjects (a domain checked by `check`): logical locations.
  for (const r of records) {
    if (r.type === 'explain') {
      const occurrences = new Map<string, number>();
      for (const m of r.matches) {
        const where = m.endpoint ? endpointUrl(m.endpoint) : 'input';
        const base = `explain|${m.id}|${where}`;
        const n = (occurrences.get(base) ?? 0) + 1;
        occurrences.set(base, n);
        const f = makeFinding(m.id, { severity: m.severity, title: m.title, detail: m.detail, fix: m.fix });
        seenFindings.push(f);
        pending.push({
          ruleId: m.id,
          severity: m.severity,
          message: messageOf(f),
          locations: [
            {
              logicalLocations: [
                m.endpoint ? { name: endpointName(m.endpoint), fullyQualifiedName: where, kind: 'resource' } : { name: 'error text', kind: 'text' },
              ],
            },
          ],
          fingerprint: `${hash(base)}:${n}`,
          properties: { lines: m.count },
        });
      }
    } else if (r.type === 'subject') {
      const occurrences = new Map<string, number>();
      for (const f of r.findings) {
        const base = `subject|${r.kind}|${r.name.toLowerCase()}|${f.id}`;
        const n = (occurrences.get(base) ?? 0) + 1;
        occurrences.set(base, n);
        seenFindings.push(f);
        const logical: Sarif.LogicalLocation = { name: r.name, fullyQualifiedName: `${r.kind}:${r.name}`, kind: 'resource' };
        pending.push({
          ruleId: f.id,
          severity: f.severity,
          message: `${r.name}: ${messageOf(f)}`,
          locations: f.file ? [{ ...physical(artifactUri(f.file, root), f.range), logicalLocations: [logical] }] : [{ logicalLocations: [logical] }],
          fingerprint: `${hash(base)}:${n}`,
        });
      }
    }
  }

  const rules = buildRules(seenFindings, opts);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  pending.sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  const results: Sarif.Result[] = pending.map((p) => ({
    ruleId: p.ruleId,
    ruleIndex: index.get(p.ruleId)!,
    level: LEVEL[p.severity],
    message: { text: p.message },
    locations: p.locations,
    partialFingerprints: { [FINGERPRINT_KEY]: p.fingerprint },
    ...(p.properties ? { properties: p.properties } : {}),
  }));

  // Files the lint did not read (too large, binary, UTF-16, unreadable, no linter): code scanning shows these
  // notifications with the run, so a config that was never checked does not pass for a clean one.
  const notifications: Sarif.Notification[] = records
    .flatMap((r) =>
      r.type === 'lint' && r.skipped
        ? [{ uri: artifactUri(r.file, root), text: `${shownPath(r.file, root)}: ${oneLine(r.skipped)}`, level: r.skippedLevel ?? 'warning' }]
        : [],
    )
    .sort((a, b) => a.uri.localeCompare(b.uri))
    .map((n): Sarif.Notification => ({ level: n.level, message: { text: n.text }, locations: [physical(n.uri, undefined)] }));
  for (const n of opts.notifications ?? []) {
    notifications.push({
      level: n.level,
      message: { text: oneLine(n.text) },
      ...(n.path !== undefined ? { locations: [physical(artifactUri(n.path, root), undefined)] } : {}),
    });
  }
  const failed = notifications.some((n) => n.level === 'error');

  const driver: Sarif.ToolComponent = {
    name: 'Mail TLS Doctor',
    version: opts.toolVersion,
    semanticVersion: opts.toolVersion,
    ...(opts.informationUri ? { informationUri: opts.informationUri } : {}),
    rules,
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileUri(root, true) } },
        columnKind: 'utf16CodeUnits',
        results,
        ...(notifications.length ? { invocations: [{ executionSuccessful: !failed, toolExecutionNotifications: notifications }] } : {}),
      },
    ],
  };
}

function buildRules(findings: readonly Finding[], opts: SarifOptions): Sarif.ReportingDescriptor[] {
  const byId = new Map<string, Finding[]>();
  for (const f of findings) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  return [...byId.keys()].sort().map((id) => {
    const all = byId.get(id)!;
    // The same findings give the same rule, whatever order shards or addresses came in.
    const sample = [...all].sort((a, b) => compareSeverity(a.severity, b.severity) || a.title.localeCompare(b.title) || a.detail.localeCompare(b.detail))[0];
    // The registry's generic title for a known id; the help is what the findings themselves say.
    const title = isFindingId(id) ? findingSpec(id).title : sample.title;
    const helpText = [sample.detail, sample.fix ? `Fix: ${sample.fix}` : ''].filter(Boolean).join('\n\n');
    const url = opts.docsUrl?.(id);
    const docs = `Documented in ${docsPageFor(id)} (\`${docsAnchorFor(id)}\`).`;
    const rule: Sarif.ReportingDescriptor = {
      id,
      name: ruleName(id),
      shortDescription: { text: oneLine(title) },
      fullDescription: { text: oneLine(sample.detail || title) },
      help: { text: `${helpText}\n\n${docs}`, markdown: `${mdText(helpText)}\n\n${url ? `[Documentation of \`${id}\`](${url})` : mdText(docs)}` },
      ...(url ? { helpUri: url } : {}),
      defaultConfiguration: { level: LEVEL[isFindingId(id) ? findingSpec(id).severity : sample.severity] },
      properties: {
        tags: [...new Set(['mail', 'tls', id.split('.')[0]])],
        precision: 'high',
        'problem.severity': sample.severity === 'info' ? 'recommendation' : sample.severity,
        'security-severity': SECURITY_SEVERITY[sample.severity],
      },
    };
    return rule;
  });
}

/**
 * `tlsVersions`: each TLS version's verdict and why (`"TLSv1.2": "refused (alert \"handshake failure\" instead of
 * a ServerHello, while TLSv1.1 completed a handshake on the same endpoint)"`), one line each; per address
 * (`tlsVersionsByAddress`) when the endpoint's addresses answered differently.
 */
function versionProperties(r: ProbeRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of TLS_VERSIONS) {
    const reason = r.versionReasons?.[v];
    out[v] = reason ? oneLine(reason) : versionState(r, v);
  }
  return out;
}

function tlsVersionsProperty(byAddress: Map<string, Record<string, string>>): Sarif.PropertyBag {
  const views = [...byAddress.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (views.length === 0) return {};
  const same = views.every(([, v]) => JSON.stringify(v) === JSON.stringify(views[0][1]));
  return same ? { tlsVersions: views[0][1] } : { tlsVersionsByAddress: Object.fromEntries(views) };
}

/** `cert.expires-soon` -> `CertExpiresSoon`: SARIF rule names are identifier-like. */
function ruleName(id: string): string {
  return id
    .split(/[.-]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function messageOf(f: Pick<Finding, 'title' | 'fix'>): string {
  const title = oneLine(f.title);
  return f.fix ? `${title}${/[.!?]$/.test(title) ? '' : '.'} Fix: ${oneLine(f.fix)}` : title;
}

function physical(uri: string, range: Range | undefined): Sarif.Location {
  const loc: Sarif.Location = { physicalLocation: { artifactLocation: { uri, ...(isAbsoluteUri(uri) ? {} : { uriBaseId: 'SRCROOT' }) } } };
  if (range) {
    const startLine = range.start.line + 1;
    const endLine = Math.max(startLine, range.end.line + 1);
    const startColumn = range.start.character + 1;
    let endColumn = range.end.character + 1;
    if (endLine === startLine && endColumn < startColumn) endColumn = startColumn;
    loc.physicalLocation!.region = { startLine, startColumn, endLine, endColumn };
  }
  return loc;
}

/** A file as a message names it: relative to the source root when inside it (the same text on every checkout). */
function shownPath(file: string, root: string): string {
  const rel = path.relative(root, path.resolve(root, file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/** A path relative to the source root (as code scanning matches files), else an absolute file URI. */
export function artifactUri(file: string, root: string): string {
  const abs = path.resolve(root, file);
  const rel = path.relative(root, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).map(encodeURIComponent).join('/');
  return pathToFileUri(abs, false);
}

function pathToFileUri(p: string, dir: boolean): string {
  const parts = path.resolve(p).split(path.sep).map(encodeURIComponent).join('/');
  const s = `file://${parts.startsWith('/') ? '' : '/'}${parts}`;
  return dir && !s.endsWith('/') ? `${s}/` : s;
}

function isAbsoluteUri(u: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(u);
}

function endpointKey(ep: Endpoint): string {
  return `${ep.protocol}|${ep.mode}|${ep.host.toLowerCase().replace(/\.$/, '')}|${ep.port}|${(ep.servername ?? '').toLowerCase()}`;
}

function endpointName(ep: Endpoint): string {
  return hostPort(ep.host, ep.port);
}

/** `smtp+starttls://mx.example.com:25` (with `?servername=` when it differs): the endpoint as one string. */
export function endpointUrl(ep: Endpoint): string {
  const sn = ep.servername && ep.servername.toLowerCase() !== ep.host.toLowerCase() ? `?servername=${encodeURIComponent(ep.servername)}` : '';
  return `${ep.protocol}+${ep.mode}://${endpointName(ep).toLowerCase()}${sn}`;
}

function compareProbes(a: ProbeRecord, b: ProbeRecord): number {
  return endpointKey(a.endpoint).localeCompare(endpointKey(b.endpoint)) || (a.run ?? 1) - (b.run ?? 1) || (a.address ?? '').localeCompare(b.address ?? '');
}

function hash(s: string): string {
  return nodeCrypto().createHash('sha256').update(s).digest('hex').slice(0, 32);
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** SARIF viewers render `help.markdown`: text from findings must not become links or HTML there. */
function mdText(s: string): string {
  return s.replace(/[\\`*_[\]#|<>~]/g, (c) => `\\${c}`);
}
