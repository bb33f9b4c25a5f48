import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, waitFor, windowMisses } from '../helpers';

// This session runs the extension as a user gets it: scripts/vscode-test.mjs packs the VSIX (scripts/package.mjs)
// and the runner installs it with the server's `--install-extension` into a fresh extensions folder; the
// development path given to the host is an empty stand-in of another id. So what is checked here is the installed
// copy: the manifest and files the details page and the walkthrough are made of.
const root = path.resolve(__dirname, '../../../..');

interface Manifest {
  icon?: string;
  bin?: unknown;
  files?: unknown;
  scripts?: unknown;
  homepage?: string;
  repository?: { url?: string } | string;
  bugs?: { url?: string } | string;
  galleryBanner?: { color?: string };
  contributes: {
    walkthroughs?: Array<{
      id: string;
      title: string;
      steps: Array<{ id: string; title: string; media: { markdown?: string; image?: string; svg?: string } }>;
    }>;
    viewsContainers?: Record<string, Array<{ icon?: string }>>;
    views?: Record<string, Array<{ icon?: string }>>;
    grammars?: Array<{ path: string }>;
    languages?: Array<{ configuration?: string }>;
  };
}

describe('the extension installed from its VSIX (a fresh install)', function () {
  this.timeout(60_000);
  let ext: vscode.Extension<unknown>;
  let manifest: Manifest;
  const installed = (rel: string) => path.join(ext.extensionPath, rel);

  before(() => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not installed`);
    ext = found;
    manifest = ext.packageJSON as Manifest;
  });

  it('is the installed copy from the VSIX, not the repository', () => {
    assert.notEqual(path.resolve(ext.extensionPath), root);
    assert.match(path.basename(ext.extensionPath), /^mail-tls-doctor\.mail-tls-doctor-\d+\.\d+\.\d+$/);
    assert.ok(
      !fs.existsSync(installed('src')) && !fs.existsSync(installed('test')) && !fs.existsSync(installed('node_modules')),
      'sources, tests or node_modules were shipped',
    );
    // The README's screenshots are served from the repository (see below), not shipped.
    assert.ok(!fs.existsSync(installed('media/screenshots')), 'the screenshots were shipped');
  });

  it('ships the bundle and every part it loads on first use (dist/ext-*.js), and nothing else of dist/', () => {
    const built = fs
      .readdirSync(path.join(root, 'dist'))
      .filter((f) => /^(extension|babel-parser|ext-[\w-]+)\.js$/.test(f))
      .sort();
    assert.ok(
      built.some((f) => f.startsWith('ext-')),
      'the build made no part',
    );
    assert.deepEqual(fs.readdirSync(installed('dist')).sort(), built);
  });

  it('its manifest gives the details page an icon, links and a banner, and nothing that points at a missing file', () => {
    assert.ok(manifest.icon, 'no icon');
    const icon = fs.readFileSync(installed(manifest.icon));
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG', 'the icon is a PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'the icon is 128x128');
    const url = (v: { url?: string } | string | undefined) => (typeof v === 'string' ? v : v?.url) ?? '';
    assert.match(manifest.homepage ?? '', /^https:\/\//);
    assert.match(url(manifest.repository), /^https:\/\//);
    assert.match(url(manifest.bugs), /^https:\/\//);
    assert.ok(manifest.galleryBanner?.color);
    for (const k of ['bin', 'files', 'scripts'] as const) assert.equal(manifest[k], undefined, `the shipped manifest still has "${k}"`);
    const c = manifest.contributes;
    const paths = [
      ...Object.values(c.viewsContainers ?? {})
        .flat()
        .map((v) => v.icon),
      ...Object.values(c.views ?? {})
        .flat()
        .map((v) => v.icon),
      ...(c.grammars ?? []).map((g) => g.path),
      ...(c.languages ?? []).map((l) => l.configuration),
    ].filter((p): p is string => !!p && !p.startsWith('$('));
    assert.ok(paths.length >= 3);
    for (const p of paths) assert.ok(fs.existsSync(installed(p)), `the manifest names ${p}, which the VSIX lacks`);
  });

  it("its README is the users' README (the details page), not the developers'", () => {
    const name = fs.readdirSync(ext.extensionPath).find((f) => /^readme\.md$/i.test(f));
    assert.ok(name, 'no README in the VSIX');
    const shipped = fs.readFileSync(installed(name), 'utf8');
    assert.doesNotMatch(shipped, /npm (ci|run|test)/, 'developer commands on the details page');
    // vsce rewrites the README's relative image links against the repository (its raw files on GitHub), so the
    // screenshots need not be in the VSIX: each image must be such an https URL and name a file of the repository.
    const repo = (typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository?.url ?? '')).replace(/\.git$/, '');
    const images = [...shipped.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
    assert.ok(images.length >= 3, 'screenshots on the details page');
    for (const src of images) {
      assert.ok(src.startsWith(`${repo}/raw/HEAD/`), `image ${src} is not served from the repository`);
      assert.ok(fs.existsSync(path.join(root, src.slice(`${repo}/raw/HEAD/`.length))), `the README shows ${src}, which the repository lacks`);
    }
    const ours = fs.readFileSync(path.join(root, 'docs', 'extension-readme.md'), 'utf8');
    assert.equal(shipped.split(`${repo}/raw/HEAD/`).join(''), ours, 'the details page is docs/extension-readme.md');
  });

  it("contributes the walkthrough, and every step's media is in the installed folder", () => {
    const w = manifest.contributes.walkthroughs?.find((x) => x.id === 'mailTlsDoctor.gettingStarted');
    assert.ok(w, 'no walkthrough');
    assert.ok(w.steps.length >= 3);
    for (const s of w.steps) {
      const media = s.media.markdown ?? s.media.image ?? s.media.svg;
      assert.ok(media, `step ${s.id} has no media`);
      const text = fs.readFileSync(installed(media), 'utf8');
      assert.ok(text.trim().length > 0, `${media} is empty`);
    }
  });

  it('activates', async () => {
    const api = await activateExtension();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.getTreeSnapshot, 'function');
  });

  it('opens its walkthrough from the command a user (or the Welcome page) runs', async () => {
    const w = manifest.contributes.walkthroughs![0];
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#${w.id}`, false);
    const tab = await waitFor(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.includes(w.title) || /walkthrough|welcome/i.test(t.label)),
      'the walkthrough tab',
    );
    assert.equal(tab.isActive, true);
    // What the page shows: the walkthrough's title and its steps (the runner reports any error naming the
    // extension, such as a step's media that does not load).
    const missing = await windowMisses('walkthrough', [w.title, ...w.steps.map((x) => x.title)]);
    assert.deepEqual(missing, [], 'the walkthrough page does not show these');
  });
});
