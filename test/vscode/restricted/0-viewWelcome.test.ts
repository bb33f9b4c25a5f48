import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, ours, waitFor, windowText, wsUri } from '../helpers';

/** The Mail TLS view as the window shows it (the runner reads the side bar's text). */
async function viewText(id: string): Promise<string> {
  await vscode.commands.executeCommand('workbench.view.extension.mailTlsDoctor');
  const text = await windowText(id, '.part.sidebar', 'Mail TLS');
  assert.ok(text, 'the side bar does not show the Mail TLS view');
  return text;
}

const restrictedSays = (text: string) => text.match(/restricted mode/gi)?.length ?? 0;

// Restricted mode is said once wherever the view is: over a tree as the view's message, and in an empty view by the
// manifest's welcome content (with its buttons), which VS Code hides while a message is set.
describe('restricted mode: the view says so once', function () {
  this.timeout(90_000);
  const mainCf = () => wsUri('main.cf');
  const away = () => wsUri('moved-away.txt');

  after(async () => {
    // The later suites lint this folder's main.cf: put it back and wait for its lint.
    await vscode.workspace.fs.rename(away(), mainCf(), { overwrite: true }).then(undefined, () => undefined);
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    await waitFor(() => ours(mainCf()).some((d) => codeOf(d) === 'postfix.legacy-protocols'), 'main.cf linted again');
  });

  it('over the tree of what the workspace names: the message, once', async () => {
    const api = await activateExtension();
    await waitFor(() => api.getTreeSnapshot().length > 0, 'the tree of main.cf');
    const text = await viewText('restricted-tree');
    assert.equal(restrictedSays(text), 1, text);
  });

  it('in an empty view: the welcome content with its buttons, and restricted mode once', async () => {
    const api = await activateExtension();
    await vscode.workspace.fs.rename(mainCf(), away());
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    await waitFor(() => api.getTreeSnapshot().length === 0, 'an empty tree');
    const text = await waitFor(async () => {
      const t = await viewText('restricted-empty');
      return /No mail servers found/.test(t) && t;
    }, 'the welcome content in the empty view').catch(async (err) => {
      throw new Error(`${err.message}; the view shows: ${JSON.stringify(await viewText('restricted-empty-shown'))}`);
    });
    assert.match(text, /Probe a Host\.\.\./);
    assert.equal(restrictedSays(text), 1, text);
  });

  it('in an empty workspace the workspace commands say nothing was found and return without waiting on the notice', async () => {
    const api = await activateExtension();
    for (const [command, said] of [
      ['mailTlsDoctor.probeWorkspace', /found no mail servers \(.*\) in this workspace\./],
      ['mailTlsDoctor.checkWorkspaceDomains', /found no mail domain \(.*\) in this workspace\./],
    ] as const) {
      // Raced against a bound: a command that waits on its notification (nobody presses it here) fails here.
      const outcome = await Promise.race([
        Promise.resolve(vscode.commands.executeCommand(command)).then((results) => ({ results })),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
      ]);
      assert.ok(outcome, `${command} still waits on its notification`);
      assert.deepEqual(outcome.results, []);
      assert.match(api.recentNotices().at(-1) ?? '', said);
    }
    assert.equal(api.probeStateCount(), 0);
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
