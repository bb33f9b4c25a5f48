/**
 * Every node of a parsed file, depth first in source order, without recursion (a deeply nested file cannot
 * overflow the stack) and bounded in count (a generated file of millions of nodes stops at the bound).
 */
import type * as t from '@babel/types';

export const MAX_NODES = 2_000_000;

/** Position and comment bookkeeping that holds no code. */
const SKIPPED_KEYS = new Set(['loc', 'leadingComments', 'trailingComments', 'innerComments', 'extra']);

export function forEachNode(ast: t.File, visit: (n: t.Node) => void): void {
  const stack: unknown[] = [ast.program];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const n = node as t.Node;
    if (typeof n.type !== 'string') continue;
    visited++;
    visit(n);
    for (const key of Object.keys(n)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const child = (n as unknown as Record<string, unknown>)[key];
      if (child && typeof child === 'object') stack.push(child);
    }
  }
}
