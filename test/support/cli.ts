import type { CliIO } from '../../src/cli/io';

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
