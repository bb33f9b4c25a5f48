/**
 * A `!include` (not `!include_try`) of a file that does not exist stops Dovecot: "Error in configuration file ...
 * line N: No matches" (doveconf 2.3.19, observed). Judged only on the live config (/etc/dovecot): a copy in a
 * workspace is often partial, and its absolute includes name another machine's files. A glob that matches nothing
 * is not judged (the host may not list folders).
 */
import * as nodePath from 'node:path';
import { printable } from '../../../endpoint';
import { deniedAmong } from '../../denied';
import { findInclude, report, type DovecotContext } from '../context';

export function checkMissingIncludes(ctx: DovecotContext): void {
  if (!ctx.live) return;
  for (const inc of ctx.conf.includes) {
    if (inc.optional || /[*?[]/.test(inc.path) || inc.path === '') continue;
    if (findInclude(ctx.host, ctx.serverHome, ctx.file, inc.path)) continue;
    // Dovecot reads it as root; this user may not: nothing can be said about it.
    if (deniedAmong(ctx.host, [nodePath.resolve(nodePath.dirname(ctx.file), inc.path)]) !== undefined) continue;
    report(ctx, 'dovecot.include-missing', {
      severity: 'error',
      title: `!include ${printable(inc.path, 200)}: the file cannot be found or read.`,
      detail: `Dovecot stops reading its configuration here ("Error in configuration file ... line ${inc.line + 1}: No matches") and does not start, so IMAP and POP3 are down.`,
      // No edit to !include_try: Dovecot would then start without what the file sets, which may be its TLS settings.
      fix: 'Fix the path (a relative one is read beside this file) or restore the file; write !include_try only if the server is right without what the file sets.',
      range: inc.range,
      evidence: [`line ${inc.line + 1}: ${printable(ctx.conf.lines[inc.line]?.trim() ?? '', 200)}`],
    });
  }
}
