/** SARIF for the CLI: the core renderer with this package's version, docs links and the current directory as root. */
import type * as Sarif from 'sarif';
import { docsUrlFor } from '../../core/report/docs';
import type { RunRecord } from '../../core/report/records';
import { toSarif, type RuleText } from '../../core/report/sarif';

const pkg = require('../../../package.json') as { version: string; homepage?: string; repository?: string | { url?: string } };

/** Set by the finding registry when it is present: its title and help for an id. */
let registryText: ((id: string) => RuleText | undefined) | undefined;
export function useRuleText(fn: (id: string) => RuleText | undefined): void {
  registryText = fn;
}

export function sarifFor(records: readonly RunRecord[], srcRoot = process.cwd()): Sarif.Log {
  return toSarif(records, {
    toolVersion: pkg.version,
    srcRoot,
    docsUrl: (id) => docsUrlFor(id, pkg),
    ruleText: registryText,
    informationUri: pkg.homepage && /^https:\/\//.test(pkg.homepage) ? pkg.homepage : undefined,
  });
}
