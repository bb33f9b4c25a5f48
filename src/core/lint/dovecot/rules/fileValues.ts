/**
 * Dovecot 2.3 reads a certificate, key, CA or DH file only when the value starts with `<`; without it the value
 * itself is taken as the PEM text. A path there is no PEM, so the login processes stop at start-up:
 * `imap-login: Fatal: Can't load ssl_cert: There is no valid PEM certificate. (You probably forgot '<' from
 * ssl_cert=</etc/...)` (lib-ssl-iostream, openssl_iostream_use_certificate_error), and IMAP/POP3 are down.
 * Dovecot 2.4's `*_file` settings take the path itself.
 */
import { printable } from '../../../endpoint';
import { lineEvidence, report, type DovecotContext } from '../context';
import { templateTags } from '../../templates';
import { CONTENT_SETTINGS_23 } from '../version';

function startsOpaque(v: string): boolean {
  return v.startsWith('{') && templateTags(v, 1)[0]?.start === 0;
}

export function checkMissingFilePrefix(ctx: DovecotContext): void {
  if (ctx.version.version === '2.4') return;
  for (const s of ctx.conf.settings) {
    if (!CONTENT_SETTINGS_23.has(s.name)) continue;
    const v = s.value.trim();
    // Inline PEM (rare but valid), an empty value (unset), and variables are left alone, and so is a value that
    // starts with template markup (`{{ ssl_dir }}/cert.pem`: the rendered text may start with its own "<").
    if (v === '' || v.startsWith('<') || v.includes('-----BEGIN') || v.startsWith('$') || v.startsWith('%') || startsOpaque(v)) continue;
    if (!/^(\/|\.{1,2}\/|~\/)|\.(pem|crt|cer|key)$/i.test(v)) continue;
    report(ctx, 'dovecot.file-without-prefix', {
      severity: 'error',
      title: `${s.name} = ${printable(v, 120)} has no "<": Dovecot takes the path as the PEM text itself.`,
      detail:
        'In Dovecot 2.3 only a value starting with "<" names a file to read. This one is the text "' +
        `${printable(v, 120)}", which is no PEM, so the login processes stop at start-up ("Fatal: Can't load ${s.name}: ` +
        `There is no valid PEM certificate. (You probably forgot '<' from ${s.name}=<...)") and IMAP/POP3 clients cannot connect.`,
      fix: `Write ${s.name} = <${printable(v, 120)} (Dovecot 2.4 instead names the file without "<": ssl_server_cert_file / ssl_server_key_file), then \`doveadm reload\`.`,
      range: s.valueRange,
      evidence: [lineEvidence(ctx, s)],
      edits: s.valueLiteral ? [{ range: { start: s.valueRange.start, end: s.valueRange.start }, newText: '<' }] : undefined,
      editTitle: `Add "<" before the path`,
    });
  }
}
