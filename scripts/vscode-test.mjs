// `npm run test:vscode`: builds the extension and its host tests, then runs them in the real VS Code (offline
// runner, scripts/vscode-host.mjs) twice: a trusted session with the fixture workspace and the extension under
// development, and a fresh install of the packed VSIX (`--install-extension` into an empty extensions folder)
// opening an untrusted folder (restricted mode) with probe-on-startup on, which must lint but not connect, and
// whose installed manifest, README, walkthrough and activation are checked as a user meets them.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

// The VSIX is packed from that bundle while the trusted session runs (it mostly waits on the window).
const vsixDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-vsix-'));
const vsix = path.join(vsixDir, 'mail-tls-doctor.vsix');
const packLog = path.join(vsixDir, 'package.log');
const packed = new Promise((resolve) => {
  // Output to a file, not a pipe: spawnSync below blocks this process's event loop while the packer runs.
  const out = fs.openSync(packLog, 'w');
  const child = spawn(node, ['scripts/package.mjs', '--no-build', '--no-list'], {
    cwd: root,
    env: { ...process.env, MTD_VSIX_OUT: vsix },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  child.on('exit', (code) => resolve(code ?? 1));
  child.on('error', () => resolve(1));
});

try {
  // The fixture folders carry their own .vscode/settings.json: the trusted one ignores the example.* hosts its
  // files name (nothing but loopback is ever probed), the restricted one turns probe-on-startup on.
  const trusted = run(['scripts/vscode-host.mjs']);
  let restricted = 1;
  if ((await packed) !== 0) console.error(`test:vscode: packing the VSIX failed:\n${fs.readFileSync(packLog, 'utf8')}`);
  else {
    restricted = run([
      'scripts/vscode-host.mjs',
      '--untrusted',
      '--vsix',
      vsix,
      '--workspace',
      'test/fixtures/workspace/restricted',
      '--tests',
      'out/test/vscode/restricted.js',
    ]);
  }
  console.log(
    `test:vscode: trusted session ${trusted === 0 ? 'passed' : 'FAILED'}, installed-VSIX restricted session ${restricted === 0 ? 'passed' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  process.exitCode = trusted || restricted ? 1 : 0;
} finally {
  fs.rmSync(vsixDir, { recursive: true, force: true });
}
