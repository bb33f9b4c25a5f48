/**
 * What must hold for any lint result on any input: well-formed findings, ranges and edits inside the document,
 * and discovered endpoints whose names passed host validation (nothing unvalidated may reach a dialogue).
 */
import { validateHostname } from '../../src/core/endpoint';
import type { Finding, Range } from '../../src/core/finding';
import type { LintResult } from '../../src/core/lint';

const SEVERITIES = new Set(['error', 'warning', 'info']);
const FINDING_ID = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?:\.[a-z0-9-]+)+$/;

/**
 * Line lengths as VS Code counts them (and the LSP): a line ends at `\r\n`, `\n` or a lone `\r`, and the break is
 * not part of the line. A position past the end of its line would land on the next one in the editor. Written
 * here on its own, not taken from the engine, so a shared mistake cannot hide.
 */
export function lineLengths(text: string): number[] {
  return text.split(/\r\n|\n|\r/).map((l) => l.length);
}

export function rangeProblem(r: Range | undefined, lines: number[], what: string): string | undefined {
  if (r === undefined) return undefined;
  const pos = [r?.start, r?.end];
  for (const p of pos) {
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character)) return `${what}: malformed range ${JSON.stringify(r)}`;
    if (p.line < 0 || p.line >= lines.length) return `${what}: line ${p.line} outside a document of ${lines.length} lines`;
    if (p.character < 0 || p.character > lines[p.line]) {
      return `${what}: character ${p.character} outside line ${p.line} of length ${lines[p.line]}`;
    }
  }
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) {
    return `${what}: range ends before it starts ${JSON.stringify(r)}`;
  }
  return undefined;
}

/** `lines` is undefined when the finding points into another file (a `.env` beside the code): no range check. */
export function findingProblem(f: Finding, lines: number[] | undefined): string | undefined {
  const what = `finding ${f?.id}`;
  if (typeof f.id !== 'string' || !FINDING_ID.test(f.id)) return `${what}: unstable or malformed id`;
  if (f.id === 'lint.internal-error') return `${what}: a linter threw (${f.detail})`;
  if (!SEVERITIES.has(f.severity)) return `${what}: severity ${String(f.severity)}`;
  for (const k of ['title', 'detail', 'fix'] as const) {
    if (typeof f[k] !== 'string' || f[k].length === 0) return `${what}: empty ${k}`;
  }
  if (f.evidence !== undefined && (!Array.isArray(f.evidence) || f.evidence.some((e) => typeof e !== 'string'))) {
    return `${what}: evidence is not a list of strings`;
  }
  for (const e of f.edits ?? []) if (typeof e?.newText !== 'string') return `${what}: edit without text`;
  if (!lines) return undefined;
  const bad = rangeProblem(f.range, lines, what);
  if (bad) return bad;
  for (const e of f.edits ?? []) {
    const badEdit = rangeProblem(e.range, lines, `${what} edit`);
    if (badEdit) return badEdit;
  }
  return undefined;
}

/** Returns a description of the first broken invariant, or undefined when the result is sound. */
export function lintResultProblem(text: string, result: LintResult, path: string): string | undefined {
  if (!result || !Array.isArray(result.findings) || !Array.isArray(result.endpoints)) return 'result is not { findings, endpoints }';
  const lines = lineLengths(text);
  for (const f of result.findings) {
    const bad = findingProblem(f, f.file === undefined || f.file === path ? lines : undefined);
    if (bad) return bad;
  }
  for (const d of result.endpoints) {
    const ep = d.endpoint;
    const host = validateHostname(ep.host);
    if (!host.ok) return `endpoint host ${JSON.stringify(ep.host)} was discovered unvalidated (${host.reason})`;
    if (ep.servername !== undefined && !validateHostname(ep.servername).ok) {
      return `endpoint servername ${JSON.stringify(ep.servername)} was discovered unvalidated`;
    }
    if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535) return `endpoint port ${ep.port} out of range`;
    if (d.file === path) {
      const bad = rangeProblem(d.range, lines, `endpoint ${ep.host}`);
      if (bad) return bad;
    }
  }
  return undefined;
}
