// src/core/report: the Markdown report, "copy as CLI command", severity overrides and verdicts.
import * as assert from 'node:assert/strict';
import { makeEndpoint } from '../../../../src/core/endpoint';
import type { Finding } from '../../../../src/core/finding';
import type { ProbeResult } from '../../../../src/core/probe/types';
import { cliCommandFor } from '../../../../src/core/report/cliCommand';
import { md, renderMarkdownReport } from '../../../../src/core/report/markdown';
import { applySeverityOverrides, overrideFor } from '../../../../src/core/report/overrides';
import { countVerdicts, verdictOf } from '../../../../src/core/report/verdict';
import type { FindingId } from '../../../../src/core/findings';

const finding = (id: string, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({
  id: id as FindingId,
  severity,
  title: `${id} title`,
  detail: `${id} detail`,
  fix: `${id} fix`,
  ...extra,
});

function result(findings: Finding[], extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    endpoint: makeEndpoint('mail.example.test', 587),
    address: '127.0.0.1',
    probedFrom: 'this machine (ci)',
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
    versions: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
    certificates: [],
    findings,
    transcript: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 42,
    ...extra,
  };
}

describe('report: verdicts', () => {
  it('fail on any error, warn on any warning, else pass', () => {
    assert.equal(verdictOf([]), 'pass');
    assert.equal(verdictOf([finding('a', 'info')]), 'pass');
    assert.equal(verdictOf([finding('a', 'info'), finding('b', 'warning')]), 'warn');
    assert.equal(verdictOf([finding('b', 'warning'), finding('c', 'error')]), 'fail');
    assert.deepEqual(countVerdicts([result([]), result([finding('c', 'error')]), result([finding('c', 'error')])]), { pass: 1, warn: 0, fail: 2 });
  });
});

describe('report: severity overrides', () => {
  const fs = [finding('cert.expired', 'error'), finding('cert.expires-soon', 'warning'), finding('tls.no-tls13', 'info')];

  it('exact ids beat families, longer families beat shorter ones, off drops', () => {
    const out = applySeverityOverrides(fs, { 'cert.*': 'info', 'cert.expired': 'warning', 'tls.no-tls13': 'off' });
    assert.deepEqual(
      out.map((f) => [f.id, f.severity]),
      [
        ['cert.expired', 'warning'],
        ['cert.expires-soon', 'info'],
      ],
    );
    assert.equal(overrideFor('cert.chain.x', { 'cert.*': 'info', 'cert.chain.*': 'error' }), 'error');
    assert.equal(overrideFor('certx.y', { 'cert.*': 'info' }), undefined);
  });

  it('does not mutate the input', () => {
    applySeverityOverrides(fs, { 'cert.*': 'info' });
    assert.equal(fs[0].severity, 'error');
  });
});

describe('report: CLI command for an endpoint', () => {
  it('writes only what the CLI would not infer from the port', () => {
    assert.equal(cliCommandFor(makeEndpoint('smtp.example.com', 587)), 'mail-tls-doctor probe smtp.example.com:587');
    assert.equal(cliCommandFor(makeEndpoint('smtp.example.com', 465)), 'mail-tls-doctor probe smtp.example.com:465');
    assert.equal(cliCommandFor(makeEndpoint('smtp.example.com', 465, { mode: 'starttls' })), 'mail-tls-doctor probe smtp.example.com:465 --starttls');
    assert.equal(
      cliCommandFor(makeEndpoint('mx.example.com', 2526, { protocol: 'imap', mode: 'implicit' })),
      'mail-tls-doctor probe mx.example.com:2526 --protocol imap --implicit',
    );
    assert.equal(
      cliCommandFor(makeEndpoint('2001:db8::1', 25, { servername: 'mx.example.com' })),
      'mail-tls-doctor probe [2001:db8::1]:25 --servername mx.example.com',
    );
  });

  it('quotes CA paths for the shell', () => {
    assert.equal(cliCommandFor(makeEndpoint('a.test', 587, { caFiles: ["/tmp/my ca's.pem"] })), `mail-tls-doctor probe a.test:587 --ca '/tmp/my ca'\\''s.pem'`);
  });
});

describe('report: Markdown', () => {
  const hostile = 'CN=evil](http://x.test) <img src=x> `code`';
  const r = result([finding('cert.expired', 'error', { evidence: ['notAfter=2025-01-01', 'has ``` fence'] }), finding('tls.no-tls13', 'info')], {
    certificates: [
      {
        subject: hostile,
        issuer: 'CN=CA',
        serialNumber: '01',
        notBefore: '2024-01-01T00:00:00Z',
        notAfter: '2025-01-01T00:00:00Z',
        sans: [],
        keyType: 'rsa',
        keyBits: 2048,
        signatureAlgorithm: 'sha256WithRSAEncryption',
        fingerprint256: 'AA',
        isCA: false,
        selfSigned: false,
        pem: '',
      },
    ],
  });
  const text = renderMarkdownReport({
    generatedAt: new Date('2026-01-02T03:04:05Z'),
    entries: [
      { endpoint: r.endpoint, definedBy: ['relayhost in main.cf (etc/postfix/main.cf:7)'], result: r },
      { endpoint: makeEndpoint('other.example.test', 465), note: 'not probed: the workspace is not trusted' },
    ],
    lintFindings: [
      {
        file: 'etc/postfix/main.cf',
        findings: [finding('postfix.legacy-protocols', 'warning', { range: { start: { line: 16, character: 0 }, end: { line: 16, character: 5 } } })],
      },
      { file: 'empty.cf', findings: [] },
    ],
  });

  it('lists endpoints with verdict, origin, versions, chain, findings with fixes, and lint findings with lines', () => {
    assert.match(text, /^# Mail TLS Doctor report$/m);
    assert.match(text, /2 endpoints, 1 probed: 1 failing, 0 with warnings, 0 passing\./);
    assert.match(text, /^### FAIL SMTP mail\.example\.test:587 \(STARTTLS\)$/m);
    assert.match(text, /Defined by relayhost in main\.cf \(etc\/postfix\/main\.cf:7\)/);
    assert.match(text, /TLS versions: TLSv1 refused, TLSv1\.1 refused, TLSv1\.2 accepted, TLSv1\.3 accepted/);
    assert.match(text, /\*\*Fix:\*\* cert\.expired fix/);
    assert.match(text, /not probed: the workspace is not trusted/);
    assert.match(text, /^#### WARNING `postfix\.legacy-protocols` \(line 17\)/m);
    assert.ok(!text.includes('### empty.cf'), 'files without findings are left out');
    // Errors come before infos.
    assert.ok(text.indexOf('cert.expired') < text.indexOf('tls.no-tls13'));
  });

  it('escapes text from servers so it cannot inject links, HTML or close a code fence', () => {
    assert.ok(!/(^|[^\\])\]\(http/m.test(text), 'an unescaped ]( would make a link');
    assert.ok(!/(^|[^\\])<img/m.test(text), 'an unescaped < would make HTML');
    assert.match(text, /CN=evil\\\]\(http\\:\/\\\/x\.test\) \\<img/);
    assert.match(text, /^````$/m, 'the evidence fence is longer than the backtick run inside it');
    assert.equal(md('a_b*c'), 'a\\_b\\*c');
  });
});
