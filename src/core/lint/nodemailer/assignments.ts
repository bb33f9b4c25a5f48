/**
 * Options objects completed by assignments: `const opts = { host, port: 587 }; opts.secure = true;` or
 * `tls.rejectUnauthorized = false` before `createTransport({ ...opts, tls })`. An assignment is taken as a property
 * of the object only when it is certain to run: a statement of the very block that declares the variable (not in an
 * `if`, a loop or a function), with a plain key. Every other assignment to the object (or to a nested object of it)
 * leaves the object open: an option it lacks may be set at run time.
 */
import type * as t from '@babel/types';
import { propertyName } from './resolve';

/** A property set by a statement (`opts.secure = true;`). */
export interface PropertyAssignment {
  key: string;
  /** The key as written (`secure` in `opts.secure`). */
  keyNode: t.Node;
  value: t.Expression;
  statement: t.ExpressionStatement;
}

/** An assignment to a property of some object, as the walk finds it; `certain` when it runs whenever the block does. */
export interface AssignmentRecord {
  /** The object written to: `opts` in `opts.secure = x`, `opts.tls` in `opts.tls.x = y`. */
  target: t.Node;
  /** The variable the target starts from. */
  root?: string;
  assignment: PropertyAssignment | undefined;
  node: t.AssignmentExpression;
  certain: boolean;
}

/** The variable at the start of `a.b.c`, if any. */
export function rootName(node: t.Node): string | undefined {
  let n = node;
  for (let i = 0; i < 16 && (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression'); i++) n = n.object;
  return n.type === 'Identifier' ? n.name : undefined;
}

/** `target.key = value` as a record (a computed or unknown key gives no assignment, only an open object). */
export function recordOf(node: t.AssignmentExpression, statement: t.ExpressionStatement | undefined, certain: boolean): AssignmentRecord | undefined {
  const left = node.left;
  if (left.type !== 'MemberExpression' && left.type !== 'OptionalMemberExpression') return undefined;
  const key = node.operator === '=' ? propertyName(left) : undefined;
  const assignment = key !== undefined && statement ? { key, keyNode: left.property, value: node.right, statement } : undefined;
  return { target: left.object, root: rootName(left.object), assignment, node, certain: certain && assignment !== undefined };
}

/**
 * The property assignments of one block (a program, a function body, a `{ }`) that are certain to run: plain
 * statements whose target variable is declared earlier in the same block.
 */
export function certainAssignments(body: readonly t.Statement[]): AssignmentRecord[] {
  const declared = new Set<string>();
  const out: AssignmentRecord[] = [];
  for (const st of body) {
    const decl =
      st.type === 'VariableDeclaration'
        ? st
        : st.type === 'ExportNamedDeclaration' && st.declaration?.type === 'VariableDeclaration'
          ? st.declaration
          : undefined;
    if (decl) {
      for (const d of decl.declarations) if (d.id.type === 'Identifier') declared.add(d.id.name);
      continue;
    }
    if (st.type !== 'ExpressionStatement' || st.expression.type !== 'AssignmentExpression') continue;
    const rec = recordOf(st.expression, st, true);
    if (rec?.certain && rec.root !== undefined && declared.has(rec.root)) out.push(rec);
  }
  return out;
}

/** The property assignments of a walk so far; `certain` holds the ones found through their block. */
export interface FoundAssignments {
  records: AssignmentRecord[];
  certain: Set<t.AssignmentExpression>;
}

/**
 * Records the property assignments at one node of a walk in forEachNode's order (a block before the statements in
 * it, so the certain ones are known when the walk reaches them).
 */
export function recordAssignments(n: t.Node, found: FoundAssignments): void {
  if (n.type === 'Program' || n.type === 'BlockStatement' || n.type === 'StaticBlock') {
    for (const r of certainAssignments(n.body)) {
      found.certain.add(r.node);
      found.records.push(r);
    }
  } else if (n.type === 'AssignmentExpression' && !found.certain.has(n)) {
    // `opts.port = 465` in an `if`, or `transporter.options.port = 465`: the object is not what its literal says.
    const r = recordOf(n, undefined, false);
    if (r) found.records.push(r);
  }
}

/** What the options reader knows about assignments to object literals, keyed by the literal. */
export interface AssignedObjects {
  /** Properties added or replaced by certain assignments, in the order written. */
  assigned: Map<t.ObjectExpression, PropertyAssignment[]>;
  /** Objects changed by an assignment that may or may not run, or with a key we cannot read. */
  open: Set<t.ObjectExpression>;
}

/**
 * Attaches each record to the object literal it writes to (`targetObject` finds it); a record whose object is not
 * a literal we can see is returned, so the caller can treat its variable as changed.
 */
export function attachAssignments(
  records: readonly AssignmentRecord[],
  targetObject: (n: t.Node) => t.ObjectExpression | undefined,
  into: AssignedObjects,
): AssignmentRecord[] {
  const unresolved: AssignmentRecord[] = [];
  for (const r of records) {
    const obj = targetObject(r.target);
    if (!obj) {
      unresolved.push(r);
      continue;
    }
    if (r.certain && r.assignment) {
      const list = into.assigned.get(obj) ?? [];
      list.push(r.assignment);
      into.assigned.set(obj, list);
    } else into.open.add(obj);
  }
  return unresolved;
}
