/**
 * The config parsers on their own (see test/fuzz/parsers.ts): never throw, ranges inside the text, linear time.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { documents } from '../../../fuzz/arbitraries';
import { growthOptions, growthProblem, measureGrowth, pathologicalFor } from '../../../fuzz/complexity';
import { fcParams, isLongRun } from '../../../fuzz/config';
import { FORMATS } from '../../../fuzz/corpus';
import { collectRanges, loadParser, PARSERS } from '../../../fuzz/parsers';
import { lineLengths, rangeProblem } from '../../../fuzz/properties';

describe('fuzz: parsers called directly', function () {
  this.timeout(isLongRun() ? 0 : 60000);

  it('the growth check itself fails a quadratic parser and passes a linear one', () => {
    // indexOf from every position of a text without the needle: n^2/2 character comparisons.
    const quadratic = (text: string) => {
      let k = 0;
      for (let i = 0; i < text.length; i += 1) k += text.indexOf('\u0001', i);
      return k;
    };
    const linear = (text: string) => text.split('a').length;
    const make = (n: number) => 'a'.repeat(n);
    assert.notEqual(growthProblem(measureGrowth(make, quadratic, { from: 8192, upTo: 32768, runs: 2 })), undefined);
    assert.equal(growthProblem(measureGrowth(make, linear)), undefined);
  });

  for (const t of PARSERS) {
    const fn = loadParser(t);
    if (typeof fn === 'string') {
      it(`${t.name}: ${fn}`);
      continue;
    }
    const format = FORMATS[t.format];
    describe(t.name, () => {
      it('never throws; ranges stay inside the text', () => {
        fc.assert(
          fc.property(documents(format), (text) => {
            const result = t.call(fn, text);
            if (!t.rangesIntoText) return;
            const lines = lineLengths(text);
            for (const r of collectRanges(result)) assert.equal(rangeProblem(r, lines, t.name), undefined);
          }),
          fcParams(200),
        );
      });

      // Its linter's complexity check times it already; the long pass times it on its own too.
      if (!t.timedByLinter || isLongRun()) {
        it('time grows linearly on pathological input', () => {
          const slow: string[] = [];
          for (const [name, make] of pathologicalFor(t.format, !isLongRun())) {
            const g = measureGrowth(make, (text) => t.call(fn, text), growthOptions(isLongRun()));
            const p = growthProblem(g);
            if (p) slow.push(`${name}: ${p}`);
          }
          assert.deepEqual(slow, []);
        });
      }
    });
  }
});
