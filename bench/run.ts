/**
 * Runs every bench/*.bench.ts (or those named on the command line). Each file exports `run(log)` and prints
 * ratios against a baseline measured in the same run: absolute times on a shared 2-core machine mean little.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

type Bench = { run(log: (line: string) => void): Promise<void> };

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  for (const f of files) {
    console.log(`\n== ${f.replace(/\.bench\.ts$/, '')}`);
    const mod = require(path.join(__dirname, f)) as Bench;
    await mod.run((line) => console.log(`  ${line}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
