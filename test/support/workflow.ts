/**
 * Runs the `mail-tls-doctor` commands of a CI workflow (as docs/ci.md shows it) in-process: variables expanded,
 * quotes removed, `*` globs expanded in the working directory, `>` and `>>` redirections written there. Enough
 * shell for one-line commands, so the documented workflow is what the test runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIO } from './cli';

export interface WorkflowCommands {
  /** The YAML of the block. */
  yaml: string;
  /** Lines that run mail-tls-doctor, in order. */
  commands: string[];
}

/** The fenced YAML blocks of a Markdown file that contain `marker`, with their mail-tls-doctor command lines. */
export function workflowBlocks(markdown: string): WorkflowCommands[] {
  const blocks = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.map((yaml) => ({
    yaml,
    commands: yaml
      .split('\n')
      .map((l) => /^\s*(?:-\s+)?(?:run:\s+)?(mail-tls-doctor\s.*)$/.exec(l)?.[1])
      .filter((c): c is string => !!c),
  }));
}

export interface CommandRun {
  argv: string[];
  code: number;
  stderr: string;
}

/**
 * Runs one command line. `vars` expands `${{ matrix.x }}` (as `matrix.x`) and `$NAME` / `"$NAME"`; `extra` is
 * appended to the arguments of the given subcommands (the test CA for `probe`).
 */
export async function runCommandLine(line: string, cwd: string, vars: Record<string, string>, extra: Record<string, string[]> = {}): Promise<CommandRun> {
  const expanded = line.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => lookup(vars, k)).replace(/\$(\w+)/g, (_, k: string) => lookup(vars, k));
  const words = splitWords(expanded);
  let redirect: { file: string; append: boolean } | undefined;
  const argv: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.text === '>' || w.text === '>>') {
      redirect = { file: words[++i].text, append: w.text === '>>' };
    } else if (!w.quoted && w.text.includes('*')) {
      const re = new RegExp(
        `^${w.text
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      const matches = fs
        .readdirSync(cwd)
        .filter((f) => re.test(f))
        .sort();
      argv.push(...(matches.length ? matches : [w.text]));
    } else argv.push(w.text);
  }
  if (argv[0] !== 'mail-tls-doctor') throw new Error(`not a mail-tls-doctor command: ${line}`);
  const args = [...argv.slice(1), ...(extra[argv[1]] ?? [])];
  const io = captureIO();
  const before = process.cwd();
  process.chdir(cwd);
  let code: number;
  try {
    code = await main(args, io);
  } finally {
    process.chdir(before);
  }
  if (redirect) {
    const target = path.resolve(cwd, redirect.file);
    if (redirect.append) fs.appendFileSync(target, io.stdout);
    else fs.writeFileSync(target, io.stdout);
  }
  return { argv: args, code, stderr: io.stderr };
}

function lookup(vars: Record<string, string>, k: string): string {
  if (!(k in vars)) throw new Error(`the workflow uses ${k}, which the test does not set`);
  return vars[k];
}

function splitWords(s: string): { text: string; quoted: boolean }[] {
  const out: { text: string; quoted: boolean }[] = [];
  const re = /"([^"]*)"|'([^']*)'|(>>|>)|([^\s"'>]+)/g;
  let cur: { text: string; quoted: boolean } | undefined;
  let lastEnd = -1;
  for (const m of s.matchAll(re)) {
    const adjacent = cur && m.index === lastEnd && m[3] === undefined;
    const piece = m[1] ?? m[2] ?? m[3] ?? m[4];
    const quoted = m[1] !== undefined || m[2] !== undefined;
    if (adjacent && cur) {
      cur.text += piece;
      cur.quoted ||= quoted;
    } else {
      cur = { text: piece, quoted };
      out.push(cur);
    }
    if (m[3] !== undefined) cur = undefined;
    lastEnd = m.index! + m[0].length;
  }
  return out;
}
