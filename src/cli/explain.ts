/**
 * `mail-tls-doctor explain "TEXT"` (or the text on standard input): what a mail TLS error means, its likely causes,
 * the fix, and the probe command for the server it names.
 * Exit codes: 0 when at least one explanation matched, 1 when the text matched nothing we know, 2 on bad usage;
 * with `--fail-on`, 1 when a recognised error reaches that severity.
 */
import { endpointLabel, hostPort, printable, type Endpoint } from '../core/endpoint';
import { termSafe as t } from '../core/escape';
import { explainError, type ExplanationMatch } from '../core/explain';
import { CliIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, paint, UsageError } from './io';
import { RunOutput, takeCommonOptions } from './output';

/** Pasted logs can be long; explaining more than this is never useful and must stay bounded. */
const MAX_INPUT = 4 * 1024 * 1024;

export async function runExplain(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--report')) return (require('./explainReport') as typeof import('./explainReport')).runExplainReport(args, io);
  try {
    return await explainCommand(args, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`mail-tls-doctor explain: ${err.message} (see: mail-tls-doctor help explain)\n`);
    return EXIT_USAGE;
  }
}

async function explainCommand(args: string[], io: CliIO): Promise<number> {
  const { common, rest } = takeCommonOptions(args);
  const words: string[] = [];
  let stdin = false;
  let dashes = false;
  for (const a of rest) {
    if (dashes) words.push(a);
    else if (a === '-') stdin = true;
    else if (a === '--') dashes = true;
    else if (a.startsWith('--')) throw new UsageError(`unknown option "${printable(a)}"`);
    else words.push(a);
  }
  let text = words.join(' ');
  if (text.trim() === '' || stdin) {
    if (!io.readStdin) throw new UsageError('give the error text as an argument or on standard input');
    text = `${text}\n${await io.readStdin()}`;
  }
  if (text.trim() === '') throw new UsageError('the error text is empty');
  const { matches } = explainError(text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text);
  const out = new RunOutput('explain', io, common);
  out.emit({ type: 'explain', matches });
  const code = out.finish({ json: () => ({ matches }), text: () => render(matches, io.color) });
  // Without --fail-on, explain keeps its meaning: 0 when something was recognised, 1 when nothing was.
  if (!common.failOnGiven) return matches.length ? EXIT_OK : EXIT_FINDINGS;
  return code;
}

export function render(matches: ExplanationMatch[], color: boolean): string {
  const c = paint(color);
  if (!matches.length) {
    return 'No known mail TLS error in this text. Paste the whole error message or log line (for nodemailer: err.code and err.message).\n';
  }
  const out: string[] = [];
  for (const m of matches) {
    const mark = m.severity === 'error' ? c.red('error') : m.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
    // Titles, details and evidence quote the pasted text: through the terminal escaper before any colour.
    out.push(`${mark} ${c.bold(t(m.title))} ${c.dim(`[${t(m.id)}]`)}${m.count > 1 ? c.dim(` (${m.count} lines)`) : ''}`);
    if (m.endpoint) out.push(`  server: ${t(endpointLabel(m.endpoint))}`);
    out.push(`  ${t(m.detail)}`);
    out.push('  causes:');
    m.causes.forEach((cause, i) => out.push(`    ${i + 1}. ${cause.likelihood === 'likely' ? 'likely' : 'possible'}: ${t(cause.cause)}`));
    out.push(`  fix: ${t(m.fix)}`);
    if (m.endpoint) out.push(`  check: ${c.cyan(t(probeCommand(m.endpoint)))}`);
    for (const e of m.evidence) out.push(c.dim(`  > ${t(e)}`));
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export function probeCommand(ep: Endpoint): string {
  return `mail-tls-doctor probe ${hostPort(ep.host, ep.port)} --${ep.mode === 'implicit' ? 'implicit' : 'starttls'}`;
}
