/**
 * The data behind the "Mail TLS Report" (webview and `report --format html`): failures per destination over time,
 * result types per MX, and one table row per finding with the file and line involved. Built from mail-log analyses
 * and TLS-RPT summaries; pure, no rendering.
 */
import type { Finding, Severity } from '../finding';
import type { MailLogAnalysis } from '../lint/maillog/deliveries';
import type { ReportSummary } from '../tlsrpt';

export interface SeriesPoint {
  /** Start of the bucket, ms since the epoch (UTC). */
  t: number;
  failed: number;
  ok: number;
}

export interface Series {
  destination: string;
  points: SeriesPoint[];
  failed: number;
  ok: number;
}

export interface MxRow {
  mx: string;
  resultType: string;
  count: number;
  /** `sessions` for TLS-RPT, `attempts` for a mail log. */
  unit: 'sessions' | 'attempts';
}

export interface TableRow {
  severity: Severity;
  id: string;
  title: string;
  fix: string;
  file?: string;
  /** Zero-based line, for "open the line". */
  line?: number;
  /** `host:port` to probe for "check now" (only names the product itself put in a check command). */
  check?: string;
}

export interface TlsViewModel {
  title: string;
  bucket: 'hour' | 'day';
  buckets: number[];
  series: Series[];
  mxRows: MxRow[];
  rows: TableRow[];
  sources: string[];
  totals: { failed: number; ok: number };
}

export interface LogInput {
  file: string;
  analysis: MailLogAnalysis;
  findings: Finding[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_SERIES = 8;
const MAX_BUCKETS = 400;
const MAX_ROWS = 500;

export function buildTlsViewModel(logs: readonly LogInput[], reports: readonly ReportSummary[], title = 'Mail TLS Report'): TlsViewModel {
  const events: { t: number; dest: string; failed: number; ok: number }[] = [];
  const mx = new Map<string, MxRow>();
  const rows: TableRow[] = [];
  const addMx = (m: string, resultType: string, count: number, unit: MxRow['unit']) => {
    const key = `${m}|${resultType}|${unit}`;
    const row = mx.get(key) ?? { mx: m, resultType, count: 0, unit };
    row.count += count;
    mx.set(key, row);
  };

  for (const log of logs) {
    for (const a of log.analysis.attempts) {
      if (a.time === undefined || a.outcome === 'other-failure') continue;
      events.push({ t: a.time, dest: a.destination, failed: a.outcome === 'tls-failure' ? 1 : 0, ok: a.outcome === 'ok' ? 1 : 0 });
      if (a.outcome === 'tls-failure') addMx(a.relay ?? a.destination, a.cause?.replace(/^explain\./, '') ?? 'tls-failure', 1, 'attempts');
    }
    for (const f of log.findings) rows.push(row(f, log.file));
  }
  for (const r of reports) {
    const t = r.start ? Date.parse(r.start) : NaN;
    // A sender that lists a domain under both its TLSA and its STS policy counts the same sessions twice
    // (tlsrpt.same-sessions-counted-twice): per report and domain the chart takes the larger count, not the sum.
    const perDomain = new Map<string, { failed: number; ok: number; dane: { failed: number; ok: number }; sts: { failed: number; ok: number } }>();
    for (const p of r.policies) {
      const dest = p.domain ?? '(no policy-domain)';
      const d = perDomain.get(dest) ?? { failed: 0, ok: 0, dane: { failed: 0, ok: 0 }, sts: { failed: 0, ok: 0 } };
      const bucketOf = p.type === 'tlsa' ? d.dane : p.type === 'sts' ? d.sts : d;
      bucketOf.failed += p.failed;
      bucketOf.ok += p.successful;
      perDomain.set(dest, d);
    }
    for (const [dest, d] of perDomain) {
      const failed = d.failed + Math.max(d.dane.failed, d.sts.failed);
      const ok = d.ok + Math.max(d.dane.ok, d.sts.ok);
      if (Number.isFinite(t)) events.push({ t, dest, failed, ok });
    }
    for (const p of r.policies) {
      for (const f of p.failures) addMx(f.receivingMx ?? p.domain ?? '(no MX named)', f.resultType, f.sessions, 'sessions');
    }
    for (const f of r.findings) rows.push(row(f, r.file));
  }

  const span = events.length ? Math.max(...events.map((e) => e.t)) - Math.min(...events.map((e) => e.t)) : 0;
  const bucket: 'hour' | 'day' = span <= 3 * DAY && logs.length > 0 ? 'hour' : 'day';
  const size = bucket === 'hour' ? HOUR : DAY;
  const byDest = new Map<string, Map<number, SeriesPoint>>();
  for (const e of events) {
    const b = Math.floor(e.t / size) * size;
    const m = byDest.get(e.dest) ?? new Map<number, SeriesPoint>();
    const p = m.get(b) ?? { t: b, failed: 0, ok: 0 };
    p.failed += e.failed;
    p.ok += e.ok;
    m.set(b, p);
    byDest.set(e.dest, m);
  }
  let series: Series[] = [...byDest.entries()].map(([destination, m]) => {
    const points = [...m.values()].sort((a, b) => a.t - b.t);
    return { destination, points, failed: points.reduce((n, p) => n + p.failed, 0), ok: points.reduce((n, p) => n + p.ok, 0) };
  });
  series.sort((a, b) => b.failed - a.failed || b.ok - a.ok || (a.destination < b.destination ? -1 : 1));
  series = series.slice(0, MAX_SERIES);
  let buckets = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  if (buckets.length > MAX_BUCKETS) buckets = buckets.slice(-MAX_BUCKETS);
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  rows.sort((a, b) => order[a.severity] - order[b.severity]);
  return {
    title,
    bucket,
    buckets,
    series,
    mxRows: [...mx.values()].sort((a, b) => b.count - a.count).slice(0, 100),
    rows: rows.slice(0, MAX_ROWS),
    sources: [...logs.map((l) => l.file), ...reports.map((r) => r.file)],
    totals: { failed: series.reduce((n, s) => n + s.failed, 0), ok: series.reduce((n, s) => n + s.ok, 0) },
  };
}

function row(f: Finding, file: string): TableRow {
  const check = /Check now: mail-tls-doctor probe ([A-Za-z0-9.-]{1,253}:\d{1,5})\b/.exec(f.fix)?.[1];
  return {
    ...(check ? { check } : {}),
    severity: f.severity,
    id: f.id,
    title: f.title,
    fix: f.fix,
    file: f.file ?? file,
    ...(f.range ? { line: f.range.start.line } : {}),
  };
}
