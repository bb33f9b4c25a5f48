// Bundles the extension-host tests (test/vscode/**) to out/test/vscode/, one file per entry, so the host can
// load them without tsx: `vscode` is provided by the host and `mocha` is loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const src = 'test/vscode';
const entries = [
  path.join(src, 'index.ts'),
  path.join(src, 'restricted.ts'),
  path.join(src, 'bench.ts'), // the editor bench's payload (bench/editor.bench.ts), not a test
  ...['suite', 'restricted'].flatMap((d) =>
    fs
      .readdirSync(path.join(src, d))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.join(src, d, f)),
  ),
];
fs.rmSync('out/test/vscode', { recursive: true, force: true });
await esbuild.build({
  entryPoints: entries,
  outdir: 'out/test/vscode',
  outbase: src,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
