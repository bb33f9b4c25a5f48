import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from '../helpers';

// Watch mode must never connect on its own to hosts an untrusted workspace names.
describe('watch mode in an untrusted workspace', function () {
  this.timeout(30_000);

  it('stays off with an interval set, and a round probes nothing', async () => {
    const api = await activateExtension();
    const config = vscode.workspace.getConfiguration('mailTlsDoctor');
    await config.update('probe.intervalMinutes', 5, vscode.ConfigurationTarget.Global);
    try {
      await new Promise((r) => setTimeout(r, 300)); // the configuration event and the watch's re-read
      assert.equal(api.isTrusted, false);
      assert.equal(api.watch()!.intervalMs, 0);
      const before = api.probeStateCount();
      await api.runWatchRound();
      await api.whenIdle();
      assert.equal(api.probeStateCount(), before, 'a watch round connected in an untrusted workspace');
      assert.equal(api.watch()!.rounds, 0);
    } finally {
      await config.update('probe.intervalMinutes', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
