/** Lines Dovecot's config parser rejects: it stops with "Error in configuration file FILE line N: ..." and does not start. */
import { printable } from '../../../endpoint';
import { report, type DovecotContext } from '../context';
import type { ProblemKind } from '../parser';

const TEXT: Record<ProblemKind, { title: string; dovecot: string; fix: string }> = {
  'no-equals': {
    title: 'This line is neither "key = value" nor a section.',
    dovecot: "Expecting '{'",
    fix: 'Write it as "key = value", open a section with "name {", or comment it out with #.',
  },
  'no-name': {
    title: 'This line has no valid setting or section name.',
    dovecot: "Missing key name ('=' at the beginning of line)",
    fix: 'Start the line with the setting name (letters, digits, "_"), or comment it out with #.',
  },
  'unexpected-close': {
    title: 'This "}" closes no open section.',
    dovecot: "Unexpected '}'",
    fix: 'Remove the extra "}" (or add the section it was meant to close).',
  },
  'garbage-after-brace': {
    title: 'A section must end its line with "{": its settings go on the lines after it.',
    dovecot: "Garbage after '{'",
    fix: 'Write the section over several lines: "name {" alone on its line, each "key = value" on a line of its own, and "}" alone on the last.',
  },
  'unclosed-section': { title: 'This section is never closed.', dovecot: "Missing '}' (section started at ...)", fix: 'Add the "}" that ends the section.' },
};

export function checkSyntax(ctx: DovecotContext): void {
  for (const p of ctx.conf.problems) {
    // Template text where Dovecot expects a statement (`{% if x %}`, `%ssl_protocol_parameter = ...`) is rendered away.
    if (ctx.template?.markupLine(p.line)) continue;
    const t = TEXT[p.kind];
    report(ctx, 'dovecot.syntax-error', {
      severity: 'error',
      title: t.title,
      detail: `Dovecot stops reading its configuration here ("Error in configuration file ... line ${p.line + 1}: ${t.dovecot}") and does not start, so IMAP and POP3 are down until it is fixed.`,
      fix: t.fix,
      range: p.range,
      evidence: [`line ${p.line + 1}: ${printable(p.excerpt.trim(), 200)}`],
    });
  }
}
