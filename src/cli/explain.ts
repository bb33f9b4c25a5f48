/**
 * `mail-tls-doctor explain "TEXT"` (or the text on standard input): what a mail TLS error means, its likely causes,
 * the fix, and the probe command for the server it names.
 * Exit codes: 0 when at least one explanation matched, 1 when the text matched nothing we know, 2 on bad usage.
 */
import { endpointLabel, type Endpoint } from '../core/endpoint';
import { explainError, type ExplanationMatch } from '../core/explain';
import { CliIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, paint } from './io';

/** Pasted logs can be long; explaining more than this is never useful and must stay bounded. */
const MAX_INPUT = 4 * 1024 * 1024;

export async function runExplain(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--report')) return (require('./explainReport') as typeof import('./explainReport')).runExplainReport(args, io);
  let json = false;
  const words: string[] = [];
  let stdin = false;
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '-') stdin = true;
    else if (a === '--') continue;
    else if (a.startsWith('--')) {
      io.err(`mail-tls-doctor explain: unknown option "${a}"\nUsage: mail-tls-doctor explain "ERROR TEXT" [--json]   (or the text on standard input)\n`);
      return EXIT_USAGE;
    } else words.push(a);
  }
  let text = words.join(' ');
  if (text.trim() === '' || stdin) {
    if (!io.readStdin) {
      io.err('mail-tls-doctor explain: give the error text as an argument or on standard input\n');
      return EXIT_USAGE;
    }
    text = `${text}\n${await io.readStdin()}`;
  }
  if (text.trim() === '') {
    io.err('mail-tls-doctor explain: the error text is empty\n');
    return EXIT_USAGE;
  }
  const { matches } = explainError(text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text);
  if (json) io.out(`${JSON.stringify({ matches }, null, 2)}\n`);
  else io.out(render(matches, io.color));
  return matches.length ? EXIT_OK : EXIT_FINDINGS;
}

export function render(matches: ExplanationMatch[], color: boolean): string {
  const c = paint(color);
  if (!matches.length) {
    return 'No known mail TLS error in this text. Paste the whole error message or log line (for nodemailer: err.code and err.message).\n';
  }
  const out: string[] = [];
  for (const m of matches) {
    const mark = m.severity === 'error' ? c.red('error') : m.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
    out.push(`${mark} ${c.bold(m.title)} ${c.dim(`[${m.id}]`)}${m.count > 1 ? c.dim(` (${m.count} lines)`) : ''}`);
    if (m.endpoint) out.push(`  server: ${endpointLabel(m.endpoint)}`);
    out.push(`  ${m.detail}`);
    out.push('  causes:');
    m.causes.forEach((cause, i) => out.push(`    ${i + 1}. ${cause.likelihood === 'likely' ? 'likely' : 'possible'}: ${cause.cause}`));
    out.push(`  fix: ${m.fix}`);
    if (m.endpoint) out.push(`  check: ${c.cyan(probeCommand(m.endpoint))}`);
    for (const e of m.evidence) out.push(c.dim(`  > ${e}`));
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export function probeCommand(ep: Endpoint): string {
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `mail-tls-doctor probe ${host}:${ep.port} --${ep.mode === 'implicit' ? 'implicit' : 'starttls'}`;
}
