/**
 * Mail logs (`mail.log`, `maillog`, `mail.err`, `mail.warn`, or any `*.log` that looks like Postfix's) read with
 * the same catalog as `explain`. A busy log repeats the same failure thousands of times, so findings are grouped:
 * one per (error, server) with the count and the first and last line. Lines without a server name (the OpenSSL
 * reason in "TLS library problem") take the server of the neighbouring line from the same Postfix process.
 */
import * as path from 'node:path';
import type { Endpoint } from '../../endpoint';
import { endpointLabel } from '../../endpoint';
import type { Finding, Range } from '../../finding';
import type { CatalogEntry } from '../../explain/catalog';
import { maillogId } from '../../findings';
import { classifyLine, evidenceLine, explanationFinding, looksLikeDovecot, looksLikePostfix, rankedCauses, type LineMatch } from '../../explain';
import { forEachLine } from '../lines';
import type { DiscoveredEndpoint, Linter, LintHost, LintResult } from '../types';
import { analyzeMailLog } from './deliveries';
import { deliveryFindings } from './deliveryFindings';

const LOG_BASES = ['mail.log', 'mail.err', 'mail.warn', 'mail.info', 'maillog'];
const LOG_NAME = /^(mail\.(log|err|warn|info)|maillog)(\.\d+)?$/i;
const MAX_LINES = 1_000_000;
const MAX_LINE_LENGTH = 4_096;
const MAX_FINDINGS = 200;
/** A cheap first sieve: the catalog's regexes run only on lines that can match one of them. */
const INTERESTING = /TLS|SSL|certificate|verif|STARTTLS|handshake|cipher|lost connection|timed out|timeout|refused|Greeting|E[A-Z]{4,}/i;
/** Postfix process tag: `postfix/smtp[1234]:`, `postfix-out/smtp[77]:`. */
const PROCESS = /\b(postfix[\w.-]*(?:\/[\w.-]+)+)\[(\d+)\]:/;

export const maillogLinter: Linter = {
  format: 'maillog',
  files: {
    label: 'mail logs (mail.log, maillog, *.log)',
    // Rotated logs keep their number (`mail.log.1`); compressed ones (`mail.log.2.gz`) are not text.
    names: ['*.log', ...LOG_BASES.flatMap((b) => [b, `${b}.[0-9]`, `${b}.[0-9][0-9]`])],
    activation: ['onLanguage:log', 'workspaceContains:**/{mail.log,maillog}'],
    oversize: 'tail',
  },
  matches(p: string, text?: string): boolean {
    const base = p.split(/[\\/]/).pop() ?? '';
    if (LOG_NAME.test(base)) return true;
    if (!/\.log$/i.test(base)) return false;
    return text === undefined || looksLikePostfixLog(text);
  },
  lint: (p: string, text: string, host?: LintHost): LintResult => lintMailLog(p, typeof text === 'string' ? text : '', host?.now, host?.firstLine),
};

export function looksLikePostfixLog(text: string): boolean {
  const head = text.slice(0, 65_536);
  return /\bpostfix[\w.-]*\/[\w.-]+\[\d+\]:/.test(head) || (looksLikePostfix(head) && /\bsmtpd?\[\d+\]:/.test(head));
}

interface Group {
  entry: CatalogEntry;
  endpoint?: Endpoint;
  count: number;
  first: Range;
  last: Range;
  /** Lines of Dovecot's (imap-login: ...) in a system mail log: the entry's Dovecot advice, not Postfix's. */
  dovecot: boolean;
  /** Raw lines, turned into (masked) evidence only at the end: most lines never need it. */
  firstLine: string;
  lastLine: string;
}

interface Pending {
  entry: CatalogEntry;
  range: Range;
  line: string;
}

/**
 * `firstLine`: the file's line the text starts on, for a log read by its tail (fsread.ts readTail): every range
 * and "line N" in the findings is the file's, so the editor, "Open line" and `sed -n Np` land on the logged line.
 */
export function lintMailLog(file: string, text: string, now?: Date, firstLine = 0): LintResult {
  const groups = new Map<string, Group>();
  const pendingByProcess = new Map<string, Pending[]>();
  const lastEndpoint = new Map<string, Endpoint>();
  const cache = new Map<string, LineMatch[]>();

  const add = (entry: CatalogEntry, endpoint: Endpoint | undefined, range: Range, line: string) => {
    // Informational entries (an untrusted but encrypted session) are grouped across servers: one per server would drown the errors.
    const perServer = entry.severity !== 'info';
    // Debian's mail.log holds Dovecot's lines beside Postfix's: the same error on each side has its own fix.
    const dovecot = entry.dovecot !== undefined && looksLikeDovecot(line);
    const key = `${entry.id}|${dovecot ? 'dovecot' : ''}|${perServer && endpoint ? `${endpoint.host}:${endpoint.port}` : ''}`;
    let g = groups.get(key);
    if (!g) {
      if (groups.size >= MAX_FINDINGS) return;
      g = { entry, endpoint: perServer ? endpoint : undefined, dovecot, count: 0, first: range, last: range, firstLine: line, lastLine: line };
      groups.set(key, g);
    }
    g.count++;
    // Lines of a process that never names its server are added when the log ends (flush), after later lines: order by
    // line number, not by arrival, so "first seen" is the earliest line and the finding points at it.
    if (range.start.line < g.first.start.line) {
      g.first = range;
      g.firstLine = line;
    }
    if (range.start.line >= g.last.start.line) {
      g.last = range;
      g.lastLine = line;
    }
  };

  forEachLine(text, MAX_LINES, MAX_LINE_LENGTH, (raw, n) => {
    if (!INTERESTING.test(raw)) return;
    const line = firstLine + n;
    const proc = PROCESS.exec(raw);
    const matches = classifyCached(proc ? raw.slice(proc.index + proc[0].length) : raw, cache);
    if (!matches.length) return;
    const procKey = proc ? `${proc[1]}[${proc[2]}]` : undefined;
    const range: Range = { start: { line, character: 0 }, end: { line, character: raw.length } };
    const named = matches.find((m) => m.endpoint)?.endpoint;
    if (named && procKey) {
      // Process ids recycle and a log may hold millions: only recent processes are worth remembering.
      if (lastEndpoint.size >= 10_000) lastEndpoint.clear();
      lastEndpoint.set(procKey, named);
      for (const p of pendingByProcess.get(procKey) ?? []) add(p.entry, named, p.range, p.line);
      pendingByProcess.delete(procKey);
    }
    for (const m of matches) {
      if (m.endpoint || !procKey) add(m.entry, m.endpoint, range, raw);
      else if (lastEndpoint.has(procKey)) add(m.entry, lastEndpoint.get(procKey), range, raw);
      else {
        const list = pendingByProcess.get(procKey) ?? [];
        if (list.length < 50) list.push({ entry: m.entry, range, line: raw });
        pendingByProcess.set(procKey, list);
      }
    }
    if (pendingByProcess.size > 10_000) flush(pendingByProcess, add);
  });
  flush(pendingByProcess, add);

  const findings: Finding[] = [];
  const endpoints: DiscoveredEndpoint[] = [];
  const seenEndpoints = new Set<string>();
  // A generic line ("SSL_connect error to X: -1") adds nothing once a specific reason is known for the same server.
  const specificFor = new Set([...groups.values()].filter((g) => !g.entry.generic && g.endpoint).map((g) => `${g.endpoint?.host}:${g.endpoint?.port}`));
  const shown = [...groups.values()].filter((g) => !(g.entry.generic && g.endpoint && specificFor.has(`${g.endpoint.host}:${g.endpoint.port}`)));
  for (const g of shown.sort((a, b) => a.first.start.line - b.first.start.line)) {
    findings.push(toFinding(file, g));
    if (g.endpoint && g.entry.severity !== 'info') {
      const k = `${g.endpoint.host}:${g.endpoint.port}`;
      if (seenEndpoints.has(k)) continue;
      seenEndpoints.add(k);
      endpoints.push({ endpoint: g.endpoint, file, range: g.first, source: `${path.basename(file)}, ${g.count} ${g.count === 1 ? 'failure' : 'failures'}` });
    }
  }
  findings.push(...deliveryFindings(file, analyzeMailLog(text, now, firstLine)));
  return { findings, endpoints };
}

/**
 * Logs repeat the same message with a new timestamp and process id; classifying the message after the
 * `postfix/smtp[pid]:` tag once makes a million-line log cost a map lookup per line.
 */
function classifyCached(message: string, cache: Map<string, LineMatch[]>): LineMatch[] {
  const hit = cache.get(message);
  if (hit) return hit;
  const result = classifyLine(message);
  if (cache.size >= 4096) cache.clear();
  cache.set(message, result);
  return result;
}

function flush(pending: Map<string, Pending[]>, add: (e: CatalogEntry, ep: Endpoint | undefined, r: Range, line: string) => void): void {
  for (const list of pending.values()) for (const p of list) add(p.entry, undefined, p.range, p.line);
  pending.clear();
}

function toFinding(file: string, g: Group): Finding {
  const where = g.endpoint ? ` with ${endpointLabel(g.endpoint)}` : '';
  const times = g.count === 1 ? 'once' : `${g.count} times`;
  const side = (g.dovecot ? g.entry.dovecot : undefined) ?? g.entry.postfix;
  const variant = side ?? g.entry;
  const title = (g.dovecot ? side?.title : undefined) ?? g.entry.title;
  const sameLine = g.first.start.line === g.last.start.line;
  return explanationFinding(
    maillogId(g.entry.id),
    {
      severity: g.entry.severity,
      title: `${title.replace(/\.$/, '')}${where} (${times}).`,
      detail: side?.detail ?? g.entry.detail,
      causes: rankedCauses(variant.causes),
      fix: variant.fix,
      evidence: sameLine || g.firstLine === g.lastLine ? [evidenceLine(g.firstLine)] : [evidenceLine(g.firstLine), evidenceLine(g.lastLine)],
    },
    {
      detailEnd: `First seen on line ${g.first.start.line + 1}${sameLine ? '' : `, last on line ${g.last.start.line + 1}`}.`,
      file,
      range: g.first,
      ...(sameLine ? {} : { related: [{ file, range: g.last, message: `Last occurrence (${times} in all)` }] }),
    },
  );
}
