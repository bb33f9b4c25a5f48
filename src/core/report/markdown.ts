import { endpointLabel, type Endpoint } from '../endpoint';
import { mdCodeBlock, mdInline, mdProse } from '../escape';
import { compareSeverity, type Finding } from '../finding';
import type { ProbeResult } from '../probe/types';
import { TLS_VERSIONS } from '../probe/types';
import { versionState } from '../probe/versionDecision';
import { resultVerdict, countVerdicts } from './verdict';
import { plural } from '../wording';

/** An endpoint as the report lists it: what defined it (if anything) and its probe result (if probed). */
export interface ReportEntry {
  endpoint: Endpoint;
  /** `relayhost in main.cf (etc/postfix/main.cf:12)`; absent for hosts probed by hand. */
  definedBy?: string[];
  result?: ProbeResult;
  /** Why there is no result: "not probed yet", "skipped: the workspace is not trusted". */
  note?: string;
}

export interface ReportInput {
  title?: string;
  generatedAt: Date;
  entries: ReportEntry[];
  /** Lint findings by file (paths as they should be shown, e.g. relative to the workspace). */
  lintFindings?: { file: string; findings: Finding[] }[];
}

const VERDICT_WORD = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/**
 * A Markdown report of endpoints, their findings with the fix, the certificate chain and the accepted TLS
 * versions, then lint findings per file. Every text that came from a server or a config is escaped, so a hostile
 * certificate subject cannot inject links or HTML into the rendered report. Evidence never holds secrets (the
 * engine guarantees that); the report only copies it.
 */
export function renderMarkdownReport(input: ReportInput): string {
  const out: string[] = [];
  out.push(`# ${md(input.title ?? 'Mail TLS Doctor report')}`, '');
  out.push(`Generated ${input.generatedAt.toISOString()}.`, '');
  const results = input.entries.flatMap((e) => (e.result ? [e.result] : []));
  const c = countVerdicts(results);
  out.push(`${plural(input.entries.length, 'endpoint')}, ${results.length} probed: ${c.fail} failing, ${c.warn} with warnings, ${c.pass} passing.`, '');

  if (input.entries.length) out.push('## Endpoints', '');
  for (const e of input.entries) renderEntry(e, out);

  const lint = (input.lintFindings ?? []).filter((f) => f.findings.length > 0);
  if (lint.length) {
    out.push('## Configuration findings', '');
    for (const { file, findings } of lint) {
      out.push(`### ${md(file)}`, '');
      for (const f of sortFindings(findings)) renderFinding(f, out, file);
    }
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function renderEntry(e: ReportEntry, out: string[]): void {
  const r = e.result;
  const head = r ? `${VERDICT_WORD[resultVerdict(r)]} ` : '';
  out.push(`### ${head}${md(endpointLabel(e.endpoint))}`, '');
  for (const d of e.definedBy ?? []) out.push(`- Defined by ${md(d)}`);
  if (!r) {
    out.push(`- ${md(e.note ?? 'Not probed.')}`, '');
    return;
  }
  out.push(`- Probed from ${md(r.probedFrom)}${r.address ? ` (address ${md(r.address)})` : ''} at ${r.startedAt}, ${r.durationMs} ms`);
  out.push(`- Negotiated: ${r.tls ? `${md(r.tls.version)}, ${md(r.tls.cipher)}` : 'no TLS session'}`);
  const versions = TLS_VERSIONS.map((v) => `${v} ${versionState(r, v)}`);
  out.push(`- TLS versions: ${versions.join(', ')}`);
  for (const v of TLS_VERSIONS) if (versionState(r, v) === 'not decided' && r.versionReasons?.[v]) out.push(`  - ${v}: ${md(r.versionReasons[v])}`);
  if (r.trusted !== undefined) out.push(`- Chain trusted: ${r.trusted ? 'yes' : 'no'}`);
  out.push('');
  if (r.certificates.length) {
    out.push('Certificate chain as sent:', '');
    r.certificates.forEach((cert, i) => {
      out.push(`${i}. ${md(cert.subject)}; issuer ${md(cert.issuer)}; valid ${cert.notBefore} to ${cert.notAfter}`);
    });
    out.push('');
  }
  if (r.findings.length) {
    for (const f of sortFindings(r.findings)) renderFinding(f, out);
  } else {
    out.push('No findings.', '');
  }
}

function renderFinding(f: Finding, out: string[], file?: string): void {
  const where = file && f.range ? ` (line ${f.range.start.line + 1})` : '';
  out.push(`#### ${f.severity.toUpperCase()} \`${code(f.id)}\`${where}: ${mdProse(f.title)}`, '');
  if (f.detail) out.push(mdProse(f.detail), '');
  if (f.fix) out.push(`**Fix:** ${mdProse(f.fix)}`, '');
  if (f.evidence?.length) out.push(mdCodeBlock(f.evidence, ''));
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => compareSeverity(a.severity, b.severity) || a.id.localeCompare(b.id));
}

/** The Markdown sink's inline escaper (core/escape.ts), under the name the renderers use. */
export const md = mdInline;

function code(s: string): string {
  return s.replace(/`/g, "'");
}
