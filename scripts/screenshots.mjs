// `npm run screenshots`: drives the real VS Code UI (the offline VS Code server + headless Chromium + Playwright)
// and writes PNGs to media/screenshots/: the result tree, the Problems panel, a quick fix, Probe Host, the
// extension's details page, its walkthrough, watch mode (status-bar expiry and a transition notification) and the
// Domains part of the view after Check Mail Domain... (the domain lab of the tests; see `domains` below). The
// extension is the packed VSIX installed with `--install-extension` into a fresh extensions folder, as a user has
// it. The workspace is a scratch copy of the fixtures whose configs point at the probe lab's real TLS servers on
// loopback, so the tree shows real probe results. Nothing leaves the machine: the browser may only talk to
// 127.0.0.1 (the README's images, which vsce points at the repository, are answered from this checkout's files).
// Each PNG is cropped to what it shows and quantised to 256 colours (upng-js).
//   npm run screenshots [-- NAME...]    only these (tree problems quickfix probe-host details walkthrough watch domains)
// `domains` listens on the real mail ports of two loopback addresses (127.0.0.11:25 for the MX host, 127.0.0.21:443
// for the MTA-STS policy server), as the domain check contacts MX hosts on 25 and policy hosts on 443: it needs root
// (or CAP_NET_BIND_SERVICE) and those ports free, and says so when they are not.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHost } from './vscode-host-install.mjs';
import UPNG from 'upng-js';
import { installVsix, launchBrowser, makeScratch, standInExtension, startVscodeServer, withTimeout } from './vscode-host.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'media', 'screenshots');
const verbose = process.env.MTD_VSCODE_HOST_VERBOSE === '1';
const say = (s) => console.log(`screenshots: ${s}`);
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const DAY = 86_400_000;

/** Writes a screenshot (optionally cropped to `clip`) as a 256-colour PNG: a third of the size, same look. */
async function shot(page, name, clip) {
  const raw = await page.screenshot(clip ? { clip } : {});
  const img = UPNG.decode(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const png = Buffer.from(UPNG.encode([UPNG.toRGBA8(img)[0]], img.width, img.height, 256));
  fs.writeFileSync(path.join(outDir, name), png);
  say(`${name} (${img.width}x${img.height}, ${Math.round(png.length / 1024)} KiB)`);
}

/** The box around some elements, with a margin, inside the viewport. */
async function around(page, locators, margin = 8) {
  const boxes = (await Promise.all(locators.map((l) => l.boundingBox()))).filter(Boolean);
  if (boxes.length === 0) return undefined;
  const vp = page.viewportSize();
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const r = Math.min(vp.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const b = Math.min(vp.height, Math.max(...boxes.map((bb) => bb.y + bb.height)) + margin);
  return { x, y, width: r - x, height: b - y };
}

/** Asks the driver in the extension host (scripts/screenshot-driver.cjs) for something only the API can do. */
let requests = 0;
async function driver(dir, op) {
  const n = ++requests;
  fs.writeFileSync(path.join(dir, `request-${n}.tmp`), JSON.stringify({ op }));
  fs.renameSync(path.join(dir, `request-${n}.tmp`), path.join(dir, `request-${n}.json`)); // never read half-written
  if (op === 'exit') return undefined;
  const answer = path.join(dir, `answer-${n}.json`);
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(answer)) {
    if (Date.now() > deadline) throw new Error(`the driver did not answer ${op}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(fs.readFileSync(answer, 'utf8'));
}

const escapeRegExp = (s) => s.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&');

/** The lab is TypeScript: bundle it for this plain-Node script. */
async function loadLab(scratchDir) {
  const outfile = path.join(scratchDir, 'lab.cjs');
  await esbuild.build({
    stdin: {
      contents:
        "export * from './lab/index'; export { startMailServer } from './lab/mailServer'; export { makePki } from './pki'; export { startDomainLab } from './domainlab';",
      resolveDir: path.join(root, 'test/support'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(outfile);
}

/**
 * The domain lab (test/support/domainlab: a DNS server on loopback with signed test zones, MX hosts, an MTA-STS
 * policy server with a run-time CA) on the ports a sending MTA uses, so the extension checks a domain exactly as a
 * user's Check Mail Domain... does, with no lab ports passed in. Fails with what to do when it cannot listen there.
 */
async function startDomainLabOnMailPorts(labModule) {
  try {
    return await labModule.startDomainLab({ smtpPort: 25, httpsPort: 443 });
  } catch (err) {
    const where = `${err.address ?? '127.0.0.x'}:${err.port ?? '25/443'}`;
    if (err.code === 'EACCES') {
      throw new Error(
        `the domains screenshot listens on ${where} (the MX hosts' port 25 and the MTA-STS port 443 on loopback) and may not: run it as root (or with CAP_NET_BIND_SERVICE), or leave it out (npm run screenshots -- tree problems ...)`,
      );
    }
    if (err.code === 'EADDRINUSE') {
      const ss = spawnSync('ss', ['-ltn'], { encoding: 'utf8' });
      const taken = (ss.stdout ?? '')
        .split('\n')
        .filter((l) => /:(25|443)\s/.test(l))
        .join('\n');
      throw new Error(
        `the domains screenshot listens on ${where}, which is taken${taken ? `:\n${taken}` : ' (see ss -ltn)'}\nStop that listener, or leave the scene out (npm run screenshots -- tree problems ...)`,
      );
    }
    throw err;
  }
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
  fs.writeFileSync(
    path.join(dir, '.vscode/settings.json'),
    JSON.stringify(
      {
        'mailTlsDoctor.probe.ignoredHosts': ['*.example.com', '*.example.net', '*.example.org'],
        'mailTlsDoctor.probe.extraCaFiles': [lab.caFile],
        'mailTlsDoctor.probe.onStartup': true,
      },
      null,
      2,
    ),
  );
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
  const vsix = path.join(scratch.dir, 'mail-tls-doctor.vsix');
  const packed = spawnSync(process.execPath, ['scripts/package.mjs', '--no-build', '--no-list'], {
    cwd: root,
    env: { ...process.env, MTD_VSIX_OUT: vsix },
    encoding: 'utf8',
  });
  if (packed.status !== 0) throw new Error(`packing the VSIX failed:\n${packed.stdout}${packed.stderr}`);
  let server;
  let browser;
  let lab;
  let watched;
  let domainLab;
  const checks = scratch.env.MTD_WINDOW_CHECK_DIR;
  try {
    const labModule = await loadLab(scratch.dir);
    lab = await labModule.startLab({ only: ['healthy', 'leaf-only', 'expired'] });
    // Watch mode's subject: a relay whose certificate is renewed with a short one between two watch rounds.
    const pki = labModule.makePki('Billing Relay CA');
    const cert = (days) => {
      const leaf = pki.leaf({ cn: '127.0.0.1', sans: ['127.0.0.1'], notBefore: new Date(Date.now() - 300 * DAY), notAfter: new Date(Date.now() + days * DAY) });
      return { certPem: pki.chain(leaf), keyPem: leaf.keyPem };
    };
    watched = await labModule.startMailServer({ protocol: 'smtp', serves: 'starttls', tls: cert(200), name: 'billing.lab.test' });
    if (want('domains')) domainLab = await startDomainLabOnMailPorts(labModule);
    const workspace = path.join(scratch.dir, 'workspace');
    writeWorkspace(workspace, lab);
    await installVsix(host, scratch, vsix, { log: verbose ? (x) => process.stderr.write(`[install] ${x}`) : undefined });
    server = await startVscodeServer(host, scratch, {
      settings: {
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'window.commandCenter': false,
        'editor.minimap.enabled': false,
        'mailTlsDoctor.probe.extraCaFiles': [lab.caFile, pki.rootFile(), ...(domainLab ? [domainLab.caFile] : [])],
        // Every DNS question of the domain check goes to the lab's DNS server on loopback.
        ...(domainLab ? { 'mailTlsDoctor.dns.resolver': domainLab.dns.address } : {}),
        'mailTlsDoctor.probe.intervalMinutes': 60,
        'mailTlsDoctor.probe.onStartup': true,
      },
      log: verbose ? (x) => process.stderr.write(`[server] ${x}`) : undefined,
    });
    // The installed extension runs; the host wants some extension under development to run the driver, so it gets
    // an empty stand-in of another id.
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(standInExtension(scratch))],
      ['extensionTestsPath', remote(path.join(root, 'scripts', 'screenshot-driver.cjs'))],
      ['skipWelcome', 'true'],
    ];
    ({ browser } = await launchBrowser());
    const page = await browser.contexts()[0].newPage();
    if (verbose) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    // The README's images: vsce points them at the repository; answer from this checkout, never the network.
    const repo = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).repository.url.replace(/\.git$/, '');
    await page.route(`${repo}/raw/HEAD/**`, (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname).split('/raw/HEAD/')[1] ?? '';
      const file = path.join(root, rel);
      if (!rel.startsWith('media/') || rel.includes('..') || !fs.existsSync(file)) return route.abort('blockedbyclient');
      return route.fulfill({ path: file, contentType: 'image/png' });
    });
    await withTimeout(
      page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, {
        timeout: 60_000,
      }),
      65_000,
      'opening the workbench',
    );
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    fs.mkdirSync(outDir, { recursive: true });
    const editorPart = page.locator('.part.editor').first();

    // The extension's details page, as the Extensions view shows the installed VSIX: icon, name, description,
    // and the users' README.
    if (want('details')) {
      await page.locator('.activitybar [aria-label^="Extensions"]').first().click();
      const item = page.locator('.extensions-viewlet .monaco-list-row').filter({ hasText: 'Mail TLS Doctor' }).first();
      await item.waitFor({ timeout: 30_000 });
      await item.click();
      await page.locator('.extension-editor .header .name', { hasText: 'Mail TLS Doctor' }).first().waitFor({ timeout: 20_000 });
      // The README renders in a webview laid over the editor, out of reach of a locator: give it time.
      await page
        .locator('.extension-editor')
        .getByText('Installation', { exact: false })
        .first()
        .waitFor({ timeout: 20_000 })
        .catch(() => {});
      await page.waitForTimeout(3000);
      await shot(page, 'details.png', await around(page, [editorPart], 0));
      await command(page, 'View: Close All Editors');
    }

    // The walkthrough, opened the way the Welcome page does.
    if (want('walkthrough')) {
      await command(page, 'Welcome: Open Walkthrough...');
      await page.locator('.quick-input-widget input').fill('Mail TLS');
      await page.waitForTimeout(600);
      await page.keyboard.press('Enter');
      await page.getByText('Lint a Postfix config', { exact: false }).first().waitFor({ timeout: 20_000 });
      await page.waitForTimeout(2000); // the step's page renders in a webview
      const wt = await around(page, [editorPart], 0);
      await shot(page, 'walkthrough.png', { ...wt, height: wt.height - 60 }); // without the product's footer
      await command(page, 'View: Close All Editors');
    }

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
    await page.locator('.part.sidebar').getByText('Certificate chain', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1500);
    await command(page, 'Notifications: Clear All Notifications');
    if (want('tree')) await shot(page, 'tree.png');

    // 2. The Problems panel with the lint (and probe) findings.
    if (want('problems')) {
      await openFile(page, 'etc/postfix/main.cf');
      await command(page, 'View: Focus Problems (Errors, Warnings, Infos)');
      await page.waitForTimeout(1500);
      await shot(page, 'problems.png');
      await command(page, 'View: Close Panel');
    }

    // 3. A quick fix on the legacy protocol list in main.cf.
    if (want('quickfix')) {
      await openFile(page, 'etc/postfix/main.cf');
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(':18:40');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(800);
      await page.keyboard.press('Control+.');
      await page.locator('.action-widget').first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(800);
      await shot(page, 'quickfix.png');
      await page.keyboard.press('Escape');
    }

    // 4. Probe Host...: the validated input, then protocol and mode; the result lands under "Probed by hand".
    if (want('probe-host')) {
      await command(page, 'Mail TLS Doctor: Probe Host...');
      const input = page.locator('.quick-input-widget input');
      await input.fill('bad host:25');
      await page.getByText('invalid host', { exact: false }).first().waitFor({ timeout: 10_000 });
      await input.fill(`127.0.0.1:${lab.servers.healthy.port}`);
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
      await page.getByText('SMTP with STARTTLS', { exact: false }).first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      await shot(page, 'probe-host.png');
      await page.keyboard.press('Enter');
      await page.locator('.part.sidebar').getByText('Probed by hand', { exact: false }).first().waitFor({ timeout: 30_000 });
      say('(the probe Probe Host started reached the tree)');
    }

    // 5. Watch mode: a config names the billing relay; a first round sets the baseline, its certificate is then
    // renewed with one that expires in 5 days, and the next round notifies. The rounds a user gets from the
    // timer (probe.intervalMinutes) are asked for through the driver, as nobody waits an hour for a screenshot.
    if (want('watch')) {
      fs.mkdirSync(path.join(workspace, 'etc/postfix-billing'), { recursive: true });
      fs.writeFileSync(
        path.join(workspace, 'etc/postfix-billing/main.cf'),
        `# Billing relay\nrelayhost = [127.0.0.1]:${watched.port}\nsmtp_tls_security_level = encrypt\n`,
      );
      await command(page, 'Mail TLS Doctor: Lint Workspace');
      await page
        .locator('.part.sidebar')
        .getByText(`127.0.0.1:${watched.port}`, { exact: false })
        .first()
        .waitFor({ timeout: 20_000 })
        .catch(() => {});
      await driver(checks, 'watch-round');
      await command(page, 'Notifications: Clear All Notifications');
      watched.setTls(cert(5));
      const round = await driver(checks, 'watch-round');
      if (!round.transitions.some((t) => t.kind === 'expiry-warning' && t.notified)) throw new Error(`no expiry notification: ${JSON.stringify(round)}`);
      // The host's test driver (which runs the screenshot driver) keeps toasts off: the notification is shown where
      // it also stays, the notification centre above the status bar.
      await command(page, 'Notifications: Show Notifications');
      const toast = page.locator('.notifications-center').filter({ hasText: 'expires in' }).first();
      await toast.waitFor({ timeout: 20_000 });
      const status = page
        .locator('.statusbar-item')
        .filter({ hasText: /cert expire/ })
        .first();
      await status.waitFor({ timeout: 20_000 });
      await page.waitForTimeout(800);
      const vp = page.viewportSize();
      const box = await around(page, [toast, status], 12);
      // The window's bottom strip: the notification and the whole status bar.
      await shot(page, 'watch.png', { x: 0, y: box.y, width: vp.width, height: vp.height - box.y });
    }
    // 6. Check Mail Domain...: the lab's healthy good.test (signed zone, DANE 3 1 1 + 2 1 1, MTA-STS enforce,
    // TLS-RPT), typed into the command's input box. The endpoint groups are folded so the whole Domains part shows:
    // domain -> MX -> address -> probe result, DANE, MTA-STS, TLS-RPT and the sender's view.
    if (want('domains')) {
      const sidebar = page.locator('.part.sidebar');
      const exact = (label) => new RegExp(`^${escapeRegExp(label)}$`);
      const row = (label) =>
        sidebar
          .locator('.monaco-list-row')
          .filter({ has: page.locator('.label-name', { hasText: exact(label) }) })
          .first();
      await command(page, 'Notifications: Clear All Notifications');
      await command(page, 'Mail TLS Doctor: Check Mail Domain...');
      await page.locator('.quick-input-widget input').fill('good.test');
      await page.waitForTimeout(300);
      await page.keyboard.press('Enter');
      // Folded before the wait too: after the earlier parts (watch mode adds rows) the tree is taller than the
      // window, and a row the list has scrolled out of view is not rendered, so it never becomes visible.
      const foldEndpointGroups = async () => {
        for (let i = 0; i < 20; i++) {
          const open = sidebar
            .locator('.monaco-list-row[aria-level="1"][aria-expanded="true"]')
            .filter({ hasNot: page.locator('.label-name', { hasText: exact('Domains') }) });
          if ((await open.count()) === 0) break;
          await open.first().locator('.monaco-tl-twistie').click();
          await page.waitForTimeout(300);
        }
      };
      await foldEndpointGroups();
      const domain = row('good.test');
      await domain.filter({ hasText: 'MTA-STS enforce' }).waitFor({ timeout: 60_000 });
      await foldEndpointGroups();
      for (const label of ['DANE', '_25._tcp.mx1.good.test', 'MTA-STS', 'TLS-RPT']) {
        const r = row(label);
        await r.waitFor({ timeout: 10_000 });
        if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
        await page.waitForTimeout(300);
      }
      // The last twistie clicked left its row selected: Escape in the tree clears selection and focus.
      await page.keyboard.press('Escape');
      await command(page, 'Notifications: Clear All Notifications');
      await page.mouse.move(5, 5); // no hover highlight or tooltip over the tree
      await page.waitForTimeout(1000);
      const senders = sidebar.locator('.monaco-list-row').filter({ hasText: 'MTA-STS sender' }).first();
      await senders.waitFor({ timeout: 10_000 });
      const box = await around(page, [row('Domains'), senders], 0);
      if (!box) throw new Error('the Domains part is not on the page');
      await shot(page, 'domains.png', { ...box, height: box.height + 4 }); // not a pixel of the row above
    }
    await driver(checks, 'exit').catch(() => {});
    say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    // What the page showed when it went wrong is the fastest way to see why.
    const failure = path.join(process.env.TMPDIR ?? '/tmp', 'mtd-screenshots-failure.png');
    await browser
      ?.contexts()[0]
      ?.pages()[0]
      ?.screenshot({ path: failure })
      .catch(() => {});
    say(`failed; the page at that moment: ${failure}`);
    throw err;
  } finally {
    await browser?.close().catch(() => {});
    server?.stop();
    await lab?.close().catch(() => {});
    await watched?.close().catch(() => {});
    await domainLab?.close().catch(() => {});
    scratch.cleanup();
  }
}

main().catch((e) => {
  console.error(`screenshots: ${e.stack ?? e.message}`);
  process.exit(1);
});
