// extensionTestsPath of the untrusted session (restricted mode), which runs the extension installed from its VSIX
// (scripts/vscode-test.mjs): the suites in restricted/.
import * as path from 'node:path';
import { runMochaFolder } from './mochaRunner';

export function run(): Promise<void> {
  return runMochaFolder(path.join(__dirname, 'restricted'));
}
