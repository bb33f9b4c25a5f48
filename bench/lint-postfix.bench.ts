/**
 * Lint time of a generated 10,000-line main.cf (every rule's parameters, continuation lines, comments,
 * duplicates, typos), as a ratio to splitting the same text into lines: the cheapest possible pass over it.
 */
import { lintText } from '../src/core/lint';
import { median, ms, ratio, timeIt } from './stats';

/** Also the editor bench's main.cf (bench/editor.bench.ts). */
export function generate(lines: number): string {
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

export async function run(log: (line: string) => void): Promise<void> {
  const text = generate(10_000);
  const host = { readFile: () => undefined };
  const lint = () => lintText('/bench/main.cf', text, host);
  const split = () => text.split('\n').map((l) => l.trim());
  lint(); // warm-up, also loads the parameter data
  const runs = 15;
  const base = median(await timeIt(split, runs));
  const t = median(await timeIt(lint, runs));
  const n = lint().findings.length;
  log(`main.cf, 10,000 lines (${(text.length / 1024).toFixed(0)} KiB, ${n} findings)`);
  log(`baseline line split: ${ms(base)}; lint: ${ms(t)} -> ${ratio(t, base)} the baseline`);
}
