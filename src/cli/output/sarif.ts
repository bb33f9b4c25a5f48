/** SARIF for the CLI: the core renderer with this package's version, docs links and the current directory as root. */
import type * as Sarif from 'sarif';
import { docsUrlFor } from '../../core/report/docs';
import type { RunRecord } from '../../core/report/records';
import { toSarif, type SarifOptions } from '../../core/report/sarif';
// Named imports: the bundle then holds these three values, not the whole manifest (its `contributes` is most of
// it), which every CLI run that loads this module used to build as an object.
import { homepage, repository, version } from '../../../package.json';

const pkg: { version: string; homepage?: string; repository?: string | { url?: string } } = { version, homepage, repository };

export function sarifFor(records: readonly RunRecord[], srcRoot = process.cwd(), notifications?: SarifOptions['notifications']): Sarif.Log {
  return toSarif(records, {
    notifications,
    toolVersion: pkg.version,
    srcRoot,
    docsUrl: (id) => docsUrlFor(id, pkg),
    informationUri: pkg.homepage && /^https:\/\//.test(pkg.homepage) ? pkg.homepage : undefined,
  });
}
