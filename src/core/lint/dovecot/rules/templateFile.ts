/** One note per templated file: what is linted and what is not (as postfix.template-file says for main.cf). */
import { printable } from '../../../endpoint';
import { report, type DovecotContext } from '../context';

export function reportTemplate(ctx: DovecotContext): void {
  const t = ctx.template;
  if (!t) return;
  report(ctx, 'dovecot.template-file', {
    severity: 'info',
    title: `This Dovecot config is a template (${t.kinds.join(', ')}): its template expressions are not checked.`,
    detail:
      `What an expression such as ${printable(t.examples[0] ?? '{{ x }}', 80)} becomes is decided when the file is rendered. ` +
      'Only the plain Dovecot text is linted: template expressions are opaque values (never read as files, hosts, ' +
      'cipher lists or versions), and lines holding template markup are not reported as syntax errors.',
    fix: 'To check the values too, lint a rendered copy of the file (or the live config on the server, `mail-tls-doctor lint /etc/dovecot`).',
    range: { start: { line: t.firstLine, character: 0 }, end: { line: t.firstLine, character: ctx.conf.lines[t.firstLine]?.length ?? 0 } },
    evidence: t.examples.map((e) => `template expression: ${printable(e, 80)}`),
  });
}
