#!/usr/bin/env node
/**
 * Regenerates data/postfix-params.json from the installed Postfix: every parameter name `postconf -d` knows, with
 * its default value. Run it once per Postfix upgrade and check the result in; the lint reads only the JSON, so it
 * works where Postfix is not installed (the editor, CI without Postfix).
 *
 *   node scripts/gen-postfix-params.mjs [path/to/postconf]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const postconf = process.argv[2] ?? 'postconf';
// Defaults computed from the machine that ran the script: they say nothing about the server being linted.
const MACHINE_DEPENDENT = ['myhostname', 'mydomain', 'mynetworks'];

// Parameters added after 3.7 (from the Postfix release notes): known to newer servers, so a config written for
// them must not be called a typo. Each is marked with the version that introduced it.
const NEWER = {
  tls_ffdhe_auto_groups: '3.8',
  smtp_tls_enable_rpk: '3.9',
  smtpd_tls_enable_rpk: '3.9',
  tls_config_file: '3.9',
  tls_config_name: '3.9',
  enable_threaded_bounces: '3.9',
  maillog_file_permissions: '3.9',
  smtpd_hide_client_session: '3.9',
  cleanup_replace_stray_cr_lf: '3.9',
  smtp_tlsrpt_enable: '3.10',
  smtp_tlsrpt_socket_name: '3.10',
  smtp_tlsrpt_skip_reused_handshakes: '3.10',
  tls_required_enable: '3.10',
};

const text = execFileSync(postconf, ['-d'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
const version = execFileSync(postconf, ['-dh', 'mail_version'], { encoding: 'utf8' }).trim();
const defaults = {};
for (const line of text.split('\n')) {
  const i = line.indexOf(' = ');
  if (i > 0) defaults[line.slice(0, i)] = line.slice(i + 3);
  else if (line.endsWith(' =')) defaults[line.slice(0, -2)] = '';
}
for (const name of MACHINE_DEPENDENT) defaults[name] = null;
const sorted = Object.fromEntries(
  Object.keys(defaults)
    .sort()
    .map((k) => [k, defaults[k]]),
);
const out = {
  postfixVersion: version,
  source: `postconf -d (Postfix ${version})`,
  machineDependent: MACHINE_DEPENDENT,
  defaults: sorted,
  newerParameters: NEWER,
};
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'postfix-params.json');
writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${Object.keys(sorted).length} parameters (Postfix ${version}) to ${file}`);
