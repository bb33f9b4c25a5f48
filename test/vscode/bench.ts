// extensionTestsPath of the editor bench (bench/editor.bench.ts; never part of `npm test`): measures, inside the
// real extension host, activate()'s own time, a Probe Host of a loopback lab endpoint against the CLI's in-process
// probe of the same endpoint (timed in turns, same process), and as-you-type lints of the workspace's main.cf.
// It prints one line `[mtd] @bench {json}` that the bench parses; it fails only when a measurement cannot be made.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { timeInTurns } from '../../bench/stats';
import type { Endpoint } from '../../src/core/endpoint';
import { probeMany } from '../../src/core/probe';
import type { MailTlsDoctorApi } from '../../src/extension/api';
import { startLab } from '../support/lab';
import { cpuMs } from '../../src/extension/timings';
import { EXTENSION_ID, ours, waitFor, windowText } from './helpers';
import { LOG_MARK } from './mochaRunner';

/** Must equal BENCH_MARK in bench/editor.bench.ts. */
const BENCH_MARK = '@bench ';
const PROBE_TURNS = Number(process.env.MTD_BENCH_PROBE_TURNS ?? 12);
const KEYSTROKES = Number(process.env.MTD_BENCH_KEYSTROKES ?? 15);
/** Must equal REALISTIC_MAIN_CF in bench/editor.bench.ts: the realistic 1,000-line main.cf beside the stress file. */
const REALISTIC_MAIN_CF = 'realistic/main.cf';

export async function run(): Promise<void> {
  try {
    await measure();
  } catch (err) {
    console.error(`${LOG_MARK}editor bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    throw err;
  }
}

async function measure(): Promise<void> {
  const ext = vscode.extensions.getExtension<MailTlsDoctorApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in the host`);
  // The workspace contains main.cf, so the host has activated the extension on startup (workspaceContains).
  const startupActivated = ext.isActive;
  const api = await ext.activate();
  await api.whenStarted();
  await api.whenIdle();
  const { activateMs, activateCpuMs, loadMs, loadCpuMs, editorLoad, startedMs, partLoads: partsAtStart } = api.timings();
  const out = {
    activation: {
      activateMs,
      activateCpuMs,
      loadMs,
      loadCpuMs,
      editorLoad,
      startedMs,
      startupActivated,
      hostLog: activationFromHostLogs(),
      hostMarks: activationFromHostMarks(),
      runningExtensions: await runningExtensionsFigure(),
    },
    probe: await probeFigures(),
    // What the first probe paid for loading the engine parts activation left out (src/extension/engineParts.ts).
    partLoads: { atStartup: partsAtStart.map((p) => p.part), afterProbe: api.timings().partLoads },
    keystroke: await keystrokeFigures(api, 'main.cf'),
    keystrokeRealistic: await keystrokeFigures(api, REALISTIC_MAIN_CF),
    // The same line of the stress file, typed where a squiggle moves: before the flagged name (its part of the
    // diagnostics goes out again), and a new line (every part after it does).
    keystrokeStart: await keystrokeFigures(api, 'main.cf', 'start'),
    keystrokeNewline: await keystrokeFigures(api, 'main.cf', 'newline'),
  };
  console.log(`${LOG_MARK}${BENCH_MARK}${JSON.stringify(out)}`);
}

/**
 * What VS Code's own logs say: the extension host logs `ExtensionService#_doActivateExtension <id>` before it
 * loads the code, and the extension logs "... active" once its editor part has loaded (right after activate(), for
 * the startup lint); both carry millisecond stamps. Their difference is code loading, the host's wait for the
 * extension's context, activate() and the editor part's load (the log writes themselves included).
 */
function activationFromHostLogs(): { startToActiveMs: number } | { missing: string } {
  const scratch = process.env.MTD_WINDOW_CHECK_DIR ? path.dirname(process.env.MTD_WINDOW_CHECK_DIR) : undefined;
  if (!scratch) return { missing: 'not run by the offline runner (no scratch folder)' };
  const logs: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) logs.push(p);
    }
  };
  // The server's logs go under the user data folder when one is given (the runner gives one), else server data.
  walk(path.join(scratch, 'user-data', 'logs'));
  walk(path.join(scratch, 'server-data', 'logs'));
  const stamp = (line: string) => {
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})/.exec(line);
    return m ? Date.parse(m[1].replace(' ', 'T')) : undefined;
  };
  let start: number | undefined;
  let active: number | undefined;
  for (const f of logs) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (start === undefined && line.includes(`ExtensionService#_doActivateExtension ${EXTENSION_ID},`)) start = stamp(line);
      if (active === undefined && / Mail TLS Doctor \S+ active; /.test(line)) active = stamp(line);
    }
  }
  if (start === undefined || active === undefined) return { missing: `log lines not found in ${logs.length} log file(s)` };
  return { startToActiveMs: active - start };
}

export interface HostMarks {
  /** `willLoadExtensionCode` to `didLoadExtensionCode`: the require() of the extension's main module alone. */
  requireMs: number;
  /** `didLoadExtensionCode` to `willActivateExtension`: the wait for the extension's context (its storage). */
  contextWaitMs: number;
  /** `willActivateExtension` to `didActivateExtension`: the activate() call and its promise. */
  activateMs: number;
}

/**
 * The extension host's own performance marks (VS Code's perf-util, `globalThis.MonacoPerformanceMarks`, stamps in
 * whole milliseconds): what the host did for this extension from loading its code to activating it. Show Running
 * Extensions' figure is the host's code loading time (from its start on the extension, through an await of the
 * localization set-up, to the end of require()) plus the synchronous part of activate().
 */
function activationFromHostMarks(): HostMarks | { missing: string } {
  const perf = (globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks;
  if (!perf) return { missing: 'no MonacoPerformanceMarks in this host' };
  const marks = perf.getMarks();
  const at = (name: string) => marks.find((m) => m.name === `code/extHost/${name}/${EXTENSION_ID}`)?.startTime;
  const willLoad = at('willLoadExtensionCode');
  const didLoad = at('didLoadExtensionCode');
  const willActivate = at('willActivateExtension');
  const didActivate = at('didActivateExtension');
  if (willLoad === undefined || didLoad === undefined || willActivate === undefined || didActivate === undefined)
    return { missing: 'the host marks of this extension are missing' };
  return { requireMs: didLoad - willLoad, contextWaitMs: willActivate - didLoad, activateMs: didActivate - willActivate };
}

/**
 * What VS Code shows in Developer: Show Running Extensions: "Activation: N ms" (or "Startup Activation"), the host's
 * code loading time plus the activate() call, as the extension host reported them to the workbench.
 */
async function runningExtensionsFigure(): Promise<{ text: string; ms?: number }> {
  await vscode.commands.executeCommand('workbench.action.showRuntimeExtensions');
  // A row names an extension without gallery data by its id (Playwright matches the text case-insensitively).
  // The list is sorted by that figure, slowest first: the runner scrolls down to our row.
  const text = await windowText(
    'running-extensions',
    '.runtime-extensions-editor .monaco-list-row',
    'mail-tls-doctor',
    '.runtime-extensions-editor .monaco-list',
  );
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  if (text === null) return { text: 'the row of mail-tls-doctor did not show' };
  const m = /Activation: (\d+)\s*ms/.exec(text);
  return { text: text.replace(/\s+/g, ' ').slice(0, 200), ms: m ? Number(m[1]) : undefined };
}

/** Probe Host (the editor command, default settings) against the core's probeMany as the CLI calls it, in turns. */
async function probeFigures(): Promise<{
  editorMs: number[];
  cliInProcessMs: number[];
  editorCpuMs: number[];
  cliCpuMs: number[];
  roundTripMs: number[];
  checks: string[];
}> {
  const lab = await startLab({ only: ['healthy'] });
  const config = vscode.workspace.getConfiguration('mailTlsDoctor');
  await config.update('probe.extraCaFiles', [lab.caFile], vscode.ConfigurationTarget.Global);
  try {
    const s = lab.servers.healthy;
    const ep: Endpoint = { host: s.host, port: s.port, protocol: s.protocol, mode: s.mode, servername: s.servername, caFiles: [lab.caFile] };
    type Result = { tls: unknown; findings: { id: string; severity: string }[] };
    const checks: string[] = [];
    const check = (who: string, results: Result[]) => {
      const bad = results.length !== 1 || !results[0].tls || results[0].findings.some((f) => f.severity !== 'info');
      if (bad) checks.push(`${who}: ${JSON.stringify(results.map((r) => ({ tls: !!r.tls, findings: r.findings.map((f) => f.id) })))}`);
    };
    const editor = async () =>
      check(
        'Probe Host',
        (await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `${s.host}:${s.port}`, {
          protocol: s.protocol,
          mode: s.mode,
          servername: s.servername,
        })) as Result[],
      );
    // What `mail-tls-doctor probe HOST:PORT --ca FILE` runs in-process (src/cli/probe.ts), with the editor's timeout.
    const cli = async () => check('probeMany', (await probeMany([ep], { timeoutMs: 10_000 })) as Result[]);
    await editor(); // warm-up: the first probe loads the root store and compiles the probe's code in both bundles
    await cli();
    // The extension host's CPU per run too (the lab server runs in it, the same for both); the workbench's rendering
    // of the progress and the tree happens in the browser, outside this figure but inside the wall time.
    const editorCpuMs: number[] = [];
    const cliCpuMs: number[] = [];
    const withCpu = (fn: () => Promise<void>, into: number[]) => async () => {
      const c = cpuMs();
      await fn();
      into.push(cpuMs() - c);
    };
    // One round trip to the workbench (what any awaited editor call costs on this machine now), in the same turns.
    const roundTrip = () => vscode.commands.executeCommand('setContext', 'mailTlsDoctorBench.roundTrip', true);
    const [editorMs, cliInProcessMs, roundTripMs] = await timeInTurns([withCpu(editor, editorCpuMs), withCpu(cli, cliCpuMs), roundTrip], PROBE_TURNS);
    return { editorMs, cliInProcessMs, editorCpuMs, cliCpuMs, roundTripMs, checks };
  } finally {
    await config.update('probe.extraCaFiles', undefined, vscode.ConfigurationTarget.Global);
    await lab.close();
  }
}

export interface KeystrokeFigures {
  /** The line typed at (1-based). */
  line: number;
  lines: number;
  findings: number;
  debounceMs: number[];
  workMs: number[];
  workCpuMs: number[];
  coreLintMs: number[];
  /** From our own onDidChangeTextDocument to onDidChangeDiagnostics for the file, as any other extension sees it. */
  changeToDiagnosticsEventMs: number[];
}

/**
 * Types one character at a time at the end of the setting nearest the middle of the file (and deletes it again),
 * waiting for each as-you-type lint. `start`: at the start of the line instead; `newline`: a line break at its end.
 */
async function keystrokeFigures(api: MailTlsDoctorApi, file: string, where: 'end' | 'start' | 'newline' = 'end'): Promise<KeystrokeFigures> {
  const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, file);
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  await waitFor(() => ours(uri).length > 0, `the first lint of ${file}`);
  await api.whenIdle();
  let line = Math.floor(doc.lineCount / 2);
  while (line < doc.lineCount - 1 && !/^[a-z]\w* =/.test(doc.lineAt(line).text)) line++;
  const figures: KeystrokeFigures = {
    line: line + 1,
    lines: doc.lineCount,
    findings: ours(uri).length,
    debounceMs: [],
    workMs: [],
    workCpuMs: [],
    coreLintMs: [],
    changeToDiagnosticsEventMs: [],
  };
  const profiler = await startProfile();
  for (let i = 0; i < KEYSTROKES; i++) {
    const before = api.timings().typingLint(uri.toString())?.seq ?? 0;
    let changedAt = 0;
    const changed = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() === uri.toString() && !changedAt) changedAt = performance.now();
    });
    const diagnosed = new Promise<number>((resolve) => {
      const sub = vscode.languages.onDidChangeDiagnostics((e) => {
        // Only the event after our lint of this change: the host may fire one for the file before it.
        const linted = (api.timings().typingLint(uri.toString())?.seq ?? 0) > before;
        if (changedAt && linted && e.uris.some((u) => u.toString() === uri.toString())) {
          sub.dispose();
          resolve(performance.now());
        }
      });
    });
    const end = doc.lineAt(line).range.end;
    // Typed at even turns, deleted again at odd ones: the character before the line's end, the first one of the
    // line, or the line break after the line's end.
    const at = where === 'start' ? new vscode.Position(line, 0) : end;
    const typed = where === 'newline' ? '\n' : 'x';
    const typedRange = where === 'end' ? new vscode.Range(end.translate(0, -1), end) : new vscode.Range(at, doc.positionAt(doc.offsetAt(at) + typed.length));
    const ok = await editor.edit((b) => (i % 2 === 0 ? b.insert(at, typed) : b.delete(typedRange)));
    if (!ok) throw new Error('the editor refused the edit');
    const t = await waitFor(
      () => {
        const cur = api.timings().typingLint(uri.toString());
        return cur && cur.seq > before && cur;
      },
      'the as-you-type lint after a keystroke',
      10_000,
    );
    const eventAt = await Promise.race([diagnosed, new Promise<number>((r) => setTimeout(() => r(NaN), 2_000))]);
    changed.dispose();
    figures.debounceMs.push(t.debounceMs);
    figures.workMs.push(t.workMs);
    figures.workCpuMs.push(t.workCpuMs);
    figures.coreLintMs.push(t.coreLintMs);
    figures.changeToDiagnosticsEventMs.push(eventAt - changedAt);
  }
  await profiler?.stop(where === 'end' ? file : `${file}-${where}`);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  return figures;
}

/**
 * With MTD_BENCH_CPUPROFILE=DIR, a V8 CPU profile of the extension host during each file's keystrokes, written to
 * DIR/keystroke-<file>[-start|-newline].cpuprofile (open it in Chrome's DevTools): where a keystroke's time goes, ours and VS Code's.
 */
async function startProfile(): Promise<{ stop(file: string): Promise<void> } | undefined> {
  const dir = process.env.MTD_BENCH_CPUPROFILE;
  if (!dir) return undefined;
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `keystroke-${file.replace(/[^\w.-]+/g, '_')}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
