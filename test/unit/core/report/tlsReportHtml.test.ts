import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { main } from '../../../../src/cli/main';
import { escapeHtml, renderTlsReportHtml } from '../../../../src/core/report/html';
import { buildTlsViewModel } from '../../../../src/core/report/tlsView';
import { viewInputFromBytes, viewInputFromText } from '../../../../src/core/report/tlsViewInputs';
import { readReportText } from '../../../../src/core/tlsrpt';
import { captureIO } from '../../../support/cli';

const fixtures = path.resolve(__dirname, '../../../fixtures');
const logFile = path.join(fixtures, 'logs/tls-deliveries.log');
const now = new Date('2026-12-31T12:00:00Z');

function model(extraLog = '') {
  const input = viewInputFromText(logFile, fs.readFileSync(logFile, 'utf8') + extraLog, now);
  assert.ok('log' in input);
  const rfc = readReportText('rfc.json', fs.readFileSync(path.join(fixtures, 'tlsrpt/rfc8460-example.json'), 'utf8')).summary;
  return buildTlsViewModel([input.log], [rfc]);
}

describe('Mail TLS Report (HTML)', () => {
  it('draws failures per destination over time with the counts of the log and the report', () => {
    const m = model();
    const legacy = m.series.find((s) => s.destination === 'legacy.test');
    assert.deepEqual([legacy?.failed, legacy?.ok], [4, 0]);
    const rfc = m.series.find((s) => s.destination === 'company-y.example');
    assert.deepEqual([rfc?.failed, rfc?.ok], [303, 5326]);
    assert.equal(m.bucket, 'day', 'a 2016 report and a 2026 log span years');
    assert.deepEqual(
      m.mxRows.slice(0, 2).map((r) => [r.mx, r.resultType, r.count, r.unit]),
      [
        ['mx2.mail.company-y.example', 'starttls-not-supported', 200, 'sessions'],
        ['mx1.mail.company-y.example', 'certificate-expired', 100, 'sessions'],
      ],
    );
    const html = renderTlsReportHtml(m);
    // One dot per destination and bucket, each with its counts as a tooltip.
    assert.match(html, /<circle [^>]*><title>legacy\.test 2026-12-31: 3 failed, 0 succeeded<\/title><\/circle>/);
    assert.match(html, /<title>company-y\.example 2016-04-01: 303 failed, 5326 succeeded<\/title>/);
    assert.match(html, /mx2\.mail\.company-y\.example<\/td><td>starttls-not-supported<\/td><td class="num">200 sessions/);
  });

  it("a log read from its tail: each row's line (\"Open line\") is the file's, counted from the file's start", () => {
    const bytes = fs.readFileSync(logFile);
    const rowsOf = (firstLine?: number) => {
      const input = viewInputFromBytes(logFile, bytes, now, firstLine);
      assert.ok('log' in input);
      return buildTlsViewModel([input.log], []).rows.map((r) => [r.id, r.line]);
    };
    const whole = rowsOf();
    assert.ok(whole.some(([, line]) => line !== undefined));
    assert.deepEqual(
      rowsOf(400_000),
      whole.map(([id, line]) => [id, line === undefined ? undefined : (line as number) + 400_000]),
    );
  });

  it('hourly buckets for a log of a few days', () => {
    const input = viewInputFromText(logFile, fs.readFileSync(logFile, 'utf8'), now);
    assert.ok('log' in input);
    const m = buildTlsViewModel([input.log], []);
    assert.equal(m.bucket, 'hour');
    assert.ok(m.buckets.every((t) => t % 3_600_000 === 0));
  });

  it("the file has a strict CSP, no script and nothing remote; the webview variant only a nonce'd script", () => {
    const html = renderTlsReportHtml(model());
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';">/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link|<iframe|<img/i);
    const web = renderTlsReportHtml(model(), { nonce: 'abcDEF123456', cspSource: 'https://file+.vscode-resource.vscode-cdn.net' });
    assert.match(web, /script-src 'nonce-abcDEF123456';/);
    assert.equal((web.match(/<script/g) ?? []).length, 1);
    assert.match(web, /<script nonce="abcDEF123456">/);
    assert.doesNotMatch(web, / style="/, 'inline style attributes are blocked by a nonce CSP');
    // A nonce or CSP source that could break out of the attribute is refused.
    assert.doesNotMatch(renderTlsReportHtml(model(), { nonce: `x'; script-src *` }), /script-src \*/);
    const web2 = renderTlsReportHtml(model(), { nonce: 'abcDEF123456', cspSource: "'self' https://*.vscode-cdn.net http://127.0.0.1:37313" });
    assert.match(web2, /style-src 'nonce-abcDEF123456' 'self' https:\/\/\*\.vscode-cdn\.net http:\/\/127\.0\.0\.1:37313;/);
    assert.doesNotMatch(renderTlsReportHtml(model(), { nonce: 'abcDEF123456', cspSource: `'self'; script-src *` }), /script-src \*/);
    assert.doesNotMatch(renderTlsReportHtml(model(), { nonce: 'abcDEF123456', cspSource: `x" onload="y` }), /onload/);
  });

  it('escapes everything from logs and reports, and no secret from a log reaches the page', () => {
    const hostile = [
      'Jan  1 03:00:00 mx1 postfix/smtp[3401]: 4B5C6D7E8F: to=<"><img src=x onerror=alert(1)>@evil.test>, relay=mx.evil.test[192.0.2.66]:25, delay=1, dsn=4.7.4, tls=!encrypt, status=deferred (TLS is required, but was not offered by host mx.evil.test[192.0.2.66]) <script>alert(2)</script>',
      'Jan  1 03:00:01 mx1 postfix/smtp[3402]: warning: TLS library problem: password=hunter2 error:0A000086:SSL routines::certificate verify failed',
      'Jan  1 03:00:02 mx1 postfix/smtpd[3403]: SSL_accept error from unknown[198.51.100.5]: -1 AUTH PLAIN dXNlcjpzM2NyM3Q=',
    ].join('\n');
    const html = renderTlsReportHtml(model(`${hostile}\n`));
    assert.doesNotMatch(html, /<img|<script|onerror=alert/i);
    assert.ok(!html.includes('hunter2'));
    assert.ok(!html.includes('dXNlcjpzM2NyM3Q='));
    assert.ok(!html.includes('hunter2-secret'), "the fixture log's SASL password line");
    assert.equal(escapeHtml('<a href="x">\'`&\u0007'), '&#60;a href=&#34;x&#34;&#62;&#39;&#96;&#38;\\x07');
  });

  it('report --format html writes the same view from mail logs and gzipped TLS-RPT reports', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-html-'));
    try {
      const gz = path.join(tmp, 'microsoft.json.gz');
      fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(fixtures, 'tlsrpt/microsoft-tlsa-sts.json'))));
      const out = path.join(tmp, 'report.html');
      const io = captureIO();
      const code = await main(['report', '--format', 'html', logFile, gz, '--output', out], io);
      assert.equal(code, 1, 'the log has error findings');
      assert.match(io.stderr, /wrote .*report\.html \(1 mail log, 1 TLS-RPT report\)/);
      const html = fs.readFileSync(out, 'utf8');
      assert.match(html, /^<!DOCTYPE html>/);
      assert.match(html, /<svg class="chart"/);
      assert.match(html, /tlsrpt\.same-sessions-counted-twice/);
      // The chart counts the 7 sessions Microsoft lists under both TLSA and STS once.
      assert.match(html, /example\.net: 1 failed, 6 succeeded/);
      assert.match(html, /maillog\.destination-persistent/);
      const usage = captureIO();
      assert.equal(await main(['report', '--format', 'html', path.join(fixtures, 'tlsrpt/README.md')], usage), 2);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
