/** The CLI's streams, injected so tests can run commands in-process and read what they print. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Colours and other terminal niceties only when stdout is a terminal (and NO_COLOR is unset). */
  color: boolean;
  /** Standard input, for `explain` without an argument; undefined when there is none. */
  readStdin?: () => Promise<string>;
  signal?: AbortSignal;
}

/** The exit codes, one name each (docs/ci.md and `help` list them). */
export const EXIT_OK = 0;
/** Findings at or above `--fail-on` (explain without --fail-on: nothing recognised). */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
/** A bug: the command could not finish. */
export const EXIT_INTERNAL = 3;
/** Cancelled (SIGINT), as a shell reports a process ended by it. */
export const EXIT_CANCELLED = 130;

const USAGE_ERROR = Symbol.for('mail-tls-doctor.UsageError');

/**
 * Bad arguments: exit code 2 and the message, no stack. Each command is its own bundle with its own copy of this
 * class (scripts/build.mjs), and the dispatcher in dist/cli.js has another, so `instanceof` asks for the mark
 * every copy puts on its errors instead of the class object.
 */
export class UsageError extends Error {
  readonly [USAGE_ERROR] = true;
  override name = 'UsageError';
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [USAGE_ERROR]?: unknown })[USAGE_ERROR] === true;
  }
}

export function paint(enabled: boolean) {
  const wrap = (code: string) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    red: wrap('31'),
    yellow: wrap('33'),
    green: wrap('32'),
    cyan: wrap('36'),
    dim: wrap('2'),
    bold: wrap('1'),
  };
}
