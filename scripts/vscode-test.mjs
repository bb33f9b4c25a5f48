// `npm run test:vscode`: builds the extension and its host tests, then runs them in the real VS Code (offline
// runner, scripts/vscode-host.mjs) twice: a trusted session with the fixture workspace, and an untrusted one
// (restricted mode) with probe-on-startup on, which must lint but not connect.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const run = (args) => spawnSync(node, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const started = Date.now();
if (!process.argv.includes('--no-build')) {
  // The production bundle: the tests exercise what ships.
  if (run(['scripts/build.mjs']) !== 0 || run(['scripts/build-vscode-tests.mjs']) !== 0) process.exit(1);
}

// The fixture folders carry their own .vscode/settings.json: the trusted one ignores the example.* hosts its
// files name (nothing but loopback is ever probed), the restricted one turns probe-on-startup on.
const trusted = run(['scripts/vscode-host.mjs']);
const restricted = run([
  'scripts/vscode-host.mjs', '--untrusted',
  '--workspace', 'test/fixtures/workspace/restricted',
  '--tests', 'out/test/vscode/restricted.js',
]);
console.log(`test:vscode: trusted session ${trusted === 0 ? 'passed' : 'FAILED'}, restricted session ${restricted === 0 ? 'passed' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(trusted || restricted ? 1 : 0);
