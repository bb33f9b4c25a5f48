// Runs the mocha files of one folder inside the extension host. Both runners use it: the offline one
// (scripts/vscode-host.mjs, which prints only lines carrying MTD_LOG_MARK) and, through .vscode-test.mjs,
// @vscode/test-cli, which brings its own mocha and does not need this file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';

/** Must equal MTD_LOG_MARK in scripts/vscode-host.mjs. */
export const LOG_MARK = '[mtd] ';

export function runMochaFolder(dir: string): Promise<void> {
  const Mocha = require('mocha') as typeof import('mocha');
  const Base = Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void; useColors: boolean };
  Base.useColors = false;
  Base.consoleLog = (...args: unknown[]) => console.log(LOG_MARK + util.format(...args));
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, reporter: 'spec', color: false });
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.test.js'))
    .sort())
    mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
