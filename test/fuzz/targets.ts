/**
 * What the fuzzer runs: every linter in the registry plus every linter-shaped export found under src/core/lint
 * (so a linter that is written but not yet registered is fuzzed too), each called directly: the registry's
 * `lintText` turns a throw into a finding, which would hide exactly the crashes the fuzzer looks for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LINTERS, type Linter, type LintHost } from '../../src/core/lint';
import { FORMATS, type Format } from './corpus';

export interface Target {
  linter: Linter;
  format: Format;
  formatName: string;
  /** Where it came from: `registry` or the module path. */
  origin: string;
}

const LINT_DIR = path.join(__dirname, '../../src/core/lint');

function isLinter(x: unknown): x is Linter {
  const l = x as Linter;
  return !!l && typeof l === 'object' && typeof l.format === 'string' && typeof l.matches === 'function' && typeof l.lint === 'function';
}

function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...moduleFiles(p));
    else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Linter objects exported by modules under src/core/lint; modules that fail to load are listed, not fatal. */
export function discoverLinters(): { linters: Array<{ linter: Linter; origin: string }>; unloadable: string[] } {
  const seen = new Set<Linter>();
  const linters: Array<{ linter: Linter; origin: string }> = [];
  const unloadable: string[] = [];
  for (const l of LINTERS) {
    seen.add(l);
    linters.push({ linter: l, origin: 'registry' });
  }
  for (const file of moduleFiles(LINT_DIR)) {
    let mod: Record<string, unknown>;
    try {
      mod = require(file) as Record<string, unknown>;
    } catch (err) {
      unloadable.push(`${path.relative(LINT_DIR, file)}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const value of Object.values(mod)) {
      if (isLinter(value) && !seen.has(value)) {
        seen.add(value);
        linters.push({ linter: value, origin: path.relative(LINT_DIR, file) });
      }
    }
  }
  return { linters, unloadable };
}

/** Pairs each linter with every corpus format whose file it claims. */
export function fuzzTargets(): { targets: Target[]; unmatched: string[]; unloadable: string[] } {
  const { linters, unloadable } = discoverLinters();
  const targets: Target[] = [];
  const unmatched: string[] = [];
  for (const { linter, origin } of linters) {
    let any = false;
    for (const [formatName, format] of Object.entries(FORMATS)) {
      let claims = false;
      try {
        claims = linter.matches(format.path, format.seeds[0]);
      } catch {
        claims = false;
      }
      if (claims) {
        any = true;
        targets.push({ linter, format, formatName, origin });
      }
    }
    if (!any) unmatched.push(`${linter.format} (${origin})`);
  }
  return { targets, unmatched, unloadable };
}

/** A host that reads nothing: the fuzzed text is the whole world. */
export const EMPTY_HOST: LintHost = { readFile: () => undefined, workspaceRoot: '/nonexistent-workspace', now: new Date('2026-11-28T05:00:00Z') };
