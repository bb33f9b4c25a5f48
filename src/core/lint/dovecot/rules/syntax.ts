/** Lines Dovecot's config parser rejects: it stops with "Error in configuration file FILE line N: ..." and does not start. */
import { printable } from '../../../endpoint';
import { report, type DovecotContext } from '../context';
import type { ProblemKind } from '../parser';

/** What Dovecot says, as its log shows it (a function where that depends on the line). */
const TEXT: Record<ProblemKind, { title: string; dovecot: string | ((excerpt: string) => string); fix: string }> = {
  'byte-order-mark': {
    title: 'The file starts with a byte-order mark (an invisible U+FEFF): Dovecot reads it as part of the first line.',
    // doveconf 2.3.19: "Unknown setting: \uFEFFssl" before a setting, "Expecting '{'" before a comment or blank line.
    dovecot: (excerpt) => {
      const key = /^\uFEFF([A-Za-z0-9_.\-/]+)\s*=/.exec(excerpt)?.[1];
      return key !== undefined ? `Unknown setting: \uFEFF${key}` : "Expecting '{'";
    },
    fix: 'Save the file as UTF-8 without a BOM (VS Code: the encoding in the status bar, "Save with Encoding", "UTF-8"; or `sed -i \'1s/^\\xEF\\xBB\\xBF//\' FILE`).',
  },
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
    const said = typeof t.dovecot === 'string' ? t.dovecot : t.dovecot(p.excerpt);
    report(ctx, 'dovecot.syntax-error', {
      severity: 'error',
      title: t.title,
      detail: `Dovecot stops reading its configuration here ("Error in configuration file ... line ${p.line + 1}: ${said}") and does not start, so IMAP and POP3 are down until it is fixed.`,
      fix: t.fix,
      range: p.range,
      evidence: [`line ${p.line + 1}: ${printable(p.excerpt.trim(), 200)}`],
    });
  }
}
