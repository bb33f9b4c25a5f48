/**
 * Dovecot configs kept as templates: Ansible/Jinja (`ssl_cert = <{{ dovecot_ssl_cert }}`, `{% if %}` lines), Puppet
 * ERB (`<%= @ssl_cert %>`, `<% end -%>`), PHP (`<?php if (X): ?>`, `<?= X ?>`), envsubst / docker entrypoints
 * (`${SSL_CERT}`), and installers that fill in
 * `%name` / `%{name}` placeholders (modoboa-installer's 10-ssl.conf.tpl has the line
 * `%ssl_protocol_parameter = %ssl_protocols`). What such text becomes is decided when the file is rendered, so a line
 * holding it is no syntax error of Dovecot's, and a value holding it is opaque: never a path, a host, a list or a word.
 * Dovecot's own variables stay Dovecot's: `%u`, `%{user}` in values, lower-case `$name` (2.3) and `$ENV:` / `$SET:` (2.4).
 */
import { envSubstitutions, hasTemplateMarkup, mayHoldTemplateMarkup, templateExpressions } from '../templates';
import { isSecretName } from '../../secrets';
import { stripComment, type DovecotConf } from './parser';

export interface DovecotTemplate {
  /** What kind of markup, for the finding's wording. */
  kinds: string[];
  examples: string[];
  firstLine: number;
  /** The physical line holds template markup: a parse problem there is the template's, not Dovecot's. */
  markupLine(line: number): boolean;
}

/** Names Dovecot 2.4 itself reads after `$` (`$ENV:NAME`, `$SET:name`): not shell substitutions. */
const DOVECOT_DOLLAR = (name: string) => name === 'ENV' || name === 'SET';

/** `${VAR}` / `$VAR` substitutions of upper-case names in a text (Dovecot's own names are lower case). */
function substitutions(text: string): string[] {
  return text.includes('$') ? envSubstitutions(text, DOVECOT_DOLLAR) : [];
}

/** An installer placeholder where a statement starts (`%ssl_protocol_parameter = ...`, `%{extra}`): Dovecot never starts a line with `%`. */
const PERCENT_KEY = /^\s*(%\{?[A-Za-z_][\w.]*\}?)/;

/** The kind of markup on a line, for the finding's wording. */
function markupKind(line: string): string {
  if (/<\?/.test(line)) return 'PHP markup';
  return /<%/.test(line) ? 'ERB/EJS markup' : 'Jinja/Go template markup';
}

/** A value whose meaning is decided when the file is rendered. */
export function isOpaque(value: string): boolean {
  return hasTemplateMarkup(value) || substitutions(value).length > 0;
}

/** Undefined for a plain Dovecot file; otherwise where and what the template markup is. */
export function templateOf(conf: DovecotConf): DovecotTemplate | undefined {
  const markup = new Set<number>();
  const kinds = new Set<string>();
  const examples: string[] = [];
  const text = conf.lines.join('\n');
  const mayHold = mayHoldTemplateMarkup(text);
  const mayDollar = text.includes('$');
  const mayPercent = text.includes('%');
  if (!mayHold && !mayDollar && !mayPercent) return undefined;
  const add = (line: number, kind: string, found: readonly string[]) => {
    markup.add(line);
    kinds.add(kind);
    // `ssl_key_password = {{ vault_pw | default('...') }}`: a secret's expression may hold the secret itself.
    if (isSecretName(/^\s*([^=\s]+)\s*=/.exec(conf.lines[line])?.[1] ?? '')) return;
    for (const e of found) if (examples.length < 3 && !examples.includes(e)) examples.push(e);
  };
  conf.lines.forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    if (mayHold && hasTemplateMarkup(line)) add(i, markupKind(line), templateExpressions(line));
    // Not in a comment after the statement (`ssl = yes # set by ${INSTALLER}`).
    const code = mayDollar || mayPercent ? stripComment(line) : '';
    const env = mayDollar ? substitutions(code) : [];
    if (env.length > 0)
      add(
        i,
        '${VAR} substitution',
        env.map((n) => `\${${n}}`),
      );
    const pct = mayPercent ? PERCENT_KEY.exec(code) : null;
    if (pct) add(i, 'installer placeholders', [pct[1]]);
  });
  if (markup.size === 0) return undefined;
  const glued = mayHold ? gluedLines(conf.lines) : new Set<number>();
  return { kinds: [...kinds], examples, firstLine: Math.min(...markup), markupLine: (line) => markup.has(line) || glued.has(line) };
}

/**
 * Lines Jinja's whitespace control joins to a neighbour: a tag ending in `-%}` / `-}}` / `-#}` eats the newline
 * after it, one starting with `{%-` / `{{-` / `{#-` the newline before it (Mailu spreads `mail_plugins` over lines
 * so). Such a line is part of another statement once rendered, not one of its own.
 */
function gluedLines(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  lines.forEach((line, i) => {
    if (/-[%}#]\}\s*$/.test(line) && i + 1 < lines.length) out.add(i + 1);
    if (/^\s*\{[%{#]-/.test(line) && i > 0) out.add(i - 1);
  });
  return out;
}
