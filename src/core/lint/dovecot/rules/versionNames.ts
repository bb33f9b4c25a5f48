/**
 * Settings of the other version. Dovecot 2.4 renamed most SSL settings and replaced disable_plaintext_auth
 * (doc.dovecot.org 2.4, "Upgrading Dovecot CE from 2.3 to 2.4", Converted Settings); each version stops at start-up
 * on a name it does not know ("Unknown setting"), so IMAP and POP3 are down. A 2.4 dovecot.conf must start with
 * dovecot_config_version ("The first setting in dovecot.conf MUST now be dovecot_config_version").
 */
import { printable } from '../../../endpoint';
import { isSecretName } from '../../../secrets';
import type { TextEdit } from '../../../finding';
import { lineEvidence, replaceSetting, report, type DovecotContext } from '../context';
import type { DovecotSetting } from '../parser';
import { CONTENT_SETTINGS_23, FILE_SETTINGS_24, NAME_IN_23, RENAMED_IN_24 } from '../version';
import { bool } from './words';

/**
 * The value in the other version's syntax: `<` added or dropped for files, the boolean inverted for cleartext auth,
 * the cipher preference between yes/no and server/client.
 */
export function convertValue(from: string, to: string, value: string): string | undefined {
  const v = value.trim();
  if (from === 'disable_plaintext_auth' || from === 'auth_allow_cleartext') {
    const b = bool(v);
    return b === undefined ? undefined : b ? 'no' : 'yes';
  }
  // 2.3's ssl_prefer_server_ciphers is a boolean; 2.4's ssl_server_prefer_ciphers names the side whose order wins
  // (client or server). Each version refuses the other's words (doveconf 2.3.19: "Invalid boolean value: server").
  if (from === 'ssl_prefer_server_ciphers') {
    const b = bool(v);
    return b === undefined ? undefined : b ? 'server' : 'client';
  }
  if (from === 'ssl_server_prefer_ciphers') {
    const side = v.toLowerCase();
    return side === 'server' ? 'yes' : side === 'client' ? 'no' : undefined;
  }
  if (CONTENT_SETTINGS_23.has(from) && FILE_SETTINGS_24.has(to)) return v.startsWith('<') ? v.slice(1).trim() : undefined;
  if (FILE_SETTINGS_24.has(from) && CONTENT_SETTINGS_23.has(to)) return v === '' ? v : `<${v}`;
  return v;
}

export function checkVersionNames(ctx: DovecotContext): void {
  const version = ctx.version.version;
  if (!version) return;
  for (const s of ctx.conf.settings) {
    const target = version === '2.4' ? RENAMED_IN_24[s.name] : NAME_IN_23[s.name];
    if (!target) continue;
    // A password (ssl_key_password) is never written into the fix or an edit: only the name changes.
    const secret = isSecretName(s.name) && !CONTENT_SETTINGS_23.has(s.name) && !FILE_SETTINGS_24.has(s.name);
    const value = secret ? undefined : convertValue(s.name, target, s.value);
    const shown = secret ? `${target} (the same value)` : value === undefined ? `${target} = ...` : `${target} = ${printable(value, 120)}`;
    // Inside a 2.4 named filter (`ssl_server { cert_file = }`) renaming the line alone cannot make it 2.3's: that
    // version has no such section. The fix says what to write; no edit.
    const edits: TextEdit[] | undefined = s.filter
      ? undefined
      : secret
        ? [{ range: s.nameRange, newText: target }]
        : value !== undefined && s.valueLiteral
          ? [replaceSetting(ctx, s, target, value)]
          : undefined;
    report(ctx, 'dovecot.version-mismatch', {
      severity: 'error',
      title:
        version === '2.4'
          ? `${s.name} is a Dovecot 2.3 name; this config is for 2.4, where it is ${target}.`
          : `${s.name} is a Dovecot 2.4 name; this config is for 2.3, where it is ${target}.`,
      detail:
        // 2.3 already stops at the 2.4 filter's own line (doveconf 2.3.19: "Unknown setting: ssl_server {").
        `Dovecot stops at a setting it does not know ("Unknown setting: ${s.filter && version === '2.3' ? `${s.filter} {` : s.name}"), so IMAP and POP3 do not start. ` +
        `This config is read as ${version} because ${ctx.version.because}.` +
        (s.name === 'disable_plaintext_auth' || s.name === 'auth_allow_cleartext'
          ? ' The two settings mean the opposite: yes in one is no in the other.'
          : '') +
        (version === '2.3' ? ' If the server runs Dovecot 2.4, start dovecot.conf with dovecot_config_version = 2.4.0 instead.' : ''),
      fix: `Write ${shown}${version === '2.4' && CONTENT_SETTINGS_23.has(s.name) ? ' (2.4 takes the path without "<")' : ''}, then \`doveadm reload\`.`,
      range: s.nameRange,
      evidence: [lineEvidence(ctx, s)],
      edits,
      editTitle: `Rename to ${target}`,
    });
  }
  checkConfigVersionFirst(ctx);
}

/** 2.4 reads dovecot_config_version first: a setting, section or include before it is an error there. */
function checkConfigVersionFirst(ctx: DovecotContext): void {
  const cv = ctx.conf.settings.find((s) => s.name === 'dovecot_config_version');
  if (!cv) return;
  const before: DovecotSetting | undefined = ctx.conf.settings.find((s) => s.line < cv.line);
  const firstOther = Math.min(before?.line ?? Infinity, ctx.conf.includes[0]?.line ?? Infinity, ctx.conf.sections[0]?.line ?? Infinity);
  if (firstOther >= cv.line) return;
  report(ctx, 'dovecot.config-version', {
    severity: 'error',
    title: 'dovecot_config_version is not the first setting in the file.',
    detail:
      'Dovecot 2.4 reads the setting names and defaults of the version it names, so it must come before anything else ' +
      `(doc.dovecot.org: "The first setting in dovecot.conf MUST now be dovecot_config_version"). Line ${firstOther + 1} comes first.`,
    fix: 'Move the dovecot_config_version line to the top of dovecot.conf (comments may stay above it).',
    range: cv.nameRange,
    evidence: [lineEvidence(ctx, cv)],
  });
}
