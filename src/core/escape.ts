/**
 * One escaping function per sink. Text that came from a server (greetings, capability lines, certificate fields),
 * a repository (file names, config values, settings) or a user goes through the function made for where it is
 * shown, and through no other: a terminal, Markdown (hovers, tooltips, the report), a notification.
 * Everything here is pure and linear in the input.
 */

/**
 * Characters a terminal (or a one-line log view) acts on or that disguise text: C0 controls (ESC, CR, LF, BEL...),
 * DEL, C1 controls (U+0080-U+009F, among them U+009B CSI and U+009D OSC, which some terminals honour in UTF-8),
 * the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), the direction marks and the Unicode
 * line and paragraph separators.
 */
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  if (c === '\r') return '\\r';
  if (c === '\n') return '\\n';
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/**
 * Terminal sink: every unsafe character becomes visible text (`\x1b`, `\x9b`, `\u202e`, `\r`, `\n`), so the
 * result is one inert line. `max` cuts the escaped text (with `...`). JSON output does not use this: JSON escapes
 * by itself, and `jsonText` below only adds \u escapes that keep the parsed value exact.
 */
export function termSafe(s: string, max = Infinity): string {
  const escaped = String(s).replace(TERMINAL_UNSAFE, escapeChar);
  return escaped.length > max ? `${escaped.slice(0, max)}...` : escaped;
}

/** True when `s` holds nothing a terminal could act on. */
export function isTermSafe(s: string): boolean {
  TERMINAL_UNSAFE.lastIndex = 0;
  const bad = TERMINAL_UNSAFE.test(s);
  TERMINAL_UNSAFE.lastIndex = 0;
  return !bad;
}

/**
 * Shell sink: one argument of a command printed for the user to paste into a POSIX shell (sh, bash, dash, zsh).
 * A word of only `A-Za-z0-9_@%+=:,./-` stays as it is; anything else is single-quoted (inside single quotes a
 * POSIX shell expands nothing: no `$`, backquote, glob or `;`), each `'` written `'\''`. A name starting with `-`
 * becomes `./-name`, so the command does not read it as an option. Undefined when the text holds a character a
 * terminal acts on (termSafe's set: ESC, CR, LF, C1, bidi controls): no quoting keeps such a name both inert on
 * the screen and the same name in the shell, so the caller writes a placeholder instead.
 */
export function shellArg(s: string): string | undefined {
  const text = String(s);
  if (!isTermSafe(text)) return undefined;
  const word = text.startsWith('-') ? `./${text}` : text;
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * JSON for a terminal or a file: `JSON.stringify` escapes C0 itself; C1 and bidi controls are written as \u
 * escapes too. Parsing the result gives exactly the same value.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Markdown sink, inline text (hovers, tooltips, the report): line breaks (CRLF, LF and a lone CR) become spaces,
 * control and bidi characters become visible escapes, and every character that starts Markdown or HTML syntax is
 * backslash-escaped: emphasis, code spans, links and images (`[`, `]`, `!`), raw HTML and autolinks (`<`, `>`),
 * entities (`&`), headings, tables, strike-through. URLs and e-mail addresses are broken up (`\:`, `/\/`,
 * `www\.`, `\@`) so no renderer turns them into links. Leading white space is dropped
 * and a leading list or underline marker escaped, so text that starts a paragraph stays a paragraph.
 */
export function mdInline(s: string): string {
  return mdBlockStart(mdEscapeInline(String(s).replace(/\r\n|\r|\n/g, ' ')));
}

/**
 * Markdown sink for our own prose with `code` spans (a finding's title, detail and fix): each span stays a code
 * span, inside which Markdown interprets nothing (no link, image, HTML or emphasis), and the text between is escaped
 * as by mdInline. So `postconf -e 'smtp_tls_security_level = encrypt'` reads as code instead of literal backticks,
 * and a server's text inside a span is as inert as in a code block. A lone backtick is escaped.
 */
export function mdProse(s: string): string {
  const parts = String(s)
    .replace(/\r\n|\r|\n/g, ' ')
    .split(/(`[^`]+`)/);
  // Odd indexes are the spans. termSafe inside one too: a control or bidi character is shown, never acted on.
  return mdBlockStart(parts.map((p, i) => (i % 2 === 1 ? `\`${termSafe(p.slice(1, -1))}\`` : mdEscapeInline(p))).join(''));
}

function mdEscapeInline(s: string): string {
  return (
    termSafe(s)
      .replace(/[\\`*_[\]#|<>~!&@]/g, (c) => `\\${c}`)
      // Autolinks and linkified text: `http://`, `//host`, `www.` (an escaped character splits the text a linkifier
      // sees). Bare domain names stay readable: hovers do not link them, and a preview that does (fuzzy linkify)
      // makes an http link the user sees in full, never a command or an image.
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/\/(?=\/)/g, '/\\')
      .replace(/(www)\./gi, '$1\\.')
  );
}

/** Where the text starts a block: no indented code, list item, ordered list or setext underline. */
function mdBlockStart(s: string): string {
  return s
    .replace(/^[ \t]+/, '')
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d{1,9})([.)])/, '$1\\$2');
}

/**
 * Markdown sink, verbatim lines: a fenced code block whose fence is longer than any backtick run inside, so no
 * line can close it (an indented ``` included). Lines are split on CRLF, LF and lone CR, since Markdown breaks
 * lines at each of them, and control and bidi characters become visible escapes. `info` is ours, never external.
 */
export function mdCodeBlock(lines: readonly string[], info = 'text'): string {
  const body = lines.flatMap((l) => String(l).split(/\r\n|\r|\n/)).map((l) => termSafe(l));
  let longest = 2;
  for (const l of body) for (const m of l.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info.replace(/[^A-Za-z0-9-]/g, '')}\n${body.join('\n')}\n${fence}\n`;
}

/**
 * Notification sink (VS Code turns `[label](command:...)` in a notification into a clickable link): one line, no
 * control characters, and no square brackets at all, so no link can form. Notifications should name a setting or
 * point to the output channel rather than quote external text; this is the guard for whatever still reaches one.
 */
export function noticeText(s: string, max = 300): string {
  const one = termSafe(String(s).replace(/\r\n|\r|\n/g, ' '))
    .replace(/\[/g, '(')
    .replace(/\]/g, ')');
  return one.length > max ? `${one.slice(0, max)}...` : one;
}
