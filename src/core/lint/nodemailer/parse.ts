/**
 * An error-tolerant JavaScript/TypeScript parse for files that are being edited. `@babel/parser` (chosen over
 * the TypeScript compiler: ~320 KB minified against ~3.5 MB) recovers from many errors by itself, but throws on
 * the ones a half-typed file has most: an unterminated string, a missing comma, an object still open at the end.
 * We repair exactly those and parse again. Every repair keeps the offsets of the text the user wrote (characters
 * are replaced, or closers appended after the end), so ranges from the repaired tree point into the real file.
 */
import type { ParserPlugin } from '@babel/parser';
import type { File } from '@babel/types';

export interface ParsedSource {
  ast: File;
  /** True when the text had to be repaired before it parsed: values near the damage may be missing. */
  repaired: boolean;
  /**
   * Where the text was damaged, as offsets [start, end) of the user's text: characters a repair replaced, closers
   * appended after the end (a span at `text.length`), and errors the parser recovered from by itself. Code that
   * adds text must keep away from them: structure there is a guess.
   */
  damage: Array<{ start: number; end: number }>;
}

/** True when [start, end) holds or touches a damaged span. */
export function isDamaged(parsed: ParsedSource, start: number, end: number): boolean {
  return parsed.damage.some((d) => (d.start === d.end ? d.start >= start && d.start <= end : d.start < end && d.end > start));
}

/**
 * Loaded on the first JavaScript/TypeScript file: the parser is most of the bundles' size, and an editor session
 * with only Postfix files, or a probe, never needs it. The build gives it a bundle of its own
 * (dist/babel-parser.js, scripts/build.mjs).
 */
let babelParser: typeof import('@babel/parser') | undefined;
function babel(): typeof import('@babel/parser') {
  return (babelParser ??= require('@babel/parser') as typeof import('@babel/parser'));
}

/** Each repair costs one parse; a bound keeps a hopeless file linear in practice. */
const MAX_REPAIRS = 16;
/** A placeholder expression: an identifier nothing defines, so it resolves to "unknown". */
const HOLE = '_';

export function pluginsFor(path: string): ParserPlugin[] {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tsx')) return ['typescript', 'jsx', 'decorators-legacy'];
  // `<T>x` casts in .ts files conflict with JSX, so JSX only where it can be.
  if (lower.endsWith('.ts') || lower.endsWith('.mts') || lower.endsWith('.cts')) return ['typescript', 'decorators-legacy'];
  return ['jsx', 'decorators-legacy'];
}

export function parseTolerant(text: string, path: string): ParsedSource | undefined {
  const plugins = pluginsFor(path);
  let src = text;
  let firstError: number | undefined;
  for (let attempt = 0; attempt <= MAX_REPAIRS; attempt++) {
    const result = tryParse(src, plugins);
    if ('ast' in result) return { ast: result.ast, repaired: attempt > 0, damage: damageOf(text, src, result.ast) };
    if (result.pos === undefined) return undefined;
    firstError ??= result.pos;
    const next = attempt < MAX_REPAIRS ? repair(src, text.length, result.pos, result.reason, result.message) : undefined;
    if (next === undefined || next === src) break;
    src = next;
  }
  if (firstError === undefined) return undefined;
  // Last resort: keep what precedes the line of the first damage, and close it.
  const cut = blankFrom(text, lineStart(text, firstError));
  const closed = cut + closersFor(cut);
  const last = tryParse(closed, plugins);
  return 'ast' in last ? { ast: last.ast, repaired: true, damage: damageOf(text, closed, last.ast) } : undefined;
}

/** The spans where the parsed source differs from the user's text, plus the parser's own recovered errors. */
function damageOf(text: string, src: string, ast: File): ParsedSource['damage'] {
  const out: ParsedSource['damage'] = [];
  const n = Math.min(text.length, src.length);
  for (let i = 0; i < n; i++) {
    if (src[i] === text[i]) continue;
    const start = i;
    while (i < n && src[i] !== text[i]) i++;
    out.push({ start, end: i });
  }
  if (src.length !== text.length) out.push({ start: n, end: n });
  for (const e of (ast as File & { errors?: Array<{ pos?: number }> }).errors ?? []) {
    if (typeof e.pos === 'number') out.push({ start: e.pos, end: e.pos });
  }
  return out;
}

type Attempt = { ast: File } | { pos?: number; reason: string; message: string };

function tryParse(src: string, plugins: ParserPlugin[]): Attempt {
  try {
    const ast = babel().parse(src, {
      sourceType: 'unambiguous',
      errorRecovery: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowNewTargetOutsideFunction: true,
      allowUndeclaredExports: true,
      allowSuperOutsideMethod: true,
      plugins,
    });
    return { ast };
  } catch (err) {
    // Babel's SyntaxError carries `pos`; anything else (a stack overflow on absurd nesting) is not repairable.
    const e = err as { pos?: unknown; reasonCode?: unknown; message?: unknown };
    const pos = typeof e.pos === 'number' ? e.pos : undefined;
    return { pos, reason: String(e.reasonCode ?? ''), message: String(e.message ?? '') };
  }
}

function repair(src: string, originalLength: number, pos: number, reason: string, message: string): string | undefined {
  const atEnd = pos > lastNonSpace(src, originalLength);
  if (reason === 'UnterminatedString' || reason === 'UnterminatedTemplate') return fillToLineEnd(src, pos);
  // An unclosed /* runs to the end of the file: all of that is comment, so blanking it changes nothing.
  if (reason === 'UnterminatedComment') return blankFrom(src, pos);
  if (atEnd) {
    if (src.length === originalLength) return src + closersFor(src);
    // Closers were appended and it still fails at the end: the last line itself is broken, drop it.
    const base = src.slice(0, originalLength);
    const cut = blankFrom(base, lineStart(base, Math.max(0, lastNonSpace(base, originalLength))));
    return cut === base ? undefined : cut + closersFor(cut);
  }
  if (/expected ","/.test(message) && pos > 0 && /\s/.test(src[pos - 1]) && !/[\n\r\u2028\u2029]/.test(src[pos - 1])) {
    // `secure: tr⏎  auth: {` — a missing comma at a line break: put it in the white space (the indentation), never
    // in the line break itself, which would join two lines and move later repairs.
    return src.slice(0, pos - 1) + ',' + src.slice(pos);
  }
  return blankLine(src, pos);
}

/** `host: 'smtp.exa⏎` becomes `host: _        ⏎`: the value is unknown, the rest of the file survives. */
function fillToLineEnd(src: string, quote: number): string {
  let end = quote;
  while (end < src.length && src[end] !== '\n' && src[end] !== '\r') end++;
  const len = end - quote;
  if (len <= 0) return src.slice(0, quote) + HOLE + src.slice(quote);
  return src.slice(0, quote) + HOLE + ' '.repeat(len - 1) + src.slice(end);
}

/** Blanks the damaged line from the error on; when that part is already blank, the whole line. */
function blankLine(src: string, pos: number): string | undefined {
  const start = lineStart(src, pos);
  let end = pos;
  while (end < src.length && src[end] !== '\n' && src[end] !== '\r') end++;
  const from = src.slice(pos, end).trim() !== '' ? pos : start;
  const part = src.slice(from, end);
  if (part.trim() === '') return undefined;
  return src.slice(0, from) + ' '.repeat(part.length) + src.slice(end);
}

function blankFrom(src: string, start: number): string {
  return src.slice(0, start) + src.slice(start).replace(/[^\r\n]/g, ' ');
}

function lineStart(src: string, pos: number): number {
  let i = Math.min(pos, src.length);
  while (i > 0 && src[i - 1] !== '\n' && src[i - 1] !== '\r') i--;
  return i;
}

function lastNonSpace(src: string, limit: number): number {
  let i = Math.min(limit, src.length) - 1;
  while (i >= 0 && /\s/.test(src[i])) i--;
  return i;
}

const CLOSER: Record<string, string> = { '{': '}', '(': ')', '[': ']' };

/**
 * What closes every bracket and string still open at the end of `src`, skipping strings and comments. A value
 * left hanging (`port:`, `a ||`, `process.env.`) gets the placeholder first. Regular expressions are not
 * recognised; a `/` inside one can only make the closers wrong, and a wrong guess just costs another repair.
 */
export function closersFor(src: string): string {
  const stack: string[] = [];
  let i = 0;
  let inString: string | undefined;
  while (i < src.length) {
    const c = src[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === inString) inString = undefined;
      else if (inString === '`' && c === '$' && src[i + 1] === '{') {
        stack.push('${');
        inString = undefined;
        i++;
      } else if (inString !== '`' && (c === '\n' || c === '\r')) inString = undefined;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return '*/' + closersFromStack(stack, '');
      i = end + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      inString = c;
    } else if (c === '{' || c === '(' || c === '[') {
      stack.push(c);
    } else if (c === '}' || c === ')' || c === ']') {
      const top = stack.pop();
      if (top === '${') inString = '`';
    }
    i++;
  }
  const open = inString ? inString : '';
  const tail = src.trimEnd();
  const hanging = !inString && /[:=?|&+\-*/.!<>,([]$/.test(tail) && !/[,([]$/.test(tail) ? HOLE : '';
  return closersFromStack(stack, open + hanging);
}

function closersFromStack(stack: string[], prefix: string): string {
  let out = prefix;
  for (let k = stack.length - 1; k >= 0; k--) out += stack[k] === '${' ? '}`' : CLOSER[stack[k]];
  return out;
}
