/**
 * The "Mail TLS Report" as one self-contained HTML document: a strict Content-Security-Policy, no remote content,
 * the chart drawn here as inline SVG, every text from logs and reports escaped. The same function renders the
 * editor's webview (with a nonce'd script that sends "open line", "explain" and "check now" messages) and the
 * `report --format html` file (no script at all). Pure: no file system, no clock.
 */
import { printable } from '../endpoint';
import type { Severity } from '../finding';
import type { Series, TlsViewModel } from './tlsView';

export interface HtmlOptions {
  /** Webview only: a fresh random nonce for the inline script and style. Without it the page has no script. */
  nonce?: string;
  /** Webview only: `webview.cspSource`, allowed for styles. */
  cspSource?: string;
  /** Shown in the footer, e.g. the generation time (the caller's clock). */
  generated?: string;
}

const PALETTE = ['#d1242f', '#0969da', '#bf8700', '#8250df', '#1a7f37', '#cf222e', '#57606a', '#e16f24'];

/** Escapes text for HTML element content and double-quoted attribute values; control characters made visible. */
export function escapeHtml(s: string, max = 400): string {
  return printable(String(s), max).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isoDay(t: number, bucket: 'hour' | 'day'): string {
  const iso = new Date(t).toISOString();
  return bucket === 'hour' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

/** A line chart of failures per destination over time (one polyline per destination, dots with tooltips). */
export function renderChart(m: TlsViewModel): string {
  const W = 760;
  const H = 260;
  const left = 44;
  const right = 12;
  const top = 12;
  const bottom = 40;
  if (!m.buckets.length || !m.series.length) {
    return `<p class="empty">No dated failures or deliveries to draw.</p>`;
  }
  const max = Math.max(1, ...m.series.flatMap((s) => s.points.map((p) => p.failed)));
  const n = m.buckets.length;
  const x = (i: number) => left + (n === 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (n - 1));
  const y = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const index = new Map(m.buckets.map((t, i) => [t, i]));
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="TLS failures per destination over time" xmlns="http://www.w3.org/2000/svg">`,
  );
  // Axes and grid.
  for (const frac of [0, 0.5, 1]) {
    const v = Math.round(max * frac);
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" class="axis" text-anchor="end">${v}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(n / 6));
  m.buckets.forEach((t, i) => {
    if (i % labelEvery === 0 || i === n - 1)
      parts.push(`<text x="${x(i).toFixed(1)}" y="${H - bottom + 16}" class="axis" text-anchor="middle">${escapeHtml(isoDay(t, m.bucket))}</text>`);
  });
  m.series.forEach((s: Series, si) => {
    const colour = PALETTE[si % PALETTE.length];
    const pts = s.points.filter((p) => index.has(p.t)).map((p) => ({ p, i: index.get(p.t) ?? 0 }));
    if (pts.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map(({ p, i }) => `${x(i).toFixed(1)},${y(p.failed).toFixed(1)}`).join(' ')}"/>`,
      );
    }
    for (const { p, i } of pts) {
      parts.push(
        `<circle cx="${x(i).toFixed(1)}" cy="${y(p.failed).toFixed(1)}" r="3.5" fill="${colour}"><title>${escapeHtml(s.destination, 120)} ${escapeHtml(isoDay(p.t, m.bucket))}: ${p.failed} failed, ${p.ok} succeeded</title></circle>`,
      );
    }
  });
  parts.push(
    `<text x="${left}" y="${H - 6}" class="axis">TLS failures per ${m.bucket} (UTC): failed sessions from TLS-RPT reports, failed delivery attempts from mail logs</text>`,
  );
  parts.push('</svg>');
  const legend = m.series
    .map((s, si) => `<li><span class="swatch c${si % PALETTE.length}"></span>${escapeHtml(s.destination, 120)}: ${s.failed} failed, ${s.ok} succeeded</li>`)
    .join('');
  return `${parts.join('')}<ul class="legend">${legend}</ul>`;
}

const SEV_ORDER: Severity[] = ['error', 'warning', 'info'];

export function renderTlsReportHtml(m: TlsViewModel, opts: HtmlOptions = {}): string {
  const nonce = opts.nonce && /^[A-Za-z0-9+/=]{8,}$/.test(opts.nonce) ? opts.nonce : undefined;
  // webview.cspSource is a list of sources ("'self' https://*.vscode-cdn.net"): each token a keyword or a host source.
  const cspTokens = (opts.cspSource ?? '').split(/ +/).filter(Boolean);
  const cspOk =
    cspTokens.length > 0 &&
    cspTokens.length <= 8 &&
    cspTokens.every((t) => /^(?:'self'|[a-z][a-z0-9+.-]*:(?:\/\/[\w.*:-]+(?:\/[\w./*-]*)?)?|[\w*][\w.*:-]*)$/i.test(t));
  const cspSource = cspOk ? ` ${cspTokens.join(' ')}` : '';
  // No remote content: nothing but inline SVG, our nonce'd style (and, in the webview, our nonce'd script).
  const csp = nonce
    ? `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'${cspSource}; script-src 'nonce-${nonce}';`
    : `default-src 'none'; img-src data:; style-src 'unsafe-inline';`;
  const interactive = nonce !== undefined;
  const counts = Object.fromEntries(SEV_ORDER.map((s) => [s, m.rows.filter((r) => r.severity === s).length])) as Record<Severity, number>;
  const mxTable = m.mxRows.length
    ? `<table class="mx"><thead><tr><th>MX / relay</th><th>result type</th><th>count</th></tr></thead><tbody>${m.mxRows
        .map((r) => `<tr><td>${escapeHtml(r.mx, 120)}</td><td>${escapeHtml(r.resultType, 80)}</td><td class="num">${r.count} ${r.unit}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="empty">No failures per MX.</p>';
  const rows = m.rows
    .map((r, i) => {
      const where = r.file ? `${escapeHtml(r.file, 200)}${r.line !== undefined ? `:${r.line + 1}` : ''}` : '';
      const actions = interactive
        ? `<td class="actions">${r.file && r.line !== undefined ? `<button data-act="open" data-row="${i}">Open line</button>` : ''}<button data-act="explain" data-row="${i}">Explain</button>${r.check ? `<button data-act="check" data-row="${i}">Check ${escapeHtml(r.check, 120)} now</button>` : ''}</td>`
        : '';
      return `<tr class="${r.severity}"><td><span class="sev ${r.severity}">${r.severity}</span></td><td><code>${escapeHtml(r.id, 80)}</code></td><td>${escapeHtml(r.title, 600)}<div class="fix">${escapeHtml(r.fix, 800)}</div></td><td class="where">${where}</td>${actions}</tr>`;
    })
    .join('');
  const style = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:22px 0 8px}
.sub{color:#57606a;font-size:12px;margin-bottom:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:110px}
.card b{display:block;font-size:20px}.chart{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:6px;background:#fff}
.grid{stroke:#eaeef2}.axis{font-size:10px;fill:#57606a}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border-bottom:1px solid #eaeef2;padding:5px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right;white-space:nowrap}.fix{color:#57606a;margin-top:3px}.where{font-family:ui-monospace,monospace;word-break:break-all}
.sev{font-weight:600;font-size:11px;padding:1px 6px;border-radius:10px;color:#fff}.sev.error{background:#d1242f}.sev.warning{background:#9a6700}.sev.info{background:#0969da}
button{font-size:11px;margin:0 4px 4px 0;cursor:pointer}.empty{color:#57606a}
${PALETTE.map((c, i) => `.c${i}{background:${c}}`).join('')}
body.vscode-dark{color:#e6edf3;background:#0d1117}body.vscode-dark .chart{background:#0d1117}body.vscode-dark th{background:#161b22}body.vscode-dark .grid{stroke:#30363d}`;
  const script = interactive
    ? `<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const b = e.target instanceof Element ? e.target.closest('button[data-act]') : null;
  if (!b) return;
  vscode.postMessage({ type: b.getAttribute('data-act'), row: Number(b.getAttribute('data-row')) });
});
</script>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(m.title, 120)}</title>
<style${nonce ? ` nonce="${nonce}"` : ''}>${style}</style></head>
<body><h1>${escapeHtml(m.title, 120)}</h1>
<div class="sub">${m.sources.length} source${m.sources.length === 1 ? '' : 's'}: ${m.sources
    .slice(0, 10)
    .map((s) => escapeHtml(s, 200))
    .join(', ')}${m.sources.length > 10 ? ', ...' : ''}${opts.generated ? ` · generated ${escapeHtml(opts.generated, 40)}` : ''}</div>
<div class="cards"><div class="card"><b>${m.totals.failed}</b>TLS failures</div><div class="card"><b>${m.totals.ok}</b>succeeded</div><div class="card"><b>${counts.error}</b>errors</div><div class="card"><b>${counts.warning}</b>warnings</div><div class="card"><b>${m.series.length}</b>destinations</div></div>
<h2>Failures per destination over time</h2>
${renderChart(m)}
<h2>Result types per MX</h2>
${mxTable}
<h2>Findings</h2>
<table class="findings"><thead><tr><th>severity</th><th>id</th><th>what and fix</th><th>where</th>${interactive ? '<th></th>' : ''}</tr></thead><tbody>${rows}</tbody></table>
${script}
</body></html>
`;
}
