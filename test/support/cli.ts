import type { CliIO } from '../../src/cli/io';
import { main } from '../../src/cli/main';

/** A CliIO that keeps what a command prints, for running `main()` and the commands in-process. */
export function captureIO(color = false): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    color,
    out(s: string) {
      io.stdout += s;
    },
    err(s: string) {
      io.stderr += s;
    },
  };
  return io;
}

/** Runs the CLI in-process with these arguments: its exit code and what it printed. */
export async function runMain(...argv: string[]): Promise<{ code: number } & ReturnType<typeof captureIO>> {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, ...io };
}
