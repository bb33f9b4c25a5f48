// The editor adapter's pure parts (no `vscode` import): settings validation, where probes run, the Postfix hover's
// effective value. The parts that need the editor are tested in the real host (test/vscode).
import * as assert from 'node:assert/strict';
import { effectiveValue } from '../../../src/core/lint/postfix/effective';
import { isIgnoredHost, readSettings } from '../../../src/extension/settings';
import { probedFromLabel } from '../../../src/extension/where';
import { mergeEdits } from '../../../src/extension/mergeEdits';
import type { FindingId } from '../../../src/core/findings';

describe('extension settings', () => {
  const from = (values: Record<string, unknown>) => readSettings((k) => values[k]);

  it('uses the defaults when nothing is set, without problems', () => {
    const r = from({});
    assert.deepEqual(r.problems, []);
    assert.equal(r.settings.timeoutMs, 10_000);
    assert.equal(r.settings.concurrency, 4);
    assert.equal(r.settings.probeOnStartup, false);
  });

  it('converts seconds to ms and keeps valid values', () => {
    const r = from({ 'probe.timeoutSeconds': 3, 'probe.concurrency': 8, 'certificates.expiryWarningDays': 14, 'probe.onStartup': true });
    assert.deepEqual(r.problems, []);
    assert.equal(r.settings.timeoutMs, 3000);
    assert.equal(r.settings.concurrency, 8);
    assert.equal(r.settings.expiryWarningDays, 14);
    assert.equal(r.settings.probeOnStartup, true);
  });

  it('rejects bad values with a message naming the setting, and falls back to the default', () => {
    const r = from({ 'probe.timeoutSeconds': 0, 'probe.concurrency': 'many', 'probe.extraCaFiles': 'ca.pem', 'probe.onStartup': 'yes' });
    assert.equal(r.settings.timeoutMs, 10_000);
    assert.equal(r.settings.concurrency, 4);
    assert.deepEqual(r.settings.extraCaFiles, []);
    assert.equal(r.settings.probeOnStartup, false);
    assert.equal(r.problems.length, 4);
    assert.match(r.problems[0], /mailTlsDoctor\.probe\.timeoutSeconds must be a number from 1 to 120/);
  });

  it('validates severity overrides per id and drops only the bad entries', () => {
    const r = from({ severityOverrides: { 'cert.expired': 'warning', 'cert.*': 'info', 'tls.no-tls13': 'off', 'Bad Id': 'info', 'x.y': 'fatal' } });
    assert.deepEqual(r.settings.severityOverrides, { 'cert.expired': 'warning', 'cert.*': 'info', 'tls.no-tls13': 'off' });
    assert.equal(r.problems.length, 2);
  });

  it('rejects ignored-host patterns that are not host names', () => {
    const r = from({ 'probe.ignoredHosts': ['*.Example.com', 'smtp.test', 'evil host\r\nQUIT'] });
    assert.deepEqual(r.settings.ignoredHosts, ['*.example.com', 'smtp.test']);
    assert.equal(r.problems.length, 1);
  });

  it('matches ignored hosts exactly or by *.domain, case-insensitively, trailing dot ignored', () => {
    const ignored = ['*.example.com', 'smtp.test'];
    assert.ok(isIgnoredHost('SMTP.Example.com.', ignored));
    assert.ok(isIgnoredHost('smtp.test', ignored));
    assert.ok(!isIgnoredHost('example.com', ignored));
    assert.ok(!isIgnoredHost('notexample.com', ignored));
    assert.ok(!isIgnoredHost('smtp.test.org', ignored));
  });
});

describe('where probes run', () => {
  it('names the remote kinds VS Code has', () => {
    assert.equal(probedFromLabel(undefined, 'laptop'), 'this machine (laptop)');
    assert.equal(probedFromLabel('ssh-remote', 'relay1'), 'the SSH remote host relay1');
    assert.equal(probedFromLabel('dev-container', 'abc123'), 'the dev container abc123');
    assert.equal(probedFromLabel('wsl', 'pc'), 'WSL (pc)');
    assert.equal(probedFromLabel('127.0.0.1:8080', 'vm'), 'the VS Code server host vm');
    assert.equal(probedFromLabel('k8s-container', 'pod'), 'the remote host pod (k8s-container)');
  });
});

describe('Postfix hover: effective value', () => {
  const mainCf = ['relayhost = [smtp.example.com]:587', 'smtp_tls_security_level = may', 'my_level = encrypt', 'smtpd_tls_security_level = $my_level', ''].join(
    '\n',
  );

  it('takes the last assignment in the file', () => {
    assert.deepEqual(effectiveValue(`${mainCf}smtp_tls_security_level = encrypt\n`, 'smtp_tls_security_level'), {
      raw: 'encrypt',
      expanded: undefined,
      from: 'file',
      complete: true,
    });
  });

  it('expands $references against the same file', () => {
    const v = effectiveValue(mainCf, 'smtpd_tls_security_level');
    assert.equal(v?.raw, '$my_level');
    assert.equal(v?.expanded, 'encrypt');
  });

  it('falls back to the Postfix default, and a master.cf -o wins over main.cf', () => {
    assert.equal(effectiveValue(mainCf, 'smtp_tls_wrappermode')?.from, 'default');
    assert.equal(effectiveValue(mainCf, 'smtp_tls_wrappermode')?.raw, 'no');
    assert.equal(effectiveValue(mainCf, 'smtp_tls_security_level', { smtp_tls_security_level: 'verify' })?.raw, 'verify');
  });

  it('never shows an inline secret', () => {
    const v = effectiveValue('smtp_sasl_password_maps = static:user:hunter2\n', 'smtp_sasl_password_maps');
    assert.ok(v && !JSON.stringify(v).includes('hunter2'), JSON.stringify(v));
  });

  it('is undefined for names Postfix does not know and that the file does not set', () => {
    assert.equal(effectiveValue(mainCf, 'no_such_parameter_at_all'), undefined);
  });
});

describe('fix all: merging the edits of several findings', () => {
  const at = (line: number, from: number, to: number, newText: string) => ({
    range: { start: { line, character: from }, end: { line, character: to } },
    newText,
  });
  const f = (...edits: ReturnType<typeof at>[]) => ({ id: 'x' as FindingId, severity: 'warning' as const, title: '', detail: '', fix: '', edits });

  it('keeps disjoint edits, drops duplicates and edits that overlap an earlier one', () => {
    const merged = mergeEdits([f(at(1, 0, 5, 'a')), f(at(1, 0, 5, 'a'), at(3, 0, 2, 'b')), f(at(1, 3, 8, 'c'))]);
    assert.deepEqual(merged, [at(1, 0, 5, 'a'), at(3, 0, 2, 'b')]);
  });
});
