import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * One way to build a finding: `makeFinding()` (src/core/findings/index.ts), which the Postfix rules' `report()`
 * and the catalog's `explanationFinding()` call. This reads every source file's syntax tree and fails on a finding
 * written by hand, i.e. an object literal with `id: '<literal>'` and `severity` whose other keys are all fields of
 * `Finding` and that is complete (title, detail and fix, or a spread that may supply them). Tables keyed by
 * something else (the explain catalog has `pattern` and `causes`) are not findings and pass.
 */
const srcDir = path.resolve(__dirname, '../../../../src');
const BUILDER = path.join(srcDir, 'core/findings/index.ts');

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function keyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name) ? name.text : undefined;
}

/** The member names of `interface Finding`, read from src/core/finding.ts. */
function findingFields(): Set<string> {
  const decl = parse(path.join(srcDir, 'core/finding.ts')).statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Finding',
  );
  assert.ok(decl, 'interface Finding in src/core/finding.ts');
  return new Set(decl.members.map((m) => (m.name ? keyName(m.name) : undefined)).filter((n): n is string => n !== undefined));
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** A string literal, or a choice between literals (`persistent ? 'maillog.a' : 'maillog.b'`): an id written by hand. */
function isLiteralId(e: ts.Expression): boolean {
  const x = unwrap(e);
  return ts.isStringLiteralLike(x) || (ts.isConditionalExpression(x) && isLiteralId(x.whenTrue) && isLiteralId(x.whenFalse));
}

/** `file:line: text` for every hand-written finding literal in one source text. */
function handWrittenFindings(sf: ts.SourceFile, fields: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const named = new Map<string, ts.ObjectLiteralElementLike>();
      let spread = false;
      for (const p of node.properties) {
        if (ts.isSpreadAssignment(p)) spread = true;
        else if (p.name && keyName(p.name) !== undefined) named.set(keyName(p.name) as string, p);
      }
      const id = named.get('id');
      const literalId = id !== undefined && ts.isPropertyAssignment(id) && isLiteralId(id.initializer);
      const complete = spread || ['title', 'detail', 'fix'].every((k) => named.has(k));
      if (literalId && named.has('severity') && complete && [...named.keys()].every((k) => fields.has(k))) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        out.push(`${path.relative(srcDir, sf.fileName)}:${line}: ${id.getText(sf)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('one way to build a finding', () => {
  const fields = findingFields();

  it('reads the fields of Finding from its declaration', () => {
    for (const k of ['id', 'severity', 'title', 'detail', 'fix', 'file', 'range', 'evidence']) assert.ok(fields.has(k), k);
  });

  it('no file in src/ writes a finding literal: every finding goes through makeFinding()', () => {
    const files = sourceFiles(srcDir).filter((f) => f !== BUILDER);
    assert.ok(files.length > 50, `found only ${files.length} source files under ${srcDir}`);
    assert.deepEqual(
      files.flatMap((f) => handWrittenFindings(parse(f), fields)),
      [],
    );
  });

  it('the check sees a hand-written finding, also with a spread or a cast, and lets catalog tables and makeFinding pass', () => {
    const text = [
      "const a: Finding = { id: 'cert.expired', severity: 'error', title: 't', detail: 'd', fix: 'f', file };",
      "const b = [{ 'id': 'tls.no-tls13' as const, severity: 'info', ...where }];",
      "const c = { id: 'explain.x', pattern: /x/, severity: 'error', title: 't', detail: 'd', causes: [], fix: 'f' };",
      "const d = makeFinding('cert.expired', { severity: 'error', title: 't', detail: 'd', fix: 'f' });",
      "const e = { id: 'tlsrpt.bad-date', severity: 'warning', title: 't', fix: 'f' };",
      "const f = { id, severity, title: 't', detail: 'd', fix: 'f' };",
      "const g = { id: bad ? 'maillog.destination-persistent' : 'maillog.destination-intermittent', severity, title: 't', detail: 'd', fix: 'f', file };",
      "const h = { id: bad ? id : 'x.y', severity, title: 't', detail: 'd', fix: 'f' };",
    ].join('\n');
    const sf = ts.createSourceFile(path.join(srcDir, 'sample.ts'), text, ts.ScriptTarget.Latest, true);
    assert.deepEqual(handWrittenFindings(sf, fields), [
      "sample.ts:1: id: 'cert.expired'",
      "sample.ts:2: 'id': 'tls.no-tls13' as const",
      "sample.ts:7: id: bad ? 'maillog.destination-persistent' : 'maillog.destination-intermittent'",
    ]);
  });
});
