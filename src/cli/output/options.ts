/**
 * The options every command shares: `--format text|json|jsonl|sarif` (`--json` = `--format json`) and
 * `--fail-on error|warning|info|never`. Each command takes them out of its arguments first, then parses its own.
 */
import { printable } from '../../core/endpoint';
import { DEFAULT_FAIL_ON, FAIL_ON_CHOICES, isFailOn, type FailOn } from '../../core/report/threshold';
import { UsageError } from '../io';

/** `markdown` only for `report`, which renders merged runs. */
export type Format = 'text' | 'json' | 'jsonl' | 'sarif' | 'markdown';
export const FORMATS: readonly Format[] = ['text', 'json', 'jsonl', 'sarif'];

export interface CommonOptions {
  format: Format;
  failOn: FailOn;
  /** True when `--fail-on` was given (explain keeps its own default otherwise). */
  failOnGiven: boolean;
}

/** Removes the shared options from `args` and returns them with the rest. */
export function takeCommonOptions(args: readonly string[], allowed: readonly Format[] = FORMATS): { common: CommonOptions; rest: string[] } {
  const common: CommonOptions = { format: 'text', failOn: DEFAULT_FAIL_ON, failOnGiven: false };
  const rest: string[] = [];
  let formatGiven: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json' && eq < 0) {
      if (formatGiven && formatGiven !== 'json') throw new UsageError(`--json and --format ${formatGiven} exclude each other`);
      formatGiven = 'json';
      common.format = 'json';
    } else if (flag === '--format') {
      const f = value().toLowerCase().replace(/^md$/, 'markdown');
      if (!(allowed as readonly string[]).includes(f)) throw new UsageError(`--format must be ${choices(allowed)}, not "${printable(f)}"`);
      if (formatGiven && formatGiven !== f)
        throw new UsageError(`--format ${f} and --${formatGiven === 'json' ? 'json' : `format ${formatGiven}`} exclude each other`);
      formatGiven = f;
      common.format = f as Format;
    } else if (flag === '--fail-on') {
      const f = value().toLowerCase();
      if (!isFailOn(f)) throw new UsageError(`--fail-on must be ${choices(FAIL_ON_CHOICES)}, not "${printable(f)}"`);
      common.failOn = f;
      common.failOnGiven = true;
    } else {
      rest.push(arg);
    }
  }
  return { common, rest };
}

function choices(list: readonly string[]): string {
  return `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}
