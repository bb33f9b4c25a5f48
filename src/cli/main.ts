import { version } from '../../package.json';
import { termSafe } from '../core/escape';
import { helpFor, USAGE } from './help';
import { CliIO, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from './io';

export { USAGE };

type Command = (args: string[], io: CliIO) => Promise<number>;

// Loaded on demand, so `lint` does not pay for the probe engine and the reverse.
const commands: Record<string, () => Command> = {
  probe: () => require('./probe').runProbe,
  lint: () => require('./lint').runLint,
  explain: () => require('./explain').runExplain,
  report: () => require('./report').runReport,
  check: () => require('./check').runCheck,
};

/** Whether this CLI has a command (e.g. the domain `check`, suggested by other commands only when present). */
export function hasCommand(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(commands, name);
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  // `help COMMAND` and `COMMAND --help` print that command's usage and succeed.
  const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (name === 'help' || (commands[name] && (beforeDashes.includes('--help') || beforeDashes.includes('-h')))) {
    const which = name === 'help' ? rest[0] : name;
    const text = helpFor(which);
    if (!text) {
      io.err(`mail-tls-doctor: no help for "${termSafe(which, 80)}": not a command (${Object.keys(commands).join(', ')})\n`);
      return EXIT_USAGE;
    }
    io.out(text);
    return EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${version}\n`);
    return EXIT_OK;
  }
  const load = commands[name];
  if (!load) {
    io.err(`mail-tls-doctor: unknown command "${termSafe(name, 80)}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await load()(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      // One line: what was wrong and where the usage is.
      io.err(`mail-tls-doctor ${name}: ${termSafe(err.message)} (see: mail-tls-doctor help ${name})\n`);
      return EXIT_USAGE;
    }
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.err(
      `mail-tls-doctor ${name}: internal error: ${text
        .split('\n')
        .map((l) => termSafe(l))
        .join('\n')}\n`,
    );
    return EXIT_INTERNAL;
  }
}
