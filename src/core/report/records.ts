/**
 * The records a run produces, one per endpoint result, linted file, explanation or checked subject: what
 * `--format jsonl` streams (one JSON object per line, as soon as each is done), what `report` reads back from
 * many shards, and what the SARIF, JSON and Markdown renderers take. One shape for every command, so a new
 * command (the domain `check`) plugs in by emitting `subject` records.
 */
import type { Endpoint } from '../endpoint';
import type { ExplanationMatch } from '../explain';
import type { Finding, Range } from '../finding';
import { makeFinding } from '../findings';
import type { DiscoveredEndpoint } from '../lint/types';
import type { RepeatVerdict } from '../probe/repeat';
import type { ProbeResult } from '../probe/types';

/** A config line that named a probed endpoint (`probe --from-config`). */
export interface DefinedAt {
  file: string;
  range: Range;
  source: string;
}

export interface ProbeRecord extends ProbeResult {
  type: 'probe';
  /** 1-based run number with `--repeat N`. */
  run?: number;
  definedAt?: DefinedAt[];
}

export interface LintRecord {
  type: 'lint';
  file: string;
  findings: Finding[];
  endpoints: DiscoveredEndpoint[];
  skipped?: string;
  /**
   * How much the skip matters: absent for a file not read (a warning); `error` for a PATH named on the command line
   * that is missing or a folder that cannot be listed (the run is incomplete: SARIF's executionSuccessful false).
   */
  skippedLevel?: 'error' | 'warning';
}

export interface ExplainRecord {
  type: 'explain';
  matches: ExplanationMatch[];
}

/** `--repeat N`: one verdict per endpoint address once all runs are done. */
export interface RepeatRecord extends RepeatVerdict {
  type: 'repeat';
}

/** Anything else that yields findings about a named thing: a mail domain (`check`), a report file... */
export interface SubjectRecord {
  type: 'subject';
  /** `domain`, ... */
  kind: string;
  name: string;
  findings: Finding[];
  endpoint?: Endpoint;
}

export type RunRecord = ProbeRecord | LintRecord | ExplainRecord | RepeatRecord | SubjectRecord;

/** Every finding a record carries (explanations count as findings of their severity). */
export function recordFindings(r: RunRecord): Finding[] {
  switch (r.type) {
    case 'probe':
    case 'lint':
    case 'subject':
      return r.findings;
    case 'explain':
      return r.matches.map((m) => makeFinding(m.id, { severity: m.severity, title: m.title, detail: m.detail, fix: m.fix, evidence: m.evidence }));
    case 'repeat':
      return [];
  }
}

const TYPES: ReadonlySet<string> = new Set(['probe', 'lint', 'explain', 'repeat', 'subject']);
const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info']);

/**
 * Checks a parsed JSON Lines object enough that the renderers cannot trip over it: its type, and every finding
 * with a string id, a known severity and string texts. Returns a reason when it is not a record.
 */
export function recordProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) return `unknown record type ${JSON.stringify(String(o.type)).slice(0, 40)}`;
  const list = o.type === 'explain' ? o.matches : o.type === 'repeat' ? [] : o.findings;
  if (!Array.isArray(list)) return `a "${o.type}" record without its ${o.type === 'explain' ? 'matches' : 'findings'}`;
  for (const f of list) {
    if (typeof f !== 'object' || f === null) return 'a finding that is not an object';
    const x = f as Record<string, unknown>;
    if (typeof x.id !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(x.id)) return 'a finding without a valid id';
    if (typeof x.severity !== 'string' || !SEVERITIES.has(x.severity)) return `finding ${x.id}: unknown severity`;
    if (typeof x.title !== 'string') return `finding ${x.id}: no title`;
  }
  if (o.type === 'probe' && (typeof o.endpoint !== 'object' || o.endpoint === null)) return 'a probe record without its endpoint';
  if (o.type === 'lint' && typeof o.file !== 'string') return 'a lint record without its file';
  if (o.type === 'subject' && (typeof o.name !== 'string' || typeof o.kind !== 'string')) return 'a subject record without kind and name';
  return undefined;
}
