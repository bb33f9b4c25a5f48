/**
 * The config parsers on their own (see test/fuzz/parsers.ts): never throw, ranges inside the text, linear time.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { documents } from '../../../fuzz/arbitraries';
import { fcParams, isLongRun } from '../../../fuzz/config';
import { growthProblems, startGrowthSuite } from '../../../fuzz/growth';
import { parserTimedAlone } from '../../../fuzz/growthCases';
import { FORMATS } from '../../../fuzz/corpus';
import { collectRanges, loadParser, PARSERS } from '../../../fuzz/parsers';
import { lineLengths, rangeProblem } from '../../../fuzz/properties';

describe('fuzz: parsers called directly', function () {
  this.timeout(isLongRun() ? 0 : 60000);
  // The growth checks measure in processes of their own, beside the property tests (test/fuzz/growth.ts).
  before(() => {
    void startGrowthSuite('selftest');
    void startGrowthSuite('parsers');
  });

  it('the growth check itself fails a quadratic parser and passes a linear one', async () => {
    assert.equal((await growthProblems('selftest', 'quadratic'))?.length, 1);
    assert.deepEqual(await growthProblems('selftest', 'linear'), []);
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
      if (parserTimedAlone(t)) {
        it('time grows linearly on pathological input', async () => {
          assert.deepEqual(await growthProblems('parsers', t.name), []);
        });
      }
    });
  }
});
