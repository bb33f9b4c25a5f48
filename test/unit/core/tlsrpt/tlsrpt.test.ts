import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { main } from '../../../../src/cli/main';
import { lintersFor, lintText } from '../../../../src/core/lint';
import { decodeReportBytes, parseTlsRpt, readReportBytes, readReportText, RESULT_TYPES, type ReportSummary } from '../../../../src/core/tlsrpt';
import { captureIO } from '../../../support/cli';

const dir = path.resolve(__dirname, '../../../fixtures/tlsrpt');
const fixture = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const GOOGLE = 'google.com!example.org!1725321600!1725407999!001.json';
const summary = (name: string): ReportSummary => readReportText(name, fixture(name)).summary;
const ids = (s: ReportSummary) => s.findings.map((f) => f.id);

describe('TLS-RPT reports', () => {
  it('reads the RFC 8460 example with the counts exactly as stated, one finding per failing result type', () => {
    const s = summary('rfc8460-example.json');
    assert.equal(s.organization, 'Company-X');
    assert.equal(s.reportId, '5065427c-23d3-47ca-b6e0-946ea0e8c4be');
    assert.equal(s.start, '2016-04-01T00:00:00Z');
    assert.equal(s.end, '2016-04-01T23:59:59Z');
    assert.deepEqual(
      s.policies.map((p) => [p.type, p.domain, p.successful, p.failed]),
      [['sts', 'company-y.example', 5326, 303]],
    );
    assert.deepEqual(s.policies[0].failures, [
      { resultType: 'certificate-expired', sessions: 100, receivingMx: 'mx1.mail.company-y.example', sendingIp: '2001:db8:abcd:0012::1' },
      { resultType: 'starttls-not-supported', sessions: 200, receivingMx: 'mx2.mail.company-y.example', sendingIp: '2001:db8:abcd:0013::1' },
      { resultType: 'validation-failure', sessions: 3, receivingMx: 'mx-backup.mail.company-y.example', sendingIp: '198.51.100.62' },
    ]);
    assert.deepEqual(ids(s), ['tlsrpt.certificate-expired', 'tlsrpt.starttls-not-supported', 'tlsrpt.validation-failure']);
    // Testing mode: mail still went out, so the failures are warnings, and each names its MX and a probe to run now.
    const expired = s.findings[0];
    assert.equal(expired.severity, 'warning');
    assert.match(expired.title, /100 failed sessions at mx1\.mail\.company-y\.example: the MX certificate has expired/);
    assert.match(expired.fix, /postfix reload.*Check now: mail-tls-doctor probe mx1\.mail\.company-y\.example:25/);
    // The RFC example's own `failure-error-code` is read as the reason.
    assert.match(s.findings[2].detail, /X509_V_ERR_PROOF_OF_POSSESSION/);
  });

  it("decompresses a gzipped Google report named the RFC way, through the CLI, and prints the issue's JSON shape", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-tlsrpt-'));
    try {
      const gz = path.join(tmp, `${GOOGLE}.gz`);
      fs.writeFileSync(gz, zlib.gzipSync(fixture(GOOGLE)));
      const io = captureIO();
      const code = await main(['explain', '--report', gz, path.join(dir, 'mailru-fetch-timeout.json'), '--json'], io);
      assert.equal(code, 1, 'a report with failed sessions exits 1');
      const out = JSON.parse(io.stdout) as { reports: ReportSummary[] };
      assert.deepEqual(Object.keys(out), ['reports']);
      assert.deepEqual(Object.keys(out.reports[0]), ['file', 'organization', 'reportId', 'start', 'end', 'policies', 'findings']);
      assert.deepEqual(out.reports[0].policies, [{ type: 'no-policy-found', domain: 'example.org', successful: 37, failed: 0, failures: [] }]);
      assert.deepEqual(ids(out.reports[0]), ['tlsrpt.no-policy-found']);
      const mailru = out.reports[1];
      assert.equal(mailru.end, '2023-01-26T00:00:00Z');
      assert.deepEqual(mailru.policies[0].failures, [{ resultType: 'sts-policy-fetch-error', sessions: 2, receivingMx: null, sendingIp: null }]);
      assert.match(mailru.findings[0].detail, /Client\.Timeout exceeded/);
      assert.match(mailru.findings[0].fix, /mta-sts\.example\.com/, 'the fix names the real policy host');

      const viaFormat = captureIO();
      await main(['explain', '--report', gz, '--format', 'json'], viaFormat);
      assert.deepEqual((JSON.parse(viaFormat.stdout) as { reports: ReportSummary[] }).reports[0].policies, out.reports[0].policies);
      const human = captureIO();
      assert.equal(await main(['explain', '--report', gz], human), 0, 'only successes: exit 0');
      // --fail-on, as every command takes it in CI: the findings' severities decide (the fetch error is an error).
      const mailruFile = path.join(dir, 'mailru-fetch-timeout.json');
      assert.equal(await main(['explain', '--report', mailruFile, '--fail-on', 'never'], captureIO()), 0);
      assert.equal(await main(['explain', '--report', gz, '--fail-on', 'info'], captureIO()), 1, 'the no-policy-found info reaches info');
      assert.equal(await main(['explain', '--report', gz, '--fail-on=warning', '--json'], captureIO()), 0);
      const sarif = captureIO();
      assert.equal(await main(['explain', '--report', gz, '--format', 'sarif'], sarif), 2);
      assert.match(sarif.stderr, /--format must be text or json/);
      assert.match(human.stdout, /no-policy-found entry example\.org: 37 succeeded, 0 failed/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("says when TLSA and STS entries count the same sessions, and reads Microsoft's TLSA JSON-in-a-string and bare rows", () => {
    const s = summary('microsoft-tlsa-sts.json');
    assert.deepEqual(
      s.policies.map((p) => [p.type, p.successful, p.failed]),
      [
        ['tlsa', 6, 1],
        ['sts', 6, 1],
      ],
    );
    assert.deepEqual(s.policies[0].failures, [{ resultType: 'tlsa-invalid', sessions: 1, receivingMx: null, sendingIp: null }]);
    const twice = s.findings.find((f) => f.id === 'tlsrpt.same-sessions-counted-twice');
    assert.ok(twice);
    assert.match(twice.title, /same 7 sessions to example\.net .*7 sessions, not 14/);
    const { report } = readReportText('m.json', fixture('microsoft-tlsa-sts.json'));
    assert.equal(report?.policies[0].policyStrings.length, 2, 'the JSON array in one string is two TLSA records');
    assert.match(report?.policies[0].policyStrings[0] ?? '', /^3 1 1 0D6F/);
    // Enforce mode: the failure is an error.
    assert.equal(s.findings.find((f) => f.id === 'tlsrpt.certificate-host-mismatch')?.severity, 'error');
  });

  it('a policy with one session, all succeeded, reads "the one session", not "all 1 session"', () => {
    const report = (n: number) =>
      JSON.stringify({
        'organization-name': 'Sender Example',
        'date-range': { 'start-datetime': '2026-01-01T00:00:00Z', 'end-datetime': '2026-01-01T23:59:59Z' },
        'report-id': 'r-1',
        policies: [
          {
            policy: {
              'policy-type': 'sts',
              'policy-string': ['version: STSv1', 'mode: enforce', 'mx: mx.example.com', 'max_age: 604800'],
              'policy-domain': 'example.com',
            },
            summary: { 'total-successful-session-count': n, 'total-failure-session-count': 0 },
          },
        ],
      });
    const title = (n: number) => readReportText('r.json', report(n)).summary.findings.find((f) => f.id === 'tlsrpt.all-sessions-succeeded')?.title;
    assert.equal(title(1), 'Sender Example: the one session under the MTA-STS policy for example.com succeeded, 2026-01-01.');
    assert.match(title(2) ?? '', /^Sender Example: all 2 sessions under the MTA-STS policy/);
  });

  it('reports a summary that disagrees with its failure details, with both numbers', () => {
    const s = summary('summary-mismatch.json');
    assert.deepEqual(
      s.policies.map((p) => [p.successful, p.failed]),
      [[120, 10]],
    );
    const m = s.findings.find((f) => f.id === 'tlsrpt.summary-mismatch');
    assert.ok(m);
    assert.match(m.title, /counts 10 failed sessions, its failure details add up to 4/);
    // The RFC example's details add up: no contradiction there.
    assert.ok(!ids(summary('rfc8460-example.json')).includes('tlsrpt.summary-mismatch'));
  });

  it('is lenient with null contact, empty rows, CR-terminated policy lines, empty-string fields and a missing policy-domain', () => {
    const s = summary('contact-null-no-domain-cr.json');
    assert.deepEqual(
      s.policies.map((p) => [p.domain, p.successful, p.failed]),
      [
        ['example.ch', 9, 0],
        [null, 2, 0],
      ],
    );
    const { report } = readReportText('x.json', fixture('contact-null-no-domain-cr.json'));
    assert.deepEqual(report?.policies[0].policyStrings, ['version: STSv1', 'mode: enforce', 'max_age: 86400', 'mx: mx1.example.ch', 'mx: mx2.example.ch']);
    assert.equal(report?.policies[0].stsMode, 'enforce');
    const missing = s.findings.find((f) => f.id === 'tlsrpt.missing-field');
    assert.match(missing?.detail ?? '', /policies\[1\] \(sts\) names no policy-domain/);

    const e = summary('empty-failure-fields.json');
    assert.deepEqual(e.policies[0].failures, [{ resultType: 'sts-policy-fetch-error', sessions: 1, receivingMx: null, sendingIp: null }]);
    assert.match(e.findings[0].detail, /"no-policy-served"/);
  });

  it('reads field names in any case, non-RFC dates and counts written as strings, and says what it repaired', () => {
    const s = summary('odd-case-dates-strings.json');
    assert.equal(s.organization, 'Odd Sender');
    assert.equal(s.start, '2025-05-04T00:00:00Z');
    assert.equal(s.end, '2025-05-04T23:59:59Z');
    assert.deepEqual(
      s.policies.map((p) => [p.type, p.domain, p.successful, p.failed]),
      [['sts', 'example.com', 12, 2]],
    );
    assert.deepEqual(s.policies[0].failures, [{ resultType: 'certificate-expired', sessions: 2, receivingMx: 'mx.example.com', sendingIp: null }]);
    assert.ok(ids(s).includes('tlsrpt.bad-count'));
  });

  it('checks strictly what matters: negative or fractional counts, unknown types, dates out of order', () => {
    const text = JSON.stringify({
      'organization-name': 'S',
      'report-id': 'r',
      'date-range': { 'start-datetime': '2025-01-02T00:00:00Z', 'end-datetime': '2025-01-01T00:00:00Z' },
      policies: [
        {
          policy: { 'policy-type': 'sts', 'policy-domain': 'example.com' },
          summary: { 'total-successful-session-count': -3, 'total-failure-session-count': 1.5 },
          'failure-details': [{ 'result-type': 'quantum-failure', 'failed-session-count': 1 }],
        },
      ],
    });
    const { problems } = parseTlsRpt(text);
    assert.deepEqual(problems.map((p) => p.kind).sort(), ['bad-count', 'bad-count', 'bad-date', 'unknown-result-type']);
    const s = readReportText('r.json', text).summary;
    assert.deepEqual(
      s.policies.map((p) => [p.successful, p.failed]),
      [[0, 0]],
    );
    assert.ok(ids(s).includes('tlsrpt.unknown-result-type'));
    assert.ok(ids(s).includes('tlsrpt.unknown-type'));
  });

  it('refuses what is not a report, and a gzip bomb without inflating it', () => {
    assert.deepEqual(ids(readReportText('a.json', '{"name":"pkg"}').summary), ['tlsrpt.unreadable']);
    assert.deepEqual(ids(readReportText('a.json', 'not json').summary), ['tlsrpt.unreadable']);
    const bomb = zlib.gzipSync(Buffer.alloc(12 * 1024 * 1024, 0x20), { level: 9 });
    assert.ok(bomb.length < 64 * 1024);
    const d = decodeReportBytes(bomb);
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.reason, /decompresses to more than/);
    const r = readReportBytes('bomb.json.gz', bomb);
    assert.equal(r.summary.findings[0].id, 'tlsrpt.unreadable');
    assert.equal(decodeReportBytes(Buffer.from([0x1f, 0x8b, 1, 2, 3])).ok, false);
  });

  it('never puts report text into a check command unless it is a valid host name', () => {
    const text = JSON.stringify({
      'organization-name': 'S',
      'report-id': 'r',
      'date-range': { 'start-datetime': '2025-01-01T00:00:00Z', 'end-datetime': '2025-01-01T23:59:59Z' },
      policies: [
        {
          policy: { 'policy-type': 'sts', 'policy-domain': 'example.com' },
          summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 2 },
          'failure-details': [
            { 'result-type': 'certificate-expired', 'receiving-mx-hostname': 'mx.example.com;rm -rf ~', 'failed-session-count': 1 },
            { 'result-type': 'certificate-expired', 'receiving-mx-hostname': 'mx2.example.com', 'failed-session-count': 1 },
          ],
        },
      ],
    });
    const f = readReportText('r.json', text).summary.findings[0];
    assert.match(f.fix, /Check now: mail-tls-doctor probe mx2\.example\.com:25$/);
    assert.doesNotMatch(f.fix, /rm -rf/);
  });

  it('is found by lint in a folder (plain and gzipped) and points findings at the report line', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-tlsrpt-'));
    try {
      fs.writeFileSync(path.join(tmp, `${GOOGLE}.gz`), zlib.gzipSync(fixture(GOOGLE)));
      fs.writeFileSync(path.join(tmp, 'report.json'), fixture('rfc8460-example.json'));
      fs.writeFileSync(path.join(tmp, 'package.json'), '{"name":"x","version":"1.0.0"}');
      const io = captureIO();
      const code = await main(['lint', tmp, path.join(tmp, 'report.json'), '--json'], io);
      assert.equal(code, 0, 'testing-mode failures are warnings, not errors');
      const out = JSON.parse(io.stdout) as { files: Array<{ file: string; findings: Array<{ id: string; range?: { start: { line: number } } }> }> };
      const byName = new Map(out.files.map((f) => [path.basename(f.file), f]));
      assert.deepEqual(
        byName.get(`${GOOGLE}.gz`)?.findings.map((f) => f.id),
        ['tlsrpt.no-policy-found'],
      );
      const rfc = byName.get('report.json');
      assert.equal(rfc?.findings.find((f) => f.id === 'tlsrpt.certificate-expired')?.range?.start.line, 21, 'the line of "certificate-expired" in the file');
      assert.ok(!byName.has('package.json'), 'other JSON is not a report');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    assert.equal(lintersFor('x/package.json', '{"name":"x"}').length, 0);
    assert.deepEqual(lintText('r.json', fixture('rfc8460-example.json'), { readFile: () => undefined }).findings.length, 3);
  });

  it('has an explanation and a documented id for every RFC 8460 result type', () => {
    const docs = fs.readFileSync(path.resolve(__dirname, '../../../../docs/findings-tlsrpt.md'), 'utf8');
    for (const t of RESULT_TYPES) assert.ok(docs.includes(`\`tlsrpt.${t}\``), t);
  });
});
