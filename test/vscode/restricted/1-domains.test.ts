import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startDnsServer, type TestDnsServer } from '../../support/dns/server';
import { activateExtension, findNode, removeCreated, waitFor, wsUri } from '../helpers';

// Restricted mode (probe.onStartup on in the folder settings, ignored): a mail domain the workspace names is listed
// but never looked up on its own; a domain the user types into Check Mail Domain... is checked, as Probe Host probes.
describe('restricted mode: mail domains', function () {
  this.timeout(60_000);
  let dns: TestDnsServer;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');

  before(async () => {
    dns = await startDnsServer({ records: [{ name: 'typed.test', type: 'MX', data: { preference: 0, exchange: '.' } }] });
    await config().update('dns.resolver', dns.address, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('dns.resolver', undefined, vscode.ConfigurationTarget.Global);
    await removeCreated('domains');
    await dns?.close();
  });

  it('lists the workspace domain as not checked because the workspace is not trusted, and asks no DNS server', async () => {
    const api = await activateExtension();
    await vscode.workspace.fs.writeFile(wsUri('domains', 'main.cf'), Buffer.from('relayhost = workspace-named.test\n'));
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    const node = await waitFor(
      () => findNode(api.getTreeSnapshot(9), (n) => n.contextValue === 'domain' && n.label === 'workspace-named.test'),
      'the workspace domain under Domains',
    );
    assert.match(node.description ?? '', /not trusted/);
    assert.equal(node.icon, 'workspace-untrusted');
    await api.whenIdle();
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(dns.log, [], 'a domain named by an untrusted workspace was looked up without a command');
  });

  it('Check Mail Domain... with a domain the user gives is checked (an explicit command), through the resolver setting only', async () => {
    const api = await activateExtension();
    const reports = (await vscode.commands.executeCommand('mailTlsDoctor.checkDomain', 'typed.test')) as { domain: string; findings: { id: string }[] }[];
    assert.equal(reports.length, 1);
    assert.ok(
      reports[0].findings.some((f) => f.id === 'mx.null'),
      JSON.stringify(reports[0].findings.map((f) => f.id)),
    );
    assert.ok(dns.log.some((q) => q.name === 'typed.test' && q.type === 'MX'));
    assert.ok(
      dns.log.every((q) => !q.name.includes('workspace-named')),
      'the workspace domain was looked up too',
    );
    const node = findNode(api.getTreeSnapshot(9), (n) => n.contextValue === 'domain' && n.label === 'typed.test');
    assert.match(node?.description ?? '', /null MX/);
  });
});
