/** Helpers for the Dovecot lint tests: lint in-memory files as the live /etc/dovecot or as a workspace copy. */
import * as assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding';
import { lintText } from '../../src/core/lint';
import type { LintHost, LintResult } from '../../src/core/lint/types';
import { applyEdits } from './applyEdits';

/** Lints `text` at `file` with the other `files` readable (absolute paths), workspace root /ws. */
export function lintDovecot(file: string, text: string, files: Record<string, string> = {}, extra: Partial<LintHost> = {}): LintResult {
  const all: Record<string, string> = { ...files, [file]: text };
  return lintText(file, text, { readFile: (p) => all[p], workspaceRoot: '/ws', ...extra });
}

export const ids = (r: LintResult): string[] => r.findings.map((f) => f.id);

export function only(r: LintResult, id: string): Finding {
  const fs = r.findings.filter((f) => f.id === id);
  assert.equal(fs.length, 1, `expected one ${id}, got ${JSON.stringify(r.findings.map((f) => [f.id, f.title]))}`);
  return fs[0];
}

/** Applies the finding's edits and checks the finding is gone from the file's new lint. */
export function editRemoves(file: string, text: string, f: Finding, files: Record<string, string> = {}): string {
  assert.ok(f.edits && f.edits.length > 0, `${f.id} has no edit`);
  const fixed = applyEdits(text, f.edits);
  assert.ok(!ids(lintDovecot(file, fixed, files)).includes(f.id), `${f.id} still there after its edit:\n${fixed}`);
  return fixed;
}
