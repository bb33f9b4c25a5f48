import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * A context key the extension sets is read by a `when` or `enablement` clause of the manifest: one no clause reads
 * is dead state, a round trip to the window on every render or probe for nothing (`mailTlsDoctor.endpointCount`
 * and `mailTlsDoctor.probing` were). Reads the syntax tree of every file under src/extension and package.json.
 */
const root = path.resolve(__dirname, '../../..');
const extDir = path.join(root, 'src/extension');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function forEachNode(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => forEachNode(c, visit));
}

/** Every `when` and `enablement` clause of the manifest's contributions. */
function clauses(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) clauses(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'when' || k === 'enablement') && typeof x === 'string') out.push(x);
      else clauses(x, out);
    }
  }
  return out;
}

describe('extension: every context key it sets is read by the manifest', () => {
  const files = sourceFiles(extDir).map((f) => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true));
  // `const NAME = { prop: 'value' }` objects of string constants, to resolve `NAME.prop`.
  const constants = new Map<string, string>();
  for (const sf of files) {
    forEachNode(sf, (n) => {
      if (!ts.isVariableDeclaration(n) || !n.initializer) return;
      const init = ts.isAsExpression(n.initializer) ? n.initializer.expression : n.initializer;
      if (!ts.isObjectLiteralExpression(init)) return;
      for (const p of init.properties) {
        if (ts.isPropertyAssignment(p) && ts.isStringLiteral(p.initializer)) constants.set(`${n.name.getText()}.${p.name.getText()}`, p.initializer.text);
      }
    });
  }
  const keys: string[] = [];
  const problems: string[] = [];
  for (const sf of files) {
    forEachNode(sf, (n) => {
      if (!ts.isCallExpression(n) || !/executeCommand$/.test(n.expression.getText())) return;
      const [cmd, key] = n.arguments;
      if (!cmd || !ts.isStringLiteral(cmd) || cmd.text !== 'setContext') return;
      const where = `${path.relative(extDir, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      const value = key && (ts.isStringLiteralLike(key) ? key.text : constants.get(key.getText()));
      if (value === undefined) problems.push(`${where}: a context key this test cannot read (${key?.getText()})`);
      else keys.push(value);
    });
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: unknown };
  const read = clauses(manifest.contributes);

  it('no key is set that no clause reads', () => {
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const unread = keys.filter((k) => !read.some((c) => new RegExp(`(^|[^\\w.])${escape(k)}(?![\\w.])`).test(c)));
    assert.deepEqual([...problems, ...unread], []);
  });
});
