/**
 * Options built in one module and passed to `createTransport` in another: `createTransport(require('../config/mail'))`,
 * `import mailConfig from './mailConfig'`, `const { smtp } = require('./config')`. A relative import of a file in
 * the workspace is read (through the host, bounded in size), parsed, and its exported object is handed to the
 * transport reader as if it were written at the call. One level: the other module's own imports are not followed.
 */
import * as nodePath from 'node:path';
import type * as t from '@babel/types';
import type { LintHost } from '../types';
import { parseTolerant } from './parse';
import { LineIndex } from '../lines';
import { isEnvObject, propertyName, type ResolveContext } from './resolve';
import { recordAssignments, type FoundAssignments } from './assignments';
import { forEachNode } from './traverse';

const MAX_MODULE_BYTES = 512 * 1024;
const EXTENSIONS = ['', '.js', '.ts', '.mjs', '.cjs', '.jsx', '.tsx', '.mts', '.cts', '/index.js', '/index.ts'];

/** Where a local name of the importing file comes from: `import x from './m'`, `import { a as x } from './m'`. */
export interface ImportBinding {
  source: string;
  /** `default`, a named export, or `*` for a namespace import. */
  imported: string;
}

export interface LoadedModule {
  path: string;
  text: string;
  index: LineIndex;
  ctx: ResolveContext;
  /** `default` is `module.exports` / `export default`; other keys are named exports (`exports.x`, `export const x`). */
  exports: Map<string, t.Node>;
  /** Assignments to properties anywhere in the module (applied to its objects when one is read). */
  assigned: FoundAssignments;
}

export type ModuleLoader = (spec: string) => LoadedModule | undefined;

/** A loader for modules relative to `fromPath`, confined to the workspace; each module is read and parsed once. */
export function moduleLoader(fromPath: string, host: LintHost, lookupEnv: ResolveContext['lookupEnv']): ModuleLoader {
  const cache = new Map<string, LoadedModule | undefined>();
  return (spec) => {
    if (!spec.startsWith('./') && !spec.startsWith('../')) return undefined;
    const base = nodePath.resolve(nodePath.dirname(fromPath), spec);
    if (cache.has(base)) return cache.get(base);
    cache.set(base, undefined);
    const root = host.workspaceRoot ? nodePath.resolve(host.workspaceRoot) : nodePath.dirname(nodePath.resolve(fromPath));
    for (const ext of EXTENSIONS) {
      const p = base + ext;
      if (p !== root && !p.startsWith(root + nodePath.sep)) return undefined;
      if (nodePath.resolve(p) === nodePath.resolve(fromPath)) continue;
      let text: string | undefined;
      try {
        text = host.readFile(p);
      } catch {
        text = undefined;
      }
      if (typeof text !== 'string' || text.length > MAX_MODULE_BYTES) continue;
      const parsed = parseTolerant(text, p);
      if (!parsed) return undefined;
      const m = readModule(parsed.ast, p, text, lookupEnv);
      cache.set(base, m);
      return m;
    }
    return undefined;
  };
}

/** Top-level bindings and exports of a module (no scopes: module-level code is where options objects live). */
function readModule(ast: t.File, path: string, text: string, lookupEnv: ResolveContext['lookupEnv']): LoadedModule {
  const ctx: ResolveContext = { bindings: new Map(), envAliases: new Map(), lookupEnv };
  const exports = new Map<string, t.Node>();
  const declare = (d: t.VariableDeclaration, exported: boolean) => {
    for (const v of d.declarations) {
      if (v.id.type === 'Identifier' && v.init) {
        ctx.bindings.set(v.id.name, v.init);
        if (exported) exports.set(v.id.name, v.init);
      } else if (v.id.type === 'ObjectPattern' && v.init && isEnvObject(v.init)) {
        for (const p of v.id.properties) {
          if (p.type === 'ObjectProperty' && !p.computed && p.key.type === 'Identifier' && p.value.type === 'Identifier')
            ctx.envAliases.set(p.value.name, p.key.name);
        }
      }
    }
  };
  for (const st of ast.program.body) {
    if (st.type === 'VariableDeclaration') declare(st, false);
    else if (st.type === 'ExportNamedDeclaration' && st.declaration?.type === 'VariableDeclaration') declare(st.declaration, true);
    else if (
      st.type === 'ExportDefaultDeclaration' &&
      st.declaration.type !== 'FunctionDeclaration' &&
      st.declaration.type !== 'ClassDeclaration' &&
      st.declaration.type !== 'TSDeclareFunction'
    ) {
      exports.set('default', st.declaration);
    } else if (st.type === 'ExpressionStatement' && st.expression.type === 'AssignmentExpression' && st.expression.operator === '=') {
      const target = exportTarget(st.expression.left);
      if (target) exports.set(target, st.expression.right);
    }
  }
  const assigned: FoundAssignments = { records: [], certain: new Set() };
  forEachNode(ast, (n) => recordAssignments(n, assigned));
  return { path, text, index: new LineIndex(text), ctx, exports, assigned };
}

/** `module.exports` -> default; `module.exports.x` / `exports.x` -> x. */
function exportTarget(left: t.Node): string | undefined {
  if (left.type !== 'MemberExpression') return undefined;
  const name = propertyName(left);
  if (left.object.type === 'Identifier' && left.object.name === 'module' && name === 'exports') return 'default';
  if (left.object.type === 'Identifier' && left.object.name === 'exports' && name) return name;
  if (left.object.type === 'MemberExpression' && exportTarget(left.object) === 'default' && name) return name;
  return undefined;
}

/** `require('./x')` (optionally awaited, or `import('./x')`): the module specifier. */
export function requiredModule(node: t.Node): string | undefined {
  let n = node;
  if (n.type === 'AwaitExpression') n = n.argument;
  if (n.type !== 'CallExpression') return undefined;
  const isLoader = (n.callee.type === 'Identifier' && n.callee.name === 'require') || n.callee.type === 'Import';
  const arg = n.arguments[0];
  return isLoader && arg?.type === 'StringLiteral' ? arg.value : undefined;
}

/** The node a module exports under `name`: a named export, or a property of `module.exports = { name: ... }`. */
export function exported(m: LoadedModule, name: string): t.Node | undefined {
  const direct = m.exports.get(name);
  if (direct) return direct;
  if (name === 'default') return undefined;
  let def = m.exports.get('default');
  for (let i = 0; def && def.type === 'Identifier' && i < 4; i++) def = m.ctx.bindings.get(def.name);
  if (def?.type !== 'ObjectExpression') return undefined;
  for (const p of def.properties) {
    if (
      p.type === 'ObjectProperty' &&
      !p.computed &&
      ((p.key.type === 'Identifier' && p.key.name === name) || (p.key.type === 'StringLiteral' && p.key.value === name))
    )
      return p.value;
  }
  return undefined;
}
