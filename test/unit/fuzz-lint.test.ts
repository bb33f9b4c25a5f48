/**
 * Every config parser under random and mutated input: it never throws, keeps ranges and edits inside the
 * document, discovers only validated hosts, its quick fixes remove what they fix, and its time grows linearly
 * on pathological input. Runs whatever linters exist when the tests run (the registry and any module under
 * src/core/lint exporting a linter), each called directly so a throw is not hidden by the registry's guard.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { lintText } from '../../src/core/lint';
import { documents } from '../fuzz/arbitraries';
import { growthOptions, growthProblem, measureGrowth, pathologicalFor } from '../fuzz/complexity';
import { fcParams, isLongRun } from '../fuzz/config';
import { FORMATS } from '../fuzz/corpus';
import { applyEdits, mapPosition } from '../fuzz/edits';
import { loadParser, PARSERS } from '../fuzz/parsers';
import { lintResultProblem } from '../fuzz/properties';
import { EMPTY_HOST, fuzzTargets } from '../fuzz/targets';

const { targets, unmatched, unloadable } = fuzzTargets();

const tolerant = loadParser(PARSERS.find((p) => p.exportName === 'parseTolerant')!);
function isDamagedScript(formatName: string, text: string, path: string): boolean {
  if (!formatName.startsWith('nodemailer')) return false;
  if (typeof tolerant === 'string') return true;
  const parsed = tolerant(text, path) as { repaired: boolean } | undefined;
  return parsed === undefined || parsed.repaired;
}

describe('fuzz: config and log parsers', function () {
  this.timeout(isLongRun() ? 0 : 60000);

  it('every lint module loads, and every linter claims one of the fuzzed formats', () => {
    assert.deepEqual(unloadable, [], 'modules under src/core/lint that fail to load');
    assert.deepEqual(unmatched, [], 'linters no corpus format reaches: add the format to test/fuzz/corpus.ts');
  });

  if (targets.length === 0) {
    it('has no linter to fuzz yet');
    return;
  }

  for (const t of targets) {
    describe(`${t.linter.format} on ${t.formatName} (${t.origin})`, () => {
      it('never throws; findings, ranges, edits and endpoints stay sound', () => {
        fc.assert(
          fc.property(documents(t.format), (text) => {
            const result = t.linter.lint(t.format.path, text, EMPTY_HOST);
            const problem = lintResultProblem(text, result, t.format.path);
            assert.equal(problem, undefined);
          }),
          fcParams(120),
        );
      });

      it('applying a finding\'s edits makes that finding go away', () => {
        fc.assert(
          fc.property(documents(t.format), (text) => {
            // A JS file the parser had to repair is half-typed: a fix placed next to the damage cannot be judged
            // (see docs/robustness.md: such fixes are offered today, and some do not work).
            if (isDamagedScript(t.formatName, text, t.format.path)) return;
            const before = t.linter.lint(t.format.path, text, EMPTY_HOST).findings;
            // Likewise a config with a syntax error: a fix placed after a dangling `-o` inherits the damage.
            if (before.some((f) => f.id.endsWith('syntax-error'))) return;
            for (const f of before) {
              if (!f.edits?.length || (f.file !== undefined && f.file !== t.format.path)) continue;
              const fixed = applyEdits(text, f.edits);
              if (fixed === undefined) assert.fail(`${f.id}: overlapping edits`);
              // The same finding is the same id and title at the same place, once the edits have moved it: one
              // id may name several problems, and fixing one occurrence may bring the next into effect.
              const at = f.range ? mapPosition(text, f.edits, f.range.start) : undefined;
              const after = t.linter.lint(t.format.path, fixed, EMPTY_HOST).findings;
              const survivor = after.find(
                (x) => x.id === f.id && x.title === f.title && (at === undefined || (x.range?.start.line === at.line && x.range.start.character === at.character)),
              );
              assert.equal(survivor, undefined, `${f.id} survives its own fix "${f.editTitle}"`);
            }
          }),
          fcParams(60),
        );
      });

      it('time grows linearly on pathological input', () => {
        const slow: string[] = [];
        for (const [name, make] of pathologicalFor(t.formatName, !isLongRun())) {
          const g = measureGrowth(make, (text) => t.linter.lint(t.format.path, text, EMPTY_HOST), growthOptions(isLongRun()));
          const p = growthProblem(g);
          if (p) slow.push(`${name}: ${p}`);
        }
        assert.deepEqual(slow, []);
      });
    });
  }

  it('the registry (lintText) turns nothing into an internal error on any format', () => {
    for (const [name, format] of Object.entries(FORMATS)) {
      fc.assert(
        fc.property(documents(format), (text) => {
          const r = lintText(format.path, text, EMPTY_HOST);
          assert.equal(lintResultProblem(text, r, format.path), undefined, name);
        }),
        fcParams(40),
      );
    }
  });
});
