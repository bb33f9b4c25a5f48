/** Helpers for the Postfix lint tests: lint in-memory files and check that a finding's edits remove it. */
import * as assert from 'node:assert/strict';
import type { Finding, Range } from '../../src/core/finding';
import { applyEdits } from './applyEdits';
import { lintText } from '../../src/core/lint';
import type { LintHost, LintResult } from '../../src/core/lint/types';

export const DIR = '/ws/etc/postfix';

export function memoryHost(files: Record<string, string>, extra: Partial<LintHost> = {}): LintHost {
  return { readFile: (p) => files[p], workspaceRoot: '/ws', ...extra };
}

/** Lints `text` as DIR/name, with `siblings` (e.g. master.cf) and other files readable through the host. */
export function lint(name: 'main.cf' | 'master.cf', text: string, others: Record<string, string> = {}, extra: Partial<LintHost> = {}): LintResult {
  const file = `${DIR}/${name}`;
  const files: Record<string, string> = { [file]: text };
  for (const [k, v] of Object.entries(others)) files[k.startsWith('/') ? k : `${DIR}/${k}`] = v;
  return lintText(file, text, memoryHost(files, extra));
}

export function ids(r: LintResult): string[] {
  return r.findings.map((f) => f.id);
}

export function only(r: LintResult, id: string): Finding {
  const fs = r.findings.filter((f) => f.id === id);
  assert.equal(fs.length, 1, `expected one ${id}, got ${JSON.stringify(r.findings.map((f) => [f.id, f.title]))}`);
  return fs[0];
}

export const range = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

/** The text a range covers (ranges are 0-based, UTF-16, across lines; `\r\n`, `\n` and a lone `\r` end a line). */
export function slice(text: string, r: Range): string {
  const starts = [0];
  const breaks = /\r\n|\n|\r/g;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) starts.push(m.index + m[0].length);
  return text.slice(starts[r.start.line] + r.start.character, starts[r.end.line] + r.end.character);
}

/** Applies the finding's edits, lints again, and asserts the finding (same id) is gone. Returns the new text. */
export function assertFixes(
  name: 'main.cf' | 'master.cf',
  text: string,
  id: string,
  others: Record<string, string> = {},
  extra: Partial<LintHost> = {},
): string {
  const f = only(lint(name, text, others, extra), id);
  assert.ok(f.edits && f.edits.length > 0, `${id} has no edits`);
  assert.ok(f.editTitle, `${id} has no editTitle`);
  const fixed = applyEdits(text, f.edits);
  const after = lint(name, fixed, others, extra);
  assert.ok(!ids(after).includes(id), `${id} still reported after its edit:\n${fixed}`);
  return fixed;
}
