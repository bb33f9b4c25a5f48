/** master.cf tokenizing as Postfix does it, with ranges that point at the user's text. */
import * as assert from 'node:assert/strict';
import { parseMasterCf } from '../../../../../src/core/lint/postfix';
import type { Range } from '../../../../../src/core/finding';

function textAt(text: string, r: Range): string {
  const lines = text.split(/\r\n|\n|\r/);
  if (r.start.line === r.end.line) return lines[r.start.line].slice(r.start.character, r.end.character);
  return [lines[r.start.line].slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line].slice(0, r.end.character)].join('\n');
}

describe('postfix: master.cf parser', () => {
  it('keeps a brace that opens inside an argument together with its white space', () => {
    const text = 'sub inet n - y - - smtpd\n  -o smtpd_sender_restrictions={ reject_unknown_sender_domain, permit } -o a=1\n';
    const [svc] = parseMasterCf(text).services;
    assert.deepEqual(
      svc.overrides.map((o) => [o.name, o.value]),
      [
        ['smtpd_sender_restrictions', '{ reject_unknown_sender_domain, permit }'],
        ['a', '1'],
      ],
    );
    assert.equal(textAt(text, svc.overrides[0].valueRange), '{ reject_unknown_sender_domain, permit }');
    assert.equal(svc.damaged, false);
  });

  it('reads { name = value } spread over lines, with exact ranges', () => {
    const text = 'sub inet n - y - - smtpd\r\n  -o { smtpd_recipient_restrictions =\r\n# note\r\n     permit_mynetworks,\r\n     reject }\r\n';
    const [svc] = parseMasterCf(text).services;
    assert.equal(svc.overrides[0].name, 'smtpd_recipient_restrictions');
    assert.equal(textAt(text, svc.overrides[0].nameRange), 'smtpd_recipient_restrictions');
    assert.equal(textAt(text, svc.overrides[0].valueRange), 'permit_mynetworks,\n     reject');
  });

  it('ends the options at the first other argument or "--", as getopt does', () => {
    const text = [
      'maildrop unix - n n - - pipe flags=DRhu argv=/usr/bin/maildrop -d ${recipient} -o x=1',
      'retry unix - - n - - error -v -o a=1 -- -o b=2',
      'lmtp unix - - n - - lmtp -o -v -o c=3',
      '',
    ].join('\n');
    const cf = parseMasterCf(text);
    assert.deepEqual(
      cf.services.map((s) => s.overrides.map((o) => o.name)),
      [[], ['a'], ['c']],
    );
    // An -o appended to these entries would be no option: no quick fix may add one.
    assert.deepEqual(
      cf.services.map((s) => s.damaged),
      [true, true, true],
    );
    assert.deepEqual(
      cf.problems.map((p) => [p.kind, textAt(text, p.range)]),
      [['bad-override', '-v']],
    );
  });

  it('reports text after a closing brace and still reads what is inside, as postconf does', () => {
    const text = 'a unix - - n - - smtp -o {x=1}junk\n';
    const cf = parseMasterCf(text);
    assert.deepEqual(
      cf.services[0].overrides.map((o) => [o.name, o.value]),
      [['x', '1']],
    );
    assert.deepEqual(
      cf.problems.map((p) => [p.kind, textAt(text, p.range)]),
      [['bad-override', 'junk']],
    );
  });
});
