// extensionTestsPath of the trusted session: the suites in suite/.
import * as path from 'node:path';
import { runMochaFolder } from './mochaRunner';

export function run(): Promise<void> {
  return runMochaFolder(path.join(__dirname, 'suite'));
}
