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
  const dir = process.env.MTD_WINDOW_CHECK_DIR;
  assert.ok(dir, 'MTD_WINDOW_CHECK_DIR is not set: window checks need the offline runner (npm run test:vscode)');
  const file = path.join(dir, `${id.replace(/[^\w-]/g, '_')}.json`);
  fs.rmSync(file, { force: true });
  console.log(`${LOG_MARK}@window-check ${JSON.stringify({ id, texts })}`);
  const answer = await waitFor(
    () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { found: Record<string, boolean> }),
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
  const dir = process.env.MTD_WINDOW_CHECK_DIR;
  assert.ok(dir, 'MTD_WINDOW_CHECK_DIR is not set: reading the window needs the offline runner (npm run test:vscode)');
  const file = path.join(dir, `${id.replace(/[^\w-]/g, '_')}.json`);
  fs.rmSync(file, { force: true });
  console.log(`${LOG_MARK}@window-text ${JSON.stringify({ id, selector, contains, scroll })}`);
  const answer = await waitFor(
    () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { text: string | null }),
    `the runner's reading of the window (${id})`,
    15_000,
  );
  return answer.text;
}
