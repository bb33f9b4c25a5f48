import { report, type RuleContext } from '../context';

/**
 * A main.cf or master.cf saved as "UTF-8 with BOM" (Notepad, some Windows tools) starts with U+FEFF, which Postfix
 * reads as text (postconf 3.7.11, observed): before a main.cf setting it makes another, unknown name and the setting
 * is ignored ("unused parameter: \uFEFFname=value"); before a comment or a blank line Postfix stops ("fatal: ...
 * line 1: missing '=' after attribute name"); in master.cf it becomes part of the first entry's service name
 * (`postconf -M` lists "\uFEFFsmtp"), and before a comment or a blank line Postfix stops ("bad field count").
 * lintText took the mark off, so the other rules judge the file as meant.
 */
export function checkByteOrderMark(ctx: RuleContext, file: 'main.cf' | 'master.cf'): void {
  if (!ctx.host.byteOrderMark) return;
  const first = ctx.doc.lines[0] ?? '';
  const word = /^[^\s=#]*/.exec(first)?.[0] ?? '';
  const setting = file === 'main.cf' && /^[A-Za-z0-9_]+\s*=/.test(first);
  const comment = /^\s*(#|$)/.test(first);
  const what =
    file === 'master.cf'
      ? comment
        ? 'Postfix reads line 1 as an entry, not a comment, and stops ("fatal: file ... line 1: bad field count"): it does not start.'
        : `Postfix reads it as part of the first entry's service name ("\\uFEFF${word}"), which is not the service meant: that service does not run as written.`
      : setting
        ? `Postfix reads it as part of the first parameter's name ("\\uFEFF${word}") and ignores the setting (postconf: "unused parameter").`
        : 'Postfix reads line 1 as a parameter without "=" and stops ("fatal: ... line 1: missing \'=\' after attribute name"): it does not start.';
  report(ctx, 'postfix.byte-order-mark', {
    severity: 'error',
    title: `${file} starts with a byte-order mark (an invisible U+FEFF), which Postfix reads as text.`,
    detail: `${what} Editors hide the mark ("UTF-8 with BOM"); the other findings for this file judge it as meant.`,
    fix: 'Save the file as UTF-8 without a BOM (VS Code: the encoding in the status bar, "Save with Encoding", "UTF-8"; or `sed -i \'1s/^\\xEF\\xBB\\xBF//\' FILE`), then `postfix reload`.',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: word.length } },
    // The first word only: a value (or a comment) may hold a password.
    evidence: [`line 1: U+FEFF before ${/^\s*#/.test(first) ? 'a comment' : word ? `"${word}"` : 'the end of the line'}`],
  });
}
