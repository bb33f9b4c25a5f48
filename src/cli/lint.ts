import { CliIO, EXIT_USAGE } from './io';

export async function runLint(_args: string[], io: CliIO): Promise<number> {
  io.err('mail-tls-doctor lint: not available yet\n');
  return EXIT_USAGE;
}
