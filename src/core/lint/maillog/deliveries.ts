/**
 * Deliveries in a Postfix log, counted per queue ID and recipient (not per line), per destination: how many
 * attempts and messages, which failed because of TLS, whether the failure is persistent ("failing since") or
 * intermittent (with the success rate), and the inbound (smtpd) TLS picture kept apart from the outbound (smtp).
 * Pure and bounded; the timeline feeds the report chart.
 */
import { classifyLine, evidenceLine } from '../../explain';
import type { CatalogEntry } from '../../explain/catalog';
import type { Range } from '../../finding';
import { forEachLine } from '../lines';

const MAX_LINES = 1_000_000;
const MAX_LINE_LENGTH = 4_096;
const MAX_DESTINATIONS = 2_000;
const MAX_ATTEMPTS_KEPT = 200_000;
const MAX_CLIENTS = 5_000;

export type Outcome = 'ok' | 'tls-failure' | 'other-failure';

export interface Attempt {
  /** Milliseconds since the epoch (UTC); syslog stamps without a year take the year from `now`. */
  time?: number;
  stamp?: string;
  line: number;
  destination: string;
  relay?: string;
  outcome: Outcome;
  /** The catalog entry that explains a TLS failure. */
  cause?: string;
}

export interface DestinationStats {
  destination: string;
  relays: string[];
  attempts: number;
  succeeded: number;
  tlsFailures: number;
  otherFailures: number;
  /** Distinct queue ID + recipient pairs. */
  messages: number;
  delivered: number;
  /** Messages with at least one TLS failure that were never delivered in this log. */
  stuck: number;
  causes: Record<string, number>;
  firstTlsFailure?: { stamp?: string; time?: number; range: Range; text: string };
  lastTlsFailure?: { stamp?: string; time?: number; range: Range; text: string };
  /** `persistent`: no successful attempt after the first TLS failure; `intermittent`: some. */
  pattern?: 'persistent' | 'intermittent';
  /** Delivery attempts from the first TLS failure on (that one included): 1 says too little for a pattern. */
  attemptsSinceFirstFailure?: number;
  /** Successful attempts / all attempts since the first TLS failure. */
  successRateSinceFirstFailure?: number;
  /** TLS level counts from Postfix 3.11 `tls=` fields. */
  tlsLevels: Record<string, number>;
}

export interface InboundStats {
  sessions: number;
  legacySessions: number;
  failures: number;
  failuresByCause: Record<string, number>;
  clients: { client: string; failures: number; sessions: number }[];
  firstFailure?: { stamp?: string; range: Range; text: string };
}

export interface MailLogAnalysis {
  destinations: DestinationStats[];
  inbound: InboundStats;
  attempts: Attempt[];
  firstStamp?: string;
  lastStamp?: string;
  linesRead: number;
}

const TAG = /\bpostfix[\w.-]*((?:\/[\w.-]+)+)\[(\d+)\]:\s?/;
const DELIVERY =
  /^([0-9A-Za-z]{5,20}): to=<([^>]{0,320})>,(?:[^\n]*?\borig_to=<[^>]*>,)?[^\n]*?\brelay=([^,\s]{1,300}),[^\n]*?\bstatus=(sent|deferred|bounced|expired|undeliverable)\b\s*(?:\(([^\n]*)\))?/;
const TLS_FIELD = /\btls=([!a-z:?-]{1,40})/i;
const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const SYSLOG_STAMP = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2})/;
const ISO_STAMP = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?/;
const LOCAL_SERVICES = new Set(['local', 'virtual', 'pipe', 'discard', 'retry']);

interface Pending {
  entry: CatalogEntry;
  host?: string;
}

/** `firstLine`: the file's line the text starts on (a log over the size bound is read by its tail; fsread.ts). */
export function analyzeMailLog(text: string, now: Date = new Date(), firstLine = 0): MailLogAnalysis {
  const dests = new Map<string, DestinationStats & { msgs: Map<string, boolean>; tlsMsgs: Set<string> }>();
  const attempts: Attempt[] = [];
  const lastTlsError = new Map<string, Pending>();
  const queueTlsError = new Map<string, Pending>();
  const clients = new Map<string, { failures: number; sessions: number }>();
  const inbound: InboundStats = { sessions: 0, legacySessions: 0, failures: 0, failuresByCause: {}, clients: [] };
  let year = now.getUTCFullYear();
  let lastMonth = -1;
  let firstStamp: string | undefined;
  let lastStamp: string | undefined;
  let linesRead = 0;
  const cache = new Map<string, ReturnType<typeof classifyLine>>();
  const classify = (msg: string) => {
    let hit = cache.get(msg);
    if (!hit) {
      hit = classifyLine(msg);
      if (cache.size >= 4096) cache.clear();
      cache.set(msg, hit);
    }
    return hit;
  };

  forEachLine(text, MAX_LINES, MAX_LINE_LENGTH, (raw, n) => {
    const line = firstLine + n;
    linesRead++;
    const tag = TAG.exec(raw);
    if (!tag) return;
    const service = tag[1].split('/').pop() ?? '';
    const proc = `${tag[1]}[${tag[2]}]`;
    const msg = raw.slice(tag.index + tag[0].length);
    const range: Range = { start: { line, character: 0 }, end: { line, character: raw.length } };
    const { stamp, time } = readStamp(raw.slice(0, Math.max(tag.index, 0)) || raw.slice(0, 40));
    if (time !== undefined && stamp && SYSLOG_STAMP.test(stamp)) {
      // Syslog stamps have no year: a month that goes backwards is the next year.
      const month = new Date(time).getUTCMonth();
      if (lastMonth >= 0 && month < lastMonth - 6) year++;
      lastMonth = month;
    }
    const t = time !== undefined && stamp && SYSLOG_STAMP.test(stamp) ? withYear(time, year) : time;
    if (stamp) {
      firstStamp ??= stamp;
      lastStamp = stamp;
    }

    if (service === 'smtpd') {
      if (/TLS connection established from/.test(msg)) {
        inbound.sessions++;
        if (/: TLSv1(?:\.1)? with/.test(msg)) inbound.legacySessions++;
        const c = clientOf(msg);
        if (c) bump(clients, c, 'sessions');
        return;
      }
      const m = classify(msg).filter((x) => x.entry.severity !== 'info');
      if (m.length && /SSL_accept error|no shared cipher|lost connection after STARTTLS|TLS library problem/i.test(msg)) {
        // One failed handshake logs several lines (TLS library problem, SSL_accept error, lost connection): count the SSL_accept or the lost connection once.
        const id = m[0].entry.id;
        inbound.failuresByCause[id] = (inbound.failuresByCause[id] ?? 0) + 1;
        if (/SSL_accept error|lost connection after STARTTLS/i.test(msg) && !(/lost connection after STARTTLS/i.test(msg) && lastTlsError.get(proc))) {
          inbound.failures++;
          inbound.firstFailure ??= { stamp, range, text: evidenceLine(raw) };
          const c = clientOf(msg);
          if (c) bump(clients, c, 'failures');
        }
        if (/SSL_accept error/i.test(msg)) lastTlsError.set(proc, { entry: m[0].entry });
        else if (/lost connection after STARTTLS/i.test(msg)) lastTlsError.delete(proc);
      }
      return;
    }
    if (LOCAL_SERVICES.has(service)) return;

    const d = DELIVERY.exec(msg);
    if (!d) {
      const m = classify(msg).find((x) => x.entry.severity !== 'info' && !x.entry.notTls);
      if (m) {
        const qid = /^([0-9A-Za-z]{5,20}): /.exec(msg)?.[1];
        const pending: Pending = { entry: m.entry, ...(m.endpoint ? { host: m.endpoint.host.toLowerCase() } : {}) };
        if (qid) queueTlsError.set(qid, pending);
        else lastTlsError.set(proc, pending);
        if (lastTlsError.size > 10_000) lastTlsError.clear();
        if (queueTlsError.size > 10_000) queueTlsError.clear();
      }
      return;
    }
    const [, qid, rcpt, relayRaw, status, reason = ''] = d;
    const relayHost = relayRaw === 'none' ? undefined : relayRaw.replace(/\[.*$/, '').toLowerCase();
    const domain = (rcpt.split('@').pop() ?? '').toLowerCase() || relayHost || 'unknown';
    const tlsField = TLS_FIELD.exec(msg)?.[1]?.toLowerCase();
    let outcome: Outcome = status === 'sent' ? 'ok' : 'other-failure';
    let cause: string | undefined;
    if (outcome !== 'ok') {
      const own = classify(reason).find((x) => x.entry.severity === 'error' && !x.entry.notTls);
      const fromProc = lastTlsError.get(proc);
      const fromQueue = queueTlsError.get(qid);
      const prior = fromQueue ?? (fromProc && (!fromProc.host || !relayHost || fromProc.host === relayHost) ? fromProc : undefined);
      // The line logged just before (the OpenSSL reason, "num=10: certificate has expired") is more precise than the status summary.
      if (prior) cause = prior.entry.id;
      else if (own) cause = own.entry.id;
      else if (tlsField?.startsWith('!')) cause = 'explain.postfix-tls-field-failed';
      if (cause) outcome = 'tls-failure';
    }
    lastTlsError.delete(proc);
    queueTlsError.delete(qid);

    let s = dests.get(domain);
    if (!s) {
      if (dests.size >= MAX_DESTINATIONS) return;
      s = {
        destination: domain,
        relays: [],
        attempts: 0,
        succeeded: 0,
        tlsFailures: 0,
        otherFailures: 0,
        messages: 0,
        delivered: 0,
        stuck: 0,
        causes: {},
        tlsLevels: {},
        msgs: new Map(),
        tlsMsgs: new Set(),
      };
      dests.set(domain, s);
    }
    if (relayHost && !s.relays.includes(relayHost) && s.relays.length < 20) s.relays.push(relayHost);
    s.attempts++;
    if (tlsField) s.tlsLevels[tlsField] = (s.tlsLevels[tlsField] ?? 0) + 1;
    const key = `${qid}|${rcpt}`;
    const wasDelivered = s.msgs.get(key) ?? false;
    s.msgs.set(key, wasDelivered || outcome === 'ok');
    if (outcome === 'ok') s.succeeded++;
    else if (outcome === 'tls-failure') {
      s.tlsFailures++;
      s.tlsMsgs.add(key);
      if (cause) s.causes[cause] = (s.causes[cause] ?? 0) + 1;
      const at = { ...(stamp ? { stamp } : {}), ...(t !== undefined ? { time: t } : {}), range, text: evidenceLine(raw) };
      s.firstTlsFailure ??= at;
      s.lastTlsFailure = at;
    } else s.otherFailures++;
    if (attempts.length < MAX_ATTEMPTS_KEPT) {
      attempts.push({
        ...(t !== undefined ? { time: t } : {}),
        ...(stamp ? { stamp } : {}),
        line,
        destination: domain,
        ...(relayHost ? { relay: relayHost } : {}),
        outcome,
        ...(cause ? { cause } : {}),
      });
    }
  });

  const destinations: DestinationStats[] = [];
  for (const s of dests.values()) {
    const { msgs, tlsMsgs, ...stats } = s;
    stats.messages = msgs.size;
    stats.delivered = [...msgs.values()].filter(Boolean).length;
    stats.stuck = [...tlsMsgs].filter((k) => !msgs.get(k)).length;
    if (stats.firstTlsFailure) {
      const since = attempts.filter((a) => a.destination === s.destination && a.line >= (stats.firstTlsFailure?.range.start.line ?? 0));
      const ok = since.filter((a) => a.outcome === 'ok').length;
      stats.successRateSinceFirstFailure = since.length ? ok / since.length : 0;
      stats.attemptsSinceFirstFailure = since.length;
      stats.pattern = ok === 0 ? 'persistent' : 'intermittent';
    }
    destinations.push(stats);
  }
  destinations.sort((a, b) => b.tlsFailures - a.tlsFailures || b.attempts - a.attempts || (a.destination < b.destination ? -1 : 1));
  inbound.clients = [...clients.entries()]
    .map(([client, v]) => ({ client, ...v }))
    .sort((a, b) => b.failures - a.failures || b.sessions - a.sessions)
    .slice(0, 50);
  return { destinations, inbound, attempts, ...(firstStamp ? { firstStamp } : {}), ...(lastStamp ? { lastStamp } : {}), linesRead };

  function bump(map: Map<string, { failures: number; sessions: number }>, c: string, k: 'failures' | 'sessions') {
    let v = map.get(c);
    if (!v) {
      if (map.size >= MAX_CLIENTS) return;
      v = { failures: 0, sessions: 0 };
      map.set(c, v);
    }
    v[k]++;
  }
}

function clientOf(msg: string): string | undefined {
  const m = /\bfrom ([A-Za-z0-9._-]{1,253})\[([0-9A-Fa-f:.]{2,45})\]/.exec(msg);
  if (!m) return undefined;
  return m[1] === 'unknown' ? m[2] : `${m[1]}[${m[2]}]`;
}

/** The line's time stamp (syslog `Mon DD hh:mm:ss`, or ISO 8601 as journald/docker write it). */
export function readStamp(prefix: string): { stamp?: string; time?: number } {
  const s = SYSLOG_STAMP.exec(prefix);
  if (s) {
    const month = MONTHS[s[1].toLowerCase()];
    if (month === undefined) return {};
    return { stamp: s[0], time: Date.UTC(2000, month, Number(s[2]), Number(s[3]), Number(s[4]), Number(s[5])) };
  }
  const iso = ISO_STAMP.exec(prefix);
  if (iso) {
    const [, y, mo, d, h, mi, se, zone] = iso;
    let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
    if (zone && zone !== 'Z') {
      const z = zone.replace(':', '');
      t -= (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
    }
    return Number.isFinite(t) ? { stamp: iso[0], time: t } : {};
  }
  return {};
}

function withYear(t: number, year: number): number {
  const d = new Date(t);
  return Date.UTC(year, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
}
