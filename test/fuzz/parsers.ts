/**
 * The parsers under the linters, called directly: a linter may guard a parser with try/catch or cut its input
 * short, and the parser must hold on its own anyway (the editor and the CLI call some of them directly).
 * Listed by module and export because their signatures differ; an entry whose module or export does not exist
 * (yet) is skipped and reported, so the list can run ahead of the code.
 */
import * as path from 'node:path';

export interface ParserTarget {
  name: string;
  module: string;
  exportName: string;
  /** Which corpus format feeds it; `value` parsers get the soup of that format's values. */
  format: string;
  call(fn: (...args: unknown[]) => unknown, text: string): unknown;
  /** True when the result holds {start,end} ranges into `text` that must stay inside it. */
  rangesIntoText: boolean;
  /** Its linter's own complexity check already times it (bounded pass skips it here; `npm run fuzz` does not). */
  timedByLinter?: boolean;
}

const one = (fn: (...a: unknown[]) => unknown, text: string) => fn(text);

export const PARSERS: ParserTarget[] = [
  { name: 'parseMainCf', module: 'lint/postfix/mainParser', exportName: 'parseMainCf', format: 'postfix-main', call: one, rangesIntoText: true },
  { name: 'parseMasterCf', module: 'lint/postfix/masterParser', exportName: 'parseMasterCf', format: 'postfix-master', call: one, rangesIntoText: true },
  { name: 'parseDestinations', module: 'lint/postfix/destinations', exportName: 'parseDestinations', format: 'postfix-main', call: one, rangesIntoText: false },
  { name: 'tokenizeProtocols', module: 'lint/postfix/protocols', exportName: 'tokenizeProtocols', format: 'postfix-main', call: one, rangesIntoText: false },
  { name: 'analyzeProtocols', module: 'lint/postfix/protocols', exportName: 'analyzeProtocols', format: 'postfix-main', call: one, rangesIntoText: false },
  { name: 'parseDotenv', module: 'lint/dotenv/parse', exportName: 'parseDotenv', format: 'dotenv', call: one, rangesIntoText: true },
  {
    name: 'parseTolerant (JS)',
    module: 'lint/nodemailer/parse',
    exportName: 'parseTolerant',
    format: 'nodemailer-js',
    call: (fn, text) => fn(text, 'mailer.js'),
    rangesIntoText: false,
    timedByLinter: true,
  },
  {
    name: 'parseTolerant (TS)',
    module: 'lint/nodemailer/parse',
    exportName: 'parseTolerant',
    format: 'nodemailer-ts',
    call: (fn, text) => fn(text, 'mailer.ts'),
    rangesIntoText: false,
    timedByLinter: true,
  },
  // Pasted error texts and logs: the explainer reads whatever a user pastes.
  { name: 'explainError (mail log)', module: 'explain', exportName: 'explainError', format: 'maillog', call: one, rangesIntoText: false },
  { name: 'explainError (JS source)', module: 'explain', exportName: 'explainError', format: 'nodemailer-js', call: one, rangesIntoText: false },
];

const CORE_DIR = path.join(__dirname, '../../src/core');

export function loadParser(t: ParserTarget): ((...args: unknown[]) => unknown) | string {
  let mod: Record<string, unknown>;
  try {
    mod = require(path.join(CORE_DIR, t.module)) as Record<string, unknown>;
  } catch (err) {
    return `module ${t.module} not loadable: ${(err as Error).message.split('\n')[0]}`;
  }
  const fn = mod[t.exportName];
  return typeof fn === 'function' ? (fn as (...args: unknown[]) => unknown) : `${t.module} has no ${t.exportName}`;
}

/** Every {start:{line,character}, end:{...}} inside a result (TextDoc and similar skipped: they hold the text). */
export function collectRanges(
  value: unknown,
  out: Array<{ start: { line: number; character: number }; end: { line: number; character: number } }> = [],
  depth = 0,
): typeof out {
  if (depth > 12 || value === null || typeof value !== 'object') return out;
  const v = value as Record<string, unknown>;
  const isPos = (p: unknown) =>
    !!p && typeof p === 'object' && typeof (p as { line?: unknown }).line === 'number' && typeof (p as { character?: unknown }).character === 'number';
  if (isPos(v.start) && isPos(v.end)) {
    out.push(v as (typeof out)[number]);
    return out;
  }
  for (const child of Array.isArray(v) ? v : Object.values(v)) collectRanges(child, out, depth + 1);
  return out;
}
