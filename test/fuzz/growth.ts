/**
 * Runs a suite of growth checks in a process of its own and hands each test its results.
 *
 * Why a process of its own: in the test runner's process, CPU time counts V8's background threads too
 * (optimising compiles, concurrent marking, parallel scavenges), and the collector's work depends on the heap the
 * suite's earlier tests left behind. A linter that keeps a finding per line pays for copying them once its
 * allocation outgrows the young generation; that jump in cost per line comes once, at a size that moved with the
 * heap, and read as quadratic there (CI failed 2 of about 10 runs). With --single-threaded the process's CPU is
 * one thread's, and the collector's pauses, which v8.GCProfiler reports, are taken off (see complexity.ts).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { growthProblem, type Growth } from './complexity';
import { isLongRun } from './config';
import type { GrowthSuite } from './growthCases';

const CHILD = path.join(__dirname, 'growthChild.ts');
/**
 * One thread's CPU, and no collection inside a timed run: a young generation (64 MB a semi-space) larger than any
 * run allocates, which the check empties before each run (complexity.ts).
 */
export const V8_FLAGS = ['--single-threaded', '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'];
/** Far above what a bounded suite takes (seconds); a runaway quadratic is what this bounds. The long pass has none. */
const CHILD_TIMEOUT_MS = 240_000;

const runs = new Map<GrowthSuite, Promise<Map<string, string[]>>>();

function runSuite(suite: GrowthSuite): Promise<Map<string, string[]>> {
  return new Promise((resolve, reject) => {
    const args = [...V8_FLAGS, '--require', require.resolve('tsx/cjs'), CHILD, suite];
    execFile(process.execPath, args, { timeout: isLongRun() ? 0 : CHILD_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`growth suite ${suite}: ${err.message}\n${stderr}`));
        return;
      }
      const problems = new Map<string, string[]>();
      for (const r of JSON.parse(stdout) as Array<{ key: string; name: string; growth: Growth }>) {
        const list = problems.get(r.key) ?? [];
        const p = growthProblem(r.growth);
        if (p) list.push(`${r.name}: ${p}`);
        problems.set(r.key, list);
      }
      resolve(problems);
    });
  });
}

/**
 * Starts a suite's process (once), so that it runs beside the tests before the ones that read it: call it from
 * a `before` hook. A failure surfaces in growthProblems.
 */
export function startGrowthSuite(suite: GrowthSuite): Promise<Map<string, string[]>> {
  let run = runs.get(suite);
  if (!run) {
    run = runSuite(suite);
    run.catch(() => undefined);
    runs.set(suite, run);
  }
  return run;
}

/**
 * The slow inputs of one test (`key`) of a suite, each named with its sizes and times. Undefined when the suite
 * has no case under that key (a test that asks for one should fail then).
 */
export async function growthProblems(suite: GrowthSuite, key: string): Promise<string[] | undefined> {
  return (await startGrowthSuite(suite)).get(key);
}
