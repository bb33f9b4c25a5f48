/**
 * Finds nodemailer SMTP transports in a parsed file: `nodemailer.createTransport({...})` (any object, so
 * `mailer.createTransport` too), `createTransport` imported or required by name, a `smtp://`/`smtps://` URL, an
 * options object bound to a variable, `{...base, port}` spreads, and the old `smtpTransport({...})` wrapper.
 * Each option keeps its place in the code and its resolved value, for the rules and their edits. Besides: the sender
 * addresses (`auth.user`, `from`) whose domains are offered to the domain check on request (./senders.ts).
 */
import type * as t from '@babel/types';
import type { Range } from '../../finding';
import { hostProblem, urlHost } from '../hosts';
import { attachAssignments, recordAssignments, type FoundAssignments } from './assignments';
import type { LineIndex } from '../lines';
import { exported, requiredModule, type ImportBinding, type LoadedModule, type ModuleLoader } from './modules';
import { isEnvObject, propertyName, resolveValue, type ResolveContext, type Resolved } from './resolve';
import { forEachNode } from './traverse';
import { MAILER_PACKAGE, mailerImportNames, mailerTransportUses } from './nestMailer';

export interface OptionSite {
  key: string;
  resolved: Resolved;
  /** Where the option is written; absent when it comes from a URL. */
  code?: {
    start: number;
    end: number;
    keyRange: Range;
    valueRange: Range;
    valueStart: number;
    valueEnd: number;
    /** Written as a statement (`opts.secure = true;`), not inside the object: nothing can be inserted after it. */
    statement?: boolean;
  };
  /** True when it came from the connection URL (`smtps://host:465`). */
  fromUrl?: boolean;
  /** The earlier definition of the same key (a duplicate, or one in a spread base) that this one overrides. */
  shadows?: OptionSite;
}

export interface TransportSite {
  /** The `createTransport` callee. */
  callRange: Range;
  /** The options argument. */
  argRange: Range;
  options: Map<string, OptionSite>;
  tls: Map<string, OptionSite>;
  /** The object literal holding the options, when there is one: where an option can be added. */
  objectStart?: number;
  objectEnd?: number;
  /** A spread or computed key we could not see through: an absent option may in fact be set. */
  openEnded: boolean;
  /** The URL (never kept as text: it may hold a password) was given but could not be read. */
  unreadableUrl?: boolean;
  /** The options object is written in another module (`require('./mailConfig')`): option places are in that file. */
  module?: string;
  /** Properties of the options object (or of `transporter.options`) assigned after it was written. */
  mutated?: boolean;
  /**
   * `auth.user` (or the URL's user name): only this key of `auth` is read, never the password. Its domain part is
   * a sender domain (src/core/lint/nodemailer/senders.ts).
   */
  authUser?: OptionSite;
  /** `from` in createTransport's second argument (the message defaults). */
  defaultFrom?: OptionSite;
}

/** What a file's nodemailer calls say: the transports, and the `from` of each `sendMail({...})` message. */
export interface MailSites {
  transports: TransportSite[];
  /** `from` of messages given to `sendMail`, in the order written. */
  sendMailFrom: OptionSite[];
}

const TOP_KEYS = new Set([
  'host',
  'port',
  'secure',
  'service',
  'requireTLS',
  'ignoreTLS',
  'opportunisticTLS',
  'secureConnection',
  'auth',
  'url',
  'name',
  'tls',
  'sendmail',
  'streamTransport',
  'jsonTransport',
  'SES',
  'transport',
]);

export interface FindContext {
  text: string;
  index: LineIndex;
  lookupEnv: ResolveContext['lookupEnv'];
  /** Reads a relative module of the workspace, for options built in another file. */
  loadModule?: ModuleLoader;
}

/** What the walk learns besides bindings: imports from local modules and objects whose properties are assigned. */
interface Walk {
  imports: Map<string, ImportBinding>;
  /** Names whose properties are assigned somewhere (`opts.port = 465`, `transporter.options.secure = true`). */
  mutated: Set<string>;
  /** Every assignment to a property (./assignments.ts). */
  assigned: FoundAssignments;
  /** Local names of the `MailerModule` of @nestjs-modules/mailer (./nestMailer.ts). */
  mailerModules: Set<string>;
}

/** What createTransport is given: the options (object, URL or expression) and the message defaults. */
interface Made {
  /** What makes the transport: the createTransport callee, or the `transport` key of MailerModule's options. */
  maker: t.Node;
  options: t.Node | undefined;
  defaults: t.Node | undefined;
  /** The call whose result is the transporter, if any (its later property assignments change it). */
  call?: t.CallExpression;
}

function argument(call: t.CallExpression, i: number): t.Node | undefined {
  const a = call.arguments[i];
  return a && a.type !== 'SpreadElement' && a.type !== 'ArgumentPlaceholder' ? a : undefined;
}

export function findMailSites(ast: t.File, fc: FindContext): MailSites {
  const ctx: ResolveContext = { bindings: new Map(), envAliases: new Map(), lookupEnv: fc.lookupEnv };
  const creators = new Set<string>(['createTransport']);
  const calls: t.CallExpression[] = [];
  const walk: Walk = { imports: new Map(), mutated: new Set(), assigned: { records: [], certain: new Set() }, mailerModules: new Set() };
  forEachNode(ast, (n) => collect(n, ctx, creators, calls, walk));
  ctx.objects = { assigned: new Map(), open: new Set() };
  // An assignment to an object we cannot see (a transporter's `options`, a function's result) changes its variable.
  for (const r of attachAssignments(walk.assigned.records, (n) => targetObject(n, ctx), ctx.objects)) {
    let o: t.Node = r.target;
    if ((o.type === 'MemberExpression' || o.type === 'OptionalMemberExpression') && propertyName(o) === 'options') o = o.object;
    if (o.type === 'Identifier') walk.mutated.add(o.name);
    else if (r.root !== undefined) walk.mutated.add(r.root);
  }
  const out: TransportSite[] = [];
  const add = (made: Made, at: ResolveContext) => {
    const site = transportOf(made, at, fc, walk);
    if (!site) return;
    if (isMutated(made, ctx, walk)) {
      site.mutated = true;
      site.openEnded = true;
    }
    out.push(site);
  };
  for (const call of calls) {
    if (isCreateTransport(call.callee, creators)) {
      add({ maker: call.callee, options: argument(call, 0), defaults: argument(call, 1), call }, { ...ctx, before: call.start ?? undefined });
      continue;
    }
    if (walk.mailerModules.size === 0) continue;
    for (const use of mailerTransportUses(call, walk.mailerModules, ctx.bindings, (n) => objectOf(n, ctx))) {
      add({ maker: use.key, options: use.value, defaults: use.defaults }, { ...ctx, before: use.before, configServices: use.configServices });
    }
  }
  const sendMailFrom = calls.filter(isSendMail).flatMap((call) => {
    const obj = call.arguments[0] ? objectOf(call.arguments[0], ctx) : undefined;
    const from = obj ? pickOption(obj, 'from', ctx, fc) : undefined;
    return from ? [from] : [];
  });
  return {
    transports: out.sort((a, b) => a.callRange.start.line - b.callRange.start.line || a.callRange.start.character - b.callRange.start.character),
    sendMailFrom,
  };
}

function isSendMail(call: t.CallExpression): boolean {
  const c = call.callee;
  return (c.type === 'MemberExpression' || c.type === 'OptionalMemberExpression') && propertyName(c) === 'sendMail';
}

/**
 * One key of an options object, resolved, with its place (the last definition wins, as in JavaScript). A sender
 * address written as `{ name, address }` gives its `address`. Nothing else of the object is read.
 */
function pickOption(obj: t.ObjectExpression, key: string, ctx: ResolveContext, fc: FindContext, depth = 0): OptionSite | undefined {
  let found: OptionSite | undefined;
  forEachProperty(obj, ctx, 0, (name, value, p) => {
    if (name !== key) return;
    const inner = objectOf(value, ctx);
    if (inner) {
      // `const a = { address: a }` must not loop.
      const address = depth < 2 ? pickOption(inner, 'address', ctx, fc, depth + 1) : undefined;
      found = address ? { ...address, key } : undefined;
      return;
    }
    found = { key, resolved: resolveValue(value, ctx), code: codeOf(p, value, fc) };
  });
  return found;
}

/** `auth.user` of the options object and `from` of the defaults argument: never any other key of `auth`. */
function readSenders(made: Made, obj: t.ObjectExpression, ctx: ResolveContext, fc: FindContext, site: TransportSite): void {
  const auth = site.options.get('auth')?.code ? objectAt(obj, 'auth', ctx) : undefined;
  if (auth) site.authUser = pickOption(auth, 'user', ctx, fc);
  const defaults = made.defaults ? objectOf(made.defaults, ctx) : undefined;
  if (defaults) site.defaultFrom = pickOption(defaults, 'from', ctx, fc);
}

function collect(n: t.Node, ctx: ResolveContext, creators: Set<string>, calls: t.CallExpression[], walk: Walk): void {
  recordAssignments(n, walk.assigned);
  if (n.type === 'CallExpression') calls.push(n);
  else if (n.type === 'VariableDeclarator') {
    if (n.id.type === 'Identifier' && n.init) ctx.bindings.set(n.id.name, n.init);
    else if (n.id.type === 'ObjectPattern' && n.init) {
      const fromEnv = isEnvObject(n.init);
      const fromNodemailer = isRequireOf(n.init, 'nodemailer');
      const fromMailer = isRequireOf(n.init, MAILER_PACKAGE);
      const fromModule = requiredModule(n.init);
      for (const p of n.id.properties) {
        if (p.type !== 'ObjectProperty' || p.computed) continue;
        const imported = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'StringLiteral' ? p.key.value : undefined;
        const local =
          p.value.type === 'Identifier'
            ? p.value.name
            : p.value.type === 'AssignmentPattern' && p.value.left.type === 'Identifier'
              ? p.value.left.name
              : undefined;
        if (!imported || !local) continue;
        if (fromEnv) ctx.envAliases.set(local, imported);
        if (fromNodemailer && imported === 'createTransport') creators.add(local);
        if (fromMailer && imported === 'MailerModule') walk.mailerModules.add(local);
        if (fromModule !== undefined) walk.imports.set(local, { source: fromModule, imported });
      }
    }
  } else if (n.type === 'ImportDeclaration' && n.source.value === 'nodemailer') {
    for (const s of n.specifiers) {
      if (s.type === 'ImportSpecifier') {
        const imported = s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
        if (imported === 'createTransport') creators.add(s.local.name);
      }
    }
  } else if (n.type === 'ImportDeclaration' && n.importKind !== 'type') {
    mailerImportNames(n, walk.mailerModules);
    for (const s of n.specifiers) {
      const imported =
        s.type === 'ImportDefaultSpecifier'
          ? 'default'
          : s.type === 'ImportNamespaceSpecifier'
            ? '*'
            : s.imported.type === 'Identifier'
              ? s.imported.name
              : s.imported.value;
      walk.imports.set(s.local.name, { source: n.source.value, imported });
    }
  }
}

/** The object literal `opts` or `opts.tls` stands for, when the code shows it. */
function targetObject(node: t.Node, ctx: ResolveContext, depth = 0): t.ObjectExpression | undefined {
  if (depth > 6) return undefined;
  if (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') {
    const key = propertyName(node);
    const outer = key === undefined ? undefined : targetObject(node.object, ctx, depth + 1);
    return outer && key !== undefined ? objectAt(outer, key, { ...ctx, before: undefined }) : undefined;
  }
  return objectOf(node, ctx);
}

/** True when the options variable, or the transporter this call creates, gets properties assigned. */
function isMutated(made: Made, ctx: ResolveContext, walk: Walk): boolean {
  if (walk.mutated.size === 0) return false;
  const arg = made.options;
  if (arg?.type === 'Identifier' && walk.mutated.has(arg.name)) return true;
  const call = made.call;
  if (!call) return false;
  for (const name of walk.mutated) {
    const init = ctx.bindings.get(name);
    if (init === call || (init?.type === 'AwaitExpression' && init.argument === call)) return true;
  }
  return false;
}

/** The options object a local module exports, for `createTransport(x)` where x comes from `require`/`import`. */
function moduleObject(node: t.Node, ctx: ResolveContext, fc: FindContext, walk: Walk): { obj: t.ObjectExpression; module: LoadedModule } | undefined {
  if (!fc.loadModule) return undefined;
  let spec: string | undefined;
  let name = 'default';
  let n: t.Node | undefined = node;
  // `mailConfig as SMTPTransport.Options`, `mailConfig!`, `(mailConfig)`: the same object.
  while (
    n &&
    (n.type === 'TSAsExpression' ||
      n.type === 'TSSatisfiesExpression' ||
      n.type === 'TSNonNullExpression' ||
      n.type === 'ParenthesizedExpression' ||
      n.type === 'TSTypeAssertion')
  )
    n = n.expression;
  if (!n) return undefined;
  if (n.type === 'Identifier') {
    const imp = walk.imports.get(n.name);
    if (imp) {
      spec = imp.source;
      name = imp.imported === '*' ? 'default' : imp.imported;
    } else n = ctx.bindings.get(n.name);
  }
  if (spec === undefined && n && (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression')) {
    const prop = propertyName(n);
    // `require('./config').mail`, `config.mail` with `config` imported, or bound to `require('./config')`.
    const obj = n.object;
    const bound = obj.type === 'Identifier' ? ctx.bindings.get(obj.name) : undefined;
    const inner =
      requiredModule(obj) ?? (obj.type === 'Identifier' ? (walk.imports.get(obj.name)?.source ?? (bound ? requiredModule(bound) : undefined)) : undefined);
    if (prop && inner !== undefined) {
      spec = inner;
      name = prop;
    }
  } else if (spec === undefined && n) {
    spec = requiredModule(n);
  }
  if (spec === undefined) return undefined;
  const m = fc.loadModule(spec);
  if (!m) return undefined;
  if (!m.ctx.objects) {
    // The module's own assignments to its objects (`config.secure = true;`): all of them ran when it was loaded.
    m.ctx.objects = { assigned: new Map(), open: new Set() };
    attachAssignments(m.assigned.records, (x) => targetObject(x, m.ctx), m.ctx.objects);
  }
  const value = exported(m, name);
  const obj = value ? objectOf(value, m.ctx) : undefined;
  return obj ? { obj, module: m } : undefined;
}

function isRequireOf(node: t.Node, mod: string): boolean {
  let n: t.Node = node;
  if (n.type === 'AwaitExpression') n = n.argument;
  if (n.type !== 'CallExpression') return false;
  const callee = n.callee;
  const isLoader = (callee.type === 'Identifier' && callee.name === 'require') || callee.type === 'Import';
  const arg = n.arguments[0];
  return isLoader && arg?.type === 'StringLiteral' && arg.value === mod;
}

function isCreateTransport(callee: t.Node, creators: Set<string>): boolean {
  if (callee.type === 'Identifier') return creators.has(callee.name);
  if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && !callee.computed) {
    return callee.property.type === 'Identifier' && callee.property.name === 'createTransport';
  }
  return false;
}

function transportOf(made: Made, ctx: ResolveContext, fc: FindContext, walk: Walk): TransportSite | undefined {
  let arg = made.options;
  if (!arg) return undefined;
  // nodemailer-smtp-transport era: createTransport(smtpTransport({...})).
  if (arg.type === 'CallExpression' && arg.callee.type === 'Identifier' && /smtp.*transport/i.test(arg.callee.name) && arg.arguments[0]) {
    arg = arg.arguments[0];
  }
  const site: TransportSite = {
    callRange: rangeOf(made.maker, fc),
    argRange: rangeOf(arg, fc),
    options: new Map(),
    tls: new Map(),
    openEnded: false,
  };
  const obj = objectOf(arg, ctx);
  if (obj) {
    site.objectStart = obj.start ?? undefined;
    site.objectEnd = obj.end ?? undefined;
    readObject(obj, ctx, fc, site.options, site, 0);
    const tlsNode = site.options.get('tls');
    const tlsObj = tlsNode?.code ? objectAt(obj, 'tls', ctx) : undefined;
    if (tlsObj) readObject(tlsObj, ctx, fc, site.tls, site, 0);
    readSenders(made, obj, ctx, fc, site);
    const url = site.options.get('url');
    if (url) applyUrl(url, site);
    return site;
  }
  const other = moduleObject(arg, ctx, fc, walk);
  if (other) {
    const mfc: FindContext = { text: other.module.text, index: other.module.index, lookupEnv: fc.lookupEnv };
    site.module = other.module.path;
    readObject(other.obj, other.module.ctx, mfc, site.options, site, 0);
    const tlsObj = site.options.get('tls')?.code ? objectAt(other.obj, 'tls', other.module.ctx) : undefined;
    if (tlsObj) readObject(tlsObj, other.module.ctx, mfc, site.tls, site, 0);
    const auth = site.options.get('auth')?.code ? objectAt(other.obj, 'auth', other.module.ctx) : undefined;
    if (auth) site.authUser = pickOption(auth, 'user', other.module.ctx, mfc);
    const url = site.options.get('url');
    if (url) applyUrl(url, site);
    return site;
  }
  const value = resolveValue(arg, ctx);
  if (value.known && typeof value.value === 'string') {
    applyUrl({ key: 'url', resolved: value, code: codeOf(arg, arg, fc) }, site);
    return site;
  }
  if (value.known) return undefined; // a number or boolean: not an SMTP transport
  // An options object we cannot see (a function's result, an import): still a transport, with unknown options.
  site.openEnded = true;
  return site;
}

function objectOf(node: t.Node, ctx: ResolveContext, depth = 0): t.ObjectExpression | undefined {
  if (depth > 8) return undefined;
  switch (node.type) {
    case 'ObjectExpression':
      return node;
    case 'Identifier': {
      const init = ctx.bindings.get(node.name);
      return init && init !== node ? objectOf(init, ctx, depth + 1) : undefined;
    }
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'ParenthesizedExpression':
    case 'TSTypeAssertion':
      return objectOf(node.expression, ctx, depth + 1);
    default:
      return undefined;
  }
}

function objectAt(obj: t.ObjectExpression, key: string, ctx: ResolveContext): t.ObjectExpression | undefined {
  let found: t.ObjectExpression | undefined;
  forEachProperty(obj, ctx, 0, (name, value) => {
    if (name === key) found = objectOf(value, ctx);
  });
  return found;
}

/** Where a property is written: in the object literal, or as a statement after it (`opts.secure = true;`). */
type Place = t.ObjectProperty | PropertyStatement;
interface PropertyStatement {
  type: 'PropertyStatement';
  key: t.Node;
  start: number | null | undefined;
  end: number | null | undefined;
}

function forEachProperty(
  obj: t.ObjectExpression,
  ctx: ResolveContext,
  depth: number,
  cb: (name: string, value: t.Node, place: Place) => void,
  onOpen?: () => void,
): void {
  for (const p of obj.properties) {
    if (p.type === 'SpreadElement') {
      const inner = depth < 6 ? objectOf(p.argument, ctx) : undefined;
      if (inner) forEachProperty(inner, ctx, depth + 1, cb, onOpen);
      else onOpen?.();
      continue;
    }
    if (p.type !== 'ObjectProperty') continue;
    const name = keyName(p);
    if (name === undefined) {
      onOpen?.();
      continue;
    }
    cb(name, p.value, p);
  }
  if (ctx.objects?.open.has(obj)) onOpen?.();
  for (const a of ctx.objects?.assigned.get(obj) ?? []) {
    // Written after the call: it may run before (a function called later) or not at all for this transport.
    if (ctx.before !== undefined && (a.statement.start ?? 0) > ctx.before) {
      onOpen?.();
      continue;
    }
    cb(a.key, a.value, { type: 'PropertyStatement', key: a.keyNode, start: a.statement.start, end: a.statement.end });
  }
}

function readObject(obj: t.ObjectExpression, ctx: ResolveContext, fc: FindContext, into: Map<string, OptionSite>, site: TransportSite, depth: number): void {
  forEachProperty(
    obj,
    ctx,
    depth,
    (name, value, p) => {
      if (into === site.options && !TOP_KEYS.has(name)) return;
      const previous = into.get(name);
      into.set(name, {
        key: name,
        resolved: value.type === 'ObjectExpression' ? { known: true, value: '[object]', env: [], missingEnv: [], literal: true } : resolveValue(value, ctx),
        code: codeOf(p, value, fc),
        ...(previous?.code ? { shadows: previous } : {}),
      });
    },
    () => {
      site.openEnded = true;
    },
  );
}

function keyName(p: t.ObjectProperty): string | undefined {
  if (p.computed) return p.key.type === 'StringLiteral' ? p.key.value : undefined;
  if (p.key.type === 'Identifier') return p.key.name;
  if (p.key.type === 'StringLiteral') return p.key.value;
  return undefined;
}

/**
 * nodemailer reads `smtp://` as `secure: false` and `smtps://` as `secure: true`, takes host and port from the
 * URL and query parameters as options (`?requireTLS=true`, `?tls.rejectUnauthorized=false`); URL values override
 * the object's. The URL text itself is never kept: it usually holds the password.
 */
function applyUrl(urlSite: OptionSite, site: TransportSite): void {
  const v = urlSite.resolved;
  if (!v.known || typeof v.value !== 'string') {
    if (!v.known) site.openEnded = true;
    return;
  }
  const base = { env: v.env, missingEnv: [], literal: false };
  const set = (into: Map<string, OptionSite>, key: string, value: string | number | boolean) => {
    into.set(key, { key, resolved: { ...base, known: true, value }, fromUrl: true, code: urlSite.code ? { ...urlSite.code } : undefined });
  };
  // The host as written decides whether it is usable: the URL parser drops tabs and line breaks and
  // percent-encodes the rest, which would hide exactly the names that must be reported.
  const written = urlHost(v.value);
  const writtenBad = written !== undefined && written.host !== '' && hostProblem(written.host) !== undefined;
  let url: URL;
  try {
    url = new URL(v.value);
  } catch {
    site.unreadableUrl = true;
    if (writtenBad && written) set(site.options, 'host', written.host);
    return;
  }
  if (url.protocol === 'smtp:') set(site.options, 'secure', false);
  else if (url.protocol === 'smtps:') set(site.options, 'secure', true);
  else return;
  if (writtenBad && written) set(site.options, 'host', written.host);
  else if (url.hostname) set(site.options, 'host', url.hostname.replace(/^\[|\]$/g, ''));
  if (url.port && Number(url.port)) set(site.options, 'port', Number(url.port));
  if (url.username || url.password) set(site.options, 'auth', '[object]');
  // The user name only (the password is never read out of the URL).
  if (url.username) {
    let user = url.username;
    try {
      user = decodeURIComponent(user);
    } catch {
      // kept as written
    }
    site.authUser = { key: 'user', resolved: { ...base, known: true, value: user }, fromUrl: true, code: urlSite.code ? { ...urlSite.code } : undefined };
  }
  for (const [k, raw] of url.searchParams) {
    const value: string | number | boolean = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !isNaN(Number(raw)) ? Number(raw) : raw;
    if (k.startsWith('tls.')) set(site.tls, k.slice(4), value);
    else if (!k.includes('.') && TOP_KEYS.has(k)) set(site.options, k, value);
  }
}

/** Where an option is written, then every earlier definition it overrides. */
export function definitions(site: OptionSite): Array<NonNullable<OptionSite['code']>> {
  const out: Array<NonNullable<OptionSite['code']>> = [];
  for (let s: OptionSite | undefined = site; s; s = s.shadows) if (s.code) out.push(s.code);
  return out;
}

function codeOf(prop: t.Node | PropertyStatement, value: t.Node, fc: FindContext): NonNullable<OptionSite['code']> {
  const key = prop.type === 'ObjectProperty' || prop.type === 'PropertyStatement' ? prop.key : value;
  const valueStart = value.start ?? 0;
  const valueEnd = value.end ?? valueStart;
  return {
    start: prop.start ?? 0,
    end: prop.end ?? 0,
    keyRange: rangeOf(key, fc),
    valueRange: fc.index.range(valueStart, valueEnd),
    valueStart,
    valueEnd,
    ...(prop.type === 'PropertyStatement' ? { statement: true } : {}),
  };
}

function rangeOf(node: t.Node, fc: FindContext): Range {
  return fc.index.range(node.start ?? 0, node.end ?? node.start ?? 0);
}
