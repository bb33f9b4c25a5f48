import * as fs from 'node:fs';
import type { LintHost } from '../../src/core/lint/types';

/** A lint host over the real file system with `root` as the workspace: what a test folder gives the linters. */
export function diskLintHost(root: string): LintHost {
  return {
    readFile: (p) => {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    workspaceRoot: root,
  };
}
