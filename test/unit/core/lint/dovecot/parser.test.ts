import * as assert from 'node:assert/strict';
import { parseDovecotConf } from '../../../../../src/core/lint/dovecot/parser';

describe('dovecot config parser', () => {
  it('reads key = value, nested sections, comments, quotes, includes and continuation lines', () => {
    const text = [
      '# comment',
      'ssl = yes # trailing comment',
      'ssl_cert = </etc/ssl/x.pem',
      'login_greeting = "Ready # not a comment"',
      'service imap-login {',
      '  inet_listener imaps {',
      '    port = 993',
      '  }',
      '}',
      'protocol imap {',
      '  mail_plugins = $mail_plugins \\',
      '    quota',
      '}',
      '!include conf.d/*.conf',
      '!include_try local.conf',
      'mailbox "Sent Messages" {',
      '}',
    ].join('\n');
    const c = parseDovecotConf(text);
    assert.deepEqual(c.problems, []);
    const byName = new Map(c.settings.map((s) => [s.name, s]));
    assert.equal(byName.get('ssl')?.value, 'yes');
    assert.equal(byName.get('ssl_cert')?.value, '</etc/ssl/x.pem');
    assert.equal(byName.get('login_greeting')?.value, 'Ready # not a comment');
    const port = byName.get('port')!;
    assert.deepEqual(
      port.sections.map((s) => [s.name, s.arg]),
      [
        ['service', 'imap-login'],
        ['inet_listener', 'imaps'],
      ],
    );
    assert.deepEqual(port.valueRange, { start: { line: 6, character: 11 }, end: { line: 6, character: 14 } });
    // Joined as doveconf joins them: one space, the blanks around the break dropped.
    assert.equal(byName.get('mail_plugins')?.value, '$mail_plugins quota');
    assert.equal(byName.get('mail_plugins')?.valueLiteral, false);
    assert.deepEqual(
      c.includes.map((i) => [i.path, i.optional]),
      [
        ['conf.d/*.conf', false],
        ['local.conf', true],
      ],
    );
    assert.deepEqual(
      c.sections.map((s) => `${s.section.name}:${s.section.arg}`),
      ['service:imap-login', 'inet_listener:imaps', 'protocol:imap', 'mailbox:Sent Messages'],
    );
  });

  it('names what Dovecot rejects: an unclosed section, a stray }, a line without =, = without a key', () => {
    const c = parseDovecotConf('service imap {\nfoo\n= bar\n');
    assert.deepEqual(
      c.problems.map((p) => [p.kind, p.line]),
      [
        ['no-equals', 1],
        ['no-name', 2],
        ['unclosed-section', 0],
      ],
    );
    assert.deepEqual(
      parseDovecotConf('}\nssl = yes\n').problems.map((p) => p.kind),
      ['unexpected-close'],
    );
  });

  it('names a section written on one line as Dovecot does ("Garbage after \'{\'"), not as a bad key', () => {
    const text =
      'passdb { driver = pam }\nuserdb system { driver = passwd }\n  mailbox "Sent Items" { auto = subscribe }\nservice imap { }\nkey = {x}\nplugin {\n}\n';
    assert.deepEqual(
      parseDovecotConf(text).problems.map((p) => [p.kind, p.line]),
      [
        ['garbage-after-brace', 0],
        ['garbage-after-brace', 1],
        ['garbage-after-brace', 2],
        ['garbage-after-brace', 3],
      ],
    );
    // A line ending in `{` opens its section as before (a template's `mailbox {{ name }} {`).
    const t = parseDovecotConf('namespace inbox {\n  mailbox {{ name }} {\n    auto = subscribe\n  }\n}\n');
    assert.deepEqual(t.problems, []);
    assert.deepEqual(
      t.sections.map((x) => `${x.section.name}:${x.section.arg}`),
      ['namespace:inbox', 'mailbox:{{ name }}'],
    );
    // `key = {x}` is a setting whose value starts with a brace; `plugin {` alone opens a section.
    assert.deepEqual(
      parseDovecotConf(text).settings.map((s) => [s.name, s.value]),
      [['key', '{x}']],
    );
  });

  it('stays linear and bounded on hostile input (deep nesting, huge lines, NUL bytes)', () => {
    const deep = 'a {\n'.repeat(50_000) + '}\n'.repeat(50_000);
    const t0 = Date.now();
    const c = parseDovecotConf(deep);
    assert.ok(c.problems.length <= 200);
    parseDovecotConf('x = ' + 'y'.repeat(5_000_000));
    parseDovecotConf('\u0000\u0001{{{}}}\\\n'.repeat(10_000));
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});
