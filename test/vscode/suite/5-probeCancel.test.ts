import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi, TreeSnapshotNode } from '../../../src/extension/api';
import { silent, startHostile, type HostileServer } from '../../support/hostile';
import { activateExtension, findNode, flatten, waitFor } from '../helpers';

/** Generous: the host is slow on a loaded machine. The engine's own 100 ms bound is proven in the unit tests. */
const SETTLE_BOUND_MS = 2_000;

const delay = (ms: number) => new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));

// The Cancel button of the progress notification cannot be pressed from here; the command's cancellation token
// takes the same path to the probes' AbortController (probeService's abortOnCancel), so this proves the button.
describe('extension: cancelling a running probe', function () {
  this.timeout(60_000);
  let api: MailTlsDoctorApi;
  let server: HostileServer;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');

  before(async () => {
    api = await activateExtension();
    server = await startHostile(silent(), { protocol: 'smtp', mode: 'starttls' });
    // Far beyond the test: only the cancel can end this probe, never the greeting timeout.
    await config().update('probe.timeoutSeconds', 60, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('probe.timeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
  });

  const endpointNode = (): TreeSnapshotNode | undefined => {
    const group = findNode(api.getTreeSnapshot(), (n) => n.label === 'Probed by hand');
    return group && findNode(group.children, (n) => n.label === `SMTP 127.0.0.1:${server.port} (STARTTLS)`);
  };

  it('stops the probe of a silent server promptly, closes its connection and shows the endpoint as cancelled', async () => {
    const badgeBefore = api.badge();
    const cts = new vscode.CancellationTokenSource();
    let settled = false;
    const probe = Promise.resolve(
      vscode.commands.executeCommand<unknown[]>('mailTlsDoctor.probeHost', `${server.host}:${server.port}`, {
        protocol: 'smtp',
        mode: 'starttls',
        servername: 'localhost',
        cancellation: cts.token,
      }),
    ).finally(() => (settled = true));

    // Running: the server holds the connection and the tree spins.
    await waitFor(() => server.stats.open === 1, 'the probe to connect to the silent server');
    await waitFor(() => endpointNode()?.icon === 'loading~spin' && endpointNode(), 'the endpoint to show as probing');
    await delay(300);
    assert.equal(settled, false, 'the probe settled before it was cancelled');
    assert.equal(server.stats.open, 1, 'the connection closed before the cancel');

    cts.cancel();
    // Raced against the bound so that a probe the cancel does not reach fails here, not at mocha's timeout.
    const outcome = await Promise.race([probe.then((results) => ({ results })), delay(SETTLE_BOUND_MS)]);
    assert.ok(outcome, `the probe had not settled ${SETTLE_BOUND_MS} ms after the cancel`);
    assert.deepEqual(outcome.results, [], 'a cancelled probe returns no result');
    cts.dispose();

    // The server saw its socket closed (the client's FIN or RST), and no second connection was tried.
    await waitFor(() => server.stats.open === 0, 'the silent server to see its connection closed', SETTLE_BOUND_MS);
    assert.equal(server.stats.accepted, 1);

    // A clear state: cancelled, not failed, no finding, not spinning, not counted as failing.
    const ep = endpointNode();
    assert.ok(ep, 'the endpoint is missing from "Probed by hand"');
    assert.equal(ep.description, 'cancelled');
    assert.equal(ep.icon, 'circle-slash');
    assert.deepEqual(
      flatten(ep.children).map((n) => n.label),
      ['Cancelled'],
    );
    assert.ok(!flatten(ep.children).some((n) => n.contextValue === 'finding'));
    assert.equal(api.badge(), badgeBefore);
    await api.whenIdle();
  });

  it('a token cancelled before the run starts opens no connection', async () => {
    const acceptedBefore = server.stats.accepted;
    const cts = new vscode.CancellationTokenSource();
    cts.cancel();
    const results = await vscode.commands.executeCommand<unknown[]>('mailTlsDoctor.probeHost', `${server.host}:${server.port}`, {
      protocol: 'smtp',
      mode: 'starttls',
      servername: 'localhost',
      cancellation: cts.token,
    });
    cts.dispose();
    assert.deepEqual(results, []);
    assert.equal(server.stats.accepted, acceptedBefore, 'a connection was opened after the cancel');
    assert.equal(endpointNode()?.description, 'cancelled');
  });
});
