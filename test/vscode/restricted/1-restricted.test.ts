import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startLab } from '../../support/lab';
import { activateExtension, codeOf, findNode, ours, waitFor, wsUri } from '../helpers';

// This session opens test/fixtures/workspace/restricted with workspace trust on and never granted, and with
// mailTlsDoctor.probe.onStartup = true in its folder settings (ignored: a workspace cannot set it): the extension
// must lint but not connect to the relayhost it names.
describe('extension in an untrusted workspace (restricted mode)', function () {
  this.timeout(60_000);

  it('is really untrusted', async () => {
    const api = await activateExtension();
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(api.isTrusted, false);
    // The folder's settings turn probe.onStartup on; the setting is `machine`-scoped, so that value never counts.
    assert.notEqual(vscode.workspace.getConfiguration('mailTlsDoctor').get('probe.onStartup'), true);
  });

  it('still lints: diagnostics appear in main.cf', async () => {
    await activateExtension();
    const uri = wsUri('main.cf');
    const d = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'postfix.legacy-protocols'), 'a lint diagnostic');
    assert.equal(d.range.start.line, 3);
  });

  it('does not probe on startup and says why in the tree', async () => {
    const api = await activateExtension();
    await api.whenIdle();
    assert.equal(api.probeStateCount(), 0, 'a probe ran in an untrusted workspace without an explicit command');
    const ep = await waitFor(() => findNode(api.getTreeSnapshot(), (n) => n.contextValue === 'endpoint'), 'the relayhost endpoint');
    assert.match(ep.description ?? '', /not trusted/);
    assert.equal(ep.icon, 'workspace-untrusted');
  });

  it('probes when the user explicitly asks (Probe Host)', async () => {
    const api = await activateExtension();
    const lab = await startLab({ only: ['healthy'] });
    try {
      const s = lab.servers.healthy;
      const results = (await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `${s.host}:${s.port}`, {
        protocol: 'smtp',
        mode: 'starttls',
        servername: s.servername,
      })) as { tls: unknown }[];
      assert.equal(results.length, 1);
      assert.ok(results[0].tls);
      assert.equal(api.probeStateCount(), 1);
    } finally {
      await lab.close();
    }
  });
});
