import { report, type RuleContext } from '../context';
import type { Setting } from '../mainParser';

/**
 * `relayhost = [smtp.example.net]:587  # our relay`: main.cf has no comments after a value (only a line whose first
 * non-blank character is `#` is one; postconf(5)), so Postfix keeps the words in the value and a host list, a level,
 * a protocol list or a number no longer parses. The parser already stops the value before the `#` (the other rules
 * judge what was meant, and no relay host or protocol is made of the comment's words); this says what Postfix does
 * with the line. Neither the value nor the comment is quoted: either may hold a password.
 */
export function checkTrailingComments(ctx: RuleContext, settings: readonly Setting[]): void {
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    const at = s.trailingComment;
    if (!at) continue;
    const line = ctx.doc.lines[at.start.line] ?? '';
    let cut = at.start.character;
    while (cut > 0 && (line[cut - 1] === ' ' || line[cut - 1] === '\t')) cut--;
    const start = { line: s.firstLine, character: 0 };
    report(ctx, 'postfix.trailing-comment', {
      severity: 'error',
      title: `The "#" after the value of ${s.name} is not a comment: Postfix reads the rest of the line as part of ${s.name}.`,
      detail:
        'Only a line whose first non-blank character is "#" is a comment in main.cf. Postfix keeps everything after "=" ' +
        `in the value, so ${s.name} holds the comment's words too: a host, a list, a security level or a number with ` +
        'them no longer parses, and Postfix stops with a fatal error or refuses the value where it is used. The other ' +
        'findings for this file judge the value before the "#".',
      fix: 'Put the comment on a line of its own above the setting, then run `postfix reload`.',
      range: at,
      evidence: [`${s.name} = (value) # (comment)`],
      edits: [
        { range: { start, end: start }, newText: `${line.slice(at.start.character, at.end.character)}${ctx.doc.eol}` },
        { range: { start: { line: at.start.line, character: cut }, end: at.end }, newText: '' },
      ],
      editTitle: 'Move the comment to its own line',
    });
  }
}
