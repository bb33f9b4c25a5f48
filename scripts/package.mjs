// `npm run package`: a production build, then a VSIX made with @vscode/vsce from a staging folder that holds
// only what .vscodeignore lets through, the users' README (docs/extension-readme.md, not the developers' one)
// and a manifest without the npm-only fields (`bin`, `files`, scripts, dependencies): nothing in the shipped
// manifest points at a file the VSIX lacks. Prints the VSIX's size and contents.
//   --no-build   package the dist/ already built (npm run test:vscode packs right after its own build)
//   --no-list    do not print the contents (`vsce ls --tree`)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.resolve(process.env.MTD_VSIX_OUT ?? path.join(root, `${pkg.name}-${pkg.version}.vsix`));
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const stage = path.join(root, '.cache', 'vsix-stage');

const step = (cmd, args, cwd = root) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** The `!path` lines of .vscodeignore, expanded (`*` within one path segment only). */
export function shippedFiles() {
  const patterns = fs
    .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1));
  const files = [];
  for (const p of patterns) {
    const dir = path.dirname(p);
    const re = new RegExp(
      `^${path
        .basename(p)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')}$`,
    );
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs)) if (re.test(f) && fs.statSync(path.join(abs, f)).isFile()) files.push(path.join(dir, f));
  }
  return files;
}

if (!process.argv.includes('--no-build')) step(process.execPath, ['scripts/build.mjs']);
fs.rmSync(stage, { recursive: true, force: true });
for (const f of shippedFiles()) {
  if (f === 'package.json') continue;
  fs.mkdirSync(path.join(stage, path.dirname(f)), { recursive: true });
  fs.copyFileSync(path.join(root, f), path.join(stage, f));
}
const manifest = { ...pkg };
for (const k of ['bin', 'files', 'scripts', 'devDependencies', 'dependencies']) delete manifest[k];
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fs.copyFileSync(path.join(root, 'docs', 'extension-readme.md'), path.join(stage, 'README.md'));
fs.writeFileSync(path.join(stage, '.vscodeignore'), '');

const args = [vsce, 'package', '--no-dependencies', '--out', out];
if (process.env.MTD_VSIX_BASE_URL) args.push('--baseContentUrl', process.env.MTD_VSIX_BASE_URL, '--baseImagesUrl', process.env.MTD_VSIX_BASE_URL);
step(process.execPath, args, stage);
if (!process.argv.includes('--no-list')) step(process.execPath, [vsce, 'ls', '--no-dependencies', '--tree'], stage);
const size = fs.statSync(out).size;
console.log(`VSIX: ${path.relative(root, out)}, ${(size / 1024).toFixed(0)} KiB`);
