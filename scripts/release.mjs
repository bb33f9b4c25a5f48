// `npm run release`: from a clean checkout, builds everything a release ships into release/: the VSIX, the npm
// tarball of the CLI, and SHA256SUMS. Refuses to go on when the versions of package.json, the changelog's first
// entry and the VSIX's manifest disagree, or when the packages hold files they should not.
//   npm run release [-- --allow-dirty]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'release');
const fail = (msg) => {
  console.error(`release: ${msg}`);
  process.exit(1);
};
const step = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${path.basename(cmd)} ${args.join(' ')} failed`);
};
// The outer npm's variables would steer the inner npm (`npm pack`).
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim();
if (dirty && !process.argv.includes('--allow-dirty')) fail(`the checkout has uncommitted changes:\n${dirty}`);

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const changelog = /^## (\S+)/m.exec(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'))?.[1];
if (changelog !== pkg.version) fail(`package.json says ${pkg.version}, the changelog's first entry says ${changelog ?? 'nothing'}`);

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out);
const vsix = path.join(out, `${pkg.name}-${pkg.version}.vsix`);
step(process.execPath, ['scripts/package.mjs'], { ...process.env, MTD_VSIX_OUT: vsix });
const vsixManifest = JSON.parse(execFileSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' }));
if (vsixManifest.version !== pkg.version) fail(`the VSIX says ${vsixManifest.version}, package.json ${pkg.version}`);
for (const k of ['bin', 'files', 'scripts', 'devDependencies', 'dependencies']) if (k in vsixManifest) fail(`the VSIX manifest still has "${k}"`);

const dry = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', env: npmEnv }))[0];
const allowed = /^(dist\/(cli(-[\w-]+)?|babel-parser)\.js|README\.md|LICENSE|CHANGELOG\.md|package\.json|docs\/findings-[\w-]+\.md)$/;
const stray = dry.files.map((f) => f.path).filter((f) => !allowed.test(f));
if (stray.length) fail(`the npm package would hold: ${stray.join(', ')}`);
const tarball = execFileSync('npm', ['pack', '--pack-destination', out, '--ignore-scripts', '--silent'], { cwd: root, encoding: 'utf8', env: npmEnv })
  .trim()
  .split('\n')
  .pop();

const sums = [path.basename(vsix), tarball].map(
  (f) =>
    `${createHash('sha256')
      .update(fs.readFileSync(path.join(out, f)))
      .digest('hex')}  ${f}`,
);
fs.writeFileSync(path.join(out, 'SHA256SUMS'), `${sums.join('\n')}\n`);
console.log(`release ${pkg.version}:\n${sums.map((s) => `  ${s}`).join('\n')}\n  (in ${path.relative(root, out)}/)`);
