import * as fs from 'node:fs';

/**
 * Writes a Postfix config file as if it had been in place for a minute. Postfix treats a main.cf changed within
 * the last second as still being edited and re-reads it 300 ms apart until it is older (seen with strace:
 * `postconf -c DIR -n` on a just-written main.cf took 1.5 s, on the same file dated a minute back 0.03 s). Every
 * postconf, postmap and postfix run of the tests used to pay that wait.
 */
export function writePostfixConfig(file: string, text: string | Buffer): void {
  fs.writeFileSync(file, text);
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
}
