/**
 * What users install: the npm package of the CLI (packed, installed offline into an empty prefix, run from
 * there) and the GitHub Action's entry point (run the way the runner does: inputs as INPUT_* variables,
 * outputs through $GITHUB_OUTPUT). Both against loopback lab servers; both need the build (`npm test` builds
 * before this tier).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startLab, type Lab } from '../support/lab';
import { validateSarif } from '../support/sarif';

const root = path.resolve(__dirname, '../..');

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? process.env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout, stderr });
    });
  });
}

/** The environment without the outer npm's variables (an `npm test` run must not steer the inner npm). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

describe('shipping: the npm package and the GitHub Action', function () {
  this.timeout(180_000);
  let lab: Lab;
  let work: string;
  before(async function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) || !fs.existsSync(path.join(root, 'dist', 'action.js'))) this.skip();
    lab = await startLab({ only: ['healthy', 'expired'] });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-ship-'));
  });
  after(async () => {
    await lab?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });
  const target = (name: string) => `127.0.0.1:${lab.servers[name].port}`;

  it('the bundles require each Node built-in as it is, without a copy of its exports per importing module', () => {
    // esbuild turns `import * as fs from 'node:fs'` into a wrapper call that copies every export of the module,
    // once per importing file; scripts/build.mjs makes it the plain require (minified, the wrapper keeps no name).
    let plain = 0;
    for (const f of fs.readdirSync(path.join(root, 'dist')).filter((n) => n.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(root, 'dist', f), 'utf8');
      const wrapped = text.match(/[\w$]+\(require\("node:[\w/]+"\)(?:,\s*1)?\)/g) ?? [];
      assert.deepEqual(wrapped, [], `${f} wraps a built-in`);
      plain += (text.match(/require\("node:[\w/]+"\)/g) ?? []).length;
    }
    assert.ok(plain > 20, `the bundles require only ${plain} built-ins: the check above saw nothing`);
  });

  it('the built CLI answers bad arguments to every command with exit code 2 and the message, not an internal error', async () => {
    // Each command is its own bundle: a usage error thrown there must still be one to the dispatcher in cli.js.
    const cases: Array<[string[], RegExp]> = [
      [['probe'], /give at least one HOST/],
      [['probe', '127.0.0.1:25', '--bogus'], /unknown option "--bogus"/],
      [['lint', '--format', 'xml', '.'], /--format must be/],
      [['check'], /give at least one DOMAIN/],
      [['report'], /give at least one JSON Lines file/],
    ];
    for (const [args, message] of cases) {
      const r = await run(process.execPath, [path.join(root, 'dist', 'cli.js'), ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('npm pack holds only the bundled CLI, README, LICENSE, CHANGELOG and finding docs, and needs no dependency', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: object; engines?: { node?: string } };
    assert.equal(pkg.dependencies, undefined, 'everything the CLI runs is in its bundle');
    assert.ok(pkg.engines?.node, 'engines.node is set');
    const r = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { env: cleanEnv() });
    assert.equal(r.code, 0, r.stderr);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
    for (const f of files)
      assert.match(
        f,
        /^(dist\/(cli(-[\w-]+)?|babel-parser)\.js|README\.md|LICENSE|CHANGELOG\.md|package\.json|dist\/package\.json|docs\/findings-[\w-]+\.md)$/,
        `unexpected file in the npm package: ${f}`,
      );
    assert.ok(files.includes('dist/cli.js') && files.includes('dist/cli-probe.js') && files.includes('dist/cli-lint.js'));
    // The module type of dist/, so Node does not read and parse the whole manifest to learn it on every run.
    assert.ok(files.includes('dist/package.json'));
  });

  it('the packed CLI installs offline into an empty prefix and runs: --version, lint, probe', async () => {
    const packed = await run('npm', ['pack', '--pack-destination', work, '--ignore-scripts', '--silent'], { env: cleanEnv() });
    assert.equal(packed.code, 0, packed.stderr);
    const tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
    const prefix = path.join(work, 'prefix');
    fs.mkdirSync(prefix);
    const installed = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--global', '--prefix', prefix, tarball], {
      env: cleanEnv({ npm_config_cache: path.join(work, 'npm-cache') }),
    });
    assert.equal(installed.code, 0, installed.stderr);
    const bin = path.join(prefix, 'bin', 'mail-tls-doctor');
    const version = await run(bin, ['--version']);
    assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    const lint = await run(bin, ['lint', path.join(root, 'test/fixtures/postfix/legacy-everything'), '--json']);
    assert.ok(lint.code === 0 || lint.code === 1, lint.stderr);
    assert.ok((JSON.parse(lint.stdout) as { files: unknown[] }).files.length > 0);
    // JavaScript needs the parser's own bundle (dist/babel-parser.js): it must be in the package.
    const js = await run(bin, ['lint', path.join(root, 'test/fixtures/nodemailer'), '--json']);
    assert.ok(js.code === 0 || js.code === 1, js.stderr);
    assert.ok((JSON.stringify(JSON.parse(js.stdout)).match(/"nodemailer\.[\w-]+"/g) ?? []).length > 0, 'nodemailer findings from the installed CLI');
    const probe = await run(bin, ['probe', target('healthy'), '--servername', 'mail.lab.test', '--ca', lab.caFile, '--timeout', '3000', '--json']);
    assert.equal(probe.code, 0, probe.stderr);
    assert.equal((JSON.parse(probe.stdout) as { results: Array<{ trusted: boolean }> }).results[0].trusted, true);
  });

  it('the Action entry point takes INPUT_* variables, writes valid SARIF and sets its outputs', async () => {
    const outputs = path.join(work, 'github-output');
    fs.writeFileSync(outputs, '');
    const sarifFile = path.join(work, 'probe.sarif');
    const env = cleanEnv({
      INPUT_COMMAND: 'probe',
      INPUT_TARGETS: `${target('healthy')}\n${target('expired')}\n`,
      INPUT_FORMAT: 'sarif',
      'INPUT_FAIL-ON': 'error',
      INPUT_OUTPUT: sarifFile,
      INPUT_ARGS: `--servername mail.lab.test --ca ${lab.caFile} --timeout 3000`,
      GITHUB_OUTPUT: outputs,
    });
    const r = await run(process.execPath, [path.join(root, 'dist', 'action.js')], { cwd: work, env });
    assert.equal(r.code, 1, `the expired certificate is an error, so the step fails\n${r.stderr}`);
    const log = JSON.parse(fs.readFileSync(sarifFile, 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    assert.ok(
      log.runs[0].results.some((x) => x.ruleId === 'cert.expired'),
      'the expired certificate is reported',
    );
    const v = await validateSarif(log);
    assert.deepEqual(v.errors, []);
    const set = fs.readFileSync(outputs, 'utf8');
    assert.match(set, new RegExp(`^output-file=${sarifFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(set, /^exit-code=1$/m);

    // fail-on never: the same findings, a green step.
    const never = await run(process.execPath, [path.join(root, 'dist', 'action.js')], { cwd: work, env: { ...env, 'INPUT_FAIL-ON': 'never' } });
    assert.equal(never.code, 0, never.stderr);
  });
});
