/**
 * Every config parser under random and mutated input: it never throws, keeps ranges and edits inside the
 * document, discovers only validated hosts, its quick fixes remove what they fix, and its time grows linearly
 * on pathological input. Runs whatever linters exist when the tests run (the registry and any module under
 * src/core/lint exporting a linter), each called directly so a throw is not hidden by the registry's guard.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Range } from '../../../../src/core/finding';
import { lintText, type LintResult } from '../../../../src/core/lint';
import { documents } from '../../../fuzz/arbitraries';
import { fcParams, isLongRun } from '../../../fuzz/config';
import { growthProblems, startGrowthSuite } from '../../../fuzz/growth';
import { lintKey } from '../../../fuzz/growthCases';
import { FORMATS } from '../../../fuzz/corpus';
import { applyEdits, lineStarts, mapPosition, offsetAt } from '../../../fuzz/edits';
import { lintResultProblem } from '../../../fuzz/properties';
import { EMPTY_HOST, fuzzTargets } from '../../../fuzz/targets';

const { targets, unmatched, unloadable } = fuzzTargets();

const BREAK = /\r\n|\n|\r/g;

function withBreaks(text: string, eol: string): string {
  return text.replace(BREAK, eol);
}

/** The text a range covers, in VS Code's line model, with its line breaks written as `\n`. */
function covered(text: string, r: Range | undefined): string | undefined {
  if (!r) return undefined;
  const starts = lineStarts(text);
  return withBreaks(text.slice(offsetAt(starts, r.start), offsetAt(starts, r.end)), '\n');
}

/** What a result says and where it points, with line breaks in texts normalised: equal for equal line layouts. */
function layout(text: string, r: LintResult, path: string): unknown {
  const here = (file: string | undefined) => file === undefined || file === path;
  return {
    findings: r.findings.map((f) => ({
      id: f.id,
      title: f.title,
      evidence: f.evidence,
      range: f.range,
      text: here(f.file) ? covered(text, f.range) : undefined,
      edits: f.edits?.map((e) => ({ range: e.range, newText: withBreaks(e.newText, '\n'), text: here(f.file) ? covered(text, e.range) : undefined })),
      related: f.related?.map((x) => x.range),
    })),
    endpoints: r.endpoints.map((d) => ({ endpoint: d.endpoint, range: d.range, text: here(d.file) ? covered(text, d.range) : undefined })),
  };
}

describe('fuzz: config and log parsers', function () {
  this.timeout(isLongRun() ? 0 : 60000);
  // The growth checks measure in a process of their own, beside the property tests (test/fuzz/growth.ts).
  before(() => void startGrowthSuite('lint'));

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

      it("applying a finding's edits makes that finding go away", () => {
        fc.assert(
          fc.property(documents(t.format), (text) => {
            const before = t.linter.lint(t.format.path, text, EMPTY_HOST).findings;
            for (const f of before) {
              if (!f.edits?.length || (f.file !== undefined && f.file !== t.format.path)) continue;
              const fixed = applyEdits(text, f.edits);
              if (fixed === undefined) assert.fail(`${f.id}: overlapping edits`);
              // The same finding is the same id and title at the same place, once the edits have moved it: one
              // id may name several problems, and fixing one occurrence may bring the next into effect.
              const at = f.range ? mapPosition(text, f.edits, f.range.start) : undefined;
              const after = t.linter.lint(t.format.path, fixed, EMPTY_HOST).findings;
              const survivor = after.find(
                (x) =>
                  x.id === f.id && x.title === f.title && (at === undefined || (x.range?.start.line === at.line && x.range.start.character === at.character)),
              );
              assert.equal(survivor, undefined, `${f.id} survives its own fix "${f.editTitle}"`);
            }
          }),
          fcParams(60),
        );
      });

      it('ranges land on the same lines and text whatever the line breaks (\\n, \\r\\n, lone \\r), as VS Code counts them', () => {
        fc.assert(
          fc.property(documents(t.format), fc.constantFrom('\r', '\r\n'), (doc, eol) => {
            // Every break of one kind, then of another: VS Code shows the same lines, so a linter must point at
            // the same places, and every range must cover the same text.
            const lf = withBreaks(doc, '\n');
            const other = withBreaks(doc, eol);
            const a = layout(lf, t.linter.lint(t.format.path, lf, EMPTY_HOST), t.format.path);
            const b = layout(other, t.linter.lint(t.format.path, other, EMPTY_HOST), t.format.path);
            assert.deepEqual(b, a);
          }),
          fcParams(60),
        );
      });

      it('time grows linearly on pathological input', async () => {
        assert.deepEqual(await growthProblems('lint', lintKey(t.linter.format, t.formatName, t.origin)), []);
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
