// extensionTestsPath of the untrusted session (restricted mode): the suites in restricted/.
import * as path from 'node:path';
import { runMochaFolder } from './mochaRunner';

export function run(): Promise<void> {
  return runMochaFolder(path.join(__dirname, 'restricted'));
}
