/**
 * The editor's figures of issue 15 item 4, measured in the real VS Code host (the offline runner of
 * `npm run test:vscode`, scripts/vscode-host.mjs, with the host at MTD_VSCODE_HOST_DIR): the payload
 * test/vscode/bench.ts runs inside the extension host and reports
 * - activate()'s own time (the extension times itself; goal <= 50 ms), and code loading plus activate() as the
 *   host's own logs stamp it;
 * - Probe Host of the lab's healthy SMTP STARTTLS endpoint on 127.0.0.1 from the editor command, against the
 *   CLI's in-process probe (probeMany, as src/cli/probe.ts calls it) of the same endpoint, timed in turns in the
 *   same extension host process (goal <= 1.5x);
 * - what the first probe pays to load the engine parts activation leaves out (dist/ext-*.js);
 * - a keystroke in two 1,000-line main.cf files, the stress file of lint-postfix's duplicates generator (665
 *   findings) and its realistic one (every postconf -d parameter once under comments, site settings appended):
 *   the extension's own work from the debounce timer to the diagnostics being set (goal <= 5 ms), the debounce
 *   wait beside it (not lint time), and the change-to-diagnostics-event time any other extension would see.
 * Skipped, with the reason, when the host or Chromium is missing. One host session by default (about 20 s of host time on
 * a quiet machine, minutes at load 15+); MTD_BENCH_EDITOR_SESSIONS=N runs N (N activations), MTD_BENCH_PROBE_TURNS and
 * MTD_BENCH_KEYSTROKES set the samples per session (12 and 15).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate, realisticMainCf } from './lint-postfix.bench';
import { median, ms, ratio } from './stats';
import type { HostMarks, KeystrokeFigures } from '../test/vscode/bench';

/** Must equal BENCH_MARK in test/vscode/bench.ts. */
const BENCH_MARK = '@bench ';
/** Must equal REALISTIC_MAIN_CF in test/vscode/bench.ts. */
const REALISTIC_MAIN_CF = 'realistic/main.cf';
const root = path.resolve(__dirname, '..');

interface Figures {
  activation: {
    activateMs: number;
    activateCpuMs: number;
    loadMs: number;
    loadCpuMs: number;
    editorLoad?: { ms: number; cpuMs: number };
    startedMs?: number;
    startupActivated: boolean;
    hostLog: { startToActiveMs: number } | { missing: string };
    hostMarks: HostMarks | { missing: string };
    runningExtensions: { text: string; ms?: number };
  };
  probe: { editorMs: number[]; cliInProcessMs: number[]; editorCpuMs: number[]; cliCpuMs: number[]; roundTripMs: number[]; checks: string[] };
  partLoads: { atStartup: string[]; afterProbe: { part: string; ms: number; cpuMs: number }[] };
  keystroke: Keystroke;
  keystrokeRealistic: Keystroke;
  /** Absent in payloads before these rows. */
  keystrokeStart?: Keystroke;
  keystrokeNewline?: Keystroke;
}

/** What the payload in the host writes for a keystroke run. */
type Keystroke = KeystrokeFigures;

function skipReason(): string | undefined {
  const hostDir = process.env.MTD_VSCODE_HOST_DIR ?? path.join(root, '.cache', 'vscode-host');
  // scripts/vscode-host-install.mjs writes complete.json last: without it the install is absent or half done.
  if (!fs.existsSync(path.join(hostDir, 'complete.json')))
    return `no VS Code host at ${hostDir} (set MTD_VSCODE_HOST_DIR or run node scripts/vscode-host-install.mjs)`;
  const chromium = process.env.MTD_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) return `no Chromium at ${chromium} (the offline runner drives the workbench with it)`;
  return undefined;
}

/** One session of the real host with the bench payload; resolves with what it reported. */
function session(workspace: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/vscode-host.mjs', '--workspace', workspace, '--tests', 'out/test/vscode/bench.js', '--timeout', '240'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(BENCH_MARK));
      if (code === 0 && line) resolve(JSON.parse(line.slice(BENCH_MARK.length)) as Figures);
      else reject(new Error(`the host session failed (exit ${code}):\n${(out + err).slice(-3000)}`));
    });
  });
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const max = (xs: number[]) => Math.max(...xs);

export async function run(log: (line: string) => void): Promise<void> {
  const skip = skipReason();
  if (skip) {
    log(`skipped: ${skip}`);
    return;
  }
  // The production bundle, as test:vscode runs it, and the host payloads (test/vscode/bench.ts among them).
  for (const script of ['scripts/build.mjs', 'scripts/build-vscode-tests.mjs']) {
    const r = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${script} failed`);
  }
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-editor-bench-'));
  try {
    fs.writeFileSync(path.join(workspace, 'main.cf'), generate(1000));
    // Beside the stress file, a main.cf the way a long-lived one is big (lint-postfix's realistic generator).
    fs.mkdirSync(path.join(workspace, path.dirname(REALISTIC_MAIN_CF)));
    fs.writeFileSync(path.join(workspace, REALISTIC_MAIN_CF), realisticMainCf(1000));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    // The generated main.cf names example.* relays: text only, never probed.
    fs.writeFileSync(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'mailTlsDoctor.probe.ignoredHosts': ['*.example.net', '*.example.com'] }),
    );
    const sessions = Math.max(1, Number(process.env.MTD_BENCH_EDITOR_SESSIONS ?? 1));
    const loadBefore = load();
    const runs: Figures[] = [];
    for (let i = 0; i < sessions; i++) runs.push(await session(workspace));
    log(`real VS Code host (offline runner), ${sessions} session(s); load average ${loadBefore} -> ${load()}`);

    const act = runs.map((r) => r.activation.activateMs);
    const actCpu = runs.map((r) => r.activation.activateCpuMs);
    const how = runs.every((r) => r.activation.startupActivated) ? 'on startup (workspaceContains:**/main.cf)' : 'when the payload asked';
    log(`activation ${how}, no network: activate() own time ${act.map(ms).join(', ')}; CPU ${actCpu.map(ms).join(', ')}`);
    log(`  activate() median ${ms(median(act))} = ${ratio(median(act), 50)} of the 50 ms goal; its CPU ${ms(median(actCpu))} = ${ratio(median(actCpu), 50)}`);
    const loadEval = runs.map((r) => r.activation.loadMs);
    const loadCpu = runs.map((r) => r.activation.loadCpuMs);
    log(`  before it, evaluating the bundle's modules (dist/extension.js): ${loadEval.map(ms).join(', ')}; CPU ${loadCpu.map(ms).join(', ')}`);
    const editorLoads = runs.flatMap((r) => (r.activation.editorLoad ? [r.activation.editorLoad] : []));
    if (editorLoads.length)
      log(
        `  after it, loading the editor part (dist/ext-editor.js) for the startup lint: ${editorLoads.map((l) => ms(l.ms)).join(', ')}; CPU ${editorLoads.map((l) => ms(l.cpuMs)).join(', ')}`,
      );
    const startedAt = runs.flatMap((r) => (r.activation.startedMs !== undefined ? [r.activation.startedMs] : []));
    if (startedAt.length) log(`  activate() start -> startup work done (the workspace's first lint): ${startedAt.map(ms).join(', ')}`);
    const shown = runs.map((r) => r.activation.runningExtensions);
    log(
      `  VS Code's Show Running Extensions (code loading + activate call): ${shown.map((x) => (x.ms !== undefined ? ms(x.ms) : `not read (${x.text})`)).join(', ')}`,
    );
    const logged = runs.flatMap((r) => ('startToActiveMs' in r.activation.hostLog ? [r.activation.hostLog.startToActiveMs] : []));
    if (logged.length)
      log(
        `  host log, "_doActivateExtension" to the extension's "active" line: ${logged.map(ms).join(', ')} (also the host's wait for the extension's storage, answered by the workbench, and the editor part's load after activate())`,
      );

    const marks = runs.flatMap((r) => ('requireMs' in r.activation.hostMarks ? [r.activation.hostMarks] : []));
    if (marks.length)
      log(
        `  host marks: require() of dist/extension.js ${marks.map((m) => ms(m.requireMs)).join(', ')}; wait for the extension's context ${marks.map((m) => ms(m.contextWaitMs)).join(', ')}; activate() with its promise ${marks.map((m) => ms(m.activateMs)).join(', ')}`,
      );
    const editor = runs.flatMap((r) => r.probe.editorMs);
    const cli = runs.flatMap((r) => r.probe.cliInProcessMs);
    const editorCpu = runs.flatMap((r) => r.probe.editorCpuMs);
    const cliCpu = runs.flatMap((r) => r.probe.cliCpuMs);
    log(
      `Probe Host of a healthy SMTP STARTTLS lab endpoint on 127.0.0.1, ${editor.length} turns against the CLI's in-process probe (probeMany), same process:`,
    );
    log(
      `  editor command: median ${ms(median(editor))} (extension host CPU ${ms(median(editorCpu))}); CLI in-process: median ${ms(median(cli))} (CPU ${ms(median(cliCpu))})`,
    );
    log(`  Probe Host / CLI in-process: ${ratio(median(editor), median(cli))} (goal <= 1.5x); CPU ${ratio(median(editorCpu), median(cliCpu))}`);
    log(
      `  one round trip to the workbench (setContext), same turns: median ${ms(median(runs.flatMap((r) => r.probe.roundTripMs)))}; the editor's extra wall time is such waits and the window's rendering, not the extension host's CPU`,
    );
    for (const c of runs.flatMap((r) => r.probe.checks)) log(`  UNEXPECTED RESULT: ${c}`);

    for (const p of runs.flatMap((r) => r.partLoads.afterProbe))
      log(`  first probe: loading the engine part ${p.part} (dist/ext-${p.part}.js) ${ms(p.ms)}, CPU ${ms(p.cpuMs)} (once per session; not in activation)`);
    const atStartup = [...new Set(runs.flatMap((r) => r.partLoads.atStartup))];
    if (atStartup.length) log(`  UNEXPECTED: parts loaded on startup, before any command: ${atStartup.join(', ')}`);

    keystrokes(log, runs, 'stress file: the lint-postfix duplicates generator, nearly every setting repeated', (r) => r.keystroke);
    keystrokes(log, runs, 'realistic file: every postconf -d parameter once under comments, site settings appended', (r) => r.keystrokeRealistic);
    if (runs.every((r) => r.keystrokeStart && r.keystrokeNewline)) {
      keystrokes(log, runs, 'stress file, typed at the start of the line (a squiggle moves: its part is sent again)', (r) => r.keystrokeStart!);
      keystrokes(log, runs, 'stress file, a line break at the end of the line (every part after it is sent again)', (r) => r.keystrokeNewline!);
    }
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

function keystrokes(log: (line: string) => void, runs: Figures[], what: string, pick: (f: Figures) => Keystroke): void {
  const k = pick(runs[0]);
  const all = (of: (f: Keystroke) => number[]) => runs.flatMap((r) => of(pick(r))).filter((x) => Number.isFinite(x));
  const [work, workCpu, core, debounce, event] = [
    all((f) => f.workMs),
    all((f) => f.workCpuMs),
    all((f) => f.coreLintMs),
    all((f) => f.debounceMs),
    all((f) => f.changeToDiagnosticsEventMs),
  ];
  log(`keystroke in a ${k.lines}-line main.cf, ${what} (${k.findings} diagnostics; typed at line ${k.line}), ${work.length} keystrokes, each waited out:`);
  log(
    `  extension's own work, timer -> diagnostics set: median ${ms(median(work))} (max ${ms(max(work))}), CPU ${ms(median(workCpu))} = ${ratio(median(workCpu), 5)} of the 5 ms goal`,
  );
  log(
    `  of it the core lint (lintText): median ${ms(median(core))}; the editor's part (linter choice, overrides, diagnostics, listeners): ${ms(median(work) - median(core))}`,
  );
  log(`  debounce before it (not lint time; 300 ms by design, lintService.ts): median ${ms(median(debounce))}`);
  if (event.length)
    log(
      `  change -> onDidChangeDiagnostics as another extension sees it: median ${ms(median(event))} (debounce + work + VS Code's 50 ms debounce of that event)`,
    );
}
