/**
 * The measuring process of the growth checks (see growth.ts): runs one suite of test/fuzz/growthCases.ts and
 * prints every case's growth as JSON on stdout. Started with V8's --single-threaded, so the process's CPU time
 * is the parser's own thread and the garbage collector's pauses, nothing else.
 */
import { measureGrowth } from './complexity';
import { GROWTH_SUITES, type GrowthSuite } from './growthCases';

const suite = process.argv[2] as GrowthSuite;
if (!Object.hasOwn(GROWTH_SUITES, suite)) {
  process.stderr.write(`unknown growth suite ${JSON.stringify(suite)}\n`);
  process.exit(2);
}
const results = GROWTH_SUITES[suite]().map((c) => ({ key: c.key, name: c.name, growth: measureGrowth(c.make, c.run, c.opts) }));
process.stdout.write(JSON.stringify(results));
