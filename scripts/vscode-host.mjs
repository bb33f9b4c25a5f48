// Offline runner for the extension's integration tests: starts the real VS Code server (1.139, from the
// `code-server` npm package, on Node 24; installed once into .cache/vscode-host/), opens the workbench in headless
// Chromium with the extension under development and the mocha entry point as the smoke-test payload, and exits
// with the code the test run reports. Every step has a timeout and the server's whole process group is killed on
// the way out, whatever happens. Only loopback requests leave the browser.
//
//   node scripts/vscode-host.mjs [--workspace DIR] [--tests FILE] [--settings JSON] [--untrusted]
//
// The workspace is copied into a scratch folder first, so tests may write files into it without touching the
// repository. Only lines the test run marks (MTD_LOG_MARK) are printed; MTD_VSCODE_HOST_VERBOSE=1 shows everything.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHost } from './vscode-host-install.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Prefix the test entry point puts on every line meant for the terminal (see test/vscode/index.ts). */
export const MTD_LOG_MARK = '[mtd] ';
/**
 * A test in the extension host cannot see the window. It logs `[mtd] @window-check {"id","texts"}`; the runner
 * looks for each text in the workbench (visible, up to 10 s) and writes `{ "found": { text: boolean } }` to
 * $MTD_WINDOW_CHECK_DIR/<id>.json, which the test waits for (test/vscode/helpers.ts `windowShows`).
 */
const WINDOW_CHECK = '@window-check ';

async function windowCheck(page, request, dir) {
  const { id, texts } = JSON.parse(request);
  const found = {};
  for (const t of texts) {
    found[t] = await page
      .locator('.monaco-workbench')
      .getByText(t, { exact: false })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 })
      .then(
        () => true,
        () => false,
      );
  }
  writeAnswer(dir, id, { found });
}

/** The answer to a test's request, as `<id>.json`: the test polls for the name, so it must never read half a file. */
function writeAnswer(dir, id, answer) {
  const file = path.join(dir, `${String(id).replace(/[^\w-]/g, '_')}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(answer));
  fs.renameSync(`${file}.tmp`, file);
}
/**
 * The same for a text the test needs to read: `[mtd] @window-text {"id","selector","contains","scroll"?}` makes the runner
 * write `{ "text": string | null }` (the innerText of the first visible element matching the CSS selector whose text
 * contains `contains`, within 10 s) to $MTD_WINDOW_CHECK_DIR/<id>.json (test/vscode/helpers.ts `windowText`).
 */
const WINDOW_TEXT = '@window-text ';

async function windowText(page, request, dir) {
  const { id, selector, contains, scroll } = JSON.parse(request);
  const el = page.locator(selector).filter({ hasText: contains }).first();
  // A virtual list renders only the rows in view: with `scroll` (the list's CSS selector), wheel down it until the
  // element shows (Show Running Extensions sorts by activation time, so a quick extension is far down).
  if (scroll) {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(await el.isVisible().catch(() => false))) {
      const list = page.locator(scroll).first();
      if (await list.isVisible().catch(() => false)) {
        await list.hover().catch(() => undefined);
        await page.mouse.wheel(0, 300);
      }
      await page.waitForTimeout(150);
    }
  }
  const text = await el.waitFor({ state: 'visible', timeout: 10_000 }).then(
    () => el.innerText(),
    () => null,
  );
  writeAnswer(dir, id, { text });
}

/**
 * The window losing the focus and getting it back (the user was in a terminal), in two requests so that the test
 * can wait in between for the extension host to hear of the loss: `[mtd] @window-focus {"id","focus":false}` brings
 * another page to the front, `{"id","focus":true}` this one again. The runner writes `{ "done": boolean }` (the
 * workbench's document lost, or regained, the focus) to $MTD_WINDOW_CHECK_DIR/<id>.json. The page stays in the
 * back until asked: a page in the back runs its timers late, and the workbench hears of a blur only on a timer.
 */
const WINDOW_FOCUS = '@window-focus ';
let away;

async function windowFocus(page, request, dir) {
  const { id, focus } = JSON.parse(request);
  const hasFocus = (want) =>
    page
      .waitForFunction((w) => globalThis.document.hasFocus() === w, want, { timeout: 5_000 })
      .then(
        () => true,
        () => false,
      );
  if (!focus && !away) {
    // Playwright tells every page it has the focus; without that emulation only the front page has it. The page may
    // then be without the focus already: take it first, so that leaving is a change.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    await page.bringToFront();
    await hasFocus(true);
    // The workbench hears of a blur only when it last heard of a focus; focus moved into a webview's frame and back
    // (an earlier test) leaves it thinking the window has none. A focus event first, as a click in the window gives.
    await page.evaluate(() => globalThis.dispatchEvent(new globalThis.FocusEvent('focus')));
    const other = await page.context().newPage();
    await other.bringToFront();
    away = { cdp, other };
  } else if (focus && away) {
    await away.other.close();
    await page.bringToFront();
    await hasFocus(true);
    await away.cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    await away.cdp.detach();
    away = undefined;
  }
  writeAnswer(dir, id, { done: await hasFocus(Boolean(focus)) });
}

const CHROMIUM = process.env.MTD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Loopback only: the workbench must never reach the marketplace, telemetry, CDNs or anything else. */
export function isLoopbackUrl(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** A scratch home for one run: VS Code's agent folder, XDG dirs, user data; removed by `cleanup`. */
export function makeScratch(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env = {
    VSCODE_AGENT_FOLDER: path.join(dir, 'agent'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
    // A dead loopback port: the extension gallery can never be reached, so nothing is looked up or downloaded.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery' }),
    VSCODE_CLI_DISABLE_TELEMETRY: '1',
    // Where the runner answers a test's request to look at the window (see WINDOW_CHECK below).
    MTD_WINDOW_CHECK_DIR: path.join(dir, 'window-checks'),
  };
  for (const k of ['VSCODE_AGENT_FOLDER', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'MTD_WINDOW_CHECK_DIR'])
    fs.mkdirSync(env[k], { recursive: true });
  return { dir, env, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const BASE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
  // This workbench is VS Code for the Web, whose files.autoSave defaults to afterDelay (1 s); desktop VS Code's (and
  // @vscode/test-electron's) is off. With it on, a test's unsaved edits reached the disk whenever a loaded machine took
  // over a second between two of them, and a later "revert" went back to those edits instead of the file as written.
  'files.autoSave': 'off',
};

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

/**
 * Starts a process in its own process group and resolves with its port once `listenPattern` matches its output.
 * The returned `stop()` kills the whole group (the server forks extension hosts and file watchers).
 */
export async function startServer({ cmd, args, env, listenPattern, log, timeoutMs = 90_000 }) {
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 2000).unref();
  };
  // Kill the group even when this process dies from a signal or an uncaught error.
  const onExit = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', onExit);
  const port = await withTimeout(
    new Promise((resolve, reject) => {
      let seen = '';
      const onData = (d) => {
        const s = d.toString();
        log?.(s);
        seen = (seen + s).slice(-4096);
        const m = listenPattern.exec(seen);
        if (m) resolve(Number(m[1]));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal}): ${seen.slice(-800)}`)));
    }),
    timeoutMs,
    'starting the VS Code server',
  ).catch((e) => {
    stop();
    throw e;
  });
  return {
    port,
    child,
    stop: () => {
      process.removeListener('exit', onExit);
      stop();
    },
  };
}

/**
 * Installs a VSIX the way a user does (`code --install-extension FILE`), with the server's own CLI, into the
 * extensions folder, user data and server data that `startVscodeServer` then uses for the same scratch.
 */
export async function installVsix(host, scratch, vsix, { log } = {}) {
  const child = spawn(
    host.nodeBin,
    [
      host.serverMain,
      '--install-extension',
      vsix,
      '--accept-server-license-terms',
      '--telemetry-level',
      'off',
      '--server-data-dir',
      path.join(scratch.dir, 'server-data'),
      '--user-data-dir',
      path.join(scratch.dir, 'user-data'),
      '--extensions-dir',
      path.join(scratch.dir, 'extensions'),
    ],
    { env: { ...process.env, ...scratch.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const done = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      log?.(d.toString());
    });
    child.stderr.on('data', (d) => {
      out += d;
      log?.(d.toString());
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && /successfully installed/.test(out) ? resolve() : reject(new Error(`installing ${vsix} failed (exit ${code}): ${out.slice(-800)}`)),
    );
  });
  try {
    await withTimeout(done, 120_000, `installing ${path.basename(vsix)}`);
  } finally {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/**
 * The host runs tests only with some extension under development. With an installed VSIX, that is this empty
 * stand-in of another id, so the extension that runs is the installed copy, exactly as a user has it.
 */
export function standInExtension(scratch) {
  const dir = path.join(scratch.dir, 'test-runner-extension');
  writeJson(path.join(dir, 'package.json'), { name: 'mtd-test-runner', publisher: 'mtd-test', version: '0.0.0', engines: { vscode: '*' } });
  return dir;
}

/** Error lines of the server's logs (the server, the extension host, the CLI install) under a scratch. */
export function serverLogErrors(scratch) {
  const errors = [];
  const walk = (dir) => {
    let entries = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) if (/\[error\]/.test(line)) errors.push(`${path.relative(scratch.dir, p)}: ${line}`);
      }
    }
  };
  walk(path.join(scratch.dir, 'server-data'));
  walk(path.join(scratch.dir, 'user-data'));
  return errors;
}

/** The plain VS Code server (not code-server's CLI, which refuses extension development options). */
/** With `untrusted`, workspace trust is left on and the folder opens in restricted mode (no prompt). */
export async function startVscodeServer(host, scratch, { settings = {}, untrusted = false, log } = {}) {
  const serverData = path.join(scratch.dir, 'server-data');
  const userData = path.join(scratch.dir, 'user-data');
  // Remote "Machine" settings live under the user-data dir when one is given (else under server-data/data).
  writeJson(path.join(userData, 'Machine', 'settings.json'), { ...BASE_SETTINGS, ...settings });
  const args = [
    host.serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--without-connection-token',
    '--accept-server-license-terms',
    '--server-data-dir',
    serverData,
    '--user-data-dir',
    userData,
    '--extensions-dir',
    path.join(scratch.dir, 'extensions'),
    '--telemetry-level',
    'off',
    '--enable-smoke-test-driver',
  ];
  if (!untrusted) args.push('--disable-workspace-trust');
  return startServer({
    cmd: host.nodeBin,
    args,
    env: { ...process.env, ...scratch.env },
    log,
    listenPattern: /Extension host agent listening on (\d+)/,
  });
}

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set MTD_CHROMIUM to its path`);
  }
  const { chromium } = await import('playwright-core');
  const browser = await withTimeout(
    chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Playwright gives each launch a fresh temporary profile of its own.
      args: CHROMIUM_ARGS,
    }),
    60_000,
    'launching Chromium',
  );
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) => (isLoopbackUrl(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  return { browser, context };
}

function parseArgs(argv) {
  const opts = {
    workspace: path.join(root, 'test', 'fixtures', 'workspace'),
    tests: path.join(root, 'out', 'test', 'vscode', 'index.js'),
    extension: root,
    vsix: undefined,
    settings: {},
    untrusted: false,
    // A backstop against a hung window, not a speed limit: every test has its own timeout. The trusted session
    // takes about 80 s on an idle 2-core machine and passed 240 s at load 20, failing a run that had no fault.
    timeoutMs: 480_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--workspace') opts.workspace = path.resolve(next());
    else if (a === '--tests') opts.tests = path.resolve(next());
    else if (a === '--extension') opts.extension = path.resolve(next());
    else if (a === '--vsix') opts.vsix = path.resolve(next());
    else if (a === '--settings') opts.settings = JSON.parse(next());
    else if (a === '--untrusted') opts.untrusted = true;
    else if (a === '--timeout') opts.timeoutMs = Number(next()) * 1000;
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/** Runs one mocha payload in the real extension host; resolves with its exit code. */
export async function runTests(opts) {
  if (!fs.existsSync(opts.tests)) throw new Error(`${opts.tests} is missing: build the tests first (node scripts/build-vscode-tests.mjs)`);
  const verbose = process.env.MTD_VSCODE_HOST_VERBOSE === '1';
  const host = await ensureHost();
  const scratch = makeScratch('mtd-vscode-');
  let server;
  let browser;
  const problems = [];
  try {
    if (opts.vsix) await installVsix(host, scratch, opts.vsix, { log: verbose ? (s) => process.stderr.write(`[install] ${s}`) : undefined });
    server = await startVscodeServer(host, scratch, {
      settings: opts.settings,
      untrusted: opts.untrusted,
      log: verbose ? (s) => process.stderr.write(`[server] ${s}`) : undefined,
    });
    const workspace = path.join(scratch.dir, 'workspace');
    fs.cpSync(opts.workspace, workspace, { recursive: true });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(opts.vsix ? standInExtension(scratch) : opts.extension)],
      ['extensionTestsPath', remote(opts.tests)],
      ['skipWelcome', 'true'],
    ];
    const url = `http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    ({ browser } = await launchBrowser());
    const page = await browser.contexts()[0].newPage();
    let resolveExit;
    const exited = new Promise((r) => {
      resolveExit = r;
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
      // The workbench logs plenty of its own; the test run marks its lines (mocha's reporter, the tests' notes).
      const marked = text.startsWith(MTD_LOG_MARK);
      if (marked && text.startsWith(WINDOW_CHECK, MTD_LOG_MARK.length)) {
        windowCheck(page, text.slice(MTD_LOG_MARK.length + WINDOW_CHECK.length), scratch.env.MTD_WINDOW_CHECK_DIR).catch((e) =>
          process.stderr.write(`vscode-host: window check failed: ${e.message}\n`),
        );
        return;
      }
      if (marked && text.startsWith(WINDOW_TEXT, MTD_LOG_MARK.length)) {
        windowText(page, text.slice(MTD_LOG_MARK.length + WINDOW_TEXT.length), scratch.env.MTD_WINDOW_CHECK_DIR).catch((e) =>
          process.stderr.write(`vscode-host: reading the window failed: ${e.message}\n`),
        );
        return;
      }
      if (marked && text.startsWith(WINDOW_FOCUS, MTD_LOG_MARK.length)) {
        windowFocus(page, text.slice(MTD_LOG_MARK.length + WINDOW_FOCUS.length), scratch.env.MTD_WINDOW_CHECK_DIR).catch((e) =>
          process.stderr.write(`vscode-host: moving the focus failed: ${e.message}\n`),
        );
        return;
      }
      if (!marked && !verbose) return;
      const line = marked ? text.slice(MTD_LOG_MARK.length) : `[workbench] ${text}`;
      if (type === 'error') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    if (verbose) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    // What went wrong in the window (the workbench's own errors, a resource that did not load).
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await withTimeout(page.goto(url, { timeout: 60_000 }), 65_000, 'opening the workbench'); // Playwright alone would stop at 30 s
    const code = await withTimeout(exited, opts.timeoutMs, 'the extension test run');
    problems.push(...serverLogErrors(scratch).map((l) => `log: ${l}`));
    if (verbose) for (const p of problems) process.stderr.write(`vscode-host: ${p}\n`);
    // An installed VSIX must load without an error that names it (a manifest file it lacks, a walkthrough page
    // that does not load, an activation failure). The workbench's own noise (an unreachable gallery, the
    // favicon) is not about the extension; verbose mode prints it all.
    const ours = opts.vsix ? problems.filter((p) => /mail-tls-doctor/i.test(p)) : [];
    for (const p of ours) process.stderr.write(`vscode-host: error naming the installed extension: ${p}\n`);
    return code || (ours.length ? 1 : 0);
  } finally {
    await browser?.close().catch(() => {});
    server?.stop();
    scratch.cleanup();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`vscode-host: ${e.message}`);
    process.exit(2);
  }
  runTests(opts)
    .then((code) => {
      console.log(`vscode-host: extension tests ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.exit(code);
    })
    .catch((e) => {
      console.error(`vscode-host: ${e.stack ?? e.message}`);
      process.exit(1);
    });
}
