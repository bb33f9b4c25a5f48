// `npm run screenshots`: drives the real VS Code UI (the offline VS Code server + headless Chromium + Playwright)
// and writes PNGs of the result tree, the Problems panel and a quick fix to media/screenshots/. The workspace is
// a scratch copy of the fixtures whose configs point at the probe lab's real TLS servers on loopback, so the tree
// shows real probe results. Nothing leaves the machine: the browser may only talk to 127.0.0.1.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHost } from './vscode-host-install.mjs';
import { launchBrowser, makeScratch, startVscodeServer, withTimeout } from './vscode-host.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'media', 'screenshots');
const verbose = process.env.MTD_VSCODE_HOST_VERBOSE === '1';
const say = (s) => console.log(`screenshots: ${s}`);

/** The lab is TypeScript: bundle it for this plain-Node script. */
async function loadLab(scratchDir) {
  const outfile = path.join(scratchDir, 'lab.cjs');
  await esbuild.build({ entryPoints: [path.join(root, 'test/support/lab/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
  return createRequire(import.meta.url)(outfile);
}

function writeWorkspace(dir, lab) {
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'restricted'), { recursive: true, force: true });
  const s = lab.servers;
  const mainCf = path.join(dir, 'etc/postfix/main.cf');
  fs.writeFileSync(mainCf, fs.readFileSync(mainCf, 'utf8').replace('relayhost = [smtp.example.com]:465', `relayhost = [127.0.0.1]:${s.expired.port}`));
  const transport = (name, port) => `// ${name}: the lab's server on loopback.
const nodemailer = require('nodemailer');

module.exports = nodemailer.createTransport({
  host: '127.0.0.1',
  port: ${port},
  secure: false,
  requireTLS: true,
  tls: { servername: 'mail.lab.test' },
});
`;
  fs.writeFileSync(path.join(dir, 'app/mailer.js'), transport('Notifications', s.healthy.port));
  fs.writeFileSync(path.join(dir, 'app/alerts.js'), transport('Alerts', s['leaf-only'].port));
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode/settings.json'), JSON.stringify({
    'mailTlsDoctor.probe.ignoredHosts': ['*.example.com', '*.example.net', '*.example.org'],
    'mailTlsDoctor.probe.extraCaFiles': [lab.caFile],
    'mailTlsDoctor.probe.onStartup': true,
  }, null, 2));
}

async function command(page, name) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${name}`);
  await page.waitForTimeout(400);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(600);
}

async function openFile(page, rel) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(rel);
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(800);
}

async function main() {
  const started = Date.now();
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
  const host = await ensureHost();
  const scratch = makeScratch('mtd-shots-');
  let server;
  let browser;
  let lab;
  try {
    lab = await (await loadLab(scratch.dir)).startLab({ only: ['healthy', 'leaf-only', 'expired'] });
    const workspace = path.join(scratch.dir, 'workspace');
    writeWorkspace(workspace, lab);
    server = await startVscodeServer(host, scratch, {
      settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'window.commandCenter': false, 'editor.minimap.enabled': false },
      log: verbose ? (s) => process.stderr.write(`[server] ${s}`) : undefined,
    });
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${root}`], ['skipWelcome', 'true']];
    ({ browser } = await launchBrowser());
    const page = await browser.contexts()[0].newPage();
    if (verbose) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    await withTimeout(page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`), 60_000, 'opening the workbench');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    fs.mkdirSync(outDir, { recursive: true });

    // 1. The result tree, filled by the startup probe of the lab servers the configs name. The side bar is widened
    // by dragging its sash, so labels and descriptions are readable.
    // The activity-bar entry exists once the extension's contributions are loaded: click it rather than racing
    // the command palette.
    const viewIcon = page.locator('.activitybar [aria-label^="Mail TLS"]').first();
    await viewIcon.waitFor({ timeout: 30_000 });
    await viewIcon.click();
    const sash = await page.locator('.part.sidebar').boundingBox();
    if (sash) {
      await page.mouse.move(sash.x + sash.width + 1, sash.y + 300);
      await page.mouse.down();
      await page.mouse.move(sash.x + 620, sash.y + 300, { steps: 8 });
      await page.mouse.up();
    }
    await page.getByText('Certificate chain', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1500);
    await command(page, 'Notifications: Clear All Notifications');
    await page.screenshot({ path: path.join(outDir, 'tree.png') });
    say('tree.png');

    // 2. The Problems panel with the lint (and probe) findings.
    await openFile(page, 'etc/postfix/main.cf');
    await command(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(outDir, 'problems.png') });
    say('problems.png');

    // 3. A quick fix on the legacy protocol list in main.cf.
    await command(page, 'View: Close Panel');
    await openFile(page, 'etc/postfix/main.cf');
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(':18:40');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(800);
    await page.keyboard.press('Control+.');
    await page.locator('.action-widget').first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(outDir, 'quickfix.png') });
    say('quickfix.png');

    // 4. Probe Host...: the validated input, then protocol and mode; the result lands under "Probed by hand".
    await page.keyboard.press('Escape');
    await command(page, 'Mail TLS Doctor: Probe Host...');
    const input = page.locator('.quick-input-widget input');
    await input.fill('bad host:25');
    await page.getByText('invalid host', { exact: false }).first().waitFor({ timeout: 10_000 });
    await input.fill(`127.0.0.1:${lab.servers.healthy.port}`);
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.getByText('SMTP with STARTTLS', { exact: false }).first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(outDir, 'probe-host.png') });
    await page.keyboard.press('Enter');
    await page.getByText('Probed by hand', { exact: false }).first().waitFor({ timeout: 30_000 });
    say('probe-host.png (and the probe it started reached the tree)');
    say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    // What the page showed when it went wrong is the fastest way to see why.
    const shot = path.join(process.env.TMPDIR ?? '/tmp', 'mtd-screenshots-failure.png');
    await browser?.contexts()[0]?.pages()[0]?.screenshot({ path: shot }).catch(() => {});
    say(`failed; the page at that moment: ${shot}`);
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    server?.stop();
    await lab?.close().catch(() => {});
    scratch.cleanup();
  }
}

main().catch((e) => {
  console.error(`screenshots: ${e.stack ?? e.message}`);
  process.exit(1);
});
