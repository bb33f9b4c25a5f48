/**
 * Lint time of main.cf files, as CPU time (the machine is shared: CPU time moves less with the load than wall time)
 * and as a ratio to splitting the same text into lines, the cheapest possible pass over it, timed in turns with it.
 *
 * - `duplicates`: the first bench input, 10,000 lines of one 12-line block repeated (every rule's parameters,
 *   continuation lines, comments, typos), so nearly every setting is a duplicate: about 6,700 findings. A stress
 *   case for the cost of a finding, not a file anyone keeps.
 * - `realistic`: 10,000 lines the way a long-lived main.cf is big: every parameter Postfix knows (postconf -d,
 *   data/postfix-params.json) once, each under its own comment block, long lists on continuation lines, and the
 *   site's own settings appended at the end, a few of which override a listed default (duplicates).
 * - keystroke: a 1,000-line file of each kind, one value edited (a character added, then removed) and linted again
 *   the way the editor does it on a change (src/extension/lintService.ts: lintText, then the severity overrides).
 */
import data from '../data/postfix-params.json';
import { lintText } from '../src/core/lint';
import { applySeverityOverrides } from '../src/core/report/overrides';
import { median, ratio } from './stats';

/** The first input: one block repeated, so almost every setting is a duplicate. Also the editor bench's main.cf (bench/editor.bench.ts, as `generate`). */
export function duplicatesMainCf(lines: number): string {
  const block = [
    '# relay through the provider',
    'relayhost = smtp.example.net:465',
    'smtp_sasl_auth_enable = yes',
    'smtp_tls_security_level = may',
    'smtpd_tls_protocols = !SSLv2, !SSLv3,',
    '    !TLSv1.1',
    'smtpd_tls_mandatory_protocols = >= TLSv1.2',
    'smtp_use_tls = yes',
    'smtpd_tls_protocol = >=TLSv1.2',
    'mydestination = $myhostname, localhost.$mydomain,',
    '\tlocalhost',
    'smtpd_tls_ciphers = export',
  ];
  const out: string[] = ['myhostname = mail.example.com'];
  for (let i = 0; out.length < lines; i++) out.push(block[i % block.length].replace('smtpd_tls_protocol ', `custom_param_${i} `));
  return out.join('\n') + '\n';
}

const WORDS = (
  'the default is fine for most sites; change it only when the logs show a reason. See postconf(5) and the ' +
  'README files for what this controls, which daemons read it, and how it interacts with the settings below. ' +
  'Values may refer to other parameters as $name; lists are separated by commas or white space. Run postfix reload ' +
  'after a change, and postconf -n to see what differs from the defaults on this host.'
).split(' ');

const SITE = [
  '# Site settings (appended by the admins; the ones above are the stock defaults)',
  'myhostname = mail.example.com',
  'mydomain = example.com',
  'relayhost = [smtp.example.net]:587',
  'smtp_sasl_auth_enable = yes',
  'smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd',
  'smtp_tls_security_level = encrypt',
  'smtpd_tls_security_level = may',
  'smtpd_tls_chain_files = /etc/ssl/private/mail.pem',
  'smtpd_tls_mandatory_protocols = >=TLSv1.2',
  'smtpd_tls_protocols = >=TLSv1.2',
  'smtp_tls_protocols = >=TLSv1.2',
  'inet_protocols = ipv4',
  'message_size_limit = 52428800',
  'mailbox_size_limit = 0',
];

export const generate = duplicatesMainCf;

/** A long-lived main.cf: every known parameter once under its comment block, then the site's own settings. */
export function realisticMainCf(lines: number): string {
  const defaults = data.defaults as Record<string, string | null>;
  const out: string[] = ['# Postfix main.cf (annotated: each parameter with its default and a note)', ''];
  let w = 0;
  const prose = (first: string) => {
    let s = first;
    while (s.length < 72) s += ` ${WORDS[w++ % WORDS.length]}`;
    return s;
  };
  const entries = Object.entries(defaults);
  const room = lines - SITE.length - 1;
  for (let i = 0; i < entries.length && out.length < room - 12; i++) {
    const [name, def] = entries[i];
    out.push(prose(`# ${name}:`));
    for (let k = 0; k < 3 + (i % 5); k++) out.push(prose('#'));
    out.push('#');
    const value = def ?? (name === 'mynetworks' ? '127.0.0.0/8 [::1]/128' : name === 'mydomain' ? 'example.com' : 'mail.example.com');
    const parts = value.length > 60 ? value.split(/(?<=,) |(?<=[^,]) (?=\S)/) : [value];
    out.push(`${name} =${parts[0] ? ` ${parts[0]}` : ''}`, ...parts.slice(1).map((p) => `    ${p}`));
    out.push('');
  }
  while (out.length < room) out.push(out.length % 7 === 0 ? '' : prose('#'));
  out.push('', ...SITE);
  return out.slice(0, lines).join('\n') + '\n';
}

/** CPU milliseconds of one call (the process's user + system time, GC threads included). */
function cpuMs(fn: () => unknown): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

/** Each function's CPU times, called in turns (a, b, a, b...) so that both see the same load. */
function cpuTimesInTurns(fns: Array<() => unknown>, runs: number): number[][] {
  const out: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) fns.forEach((fn, j) => out[j].push(cpuMs(fn)));
  return out;
}

/** Medians of each function's CPU time, called in turns. */
function cpuInTurns(fns: Array<() => unknown>, runs: number): number[] {
  return cpuTimesInTurns(fns, runs).map(median);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const host = { readFile: () => undefined };
/** What the editor runs on a change (LintService.lintText), without the VS Code calls. */
const editorLint = (path: string, text: string) => applySeverityOverrides(lintText(path, text, host).findings, {});

function fullLint(log: (line: string) => void, label: string, text: string): void {
  const lint = () => lintText('/bench/main.cf', text, host);
  const split = () => text.split('\n').map((l) => l.trim());
  for (let i = 0; i < 3; i++) lint(); // warm-up, also loads the parameter data
  const [bases, ts] = cpuTimesInTurns([split, lint], 31);
  const [base, t] = [median(bases), median(ts)];
  const n = lint().findings.length;
  log(`${label}: 10,000 lines (${(text.length / 1024).toFixed(0)} KiB, ${n} findings)`);
  log(`  baseline line split: ${base.toFixed(2)} ms; lint: ${t.toFixed(1)} ms CPU (median of 31; goal <= 20 ms) -> ${ratio(t, base)} the baseline`);
  // A lint that meets a scavenge of the young generation pays for copying what of it is alive: the median says
  // whether most lints do; the mean and the fastest say what the collections add.
  log(`  lint CPU: mean ${mean(ts).toFixed(1)} ms, fastest ${Math.min(...ts).toFixed(1)} ms`);
}

/** One keystroke: the value of the setting nearest the middle gets a character, the next one takes it away. */
function keystroke(log: (line: string) => void, label: string, text: string): void {
  const lines = text.split('\n');
  let at = lines.length >> 1;
  while (at < lines.length && !/^[a-z]\w* =/.test(lines[at])) at++;
  const edited = [...lines];
  edited[at] = `${lines[at]}x`;
  const variants = [edited.join('\n'), text];
  let k = 0;
  const relint = () => editorLint('/bench/main.cf', variants[k++ % 2]);
  for (let i = 0; i < 5; i++) relint();
  const [t] = cpuInTurns([relint], 41);
  log(`  keystroke in a 1,000-line ${label} file (line ${at + 1} edited): re-lint ${t.toFixed(2)} ms CPU (median of 41; goal <= 5 ms)`);
}

export async function run(log: (line: string) => void): Promise<void> {
  const load = () => `load average ${(require('node:os') as typeof import('node:os')).loadavg()[0].toFixed(1)}`;
  log(`CPU time per lint (${load()})`);
  const dup = duplicatesMainCf(10_000);
  fullLint(log, 'duplicates', dup);
  keystroke(log, 'duplicates', duplicatesMainCf(1_000));
  const real = realisticMainCf(10_000);
  fullLint(log, 'realistic', real);
  keystroke(log, 'realistic', realisticMainCf(1_000));
  log(`(${load()} at the end)`);
}
