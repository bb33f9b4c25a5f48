/**
 * Static evaluation of the small expressions people put in transport options: literals, `process.env.X` looked up
 * in the `.env` files, `Number()`/`parseInt()`/`+x`, `=== 'true'`, `||`, `??`, `? :`, and local constants. It
 * follows JavaScript's own semantics (`!!'false'` is true), because nodemailer does; anything else is "unknown",
 * and rules never fire on unknown values.
 */
import type * as t from '@babel/types';
import type { Range } from '../../finding';
import type { EnvHit } from '../dotenv/envFiles';
import { hasTemplateMarkup } from '../templates';
import type { AssignedObjects } from './assignments';
import { configServiceKey } from './nestMailer';

export type Primitive = string | number | boolean | null | undefined;

/** The `.env` line a value came from. */
export interface EnvOrigin {
  file: string;
  key: string;
  range: Range;
}

export interface Resolved {
  known: boolean;
  value?: Primitive;
  /** Every `.env` line that fed the value. */
  env: EnvOrigin[];
  /** Environment variables read but defined in no `.env` file. */
  missingEnv: string[];
  /** True when the value is written as a literal right here, so an edit can replace it. */
  literal: boolean;
  /** The text holds template markup (`'{{ smtp_port }}'`, `'<%= host %>'`): its value is decided when rendered. */
  templated?: boolean;
}

export interface ResolveContext {
  /** Local constants: name -> initializer (the last one seen; scopes are not modelled). */
  bindings: Map<string, t.Node>;
  /** `const { SMTP_PORT: port } = process.env`: local name -> variable name. */
  envAliases: Map<string, string>;
  lookupEnv(key: string): EnvHit | undefined;
  /** Properties assigned to object literals after they were written (./assignments.ts). */
  objects?: AssignedObjects;
  /** The offset of the createTransport call being read: an assignment written after it is not counted on. */
  before?: number;
  /** Names of NestJS ConfigService parameters: `config.get('X')` reads variable X (./nestMailer.ts). */
  configServices?: Set<string>;
}

const MAX_DEPTH = 12;

const unknown = (env: EnvOrigin[] = [], missingEnv: string[] = []): Resolved => ({ known: false, env, missingEnv, literal: false });
const known = (value: Primitive, from: Resolved[] = [], literal = false): Resolved => ({
  known: true,
  value,
  env: from.flatMap((r) => r.env),
  missingEnv: from.flatMap((r) => r.missingEnv),
  literal,
});

export function resolveValue(node: t.Node | null | undefined, ctx: ResolveContext, depth = 0, seen = new Set<string>()): Resolved {
  if (!node || depth > MAX_DEPTH) return unknown();
  const r = (n: t.Node | null | undefined) => resolveValue(n, ctx, depth + 1, seen);
  switch (node.type) {
    case 'StringLiteral':
      if (hasTemplateMarkup(node.value)) return { ...unknown(), templated: true };
      return known(node.value, [], true);
    case 'NumericLiteral':
    case 'BooleanLiteral':
      return known(node.value, [], true);
    case 'NullLiteral':
      return known(null, [], true);
    case 'TemplateLiteral': {
      if (node.quasis.some((q) => hasTemplateMarkup(q.value.raw))) return { ...unknown(), templated: true };
      if (node.expressions.length === 0) return known(node.quasis.map((q) => q.value.cooked ?? q.value.raw).join(''), [], true);
      const parts = node.expressions.map((e) => r(e));
      if (!parts.every((p) => p.known))
        return unknown(
          parts.flatMap((p) => p.env),
          parts.flatMap((p) => p.missingEnv),
        );
      let s = '';
      node.quasis.forEach((q, i) => {
        s += q.value.cooked ?? q.value.raw;
        if (i < parts.length) s += String(parts[i].value);
      });
      return known(s, parts);
    }
    case 'Identifier': {
      if (node.name === 'undefined') return known(undefined, [], true);
      const envKey = ctx.envAliases.get(node.name);
      if (envKey !== undefined) return fromEnv(envKey, ctx);
      const init = ctx.bindings.get(node.name);
      if (!init || seen.has(node.name)) return unknown();
      seen.add(node.name);
      const v = resolveValue(init, ctx, depth + 1, seen);
      seen.delete(node.name);
      return { ...v, literal: false };
    }
    case 'MemberExpression':
    case 'OptionalMemberExpression': {
      const key = envKeyOf(node);
      return key !== undefined ? fromEnv(key, ctx) : unknown();
    }
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
    case 'TypeCastExpression':
      return r(node.expression);
    case 'UnaryExpression': {
      const v = r(node.argument);
      if (!v.known) return v;
      const x = v.value;
      if (node.operator === '!') return known(!x, [v]);
      if (node.operator === '+') return known(Number(x), [v]);
      if (node.operator === '-') return known(-Number(x), [v], v.literal);
      return unknown(v.env, v.missingEnv);
    }
    case 'LogicalExpression': {
      const left = r(node.left);
      const right = r(node.right);
      if (!left.known) return unknown([...left.env, ...right.env], [...left.missingEnv, ...right.missingEnv]);
      const l = left.value;
      const takeLeft = node.operator === '||' ? Boolean(l) : node.operator === '&&' ? !l : l !== null && l !== undefined;
      // Only the operand that decides the value is reported as its origin.
      return takeLeft ? { ...left, literal: false } : { ...right, literal: false, env: [...left.env, ...right.env] };
    }
    case 'ConditionalExpression': {
      const test = r(node.test);
      if (!test.known) return unknown(test.env, test.missingEnv);
      const branch = r(test.value ? node.consequent : node.alternate);
      return { ...branch, literal: false, env: [...test.env, ...branch.env] };
    }
    case 'BinaryExpression': {
      const a = r(node.left);
      const b = r(node.right);
      if (!a.known || !b.known) return unknown([...a.env, ...b.env], [...a.missingEnv, ...b.missingEnv]);
      const x = a.value;
      const y = b.value;
      switch (node.operator) {
        case '===':
          return known(x === y, [a, b]);
        case '!==':
          return known(x !== y, [a, b]);
        case '==':
          // eslint-disable-next-line eqeqeq -- evaluates the code's own loose comparison, as JavaScript does
          return known(x == y, [a, b]);
        case '!=':
          // eslint-disable-next-line eqeqeq -- evaluates the code's own loose comparison, as JavaScript does
          return known(x != y, [a, b]);
        case '+':
          return known(typeof x === 'number' && typeof y === 'number' ? x + y : String(x) + String(y), [a, b]);
        default:
          return unknown([...a.env, ...b.env]);
      }
    }
    case 'CallExpression':
    case 'OptionalCallExpression': {
      const configKey = configServiceKey(node, ctx.configServices);
      if (configKey !== undefined) return fromConfigService(configKey, ctx);
      const method = stringMethod(node.callee);
      if (method) {
        const v = r(method.object);
        if (!v.known || typeof v.value !== 'string') return unknown(v.env, v.missingEnv);
        return known(method.name === 'trim' ? v.value.trim() : method.name === 'toLowerCase' ? v.value.toLowerCase() : v.value.toUpperCase(), [v]);
      }
      const callee = calleeName(node.callee);
      const args = node.arguments.filter((a): a is t.Expression => a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder');
      if (callee === undefined || args.length === 0) return unknown();
      const v = r(args[0]);
      if (!v.known) return v;
      switch (callee) {
        case 'Number':
          return known(Number(v.value), [v]);
        case 'parseInt':
        case 'Number.parseInt': {
          const radix = args[1] ? r(args[1]) : undefined;
          return known(parseInt(String(v.value), radix?.known ? Number(radix.value) : undefined), [v]);
        }
        case 'parseFloat':
        case 'Number.parseFloat':
          return known(parseFloat(String(v.value)), [v]);
        case 'Boolean':
          return known(Boolean(v.value), [v]);
        case 'String':
          return known(String(v.value), [v]);
        case 'JSON.parse':
          return parseJsonPrimitive(v);
        default:
          return unknown(v.env, v.missingEnv);
      }
    }
    default:
      return unknown();
  }
}

function fromEnv(key: string, ctx: ResolveContext): Resolved {
  const hit = ctx.lookupEnv(key);
  if (!hit) return unknown([], [key]);
  return { known: true, value: hit.entry.value, env: [{ file: hit.file, key, range: hit.entry.valueRange }], missingEnv: [], literal: false };
}

/**
 * ConfigService.get returns the environment variable as text, unless a validation schema converted it
 * (`Joi.boolean()` turns 'false' into false): true/false text is therefore not taken as the value.
 */
function fromConfigService(key: string, ctx: ResolveContext): Resolved {
  const v = fromEnv(key, ctx);
  return v.known && typeof v.value === 'string' && /^(true|false)$/i.test(v.value.trim()) ? unknown(v.env) : v;
}

function parseJsonPrimitive(v: Resolved): Resolved {
  try {
    const parsed: unknown = JSON.parse(String(v.value));
    if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) return known(parsed as Primitive, [v]);
  } catch {
    // JSON.parse would throw at run time too; say nothing about it here
  }
  return unknown(v.env);
}

/** `process.env.X`, `process.env['X']`, `import.meta.env.X`, `Bun.env.X`, `Deno.env.X`. */
export function envKeyOf(node: t.MemberExpression | t.OptionalMemberExpression): string | undefined {
  const key = propertyName(node);
  if (key === undefined) return undefined;
  return isEnvObject(node.object) ? key : undefined;
}

export function isEnvObject(node: t.Node): boolean {
  if (node.type !== 'MemberExpression' && node.type !== 'OptionalMemberExpression') return false;
  if (propertyName(node) !== 'env') return false;
  const o = node.object;
  if (o.type === 'Identifier') return o.name === 'process' || o.name === 'Bun';
  return o.type === 'MetaProperty';
}

export function propertyName(node: t.MemberExpression | t.OptionalMemberExpression): string | undefined {
  const p = node.property;
  if (!node.computed && p.type === 'Identifier') return p.name;
  if (p.type === 'StringLiteral') return p.value;
  if (p.type === 'TemplateLiteral' && p.expressions.length === 0) return p.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** `x.trim()`, `x.toLowerCase()`: common around env values, and harmless to evaluate. */
function stringMethod(node: t.Node): { object: t.Node; name: string } | undefined {
  if (node.type !== 'MemberExpression' && node.type !== 'OptionalMemberExpression') return undefined;
  const name = propertyName(node);
  return name === 'trim' || name === 'toLowerCase' || name === 'toUpperCase' ? { object: node.object, name } : undefined;
}

function calleeName(node: t.Node): string | undefined {
  if (node.type === 'Identifier') return node.name;
  if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && node.object.type === 'Identifier') {
    const p = propertyName(node);
    return p === undefined ? undefined : `${node.object.name}.${p}`;
  }
  return undefined;
}
