/**
 * `mail-tls-doctor report FILE...`: merges the JSON Lines of many runs (the shards of a CI matrix, a nightly
 * run per site) into one SARIF log, JSON document, Markdown report or text summary. A record present in several
 * files counts once; the exit code follows `--fail-on` over the merged findings.
 */
import * as fs from 'node:fs';
import { endpointLabel, printable } from '../core/endpoint';
import { jsonText, mdProse, shellArg, termSafe } from '../core/escape';
import type { Finding } from '../core/finding';
import { readBounded } from '../core/fsread';
import { describeRepeats, percent } from '../core/probe/repeat';
import { formatResult } from '../core/probe/report';
import { md, renderMarkdownReport, type ReportEntry } from '../core/report/markdown';
import { recordFindings, recordProblem, type ProbeRecord, type RunRecord } from '../core/report/records';
import { failsThreshold } from '../core/report/threshold';
import { CliIO, EXIT_FINDINGS, EXIT_OK, paint, UsageError } from './io';
import { takeCommonOptions } from './output/options';
import { sarifFor } from './output/sarif';
import { jsonDocument } from './output/envelope';
import { endpointIdentity } from './targets';
import { looksLikeTlsRpt } from '../core/tlsrpt/parse';
import { plural } from '../core/wording';

/** One shard's JSON Lines of a few thousand endpoints with transcripts stay far below this. */
export const MAX_REPORT_INPUT_BYTES = 256 * 1024 * 1024;
const REPORT_FORMATS = ['text', 'json', 'jsonl', 'sarif', 'markdown'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

export async function runReport(args: string[], io: CliIO): Promise<number> {
  // Mail logs and TLS-RPT reports as one self-contained HTML view (src/cli/reportHtml.ts).
  const html = require('./reportHtml') as typeof import('./reportHtml');
  if (html.wantsHtml(args)) return html.runReportHtml(args, io);
  const { common, rest } = takeCommonOptions(args, REPORT_FORMATS);
  const format = common.format as ReportFormat;
  const files: string[] = [];
  let dashes = false;
  for (const a of rest) {
    if (dashes || a === '-' || !a.startsWith('-')) files.push(a);
    else if (a === '--') dashes = true;
    else throw new UsageError(`unknown option "${printable(a)}"`);
  }
  if (files.length === 0) throw new UsageError('give at least one JSON Lines file (from --format jsonl) to merge');

  const records = await readRecords(files, io);
  // Shards that are all empty almost surely mean the runs produced nothing (a job that failed before printing,
  // an empty target list): merging them into an empty, passing report would hide that. One empty shard among
  // others is fine (a matrix job with nothing to do).
  if (records.length === 0) {
    throw new UsageError(
      `${files.length === 1 ? `${printable(files[0])} holds` : `all ${files.length} input files hold`} no records: a run's --format jsonl output has ` +
        'one line per endpoint or file, so an empty input means the run produced nothing (it failed before printing, or had no targets). ' +
        'Check the job that wrote it.',
    );
  }
  const out = render(records, format, io.color);
  io.out(out);
  const findings = records.flatMap(recordFindings);
  return failsThreshold(findings, common.failOn) ? EXIT_FINDINGS : EXIT_OK;
}

/** Parses and merges JSON Lines files; a line that is not a record is a usage error naming file and line. */
export async function readRecords(files: readonly string[], io: Pick<CliIO, 'readStdin'>): Promise<RunRecord[]> {
  const seen = new Set<string>();
  const out: RunRecord[] = [];
  for (const file of files) {
    const text = await readFile(file, io);
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (!line) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new UsageError(`${printable(file)}:${i + 1}: not JSON (a JSON Lines file from --format jsonl has one object per line)${otherInput(file, text)}`);
      }
      const problem = recordProblem(v);
      if (problem) throw new UsageError(`${printable(file)}:${i + 1}: ${problem}${otherInput(file, text)}`);
      const r = v as RunRecord;
      const key = identity(r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

/**
 * What to do with a file that is not a run's JSON Lines (the first record it fails on): a TLS-RPT report or a mail
 * log is read by `lint` (whose JSON Lines `report` merges) and by `report --format html`.
 */
function otherInput(file: string, text: string): string {
  // The name as one shell word (quoted, never an option), so the command can be pasted as printed; standard input,
  // or a name with characters a terminal acts on, as FILE with a word on why.
  const quoted = file === '-' ? undefined : shellArg(file);
  const name = quoted ?? 'FILE';
  const placeholder = quoted ? '' : file === '-' ? ' (FILE: standard input saved to a file)' : ' (FILE: the file, renamed: its name holds control characters)';
  const how = `\`mail-tls-doctor lint ${name} --format jsonl\` gives records to merge here (or \`--format sarif\` directly), \`mail-tls-doctor report --format html ${name}\` draws it`;
  if (/\.json\.gz$/i.test(file) || looksLikeTlsRpt(text))
    return `. This is a TLS-RPT report (RFC 8460), not a run's JSON Lines: ${how}, \`mail-tls-doctor explain --report ${name}\` sums it up${placeholder}.`;
  if (/^\s*[{[]/.test(text)) return '';
  return `. Mail logs and TLS-RPT reports are not a run's JSON Lines: ${how}${placeholder}.`;
}

async function readFile(file: string, io: Pick<CliIO, 'readStdin'>): Promise<string> {
  if (file === '-') {
    if (!io.readStdin) throw new UsageError('-: there is no standard input');
    return io.readStdin();
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`${printable(file)}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${printable(file)}: not a regular file`);
  if (st.size > MAX_REPORT_INPUT_BYTES) throw new UsageError(`${printable(file)}: larger than ${MAX_REPORT_INPUT_BYTES / 1024 / 1024} MB`);
  // Bounded whatever stat said: the file may have grown, or be a /proc file that reports size 0.
  const r = readBounded(file, MAX_REPORT_INPUT_BYTES);
  if (!r.ok) throw new UsageError(`${printable(file)}: ${r.reason === 'too-large' ? `larger than ${MAX_REPORT_INPUT_BYTES / 1024 / 1024} MB` : r.message}`);
  return r.data.toString('utf8');
}

/** The same record read from two files (a shard uploaded twice) is one record. */
function identity(r: RunRecord): string {
  if (r.type === 'probe') return `probe|${endpointIdentity(r.endpoint)}|${r.address ?? ''}|${r.run ?? 1}|${r.startedAt}`;
  if (r.type === 'repeat') return `repeat|${r.target}|${r.address ?? ''}`;
  return JSON.stringify(r);
}

function render(records: RunRecord[], format: ReportFormat, color: boolean): string {
  if (format === 'sarif') return `${jsonText(sarifFor(records))}\n`;
  // The merged records as they were read, each once: input for another `report` (shards merged in stages).
  if (format === 'jsonl') return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  const probes = records.filter((r): r is ProbeRecord => r.type === 'probe');
  const lint = records.filter((r) => r.type === 'lint');
  const repeats = records.filter((r) => r.type === 'repeat');
  const explain = records.filter((r) => r.type === 'explain');
  const subjects = records.filter((r) => r.type === 'subject');
  if (format === 'json') {
    const strip = <T extends { type: string }>(r: T) => {
      const { type: _type, ...rest } = r;
      return rest;
    };
    return `${jsonText(jsonDocument('report', { results: probes.map(strip), repeat: repeats.map(strip), files: lint.map(strip), matches: explain.flatMap((e) => e.matches), subjects: subjects.map(strip), summary: counts(records) }))}\n`;
  }
  const shown = representative(probes);
  if (format === 'markdown') {
    const entries: ReportEntry[] = shown.map((r) => ({
      endpoint: r.endpoint,
      result: r,
      definedBy: r.definedAt?.map((d) => `${d.source} (${d.file}:${d.range.start.line + 1})`),
    }));
    let text = renderMarkdownReport({
      title: 'Mail TLS Doctor report',
      generatedAt: new Date(),
      entries,
      lintFindings: lint.map((l) => ({ file: l.file, findings: l.findings })),
    });
    const extra: string[] = [];
    const skipped = lint.filter((l) => l.skipped);
    if (skipped.length) {
      extra.push('## Files not linted', '');
      for (const l of skipped) extra.push(`- ${md(l.file)}: ${md(l.skipped ?? '')}`);
      extra.push('');
    }
    const flaky = repeats.filter((v) => v.verdict !== 'ok');
    if (flaky.length) {
      extra.push('## Repeated probes', '');
      for (const v of flaky)
        extra.push(
          `- ${md(v.target)}${v.address ? ` at ${md(v.address)}` : ''}: ${v.verdict} (failed ${v.failedRuns} of ${v.runs} runs, ${percent(v.failedRuns / v.runs)})`,
        );
      extra.push('');
    }
    const other = [
      ...subjects.map((s) => ({ name: `${s.kind} ${s.name}`, findings: s.findings })),
      ...explain.map((e) => ({ name: 'explained error text', findings: recordFindings(e) })),
    ].filter((o) => o.findings.length);
    if (other.length) {
      extra.push('## Other findings', '');
      for (const o of other) {
        extra.push(`### ${md(o.name)}`, '');
        for (const f of o.findings) extra.push(`- ${f.severity.toUpperCase()} \`${f.id.replace(/`/g, "'")}\`: ${mdProse(f.title)}`);
        extra.push('');
      }
    }
    if (extra.length) text = `${text}\n${extra.join('\n')}`;
    return text;
  }
  // text
  const p = paint(color);
  const out: string[] = [];
  for (const r of shown) out.push(formatResult(r, p, false));
  for (const l of lint)
    for (const f of l.findings)
      out.push(
        `${termSafe(l.file)}:${(f.range?.start.line ?? 0) + 1}:${(f.range?.start.character ?? 0) + 1} ${f.severity} ${termSafe(f.id)} ${printable(f.title, 300)}\n`,
      );
  for (const l of lint) if (l.skipped) out.push(`${termSafe(l.file)}: ${termSafe(l.skipped)}\n`);
  for (const s of subjects) for (const f of s.findings) out.push(`${s.kind} ${printable(s.name)}: ${f.severity} ${f.id} ${printable(f.title, 300)}\n`);
  if (repeats.length)
    out.push(
      `${describeRepeats(repeats)
        .map((l) => termSafe(l))
        .join('\n')}\n`,
    );
  const c = counts(records);
  // As lint's own summary counts: the files linted; a PATH or file not linted is named above and counted apart.
  const notLinted = c.notLinted ? `, ${c.notLinted} not linted` : '';
  out.push(
    `${plural(c.endpoints, 'endpoint')}, ${plural(c.files, 'file')} linted${notLinted}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info\n`,
  );
  return out.join('');
}

function counts(records: RunRecord[]): { endpoints: number; files: number; notLinted: number; error: number; warning: number; info: number } {
  const findings: Finding[] = records.flatMap(recordFindings);
  const endpoints = new Set(records.flatMap((r) => (r.type === 'probe' ? [endpointLabel(r.endpoint)] : [])));
  const lint = records.filter((r) => r.type === 'lint');
  return {
    endpoints: endpoints.size,
    files: lint.filter((r) => !r.skipped).length,
    notLinted: lint.filter((r) => r.skipped).length,
    error: findings.filter((f) => f.severity === 'error').length,
    warning: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
  };
}

/** Per endpoint address, the first run that failed (the one worth reading), else the last. */
function representative(probes: ProbeRecord[]): ProbeRecord[] {
  const by = new Map<string, ProbeRecord>();
  for (const r of [...probes].sort((a, b) => (a.run ?? 1) - (b.run ?? 1))) {
    const key = `${endpointIdentity(r.endpoint)}|${r.address ?? ''}`;
    const prev = by.get(key);
    if (!prev || !prev.findings.some((f) => f.severity === 'error')) by.set(key, r);
  }
  return [...by.values()].sort(
    (a, b) => endpointIdentity(a.endpoint).localeCompare(endpointIdentity(b.endpoint)) || (a.address ?? '').localeCompare(b.address ?? ''),
  );
}
