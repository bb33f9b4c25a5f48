/**
 * Every complexity check the fuzz tests make, by suite and by the test it belongs to, so that the measuring
 * process (test/fuzz/growthChild.ts) can rebuild the inputs and the functions under test from names alone.
 */
import { parseTarget, validateHostname } from '../../src/core/endpoint';
import { growthOptions, pathologicalFor, type GrowthOptions } from './complexity';
import { isLongRun } from './config';
import { loadParser, PARSERS } from './parsers';
import { EMPTY_HOST, fuzzTargets } from './targets';

export interface GrowthCase {
  /** The test it belongs to: one test reports every slow input of its key together. */
  key: string;
  /** The pathological input, as a failure names it. */
  name: string;
  make(n: number): string;
  run(text: string): unknown;
  opts?: GrowthOptions;
}

/** The key a linter's growth test reads its results under. */
export function lintKey(format: string, formatName: string, origin: string): string {
  return `${format} on ${formatName} (${origin})`;
}

function lintCases(): GrowthCase[] {
  const long = isLongRun();
  return fuzzTargets().targets.flatMap((t) =>
    pathologicalFor(t.formatName, !long).map(([name, make]) => ({
      key: lintKey(t.linter.format, t.formatName, t.origin),
      name,
      make,
      run: (text: string) => t.linter.lint(t.format.path, text, EMPTY_HOST),
      opts: growthOptions(long),
    })),
  );
}

/** Parsers whose linter's check times them already are timed on their own only in the long pass. */
export function parserTimedAlone(t: { timedByLinter?: boolean }): boolean {
  return !t.timedByLinter || isLongRun();
}

function parserCases(): GrowthCase[] {
  const long = isLongRun();
  return PARSERS.filter(parserTimedAlone).flatMap((t) => {
    const fn = loadParser(t);
    if (typeof fn === 'string') return [];
    return pathologicalFor(t.format, !long).map(([name, make]) => ({
      key: t.name,
      name,
      make,
      run: (text: string) => t.call(fn, text),
      opts: growthOptions(long),
    }));
  });
}

const HOST_INPUTS: Array<[string, (n: number) => string]> = [
  ['long label', (n) => 'a'.repeat(n)],
  ['many labels', (n) => 'a.'.repeat(n >> 1)],
  ['hyphens', (n) => `a${'-'.repeat(n)}`],
  ['digit labels', (n) => '1.'.repeat(n >> 1)],
  ['colons', (n) => ':'.repeat(n)],
  ['brackets', (n) => `[${'['.repeat(n)}]:25`],
  ['many colons in target', (n) => `${'a:'.repeat(n >> 1)}25`],
];

function endpointCases(): GrowthCase[] {
  return HOST_INPUTS.flatMap(([name, make]) =>
    [validateHostname, parseTarget].map((fn) => ({ key: fn.name, name, make, run: (text: string) => fn(text), opts: { from: 4096, upTo: 1 << 20 } })),
  );
}

/** The check checked: indexOf from every position of a text without the needle is n^2/2 comparisons. */
function selfTestCases(): GrowthCase[] {
  const make = (n: number) => 'a'.repeat(n);
  const quadratic = (text: string) => {
    let k = 0;
    for (let i = 0; i < text.length; i++) k += text.indexOf('\u0001', i);
    return k;
  };
  return [
    { key: 'quadratic', name: 'indexOf from every position', make, run: quadratic, opts: { from: 8192, upTo: 32768, runs: 2 } },
    { key: 'linear', name: 'split', make, run: (text: string) => text.split('a').length },
  ];
}

export const GROWTH_SUITES = { lint: lintCases, parsers: parserCases, endpoint: endpointCases, selftest: selfTestCases } as const;

export type GrowthSuite = keyof typeof GROWTH_SUITES;
