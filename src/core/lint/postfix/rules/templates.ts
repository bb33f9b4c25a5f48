import type { TextDoc } from '../logicalLines';
import type { Setting } from '../mainParser';
import type { ParameterScope } from '../scope';
import { conditionalLines, envSubstitutions, hasTemplateMarkup, isPlaceholderWord, mayHoldTemplateMarkup, templateExpressions } from '../../templates';
import { printable } from '../../../endpoint';
import { report, RuleContext } from '../context';

/** Parameters whose value is a host or a file: where an installer placeholder (`PH_HOSTNAME`) is a value to fill in. */
const HOST_OR_FILE = /^(myhostname|mydomain|myorigin|relayhost|(smtpd|smtp|lmtp)_tls_(cert_file|key_file|eccert_file|eckey_file|chain_files|CAfile|CApath))$/;

export interface TemplateInfo {
  /** What kind of markup, for the finding's wording. */
  kinds: string[];
  examples: string[];
  firstLine: number;
  /** The physical line holds template markup (a syntax problem there is the template's, not Postfix's). */
  markupLine(line: number): boolean;
  /** The setting sits inside a template block (`{% if %}`...): it may not be rendered at all. */
  conditional(s: Setting): boolean;
}

const NONE: readonly string[] = [];

/** Undefined for a plain Postfix file; otherwise where and what the template markup is. */
export function templateInfo(doc: TextDoc, settings: readonly Setting[], scope: ParameterScope): TemplateInfo | undefined {
  const markup = new Set<number>();
  const kinds = new Set<string>();
  const examples: string[] = [];
  // Every opener holds "{" or is "<%" (hasTemplateMarkup): a text without either has no line with markup.
  if (mayHoldTemplateMarkup(doc.text))
    doc.lines.forEach((line, i) => {
      if (!hasTemplateMarkup(line) || /^\s*#/.test(line)) return;
      markup.add(i);
      if (/<%/.test(line)) kinds.add('ERB/EJS markup');
      if (/\{\{|\{%|\{#/.test(line)) kinds.add('Jinja/Go template markup');
      for (const e of templateExpressions(line)) if (examples.length < 3 && !examples.includes(e)) examples.push(e);
    });
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    const env = s.value.includes('$') ? envSubstitutions(s.value, (n) => scope.raw(n) !== undefined) : NONE;
    // A placeholder word holds `_`, `@` or `%` (isPlaceholderWord): a value without them is not split into words.
    const mayHold = s.value.includes('_') || s.value.includes('@') || s.value.includes('%');
    const placeholders = mayHold && HOST_OR_FILE.test(s.name) ? s.value.split(/[\s,:[\]]+/).filter(isPlaceholderWord) : NONE;
    if (env.length === 0 && placeholders.length === 0) continue;
    for (let l = s.firstLine; l <= s.lastLine; l++) if (l >= 0) markup.add(l);
    if (env.length > 0) kinds.add('${VAR} substitution');
    if (placeholders.length > 0) kinds.add('installer placeholders');
    for (const e of [...env.map((n) => `\${${n}}`), ...placeholders]) if (examples.length < 3 && !examples.includes(e)) examples.push(e);
  }
  if (markup.size === 0) return undefined;
  const cond = conditionalLines(doc.lines);
  return {
    kinds: [...kinds],
    examples,
    firstLine: Math.min(...markup),
    markupLine: (line) => markup.has(line),
    conditional: (s) => s.firstLine >= 0 && cond[s.firstLine] === true,
  };
}

export function reportTemplate(ctx: RuleContext, t: TemplateInfo): void {
  const file = ctx.service !== undefined || /master\.cf$/i.test(ctx.file) ? 'master.cf' : 'main.cf';
  report(ctx, 'postfix.template-file', {
    severity: 'info',
    title: `This ${file} is a template (${t.kinds.join(', ')}): its template expressions are not checked.`,
    detail:
      `What an expression such as ${printable(t.examples[0] ?? '{{ x }}', 80)} becomes` +
      ' is decided when the file is ' +
      'rendered. Only the plain Postfix text is linted: template expressions are opaque values (never read as ' +
      'hosts, files or numbers), template control lines are skipped, and settings inside template blocks are not ' +
      'counted as duplicates.',
    fix: 'To check the values too, lint a rendered copy of the file (or the live config on the server).',
    range: { start: { line: t.firstLine, character: 0 }, end: { line: t.firstLine, character: ctx.doc.lines[t.firstLine]?.length ?? 0 } },
    evidence: t.examples.map((e) => `template expression: ${printable(e, 80)}`),
  });
}
