import { CliIO, EXIT_USAGE } from './io';

export async function runExplain(_args: string[], io: CliIO): Promise<number> {
  io.err('mail-tls-doctor explain: not available yet\n');
  return EXIT_USAGE;
}
