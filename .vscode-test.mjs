// The conventional runner (@vscode/test-cli + @vscode/test-electron): downloads VS Code, so it needs internet.
// `npm run test:vscode:electron`. Offline machines use `npm run test:vscode` (scripts/vscode-host.mjs) instead;
// both run the same compiled suites from out/test/vscode/.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig([
  {
    label: 'trusted',
    files: 'out/test/vscode/suite/**/*.test.js',
    version: '1.139.1',
    workspaceFolder: './test/fixtures/workspace',
    mocha: { ui: 'bdd', timeout: 60_000 },
    launchArgs: ['--disable-workspace-trust', '--disable-extensions'],
  },
]);
