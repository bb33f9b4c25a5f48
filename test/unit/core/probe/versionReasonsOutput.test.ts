// Why each TLS version got its verdict (ProbeResult.versionReasons) where a user reads it: the CLI's text, JSON,
// SARIF result properties and the Markdown report; escaped for each sink.
import * as assert from 'node:assert/strict';
import { makeEndpoint } from '../../../../src/core/endpoint';
import type { Finding } from '../../../../src/core/finding';
import { formatResult, type Painter } from '../../../../src/core/probe/report';
import type { ProbeResult, TlsVersionName } from '../../../../src/core/probe/types';
import { decideVersions, versionState } from '../../../../src/core/probe/versionDecision';
import { renderMarkdownReport } from '../../../../src/core/report/markdown';
import { toSarif } from '../../../../src/core/report/sarif';

const plain: Painter = { red: (s) => s, yellow: (s) => s, green: (s) => s, cyan: (s) => s, dim: (s) => s, bold: (s) => s };

const legacyOnly: Finding = { id: 'tls.modern-version-missing', severity: 'error', title: 'Only TLS 1.0/1.1', detail: 'd', fix: 'f' };

/** As decided for a GnuTLS server restricted to TLS 1.0/1.1 whose TLS 1.3 hello was reset (not decided). */
function result(extra: Partial<ProbeResult> = {}): ProbeResult {
  const decided = decideVersions({
    TLSv1: { kind: 'accepted', detail: 'ECDHE-RSA-AES256-SHA' },
    'TLSv1.1': { kind: 'accepted', detail: 'negotiated on the main connection, ECDHE-RSA-AES256-SHA' },
    'TLSv1.2': { kind: 'alert-before-hello', alert: 'handshake failure' },
    'TLSv1.3': { kind: 'undecided', detail: 'the server reset the connection before any reply' },
  });
  return {
    endpoint: makeEndpoint('mail.example.test', 25),
    address: '127.0.0.1',
    probedFrom: 'ci',
    tls: { version: 'TLSv1.1', cipher: 'ECDHE-RSA-AES256-SHA' },
    versions: decided.versions,
    versionReasons: decided.reasons,
    certificates: [],
    findings: [legacyOnly],
    transcript: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 42,
    ...extra,
  };
}

describe('version reasons in the outputs', () => {
  it('versionState tells "not decided" (asked, no answer that says) from "not tested" (never asked)', () => {
    const r = result();
    assert.deepEqual(
      (['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as TlsVersionName[]).map((v) => versionState(r, v)),
      ['accepted', 'accepted', 'refused', 'not decided'],
    );
    const untested = decideVersions({ 'TLSv1.2': { kind: 'accepted' }, TLSv1: { kind: 'undecided', detail: 'this runtime cannot offer it', untested: true } });
    assert.equal(versionState({ versions: untested.versions, versionReasons: untested.reasons }, 'TLSv1'), 'not tested');
    assert.equal(versionState({ versions: untested.versions, versionReasons: untested.reasons }, 'TLSv1.3'), 'not tested');
    // Results from before versionReasons existed (a JSON Lines file from an older run): null is "not tested".
    assert.equal(versionState({ versions: untested.versions }, 'TLSv1'), 'not tested');
  });

  it('CLI text: a version that is not decided says why; --verbose says why for every version', () => {
    const text = formatResult(result(), plain, false);
    assert.match(text, /Versions {2}TLS 1\.0 yes, TLS 1\.1 yes, TLS 1\.2 no, TLS 1\.3 not decided/);
    assert.match(text, /^ {12}TLS 1\.3: not decided \(the server reset the connection before any reply\)$/m);
    assert.ok(!/TLS 1\.2: refused/.test(text), 'without --verbose only the undecided version gets a reason line');
    const verbose = formatResult(result(), plain, true);
    assert.match(
      verbose,
      /^ {12}TLS 1\.2: refused \(alert "handshake failure" instead of a ServerHello, while TLSv1 and TLSv1\.1 completed a handshake on the same endpoint\)$/m,
    );
    assert.match(verbose, /^ {12}TLS 1\.1: accepted \(negotiated on the main connection, ECDHE-RSA-AES256-SHA\)$/m);
  });

  it('CLI text: a reason cannot drive the terminal (escaped like every other server text)', () => {
    const r = result();
    r.versionReasons!['TLSv1.3'] = 'not decided (\u001b]0;owned\u0007 \u202etxt.exe)';
    const text = formatResult(r, plain, false);
    assert.ok(!/[\u001b\u0007\u202e]/.test(text), JSON.stringify(text));
    assert.match(text, /TLS 1\.3: not decided \(\\x1b\]0;owned\\x07 \\u202etxt\.exe\)/);
  });

  it('JSON: the result carries versionReasons as it is', () => {
    const r = result();
    const back = JSON.parse(JSON.stringify(r)) as ProbeResult;
    assert.deepEqual(back.versionReasons, r.versionReasons);
  });

  it('SARIF: each probe result has the verdict and reason of every version in its properties', () => {
    const log = toSarif([{ type: 'probe', ...result() }], { toolVersion: '0' });
    const res = log.runs[0].results!.find((x) => x.ruleId === 'tls.modern-version-missing')!;
    const tlsVersions = res.properties?.tlsVersions as Record<string, string>;
    assert.equal(tlsVersions['TLSv1.3'], 'not decided (the server reset the connection before any reply)');
    assert.match(tlsVersions['TLSv1.2'], /^refused \(alert "handshake failure" instead of a ServerHello, while TLSv1 and TLSv1\.1 completed/);
    assert.match(tlsVersions.TLSv1, /^accepted/);
  });

  it('SARIF: addresses that answered differently are kept apart; a reason stays one line', () => {
    const a = result();
    const b = result({ address: '127.0.0.2' });
    b.versionReasons = { ...b.versionReasons!, 'TLSv1.3': 'not decided (no answer within\n8000 ms)' };
    const log = toSarif(
      [
        { type: 'probe', ...a },
        { type: 'probe', ...b },
      ],
      { toolVersion: '0' },
    );
    const res = log.runs[0].results!.find((x) => x.ruleId === 'tls.modern-version-missing')!;
    assert.equal(res.properties?.tlsVersions, undefined);
    const byAddress = res.properties?.tlsVersionsByAddress as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(byAddress), ['127.0.0.1', '127.0.0.2']);
    assert.equal(byAddress['127.0.0.2']['TLSv1.3'], 'not decided (no answer within 8000 ms)');
  });

  it('Markdown report: "not decided" with its reason, escaped for Markdown', () => {
    const r = result();
    r.versionReasons!['TLSv1.3'] = 'not decided (reset *before* any [reply](http://x.test))';
    const text = renderMarkdownReport({ generatedAt: new Date('2026-01-01T00:00:00.000Z'), entries: [{ endpoint: r.endpoint, result: r }], lintFindings: [] });
    assert.match(text, /TLS versions: TLSv1 accepted, TLSv1\.1 accepted, TLSv1\.2 refused, TLSv1\.3 not decided/);
    const line = text.split('\n').find((l) => l.startsWith('  - TLSv1.3: '));
    assert.ok(line, text);
    // No link, no emphasis: the brackets and stars stay literal.
    assert.ok(line!.includes('\\[reply\\](') && line!.includes('\\*before\\*'), line);
  });
});
