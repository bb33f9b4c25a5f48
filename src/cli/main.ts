import { PROTOCOL_NAMES } from '../core/protocols';
import { CliIO, EXIT_USAGE, UsageError } from './io';

export const USAGE = `Usage:
  mail-tls-doctor probe HOST[:PORT]... [--protocol ${PROTOCOL_NAMES.join('|')}] [--starttls|--implicit]
                        [--servername NAME] [--ca FILE]... [--timeout MS] [--repeat N] [--json] [--verbose]
  mail-tls-doctor lint PATH... [--json]
  mail-tls-doctor explain "ERROR TEXT"   (or the text on standard input) [--json]
  mail-tls-doctor explain --report FILE...   (TLS-RPT reports, .json or .json.gz) [--json]
  mail-tls-doctor --help | --version
`;

type Command = (args: string[], io: CliIO) => Promise<number>;

// Loaded on demand, so `lint` does not pay for the probe engine and the reverse.
const commands: Record<string, () => Command> = {
  probe: () => require('./probe').runProbe,
  lint: () => require('./lint').runLint,
  explain: () => require('./explain').runExplain,
};

/** Whether this CLI has a command (e.g. the domain `check`, suggested by other commands only when present). */
export function hasCommand(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(commands, name);
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${require('../../package.json').version}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.err(`mail-tls-doctor: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await load()(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`mail-tls-doctor ${name}: ${err.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    io.err(`mail-tls-doctor ${name}: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 3;
  }
}
