import * as assert from 'node:assert/strict';
import { lintText } from '../../../../src/core/lint';
import type { LintHost } from '../../../../src/core/lint/types';

// "UTF-8 with BOM" (Notepad, some Windows tools): the file's bytes start with U+FEFF. Postfix and Dovecot read it
// as text (postconf 3.7.11 and doveconf 2.3.19, observed); editors hide it. lintText takes it off and tells the
// linters, so a file linted from disk (CLI, a closed file) and the same file open in the editor (whose text has no
// mark; the editor says so with host.byteOrderMark) get the same findings at the same columns.
describe('lint: a byte-order mark at the start of a file', () => {
  const host: LintHost = { readFile: () => undefined };
  const lint = (file: string, text: string, h: LintHost = host) => lintText(file, text, h).findings;
  const at = (fs: ReturnType<typeof lint>, id: string) => fs.filter((f) => f.id === id).map((f) => [f.range?.start.line, f.range?.start.character]);

  it('main.cf: an error saying what Postfix does with line 1 (setting ignored, or a fatal stop); the rest judged as meant, at editor columns', () => {
    const relay = 'relayhost = [smtp.example.com]:465\n';
    const plain = lint('/ws/etc/postfix/main.cf', relay);
    const marked = lint('/ws/etc/postfix/main.cf', `\uFEFF${relay}`);
    const bom = marked.find((f) => f.id === 'postfix.byte-order-mark');
    assert.ok(bom, 'the mark is reported');
    assert.equal(bom.severity, 'error');
    assert.match(bom.detail, /"\\uFEFFrelayhost"\) and ignores the setting/);
    assert.deepEqual(bom.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 'relayhost'.length } });
    assert.deepEqual(at(marked, 'postfix.relayhost-needs-wrappermode'), at(plain, 'postfix.relayhost-needs-wrappermode'), 'same columns as without the mark');
    assert.equal(at(plain, 'postfix.byte-order-mark').length, 0);
    assert.ok(!marked.some((f) => f.id === 'postfix.unknown-parameter' || f.id === 'postfix.syntax-error'), 'no unknown "\\uFEFFrelayhost"');
    // Before a comment or an empty line: postconf stops with "missing '=' after attribute name".
    for (const first of ['# relay settings', '']) {
      const f = lint('/ws/etc/postfix/main.cf', `\uFEFF${first}\n${relay}`).find((x) => x.id === 'postfix.byte-order-mark');
      assert.match(f?.detail ?? '', /missing '=' after attribute name/);
      assert.doesNotMatch(f?.evidence?.join(' ') ?? '', /relay settings/, 'a comment is not quoted');
    }
  });

  it('master.cf: the first service name, or a fatal "bad field count" before a comment; its services still judged', () => {
    const smtp = 'smtp      inet  n       -       y       -       -       smtpd\n';
    const marked = lint('/ws/etc/postfix/master.cf', `\uFEFF${smtp}`);
    assert.match(marked.find((f) => f.id === 'postfix.byte-order-mark')?.detail ?? '', /first entry's service name \("\\uFEFFsmtp"\)/);
    assert.ok(!marked.some((f) => f.id === 'postfix.master-syntax-error'));
    const comment = lint('/ws/etc/postfix/master.cf', `\uFEFF# services\n${smtp}`).find((f) => f.id === 'postfix.byte-order-mark');
    assert.match(comment?.detail ?? '', /bad field count/);
  });

  it('an open document (no mark in its text) with host.byteOrderMark gets the same finding; a master.cf beside main.cf is read as meant', () => {
    const text = 'relayhost = [smtp.example.com]:465\n';
    assert.deepEqual(
      lint('/ws/etc/postfix/main.cf', text, { ...host, byteOrderMark: true }).map((f) => f.id),
      lint('/ws/etc/postfix/main.cf', `\uFEFF${text}`).map((f) => f.id),
    );
    const dovecot = lint('/ws/etc/dovecot/dovecot.conf', 'ssl = required\n', { ...host, byteOrderMark: true });
    assert.match(dovecot.find((f) => f.id === 'dovecot.syntax-error')?.detail ?? '', /Unknown setting: \uFEFFssl/);
    // main.cf's lint reads master.cf: a marked master.cf still has its submission service (no wrapper-mode mix-up).
    const withMaster: LintHost = {
      readFile: (p) => (p.endsWith('master.cf') ? '\uFEFFsubmission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n' : undefined),
    };
    const viaMain = lint('/ws/etc/postfix/main.cf', 'smtpd_tls_security_level = may\n', withMaster);
    assert.ok(!viaMain.some((f) => f.id === 'postfix.byte-order-mark'), "master.cf's mark is master.cf's own finding");
  });
});
