/**
 * Template markup in config files and code: Jinja/Ansible/Salt (`{{ x }}`, `{% if %}`, `{{- x -}}`, `{# #}`),
 * Go text/template (`{{ .X }}`, `{{ if }}`/`{{ end }}`), ERB/EJS (`<%= x %>`, `<% if %>`), shell-style
 * `${VAR}`/`$VAR` substitution (envsubst, docker entrypoints), PHP (`<?php if (X): ?>`, `<?= X ?>`) and installer
 * placeholders (`PH_HOSTNAME`).
 * What such an expression becomes is decided when the file is rendered, so the linters treat it as an opaque
 * value: never split into tokens, never checked as a host, a file or a number.
 */

const PAIRS: ReadonlyArray<[string, string]> = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['{#', '#}'],
  ['<%', '%>'],
  ['<?', '?>'],
];

export interface TemplateTag {
  start: number;
  end: number;
  /** `{{`, `{%`, `{#`, `<%` or `<?`. */
  open: string;
  /** The text between the delimiters, without `-`/`=` trim and output markers. */
  inner: string;
}

/**
 * Every template tag in a text, left to right. Linear: for each kind of opener, once no closer follows, no later
 * opener of that kind can have one either, so the kind is dropped.
 */
export function templateTags(text: string, max = Infinity): TemplateTag[] {
  const out: TemplateTag[] = [];
  const live = PAIRS.filter(([o]) => text.includes(o));
  let i = 0;
  while (live.length > 0 && out.length < max) {
    let best: { at: number; pair: [string, string] } | undefined;
    for (let k = live.length - 1; k >= 0; k--) {
      const at = text.indexOf(live[k][0], i);
      if (at < 0) {
        live.splice(k, 1);
        continue;
      }
      if (!best || at < best.at) best = { at, pair: live[k] };
    }
    if (!best) break;
    const [open, close] = best.pair;
    const closeAt = text.indexOf(close, best.at + open.length);
    if (closeAt < 0) {
      live.splice(live.indexOf(best.pair), 1);
      continue;
    }
    // PHP's `<?php` names its language where the others put a trim or output marker.
    const raw = text.slice(best.at + open.length, closeAt).replace(open === '<?' ? /^php\b/ : /^$/, '');
    out.push({ start: best.at, end: closeAt + close.length, open, inner: raw.replace(/^[-=~+#]?\s*/, '').replace(/\s*[-~+]?$/, '') });
    i = closeAt + close.length;
  }
  return out;
}

/**
 * False when no part of the text can hold template markup: every opener holds "{" or is "<%" or "<?". Asked once
 * of a whole file, it spares the per-line checks (hasTemplateMarkup, isTemplateControlLine) of each of its lines.
 */
export function mayHoldTemplateMarkup(text: string): boolean {
  return text.includes('{') || text.includes('<%') || text.includes('<?');
}

export function hasTemplateMarkup(text: string): boolean {
  // Every opener holds "{" or is "<%" or "<?": most lines have none (and a big file has thousands of lines).
  if (!mayHoldTemplateMarkup(text)) return false;
  return templateTags(text, 1).length > 0;
}

const CONTROL_WORD =
  /^(if|else|elif|elsif|else if|end\w*|for|range|with|define|block|template|macro|set|unless|while|case|when|include|import|from|raw|filter|call|\/\*)\b/;

function isControl(tag: TemplateTag, text: string): boolean {
  if (tag.open === '{%' || tag.open === '{#') return true;
  if (tag.open === '<%' || tag.open === '<?') return !/^[=#]/.test(text.slice(tag.start + 2, tag.start + 3));
  return tag.inner === '' || CONTROL_WORD.test(tag.inner);
}

/** A whole line that only controls the template (`{% if x %}`, `{{ end }}`, `<% end %>`, `{# note #}`). */
export function isTemplateControlLine(line: string): boolean {
  if (!mayHoldTemplateMarkup(line)) return false;
  const t = line.trim();
  const tags = templateTags(t);
  if (tags.length === 0 || tags[0].start !== 0 || tags[tags.length - 1].end !== t.length) return false;
  for (let k = 1; k < tags.length; k++) if (t.slice(tags[k - 1].end, tags[k].start).trim() !== '') return false;
  return tags.every((tag) => isControl(tag, t));
}

/** The template expressions in a text, for evidence (each cut short). */
export function templateExpressions(text: string, max = 3): string[] {
  const out: string[] = [];
  for (const tag of templateTags(text, 20)) {
    const s = text.slice(tag.start, tag.end).replace(/\s+/g, ' ');
    const cut = s.length > 60 ? `${s.slice(0, 57)}...` : s;
    if (!out.includes(cut)) out.push(cut);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * An installer or deployment placeholder written where a host or a file name belongs: ALL_CAPS words joined by
 * underscores (`PH_SSL_KEY_FILE`, `SMTP_RELAY_HOST`), `__NAME__`, `@NAME@`, `%NAME%`. No host name has an
 * underscore and no one names a certificate file like that, so such a word is a value still to be filled in.
 */
export function isPlaceholderWord(word: string): boolean {
  return /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(word) || /^(__|@|%)[A-Za-z0-9_]+\1$/.test(word);
}

/** Upper-case macros Postfix itself expands in commands (local(8) mailbox_command, pipe(8)): not substitutions. */
const POSTFIX_COMMAND_MACROS = new Set([
  'CLIENT_ADDRESS',
  'CLIENT_HELO',
  'CLIENT_HOSTNAME',
  'CLIENT_PROTOCOL',
  'DOMAIN',
  'ENVID',
  'EXTENSION',
  'HOME',
  'LOCAL',
  'LOGNAME',
  'ORIGINAL_RECIPIENT',
  'RECIPIENT',
  'SASL_METHOD',
  'SASL_SENDER',
  'SASL_USERNAME',
  'SENDER',
  'SHELL',
  'USER',
]);

/** A `${` or a `$` before a capital: made once (a literal in the function is a new object at each call). */
const MAY_SUBSTITUTE = /\$[{A-Z]/;

/**
 * `${VAR}` / `$VAR` with an upper-case name: shell-style substitution (envsubst, an entrypoint script). Postfix's
 * own parameters are lower-case; `defined` says whether the config itself defines the name (then it is Postfix's).
 */
export function envSubstitutions(value: string, defined: (name: string) => boolean): string[] {
  const out: string[] = [];
  // Postfix's own `$name` is lower case: most values with a `$` have no substitution at all.
  if (!MAY_SUBSTITUTE.test(value)) return out;
  for (const m of value.matchAll(/\$(?:\{([A-Z][A-Z0-9_]*)[}:?]|([A-Z][A-Z0-9_]+)\b)/g)) {
    const name = m[1] ?? m[2];
    if (POSTFIX_COMMAND_MACROS.has(name)) continue;
    if (!defined(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * For each physical line, whether it sits inside a template block (`{% if %}...{% endif %}`,
 * `{{ if }}...{{ end }}`, `<% if %>...<% end %>`, `<?php if (x): ?>...<?php endif; ?>`): a setting there may or may
 * not be rendered.
 */
export function conditionalLines(lines: readonly string[]): boolean[] {
  const out: boolean[] = [];
  let depth = 0;
  for (const line of lines) {
    let opens = 0;
    let closes = 0;
    if (mayHoldTemplateMarkup(line)) {
      for (const tag of templateTags(line)) {
        if (tag.open === '{#' || !isControl(tag, line)) continue;
        if (/^end/.test(tag.inner)) closes++;
        else if (/^(if|for|range|with|define|block|macro|unless|while|case|filter|call|raw)\b/.test(tag.inner) || /\bdo\s*(\|[^|]*\|)?$/.test(tag.inner))
          opens++;
      }
    }
    // A line that opens and closes a block (`a = {% if x %}b{% endif %}`) is itself conditional.
    out.push(depth > 0 || opens > 0 || closes > 0);
    depth = Math.max(0, depth + opens - closes);
  }
  return out;
}
