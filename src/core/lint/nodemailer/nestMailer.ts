/**
 * NestJS's @nestjs-modules/mailer: `MailerModule.forRoot({ transport, defaults })` and
 * `MailerModule.forRootAsync({ useFactory: (config: ConfigService) => ({ transport }), inject: [ConfigService] })`.
 * Its MailerService calls `createTransport(options.transport, options.defaults)`, and one createTransport per entry
 * of `options.transports`, so each of these is a transport like a createTransport call (./transports.ts reads it).
 * Only a MailerModule imported (or required) from '@nestjs-modules/mailer' in the file counts: a class of that name
 * from elsewhere, or a mention in a comment, is not this module.
 */
import type * as t from '@babel/types';

export const MAILER_PACKAGE = '@nestjs-modules/mailer';

/** One options value the module hands to createTransport. */
export interface MailerTransportUse {
  /** The `transport` key (or the `transports` entry's key): where the transport is made. */
  key: t.Node;
  /** The transport options: an object, a URL string, or an expression. */
  value: t.Node;
  /** The `defaults` object: the message defaults (its `from`). */
  defaults?: t.Node;
  /** The factory's parameters that are the ConfigService (`config.get('MAIL_HOST')` reads the environment). */
  configServices: Set<string>;
  /** Code written after this offset did not run before the options were made. */
  before: number;
}

/** Local names `import { MailerModule [as X] } from '@nestjs-modules/mailer'` binds. */
export function mailerImportNames(n: t.ImportDeclaration, into: Set<string>): void {
  if (n.source.value !== MAILER_PACKAGE || n.importKind === 'type') return;
  for (const s of n.specifiers) {
    if (s.type !== 'ImportSpecifier' || s.importKind === 'type') continue;
    const imported = s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
    if (imported === 'MailerModule') into.add(s.local.name);
  }
}

type ObjectOf = (node: t.Node) => t.ObjectExpression | undefined;

/** The transports a `X.forRoot(...)` / `X.forRootAsync(...)` call configures, X being an imported MailerModule. */
export function mailerTransportUses(call: t.CallExpression, modules: Set<string>, bindings: Map<string, t.Node>, objectOf: ObjectOf): MailerTransportUse[] {
  const c = call.callee;
  if (c.type !== 'MemberExpression' || c.computed || c.object.type !== 'Identifier' || !modules.has(c.object.name)) return [];
  if (c.property.type !== 'Identifier') return [];
  const arg = call.arguments[0];
  const opts = arg && arg.type !== 'SpreadElement' && arg.type !== 'ArgumentPlaceholder' ? objectOf(arg) : undefined;
  if (!opts) return [];
  if (c.property.name === 'forRoot') return usesOf(opts, new Set(), call.start ?? 0, objectOf);
  if (c.property.name !== 'forRootAsync') return [];
  const factory = factoryOf(opts, bindings);
  if (!factory) return [];
  const services = configServiceParams(factory, opts);
  return returnedValues(factory).flatMap((r) => {
    const returned = objectOf(r.value);
    return returned ? usesOf(returned, services, r.at, objectOf) : [];
  });
}

function usesOf(opts: t.ObjectExpression, configServices: Set<string>, before: number, objectOf: ObjectOf): MailerTransportUse[] {
  const defaults = propertyOf(opts, 'defaults');
  const out: MailerTransportUse[] = [];
  const transport = propertyOf(opts, 'transport');
  if (transport) out.push({ key: transport.key, value: transport.value, defaults: defaults?.value, configServices, before });
  const named = propertyOf(opts, 'transports');
  const table = named ? objectOf(named.value) : undefined;
  for (const p of table?.properties ?? []) {
    if (p.type === 'ObjectProperty') out.push({ key: p.key, value: p.value, defaults: defaults?.value, configServices, before });
  }
  return out;
}

/** The last `key: value` written for `key` (as JavaScript keeps the last). */
function propertyOf(obj: t.ObjectExpression, key: string): { key: t.Node; value: t.Node } | undefined {
  let found: { key: t.Node; value: t.Node } | undefined;
  for (const p of obj.properties) {
    if (p.type !== 'ObjectProperty') continue;
    const name = !p.computed && p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : undefined;
    if (name === key) found = { key: p.key, value: p.value };
  }
  return found;
}

type Factory = t.ArrowFunctionExpression | t.FunctionExpression | t.ObjectMethod;

/** `useFactory: (config) => ...`, `useFactory(config) {...}`, or `useFactory: mailerFactory` bound in the file. */
function factoryOf(opts: t.ObjectExpression, bindings: Map<string, t.Node>): Factory | undefined {
  let found: Factory | undefined;
  for (const p of opts.properties) {
    if (p.type === 'ObjectMethod' && p.kind === 'method' && !p.computed && p.key.type === 'Identifier' && p.key.name === 'useFactory') found = p;
    else if (p.type === 'ObjectProperty' && !p.computed && p.key.type === 'Identifier' && p.key.name === 'useFactory') {
      let v: t.Node | undefined = p.value;
      if (v.type === 'Identifier') v = bindings.get(v.name);
      found = v && (v.type === 'ArrowFunctionExpression' || v.type === 'FunctionExpression') ? v : undefined;
    }
  }
  return found;
}

/**
 * Parameters Nest fills with the ConfigService: typed `ConfigService`, or in the place of `ConfigService` in
 * `inject: [...]` (Nest passes the injected providers in that order).
 */
function configServiceParams(factory: Factory, opts: t.ObjectExpression): Set<string> {
  const inject = propertyOf(opts, 'inject')?.value;
  const injected = inject?.type === 'ArrayExpression' ? inject.elements : [];
  const out = new Set<string>();
  factory.params.forEach((p, i) => {
    if (p.type !== 'Identifier') return;
    const ann = p.typeAnnotation?.type === 'TSTypeAnnotation' ? p.typeAnnotation.typeAnnotation : undefined;
    const typed = ann?.type === 'TSTypeReference' && ann.typeName.type === 'Identifier' && ann.typeName.name === 'ConfigService';
    const slot = injected[i];
    if (typed || (slot?.type === 'Identifier' && slot.name === 'ConfigService')) out.add(p.name);
  });
  return out;
}

/** What the factory returns: its expression body, or each `return x` of its block (not of functions inside it). */
function returnedValues(factory: Factory): Array<{ value: t.Node; at: number }> {
  const body = factory.body;
  if (body.type !== 'BlockStatement') return [{ value: body, at: body.start ?? 0 }];
  const out: Array<{ value: t.Node; at: number }> = [];
  const visit = (s: t.Statement | null | undefined): void => {
    if (!s) return;
    switch (s.type) {
      case 'ReturnStatement':
        if (s.argument) out.push({ value: s.argument.type === 'AwaitExpression' ? s.argument.argument : s.argument, at: s.start ?? 0 });
        return;
      case 'BlockStatement':
        s.body.forEach(visit);
        return;
      case 'IfStatement':
        visit(s.consequent);
        visit(s.alternate);
        return;
      case 'TryStatement':
        visit(s.block);
        visit(s.handler?.body);
        visit(s.finalizer);
        return;
      default:
        return;
    }
  };
  visit(body);
  return out;
}

/** `config.get('MAIL_HOST')`, `config.get<string>('MAIL_HOST')`, `config.getOrThrow('MAIL_HOST')`: the key read. */
export function configServiceKey(node: t.CallExpression | t.OptionalCallExpression, services: Set<string> | undefined): string | undefined {
  if (!services || services.size === 0) return undefined;
  const c = node.callee;
  if ((c.type !== 'MemberExpression' && c.type !== 'OptionalMemberExpression') || c.computed) return undefined;
  if (c.object.type !== 'Identifier' || !services.has(c.object.name)) return undefined;
  if (c.property.type !== 'Identifier' || (c.property.name !== 'get' && c.property.name !== 'getOrThrow')) return undefined;
  const arg = node.arguments[0];
  if (arg?.type === 'StringLiteral') return arg.value;
  if (arg?.type === 'TemplateLiteral' && arg.expressions.length === 0) return arg.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}
