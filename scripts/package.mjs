// `npm run package`: a production build, then a VSIX with @vscode/vsce holding only what .vscodeignore lets
// through (the bundle needs no node_modules). Prints the VSIX's size and contents.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

step(process.execPath, ['scripts/build.mjs']);
const args = [vsce, 'package', '--no-dependencies', '--out', out];
// The README goes in through --readme-path (.vscodeignore leaves it out). Without a repository URL (or
// MTD_VSIX_BASE_URL) vsce cannot turn README-relative images into absolute links and refuses to package: the VSIX
// then gets the README without the screenshots (they are not shipped anyway) and with relative links as text.
if (!pkg.repository) args.push('--allow-missing-repository');
if (!pkg.repository && !process.env.MTD_VSIX_BASE_URL) {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8').replace(/^!\[[^\]]*\]\((?!https?:)[^)]*\)\n/gm, '')
    // Relative links (docs/findings-*.md) have no absolute form either: keep their text, drop the link.
    .replace(/\[([^\]]+)\]\((?!https?:|#|mailto:)[^)]*\)/g, '$1');
  const tmp = path.join(root, '.cache', 'vsix-README.md');
  fs.mkdirSync(path.dirname(tmp), { recursive: true });
  fs.writeFileSync(tmp, readme);
  args.push('--readme-path', path.relative(root, tmp));
} else {
  args.push('--readme-path', 'README.md');
}
if (!fs.existsSync(path.join(root, 'LICENSE')) && !fs.existsSync(path.join(root, 'LICENSE.md'))) args.push('--skip-license');
if (process.env.MTD_VSIX_BASE_URL) args.push('--baseContentUrl', process.env.MTD_VSIX_BASE_URL, '--baseImagesUrl', process.env.MTD_VSIX_BASE_URL);
step(process.execPath, args);
step(process.execPath, [vsce, 'ls', '--no-dependencies', '--tree']);
const size = fs.statSync(out).size;
console.log(`VSIX: ${path.relative(root, out)}, ${(size / 1024).toFixed(0)} KiB`);
