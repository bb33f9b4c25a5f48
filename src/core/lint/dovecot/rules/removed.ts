/**
 * Dovecot 2.2's DH settings, left in many configs: 2.3 generates no DH parameters any more (ssl_dh names the file)
 * and logs "Obsolete setting ... ssl_dh_parameters_length is no longer needed" at every start (doveconf 2.3.19,
 * observed; the same for ssl_parameters_regenerate); 2.4 does not know them and refuses to start. The line does
 * nothing in 2.3, so removing it changes nothing there and keeps an upgrade to 2.4 from failing.
 */
import { printable } from '../../../endpoint';
import { position, range } from '../../../plain';
import { lineEvidence, report, type DovecotContext } from '../context';
import { mayBeDovecot22 } from '../version';

const NO_LONGER_NEEDED = new Set(['ssl_dh_parameters_length', 'ssl_parameters_regenerate']);

export function checkObsoleteDhSettings(ctx: DovecotContext): void {
  const maybe22 = mayBeDovecot22(ctx.version, ctx.conf.settings);
  for (const s of ctx.conf.settings) {
    if (!NO_LONGER_NEEDED.has(s.name)) continue;
    const v24 = ctx.version.version === '2.4';
    // The whole line, with its line break when one follows.
    const end = s.line + 1 < ctx.conf.lines.length ? position(s.line + 1, 0) : position(s.line, ctx.conf.lines[s.line].length);
    report(ctx, 'dovecot.removed-setting', {
      severity: v24 ? 'error' : 'info',
      title: v24 ? `Dovecot 2.4 does not know ${s.name}: it refuses to start.` : `${s.name} does nothing since Dovecot 2.3.`,
      detail: v24
        ? `${s.name} is a Dovecot 2.2 setting; 2.4 stops at an unknown setting, so IMAP and POP3 are down.`
        : `Dovecot 2.3 no longer generates DH parameters (ssl_dh names the file, needed only for DHE ciphers) and logs ` +
          `"Obsolete setting ... ${printable(s.name, 60)} is no longer needed" at every start; Dovecot 2.4 refuses to start with it.`,
      fix:
        'Remove the line. If DHE ciphers are wanted, ssl_dh = </path/to/dh.pem (2.4: ssl_server_dh_file = /path/to/dh.pem) names a file made with `openssl dhparam -out dh.pem 4096`.' +
        (maybe22 ? ' Dovecot 2.2 (`dovecot --version`; end of life) still reads it: there keep it, at 2048 or more, until the upgrade.' : ''),
      range: s.nameRange,
      evidence: [lineEvidence(ctx, s)],
      // Not for a line continued with `\`: removing it alone would leave the rest as a statement of its own.
      edits: ctx.conf.lines[s.line].trimEnd().endsWith('\\') ? undefined : [{ range: range(position(s.line, 0), end), newText: '' }],
      editTitle: `Remove ${s.name}${maybe22 ? ' (Dovecot 2.3 and later)' : ''}`,
    });
  }
}
