import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi, TreeSnapshotNode } from '../../src/extension/api';
import { LOG_MARK } from './mochaRunner';

export const EXTENSION_ID = 'mail-tls-doctor.mail-tls-doctor';
export const SOURCE = 'Mail TLS Doctor';

export async function activateExtension(): Promise<MailTlsDoctorApi> {
  const ext = vscode.extensions.getExtension<MailTlsDoctorApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed in the host`);
  const api = await ext.activate();
  await api.whenStarted();
  return api;
}

export function workspaceRoot(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test host opened no workspace folder');
  return f.uri;
}

export function wsUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...segments);
}

/** Polls until `get` returns a truthy value; the message says what never happened. */
export async function waitFor<T>(get: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await get();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Removes a folder a test created inside the workspace. The offline runner works on a scratch copy anyway, but
 * @vscode/test-cli opens test/fixtures/workspace itself, which must stay as committed.
 */
/**
 * Makes a folder in the workspace one level at a time, each after VS Code's watcher reported the one above. Its
 * recursive watcher misses a folder made inside a new one before it watches that one (`mkdir -p a/b/c`): nothing in
 * the missed folder is reported until the window reloads, as a user who unpacks a tree into the workspace sees too.
 */
export async function makeWatchedFolder(uri: vscode.Uri): Promise<void> {
  const missing: string[] = [];
  for (let dir = uri.fsPath; !fs.existsSync(dir); dir = path.dirname(dir)) missing.unshift(dir);
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  try {
    for (const dir of missing) {
      let timer: NodeJS.Timeout | undefined;
      const seen = new Promise<void>((resolve, reject) => {
        watcher.onDidCreate((u) => u.fsPath === dir && resolve());
        timer = setTimeout(() => reject(new Error(`VS Code's watcher did not report ${dir}`)), 15_000);
      });
      fs.mkdirSync(dir);
      await seen.finally(() => clearTimeout(timer));
    }
  } finally {
    watcher.dispose();
  }
}

export async function removeCreated(...segments: string[]): Promise<void> {
  await vscode.workspace.fs.delete(wsUri(...segments), { recursive: true, useTrash: false }).then(undefined, () => undefined);
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

export function findNode(nodes: TreeSnapshotNode[], pred: (n: TreeSnapshotNode) => boolean): TreeSnapshotNode | undefined {
  for (const n of nodes) {
    if (pred(n)) return n;
    const inner = findNode(n.children, pred);
    if (inner) return inner;
  }
  return undefined;
}

export function flatten(nodes: TreeSnapshotNode[]): TreeSnapshotNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/**
 * Asks the runner (scripts/vscode-host.mjs) which of `texts` the window shows; the extension host cannot see the
 * workbench itself. Resolves with the texts it did not find. Only the offline runner answers: elsewhere this fails.
 */
export async function windowMisses(id: string, texts: string[]): Promise<string[]> {
  const answer = await askRunner<{ found: Record<string, boolean> }>(
    'window-check',
    { id, texts },
    `the runner's look at the window (${id})`,
    10_000 * texts.length + 5_000,
  );
  return texts.filter((t) => !answer.found[t]);
}

/**
 * Asks the runner for the text of the first visible element matching `selector` whose text contains `contains`
 * (null when none shows within 10 s); `scroll` names a virtual list to scroll until it shows. Only the offline runner answers.
 */
export async function windowText(id: string, selector: string, contains: string, scroll?: string): Promise<string | null> {
  const answer = await askRunner<{ text: string | null }>(
    'window-text',
    { id, selector, contains, scroll },
    `the runner's reading of the window (${id})`,
    15_000,
  );
  return answer.text;
}

/**
 * Moves the focus out of the window and back (the user was in a terminal), as the offline runner does it, each step
 * once the extension host heard of the one before: it sees the window lose the focus, then get it back.
 */
export async function windowAwayAndBack(id: string): Promise<void> {
  const seen: boolean[] = [];
  const listener = vscode.window.onDidChangeWindowState((s) => seen.push(s.focused));
  try {
    for (const focus of [false, true]) {
      const step = `${id}-${focus ? 'back' : 'away'}`;
      const answer = await askRunner<{ done: boolean }>('window-focus', { id: step, focus }, `the runner's move of the focus (${step})`, 20_000);
      assert.ok(answer.done, `the window ${focus ? 'got the focus back' : 'lost the focus'} (${step})`);
      await waitFor(() => seen.at(-1) === focus, `the extension host told the window ${focus ? 'has the focus' : 'lost the focus'} (${step})`, 10_000);
    }
  } finally {
    listener.dispose();
  }
}

/** A request to the offline runner (a marked log line) and its answer, `<id>.json` in $MTD_WINDOW_CHECK_DIR. */
async function askRunner<T>(verb: string, request: { id: string; [k: string]: unknown }, what: string, timeoutMs: number): Promise<T> {
  const dir = process.env.MTD_WINDOW_CHECK_DIR;
  assert.ok(dir, 'MTD_WINDOW_CHECK_DIR is not set: asking the window needs the offline runner (npm run test:vscode)');
  const file = path.join(dir, `${request.id.replace(/[^\w-]/g, '_')}.json`);
  fs.rmSync(file, { force: true });
  console.log(`${LOG_MARK}@${verb} ${JSON.stringify(request)}`);
  return waitFor(() => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as T), what, timeoutMs);
}
