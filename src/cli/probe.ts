import { CliIO, EXIT_USAGE } from './io';

export async function runProbe(_args: string[], io: CliIO): Promise<number> {
  io.err('mail-tls-doctor probe: not available yet\n');
  return EXIT_USAGE;
}
