/**
 * The one result shape shared by probes, lints and error explanations, so the CLI, the JSON report and the
 * editor (diagnostics, tree, quick fixes) render every source the same way.
 */
import type { FindingId } from './findings/registry';

export type Severity = 'error' | 'warning' | 'info';

/** Zero-based, like the editor's positions; `character` counts UTF-16 code units. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A machine-applicable change to the file a finding points at. */
export interface TextEdit {
  range: Range;
  newText: string;
}

/** Another place that fed the finding, e.g. the `.env` line a value came from. */
export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

export interface Finding {
  /**
   * Stable id, e.g. `cert.expired`, `postfix.legacy-protocols`: declared in src/core/findings/registry.ts,
   * documented, and used as diagnostic code.
   */
  id: FindingId;
  severity: Severity;
  /** One plain-language sentence: what is wrong. */
  title: string;
  /** What it means and who it breaks (Gmail and other strict peers, nodemailer, OpenSSL 3 clients...). */
  detail: string;
  /** Concrete steps that fix it. */
  fix: string;
  /** Transcript lines, certificate fields or config text that show it. Never a secret. */
  evidence?: string[];
  /** For lint findings: the file and the range of the offending name or value. */
  file?: string;
  range?: Range;
  /** The mechanical fix, when there is one; applying it must make the finding disappear. */
  edits?: TextEdit[];
  /** A short label for the edit, shown as the quick fix title. */
  editTitle?: string;
  related?: RelatedLocation[];
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function compareSeverity(a: Severity, b: Severity): number {
  return severityRank[a] - severityRank[b];
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of findings) {
    if (worst === undefined || compareSeverity(f.severity, worst) < 0) worst = f.severity;
  }
  return worst;
}

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
