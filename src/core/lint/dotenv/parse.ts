/**
 * A `.env` reader that keeps positions: `KEY=value`, `export KEY=value`, `KEY: value`, quoted values, inline
 * `# comments` after unquoted values. It never evaluates anything and never throws; lines it cannot read are
 * skipped, as dotenv itself does.
 */
import type { Range } from '../../finding';
import { isSecretName } from '../../secrets';
import { forEachLine } from '../lines';

export interface EnvEntry {
  key: string;
  value: string;
  /** 0-based line of the entry. */
  line: number;
  keyRange: Range;
  valueRange: Range;
  /** Where the entry's line ends (after a closing quote or a comment): a line added after the entry goes there. */
  lineEnd: number;
}

/** More than any real `.env`; a bound so a huge file named `.env` costs little. */
const MAX_LINES = 20_000;
const MAX_LINE_LENGTH = 16_384;

const ENTRY = /^(\s*)(export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*)(.*)$/;

export function parseDotenv(text: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  // dotenv itself turns `\r\n` and a lone `\r` into `\n` before it reads lines, as the editor counts them.
  forEachLine(text, MAX_LINES, MAX_LINE_LENGTH, (raw, line) => {
    const entry = parseLine(raw, line);
    if (entry) out.push(entry);
  });
  return out;
}

function parseLine(raw: string, line: number): EnvEntry | undefined {
  const m = ENTRY.exec(raw);
  if (!m) return undefined;
  const keyStart = m[1].length + (m[2]?.length ?? 0);
  const key = m[3];
  let valueStart = keyStart + key.length + m[4].length;
  let rest = m[5];
  let value: string;
  let valueLength: number;
  const q = rest[0];
  if (q === '"' || q === "'" || q === '`') {
    const close = rest.indexOf(q, 1);
    value = close > 0 ? rest.slice(1, close) : rest.slice(1);
    if (q === '"') value = value.replace(/\\n/g, '\n');
    valueStart += 1;
    valueLength = value.length;
    if (close > 0) valueLength = close - 1;
  } else {
    const hash = rest.search(/\s#/);
    if (hash >= 0) rest = rest.slice(0, hash);
    value = rest.trimEnd();
    valueLength = value.length;
  }
  return {
    key,
    value,
    line,
    keyRange: { start: { line, character: keyStart }, end: { line, character: keyStart + key.length } },
    valueRange: { start: { line, character: valueStart }, end: { line, character: valueStart + valueLength } },
    lineEnd: raw.length,
  };
}

/** Keys whose values are credentials or could be: their values are never shown, not even in evidence. */
export function isSecretKey(key: string): boolean {
  // Wider than the shared rule on purpose: a variable's value is only quoted when its name says host, port or TLS.
  return isSecretName(key) || /PASS|PWD|SECRET|TOKEN|KEY|AUTH|CREDENTIAL|PRIVATE|SALT|COOKIE|SESSION|SIGNATURE|CERT|DSN|URL|URI|USER|LOGIN/i.test(key);
}

/** Only host, port and TLS switches may be quoted back to the user; everything else stays hidden. */
export function isShowableKey(key: string): boolean {
  return !isSecretKey(key) && /(HOST|PORT|SECURE|SERVER|SERVICE|TLS|SSL|STARTTLS)$/i.test(key);
}
