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

// `import * as fs from 'node:fs'` becomes `__toESM(require('node:fs'))` in a CommonJS bundle: a new object with a
// getter for every export of the module, built once per importing file (21 times in dist/cli-probe.js, about 8 ms of
// a CLI run). Here such an import becomes the default import of a module holding the plain `require('node:fs')`:
// the very module object, so every `fs.x` is the same function as before; one such module per built-in, shared by
// its importers, and left out when nothing uses it (no side effects). The sources keep the usual form.
const plainBuiltinNamespaces = {
  name: 'plain-builtin-namespaces',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => ({
      contents: (await fs.promises.readFile(args.path, 'utf8')).replace(/^import \* as (\w+) from '(node:[\w/]+)';$/gm, "import $1 from 'plain-builtin:$2';"),
      loader: 'ts',
    }));
    build.onResolve({ filter: /^plain-builtin:node:[\w/]+$/ }, (args) => ({
      path: args.path.slice('plain-builtin:'.length),
      namespace: 'plain-builtin',
      sideEffects: false,
    }));
    build.onLoad({ filter: /.*/, namespace: 'plain-builtin' }, (args) => ({ contents: `export default require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

// The extension is split the same way: src/extension/engineParts.ts requires each part of the engine that activation
// does not need (`require('./parts/network')`: probe, domain check, DNS; `./parts/reports`) on the first command
// that uses it, and each part is its own bundle, dist/ext-NAME.js. A part imports src/core only: it is built
// without the editor API, so importing an extension module that uses it fails the build.
const extensionParts = fs
  .readdirSync('src/extension/parts')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const splitExtensionParts = {
  name: 'split-extension-parts',
  setup(build) {
    build.onResolve({ filter: /^\.\/parts\/[\w-]+$/ }, (args) => {
      const name = args.path.slice('./parts/'.length);
      if (args.kind !== 'require-call' || path.resolve(args.importer) !== path.resolve('src/extension/engineParts.ts') || !extensionParts.includes(name))
        return undefined;
      return { path: `./ext-${name}.js`, external: true };
    });
  },
};

// Activation loads only a shell: dist/extension.js registers the contributions (src/extension/activate.ts) and
// src/extension/editorLoader.ts requires the editor part (`require('./editor')`: linters, diagnostics, the tree's
// content, the commands' work) on first use, right after activation for the startup lint. That part is
// dist/ext-editor.js, built with the editor API like the shell; VS Code counts loading the shell and activate() as
// the extension's activation time (bench/editor.bench.ts).
const splitEditorPart = {
  name: 'split-editor-part',
  setup(build) {
    build.onResolve({ filter: /^\.\/editor$/ }, (args) =>
      args.kind === 'require-call' && path.resolve(args.importer) === path.resolve('src/extension/editorLoader.ts')
        ? { path: './ext-editor.js', external: true }
        : undefined,
    );
  },
};

/** Modules with state that may be in both, and why a second copy changes nothing. */
const HARMLESS_COPIES = {
  // The lint reads certificate files (Postfix rules) and the probe reads chains: each bundle keeps its own bounded
  // memo of parsed certificates, keyed by their bytes and handing out copies, so a certificate both see is parsed
  // once in each and every result is the same.
  'src/core/cert/parsed.ts': 'a memo keyed by content',
  // Each copy remembers what `require` returned, and `require` returns the one module Node has.
  'src/core/nodeLazy.ts': "Node's own modules",
  // The editor's lint and the TLS report panel both read big logs by their tail: each copy keeps where it last
  // counted a log's lines, used only when the file's bytes before that point are unchanged, so both count right.
  'src/core/fsread.ts': "a memo of line counts, checked against the file's bytes",
};

// The wrapper's head, as src/cli/codeCache.ts recognises it.
const bundleHead = /export const BUNDLE_HEAD = '([^']+)';/.exec(fs.readFileSync('src/cli/codeCache.ts', 'utf8'))[1];

const builds = [
  { ...common, entryPoints: ['node_modules/@babel/parser/lib/index.js'], outfile: 'dist/babel-parser.js' },
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    metafile: true,
    plugins: [oneVscodeNamespace, splitEditorPart],
  },
  {
    ...common,
    entryPoints: ['src/extension/editor.ts'],
    outfile: 'dist/ext-editor.js',
    external: ['vscode'],
    metafile: true,
    plugins: [lazyBabel, oneVscodeNamespace, splitExtensionParts],
  },
  ...extensionParts.map((name) => ({
    ...common,
    entryPoints: [`src/extension/parts/${name}.ts`],
    outfile: `dist/ext-${name}.js`,
    metafile: true,
    plugins: [lazyBabel],
  })),
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [splitCommands, lazyBabel] },
  // The GitHub Action's entry point (action.yml): the dispatcher plus INPUT_* handling; commands load as above.
  { ...common, entryPoints: ['src/action.ts'], outfile: 'dist/action.js', plugins: [splitCommands, lazyBabel] },
  ...commandModules.map((name) => ({
    ...common,
    entryPoints: [`src/cli/${name}.ts`],
    outfile: `dist/cli-${name}.js`,
    // Written inside the CommonJS wrapper that src/cli/codeCache.ts compiles it in, so a run compiles the text as
    // it is read instead of a wrapped copy (only codeCache.ts loads these files).
    banner: { js: bundleHead },
    footer: { js: '})' },
    plugins: [splitCommands, lazyBabel],
  })),
];

for (const b of builds) b.plugins = [...(b.plugins ?? []), plainBuiltinNamespaces];

// Node looks up the package scope of the first file it loads to know its module type: without this file that is
// the 20 KB manifest (mostly the editor's `contributes`), read and parsed on every CLI run (20 fresh pages).
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  oneCopyOfState(results.filter((r, i) => builds[i].outfile === 'dist/extension.js' || builds[i].outfile.startsWith('dist/ext-')));
}

/**
 * A module in two of the extension's bundles (dist/extension.js, the parts dist/ext-*.js) runs twice, with two
 * copies of its module-level state. Shared modules must be stateless: refuse one with a top-level `let`/`var` or an
 * empty Map, Set or WeakMap (a cache, a registry, a list of what happened). Such a module belongs in one bundle only
 * (or its state passed in by the caller).
 */
function oneCopyOfState(bundles) {
  const bundled = (r) => Object.entries(Object.values(r.metafile.outputs)[0].inputs).flatMap(([file, i]) => (i.bytesInOutput > 0 ? [file] : []));
  const seen = new Map();
  const stateful = [
    /^(?:export\s+)?(?:let|var)\s/m,
    /^(?:export\s+)?const\s+\w+\s*(?::[^=]+)?=\s*new\s+(?:Map|Set|WeakMap|WeakSet)\b[^(]*\(\s*\)/m,
    /^(?:export\s+)?const\s+\w+\s*(?::(?![^=]*readonly)[^=]+)?=\s*\[\s*\];/m,
  ];
  const bad = new Set();
  for (const bundle of bundles)
    for (const input of bundled(bundle)) {
      seen.set(input, (seen.get(input) ?? 0) + 1);
      if (seen.get(input) > 1 && !HARMLESS_COPIES[input] && /^src\/.*\.ts$/.test(input) && stateful.some((re) => re.test(fs.readFileSync(input, 'utf8'))))
        bad.add(input);
    }
  if (bad.size) {
    console.error(`build: modules with state in two of the extension's bundles (dist/extension.js, dist/ext-*.js), so twice: ${[...bad].join(', ')}`);
    process.exit(1);
  }
}
