/**
 * The one output layer of the CLI. A command hands every record to `emit` as soon as it is done and calls
 * `finish` at the end; the layer streams JSON Lines, collects SARIF, and decides the exit code from
 * `--fail-on`. Text and the JSON document stay with the command (their shapes are the command's), through the
 * `text` and `json` callbacks. A new command (the domain `check`) plugs in with `subject` records.
 */
import { jsonText } from '../../core/escape';
import type { Finding } from '../../core/finding';
import { recordFindings, type RunRecord } from '../../core/report/records';
import { failsThreshold } from '../../core/report/threshold';
import { EXIT_FINDINGS, EXIT_OK, type CliIO } from '../io';
import { jsonDocument, type JsonCommand } from './envelope';
import type { CommonOptions } from './options';
import { sarifFor } from './sarif';
import type { SarifOptions } from '../../core/report/sarif';

export { takeCommonOptions, FORMATS, type CommonOptions, type Format } from './options';
export { jsonDocument, schemaId, JSON_SCHEMA_VERSION } from './envelope';

export interface RunOutputHooks {
  /** Text for one record, printed as soon as it is emitted (format text); may print nothing. */
  text?: (r: RunRecord) => string | undefined;
}

export class RunOutput {
  readonly records: RunRecord[] = [];

  constructor(
    /** Names the JSON document's schema. */
    readonly command: JsonCommand,
    readonly io: CliIO,
    readonly common: CommonOptions,
    private readonly hooks: RunOutputHooks = {},
  ) {}

  get format() {
    return this.common.format;
  }

  /** One finished record: streamed now as a JSON line (jsonl) or as text (when the command renders per record). */
  emit(r: RunRecord): void {
    this.records.push(r);
    if (this.common.format === 'jsonl') this.io.out(`${jsonText(r, 0)}\n`);
    else if (this.common.format === 'text' && this.hooks.text) {
      const t = this.hooks.text(r);
      if (t) this.io.out(t);
    }
  }

  /**
   * Writes what is written at the end: the SARIF log, or the command's JSON document (`json`) or closing text
   * (`text`). Returns the exit code the findings deserve under `--fail-on`.
   */
  finish(end: { json?: () => object; text?: () => string | undefined; notifications?: SarifOptions['notifications'] } = {}): number {
    if (this.common.format === 'sarif') this.io.out(`${jsonText(sarifFor(this.records, undefined, end.notifications))}\n`);
    else if (this.common.format === 'json' && end.json) this.io.out(`${jsonText(jsonDocument(this.command, end.json()))}\n`);
    else if (this.common.format === 'text' && end.text) {
      const t = end.text();
      if (t) this.io.out(t);
    }
    return this.exitCode();
  }

  findings(): Finding[] {
    return this.records.flatMap(recordFindings);
  }

  exitCode(): number {
    return failsThreshold(this.findings(), this.common.failOn) ? EXIT_FINDINGS : EXIT_OK;
  }
}
