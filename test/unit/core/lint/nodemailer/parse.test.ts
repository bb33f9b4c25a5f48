import * as assert from 'node:assert/strict';
import type * as t from '@babel/types';
import { closersFor, parseTolerant } from '../../../../../src/core/lint/nodemailer/parse';

/** The string literals the parse found, read back from the ORIGINAL text by their offsets. */
function literalsAt(text: string, path = 'a.ts'): string[] {
  const parsed = parseTolerant(text, path);
  assert.ok(parsed, 'parses');
  const out: string[] = [];
  const stack: unknown[] = [parsed.ast.program];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) stack.push(...n);
    else {
      const node = n as t.Node;
      if (node.type === 'StringLiteral') out.push(text.slice(node.start ?? 0, node.end ?? 0));
      for (const [k, v] of Object.entries(node)) if (k !== 'loc' && typeof v === 'object') stack.push(v);
    }
  }
  return out.sort();
}

describe('tolerant parse', () => {
  it('valid code parses unrepaired, in every dialect', () => {
    for (const [path, code] of [
      ['a.js', 'const a = <div/>;'],
      ['a.ts', 'const a = <T,>(x: T) => x as T;'],
      ['a.tsx', 'const a = <div>{x as number}</div>;'],
      ['a.ts', '@Injectable() class A { constructor(private readonly x: string) {} }'],
    ]) {
      const r = parseTolerant(code, path);
      assert.equal(r?.repaired, false, `${path}: ${code}`);
    }
  });

  it('repairs keep the offsets of the text the user wrote', () => {
    const text = `createTransport({\n  host: 'smtp.example.com'\n  port: 'x,\n  name: 'client.example'\n  tls: { servername: 'a.example'`;
    assert.deepEqual(literalsAt(text), ["'a.example'", "'client.example'", "'smtp.example.com'"]);
  });

  it('an unclosed comment, template or regex-looking slash does not stop it', () => {
    assert.ok(parseTolerant("createTransport({ host: 'a' });\n/* unfinished", 'a.js'));
    assert.ok(parseTolerant('createTransport({ host: `a${b}', 'a.js'));
    assert.ok(parseTolerant("const r = /[/;\ncreateTransport({ host: 'a' });", 'a.js'));
  });

  it('closers close what is open, outside strings and comments', () => {
    assert.equal(closersFor("f({ a: [1, '(' // {\n"), ']})');
    assert.equal(closersFor('f({ a:'), '_})');
    assert.equal(closersFor("f('abc"), "')");
    assert.equal(closersFor('f(`x${y'), '}`)');
  });

  it('hopeless input yields nothing or a tree, never a throw', () => {
    for (const s of ['('.repeat(200000), '{'.repeat(50000), '"\\', '\u0000\uffff\ud800', ')))}}}]]]', 'a'.repeat(100000)]) {
      const r = parseTolerant(s, 'a.ts');
      assert.ok(r === undefined || r.ast.type === 'File');
    }
  });
});
