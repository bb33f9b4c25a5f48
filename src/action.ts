/**
 * The GitHub Action's entry point (action.yml): reads the inputs the way the runner passes them (`INPUT_<NAME>`
 * environment variables), runs one CLI command, writes its output (SARIF by default, for
 * github/codeql-action/upload-sarif) to a file, and reports `output-file` and `exit-code` through
 * $GITHUB_OUTPUT. The exit code is the CLI's, so `fail-on` decides whether the step fails.
 */
import * as fs from 'node:fs';
import { main } from './cli/main';

const COMMANDS = ['lint', 'probe', 'check', 'explain', 'report'];

/** The runner upper-cases an input's name and keeps its dashes; a composite step may pass `_` instead. */
function input(name: string, fallback = ''): string {
  const upper = name.toUpperCase();
  const v = process.env[`INPUT_${upper}`] ?? process.env[`INPUT_${upper.replace(/-/g, '_')}`] ?? '';
  return v.trim() || fallback;
}

/** Newline-, comma- or space-separated list (YAML block scalars give newlines). */
function list(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (file) fs.appendFileSync(file, `${name}=${value.replace(/[\r\n]/g, ' ')}\n`);
}

export async function runAction(): Promise<number> {
  const command = input('command', 'lint');
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`mail-tls-doctor action: unknown command "${command.replace(/[^\x20-\x7e]/g, '?')}" (one of ${COMMANDS.join(', ')})\n`);
    return 2;
  }
  const format = input('format', 'sarif');
  const outputFile = input('output', `mail-tls-doctor.${format === 'text' ? 'txt' : format}`);
  const argv = [
    command,
    ...list(input('targets', command === 'lint' ? '.' : '')),
    '--format',
    format,
    '--fail-on',
    input('fail-on', 'error'),
    ...list(input('args')),
  ];
  let out = '';
  const code = await main(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => process.stderr.write(s),
    color: false,
  });
  fs.writeFileSync(outputFile, out);
  // The job log shows a short account; the findings themselves are in the file (and in code scanning).
  process.stdout.write(`mail-tls-doctor ${command}: exit ${code}, ${format} written to ${outputFile}\n`);
  setOutput('output-file', outputFile);
  setOutput('exit-code', String(code));
  return code;
}

runAction().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mail-tls-doctor action: ${String(err)}\n`);
    process.exitCode = 3;
  },
);
