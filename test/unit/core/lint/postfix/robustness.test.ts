import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyEdits } from '../../../../support/applyEdits';
import { lint } from '../../../../support/postfixLint';

const PIECES = [
  'smtpd_tls_protocols',
  'relayhost',
  '=',
  ' ',
  '\t',
  '\r\n',
  '\n',
  '#',
  '$',
  '${',
  '}',
  '{',
  '-o',
  '>=',
  '!',
  ',',
  ':',
  '[',
  ']',
  'TLSv1',
  'yes',
  '465',
  'é',
  '✉',
  '\u0000',
  'smtp inet n - y - - smtpd',
];

/** In VS Code's line model: `\r\n`, `\n` and a lone `\r` each end a line. */
function inside(text: string, line: number, character: number): boolean {
  const lines = text.split(/\r\n|\n|\r/);
  return line >= 0 && line < lines.length && character >= 0 && character <= lines[line].length;
}

describe('postfix lint robustness', () => {
  it('any text gives findings, never an exception; ranges and edits stay inside the text', () => {
    const doc = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(doc, fc.constantFrom('main.cf' as const, 'master.cf' as const), (text, name) => {
        const r = lint(name, text, { 'main.cf': text, 'master.cf': text });
        for (const f of r.findings) {
          assert.ok(f.range, f.id);
          assert.notEqual(f.id, 'lint.internal-error', f.detail);
          assert.ok(
            inside(text, f.range.start.line, f.range.start.character) && inside(text, f.range.end.line, f.range.end.character),
            `${f.id} ${JSON.stringify(f.range)}`,
          );
          if (f.edits) applyEdits(text, f.edits);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('handles a lone "=", random bytes and a 10 MB file', () => {
    assert.ok(lint('main.cf', '=').findings.some((f) => f.id === 'postfix.syntax-error'));
    const bytes = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    lint('main.cf', bytes.toString('latin1'));
    lint('master.cf', bytes.toString('utf8'));
    // 10 MB: comments, one value continued over 100,000 lines, and the rule that must still fire after them.
    const comments = '# a comment line that Postfix skips, even inside a logical line\n'.repeat(60_000);
    const cont = 'mydestination = a\n' + '  example.com,\n'.repeat(100_000);
    const big = comments + cont + 'smtpd_tls_protocols = !SSLv2, !SSLv3\n' + comments.repeat(2);
    assert.ok(big.length >= 10 * 1024 * 1024);
    const r = lint('main.cf', big);
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.range?.start.line]),
      [['postfix.legacy-protocols', 160_001]],
    );
    // Many duplicates (a 1 MB file of them) stay linear too.
    const dup = lint('main.cf', 'smtpd_tls_protocols = !SSLv2, !SSLv3\n'.repeat(28_000));
    assert.equal(dup.findings.filter((f) => f.id === 'postfix.duplicate-parameter').length, 27_999);
  });

  it('bounds $name expansion that doubles at every level', () => {
    let text = 'a0 = x\n';
    for (let i = 1; i < 60; i++) text += `a${i} = $a${i - 1}$a${i - 1}$a${i - 1}\n`;
    text += 'smtpd_tls_protocols = $a59\n';
    lint('main.cf', text);
    lint('main.cf', 'a = $b\nb = $a\nsmtpd_tls_protocols = $a\n');
  });
});
