import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { activateExtension, removeCreated, waitFor, wsUri } from '../helpers';

/** The command's result, or a failure when it waits on the user (a notification whose button nobody presses). */
async function settled<T>(p: Thenable<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not return: it waits on a notification`)), 10_000)),
  );
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// A workspace whose servers and domains are all in probe.ignoredHosts: the workspace commands say so (and where to
// change it) instead of "found no mail servers", and return without waiting on the notification.
describe('extension: workspace commands when everything named is ignored', function () {
  this.timeout(60_000);
  let api: MailTlsDoctorApi;
  let original: string[] | undefined;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');

  before(async () => {
    api = await activateExtension();
    original = config().inspect<string[]>('probe.ignoredHosts')?.workspaceValue;
    await vscode.workspace.fs.writeFile(
      wsUri('ignored-only', 'tls_policy'),
      Buffer.from('# per-destination TLS\nmail.example.com encrypt\nrelay.example.net may\n'),
    );
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    // Every host the fixture and this suite name: example.* through the session's patterns, loopback added here.
    await config().update('probe.ignoredHosts', [...(original ?? []), '127.0.0.1', '::1', 'localhost'], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => (config().get<string[]>('probe.ignoredHosts') ?? []).includes('::1'), 'the workspace setting');
  });

  after(async () => {
    await config().update('probe.ignoredHosts', original, vscode.ConfigurationTarget.Workspace);
    await removeCreated('ignored-only');
  });

  it('Probe Workspace: "all N hosts this workspace names are in ...ignoredHosts", nothing probed', async () => {
    const before = api.probeStateCount();
    const results = await settled(vscode.commands.executeCommand('mailTlsDoctor.probeWorkspace'), 'Probe Workspace');
    assert.deepEqual(results, []);
    assert.equal(api.probeStateCount(), before);
    const last = api.recentNotices().at(-1) ?? '';
    assert.match(last, /all \d+ hosts this workspace names are in mailTlsDoctor\.probe\.ignoredHosts; nothing was probed/);
    assert.doesNotMatch(last, /found no mail servers/);
  });

  it('Check Workspace Mail Domains: the same for the domains it names', async () => {
    const results = await settled(vscode.commands.executeCommand('mailTlsDoctor.checkWorkspaceDomains'), 'Check Workspace Mail Domains');
    assert.deepEqual(results, []);
    assert.match(api.recentNotices().at(-1) ?? '', /all 2 mail domains this workspace names are in mailTlsDoctor\.probe\.ignoredHosts; nothing was checked/);
  });
});
