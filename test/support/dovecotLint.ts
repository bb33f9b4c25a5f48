/** Helpers for the Dovecot lint tests: lint in-memory files as the live /etc/dovecot or as a workspace copy. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding } from '../../src/core/finding';
import { lintText } from '../../src/core/lint';
import type { LintHost, LintResult } from '../../src/core/lint/types';
import { applyEdits } from './applyEdits';

/** Lints `text` at `file` with the other `files` readable (absolute paths), workspace root /ws. */
export function lintDovecot(file: string, text: string, files: Record<string, string> = {}, extra: Partial<LintHost> = {}): LintResult {
  const all: Record<string, string> = { ...files, [file]: text };
  // A folder lists the files given in it (glob includes), as the CLI's and the editor's hosts list the disk.
  const listDir = (dir: string) => {
    const names = Object.keys(all)
      .filter((p) => path.dirname(p) === dir)
      .map((p) => path.basename(p));
    return names.length > 0 ? names : undefined;
  };
  return lintText(file, text, { readFile: (p) => all[p], listDir, workspaceRoot: '/ws', ...extra });
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
