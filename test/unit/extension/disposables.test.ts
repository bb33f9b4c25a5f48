import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Every event emitter of the extension is owned by an instance that disposes it, and that instance goes to
 * context.subscriptions (the tree-view sample's pattern): a static or module-level emitter outlives the extension
 * (VirtualDocs kept one, never disposed). Reads the syntax tree of every file under src/extension.
 */
const extDir = path.resolve(__dirname, '../../../src/extension');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function forEachNode(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => forEachNode(c, visit));
}

const isEmitter = (n: ts.Node): n is ts.NewExpression => ts.isNewExpression(n) && /(^|\.)EventEmitter$/.test(n.expression.getText());

describe('extension: event emitters are owned and disposed', () => {
  const problems: string[] = [];
  const owners: string[] = [];
  for (const file of sourceFiles(extDir)) {
    const sf = parse(file);
    const where = (n: ts.Node) => `${path.relative(extDir, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    forEachNode(sf, (n) => {
      if (!isEmitter(n)) return;
      const prop = n.parent;
      if (!ts.isPropertyDeclaration(prop) || !ts.isClassDeclaration(prop.parent)) {
        problems.push(`${where(n)}: an EventEmitter that is not an instance field of a class`);
        return;
      }
      const cls = prop.parent;
      const name = prop.name.getText();
      if (ts.getModifiers(prop)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) problems.push(`${where(n)}: static EventEmitter ${name}`);
      const dispose = cls.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === 'dispose');
      // Disposed in dispose(), or handed to a list of disposables the class disposes (`this.disposables.push(this.changed, ...)`).
      const body = cls.getText();
      const disposed =
        (dispose && new RegExp(`this\\.${name}\\.dispose\\(\\)`).test(dispose.getText())) || new RegExp(`\\.push\\([^;]*\\bthis\\.${name}\\b`, 's').test(body);
      if (!disposed) problems.push(`${where(n)}: ${cls.name?.text}.${name} is never disposed`);
      else owners.push(cls.name?.text ?? '?');
    });
  }

  it('every EventEmitter is an instance field its class disposes', () => {
    assert.deepEqual(problems, []);
    assert.ok(owners.includes('VirtualDocs'), owners.join(', '));
  });

  it("the editor part's VirtualDocs and TlsReportView go to context.subscriptions", () => {
    const sf = parse(path.join(extDir, 'editor.ts'));
    const pushed: string[] = [];
    forEachNode(sf, (n) => {
      if (ts.isCallExpression(n) && n.expression.getText() === 'context.subscriptions.push') pushed.push(...n.arguments.map((a) => a.getText()));
    });
    for (const cls of ['VirtualDocs', 'TlsReportView']) {
      const made = new RegExp(`const (\\w+) = new ${cls}\\(`).exec(sf.getText());
      assert.ok(made, `editor.ts makes no ${cls}`);
      assert.ok(pushed.includes(made[1]), `context.subscriptions.push(${pushed.join(', ')}) lacks ${made[1]}`);
    }
  });
});

/**
 * No editor object (a panel, a watcher, a status item, a listener) is held in module-level state: a module
 * outlives the extension's context, so what it holds is never disposed with it (the Mail TLS Report panel was a
 * module-level `let`). Flags a module-level `let`/`var` whose type mentions `vscode.`, directly or through an
 * interface, class or type alias of the same file, and any module-level declaration whose initializer makes one.
 */
describe('extension: no module-level state holds editor objects', () => {
  const problems: string[] = [];
  const makesEditorObject = /\bnew vscode\.|\bvscode\.(window|workspace|languages|commands|tasks|debug|tests)\.(create|register|on)\w*\(/;
  for (const file of sourceFiles(extDir)) {
    const sf = parse(file);
    const where = (n: ts.Node) => `${path.relative(extDir, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const localTypes = new Map<string, string>();
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isClassDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) localTypes.set(st.name.text, st.getText());
    }
    const mentionsVscode = (typeText: string) =>
      /\bvscode\./.test(typeText) || [...localTypes].some(([name, body]) => new RegExp(`\\b${name}\\b`).test(typeText) && /\bvscode\./.test(body));
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st)) continue;
      const mutable = !(st.declarationList.flags & ts.NodeFlags.Const);
      for (const d of st.declarationList.declarations) {
        const name = d.name.getText();
        if (d.initializer && makesEditorObject.test(d.initializer.getText())) problems.push(`${where(d)}: module-level ${name} makes an editor object`);
        else if (mutable && d.type && mentionsVscode(d.type.getText())) problems.push(`${where(d)}: module-level mutable ${name} holds an editor object`);
      }
    }
  }

  it('finds none in src/extension', () => {
    assert.deepEqual(problems, []);
  });
});
