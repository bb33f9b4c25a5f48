// Bundles the extension and the CLI into dist/ (one file each, so the VSIX and the npm bin need no node_modules).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const watch = process.argv.includes('--watch');
const production = !process.argv.includes('--dev');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

// The CLI is split by command: dist/cli.js holds the dispatcher, and each command that src/cli/main.ts loads on
// demand (`() => require('./probe')`) is its own bundle, dist/cli-probe.js. A probe then never loads the JS/TS
// parser that only `lint` needs, and `--version` loads neither.
const mainSource = fs.readFileSync('src/cli/main.ts', 'utf8');
const commandModules = [...new Set([...mainSource.matchAll(/\(\)\s*=>\s*require\('\.\/([\w-]+)'\)/g)].map((m) => m[1]))];
const splitCommands = {
  name: 'split-cli-commands',
  setup(build) {
    // A command module reached through require() from another CLI module (probe's --from-config reads configs
    // with lint's walker) comes from that command's own bundle too; a static import stays bundled.
    build.onResolve({ filter: /^\.\/[\w-]+$/ }, (args) => {
      const name = args.path.slice(2);
      const fromCli = path.dirname(path.resolve(args.importer)) === path.resolve('src/cli');
      if (!fromCli || args.kind !== 'require-call' || !commandModules.includes(name)) return undefined;
      return { path: `cli-${name}.js`, namespace: 'cli-command' };
    });
    // It is loaded through src/cli/codeCache.ts: with a V8 code cache, a run does not compile it again.
    build.onLoad({ filter: /.*/, namespace: 'cli-command' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(path.resolve('src/cli/codeCache.ts'))}).loadCommandBundle(${JSON.stringify(args.path)});`,
      resolveDir: path.resolve('src/cli'),
      loader: 'js',
    }));
  },
};

// The JS/TS parser (most of the size) is a bundle of its own, required on the first JavaScript or TypeScript file
// (src/core/lint/nodemailer/parse.ts): the extension activates and lints Postfix files without loading it.
const lazyBabel = {
  name: 'lazy-babel-parser',
  setup(build) {
    build.onResolve({ filter: /^@babel\/parser$/ }, (args) => (args.kind === 'require-call' ? { path: './babel-parser.js', external: true } : undefined));
  },
};

// `import * as vscode from 'vscode'` in each of the extension's ~25 modules became its own `__toESM(require('vscode'))`,
// a copy of every property of the editor API object: measured in the real host, the biggest single cost of loading
// the extension (bench/editor.bench.ts). One shared module re-exports the API, so it is copied once.
const oneVscodeNamespace = {
  name: 'one-vscode-namespace',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

const builds = [
  { ...common, entryPoints: ['node_modules/@babel/parser/lib/index.js'], outfile: 'dist/babel-parser.js' },
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [lazyBabel, oneVscodeNamespace] },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [splitCommands, lazyBabel] },
  // The GitHub Action's entry point (action.yml): the dispatcher plus INPUT_* handling; commands load as above.
  { ...common, entryPoints: ['src/action.ts'], outfile: 'dist/action.js', plugins: [splitCommands, lazyBabel] },
  ...commandModules.map((name) => ({ ...common, entryPoints: [`src/cli/${name}.ts`], outfile: `dist/cli-${name}.js`, plugins: [splitCommands, lazyBabel] })),
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
