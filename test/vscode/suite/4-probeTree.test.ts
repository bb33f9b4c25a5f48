import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { startLab, type Lab } from '../../support/lab';
import { activateExtension, codeOf, findNode, flatten, ours, removeCreated, waitFor, wsUri } from '../helpers';

// Real TLS mail servers on loopback (the probe engine's lab), probed through the commands, checked in the tree.
describe('extension: probes and the result tree', function () {
  this.timeout(60_000);
  let lab: Lab;
  let api: MailTlsDoctorApi;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');

  before(async () => {
    api = await activateExtension();
    lab = await startLab({ only: ['healthy', 'expired', 'healthy-imaps'] });
    await config().update('probe.extraCaFiles', [lab.caFile], vscode.ConfigurationTarget.Global);
    await config().update('probe.timeoutSeconds', 5, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('probe.extraCaFiles', undefined, vscode.ConfigurationTarget.Global);
    await config().update('probe.timeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    await lab?.close();
    await removeCreated('lab', 'main.cf');
  });

  it('Probe Host shows a passing result with the TLS version, chain and versions under "Probed by hand"', async () => {
    const s = lab.servers.healthy;
    const results = (await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `${s.host}:${s.port}`, {
      protocol: 'smtp',
      mode: 'starttls',
      servername: s.servername,
    })) as { tls: { version: string } | null; findings: { id: string; severity: string }[] }[];
    assert.equal(results.length, 1);
    assert.ok(results[0].tls, 'no TLS session');
    assert.deepEqual(
      results[0].findings.filter((f) => f.severity !== 'info').map((f) => f.id),
      [],
    );

    const group = findNode(api.getTreeSnapshot(), (n) => n.label === 'Probed by hand');
    assert.ok(group, 'no "Probed by hand" group');
    const ep = findNode(group.children, (n) => n.label === `SMTP 127.0.0.1:${s.port} (STARTTLS)`);
    assert.ok(ep, `endpoint missing: ${group.children.map((c) => c.label).join(', ')}`);
    assert.equal(ep.icon, 'pass');
    assert.equal(ep.iconColor, 'testing.iconPassed');
    assert.equal(ep.contextValue, 'endpoint');
    assert.match(ep.description ?? '', /TLSv1\.[23]/);
    const labels = flatten(ep.children).map((n) => n.label);
    assert.ok(
      labels.some((l) => /^Negotiated TLSv1\.[23]$/.test(l)),
      labels.join(' | '),
    );
    assert.ok(
      labels.some((l) => l.startsWith('Certificate chain (')),
      labels.join(' | '),
    );
    assert.ok(
      labels.some((l) => l.includes('CN=mail.lab.test')),
      labels.join(' | '),
    );
    // Where the probe ran: this host is a VS Code server in a browser (the offline runner) or a local desktop.
    assert.ok(
      labels.some((l) => /^Probed from (this machine|the VS Code server host) /.test(l)),
      labels.join(' | '),
    );
    const versions = findNode(ep.children, (n) => n.label === 'TLS versions');
    assert.deepEqual(
      versions?.children.map((v) => v.label),
      ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
    );
    // Each version says why next to its verdict, and in its tooltip (the probe's versionReasons).
    const v13 = versions!.children.find((v) => v.label === 'TLSv1.3')!;
    assert.match(v13.description ?? '', /^accepted \(/, JSON.stringify(v13));
    assert.match(v13.tooltip ?? '', /^TLSv1\.3: accepted \(/, JSON.stringify(v13));
    for (const v of versions!.children) assert.match(v.description ?? '', /^(accepted|refused|not decided|not tested)( \(|$)/, JSON.stringify(v));
  });

  it('an expired certificate shows as a failing endpoint with the finding and its fix, and counts in the badge', async () => {
    const s = lab.servers.expired;
    await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `${s.host}:${s.port}`, { protocol: 'smtp', mode: 'starttls', servername: s.servername });
    const ep = findNode(api.getTreeSnapshot(), (n) => n.label === `SMTP 127.0.0.1:${s.port} (STARTTLS)`);
    assert.ok(ep);
    assert.equal(ep.icon, 'error');
    const finding = findNode(ep.children, (n) => n.contextValue === 'finding' && n.description === 'cert.expired');
    assert.ok(
      finding,
      flatten(ep.children)
        .map((n) => `${n.label} [${n.description}]`)
        .join(' | '),
    );
    assert.ok(finding.children.some((c) => c.label.startsWith('Fix: ')));
    assert.ok((api.badge() ?? 0) >= 1);
  });

  it('Show Transcript opens the dialogue of a probed endpoint', async () => {
    const s = lab.servers.healthy;
    const doc = (await vscode.commands.executeCommand('mailTlsDoctor.showTranscript', {
      kind: 'endpoint',
      entry: { endpoint: { host: s.host, port: s.port, protocol: 'smtp', mode: 'starttls', servername: s.servername }, definitions: [] },
    })) as vscode.TextDocument;
    assert.ok(doc, 'no transcript document');
    assert.match(doc.getText(), /C: EHLO /);
    assert.match(doc.getText(), /STARTTLS/);
  });

  it('Probe Workspace probes what the configs name (ignored hosts skipped) and puts probe findings on the config line', async () => {
    // Guard: without the session's ignoredHosts, Probe Workspace would resolve the fixtures' example.* names.
    const ignoredHosts = config().get<string[]>('probe.ignoredHosts') ?? [];
    for (const d of ['*.example.com', '*.example.net', '*.example.org']) assert.ok(ignoredHosts.includes(d), `session settings missing: ${d}`);
    const s = lab.servers.expired;
    const uri = wsUri('lab', 'main.cf');
    await vscode.workspace.fs.writeFile(
      uri,
      Buffer.from(`# the lab's server as relay\nrelayhost = [127.0.0.1]:${s.port}\nsmtp_tls_security_level = encrypt\n`),
    );
    // The file watcher sees the new file and the debounced re-scan adds its group. The wait is generous: on a
    // loaded machine the server's watcher takes a while to report; the message says whether a scan would find it.
    const isGroup = () => api.getTreeSnapshot().find((g) => g.label === 'lab/main.cf');
    await waitFor(isGroup, 'the new main.cf as a group in the tree (file watcher)', 20_000).catch(async (err) => {
      await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
      throw new Error(`${err.message}; after an explicit Lint Workspace the group is ${isGroup() ? 'there: the watcher missed the file' : 'still missing'}`);
    });
    const results = (await vscode.commands.executeCommand('mailTlsDoctor.probeWorkspace')) as { endpoint: { host: string } }[];
    // The fixture's example.com/.net/.org hosts are ignored by the session's settings: only loopback was probed.
    assert.ok(results.length >= 1);
    assert.ok(
      results.every((r) => r.endpoint.host === '127.0.0.1'),
      results.map((r) => r.endpoint.host).join(', '),
    );
    const tree = api.getTreeSnapshot();
    const group = findNode(tree, (n) => n.label === 'lab/main.cf');
    assert.ok(group, tree.map((g) => g.label).join(', '));
    assert.equal(group.children[0].icon, 'error');
    assert.match(group.children[0].tooltip ?? '', /Defined by relayhost in main\.cf.* \(lab\/main\.cf:2\)/);
    const ignored = findNode(tree, (n) => n.label.includes('smtp.example.com'));
    assert.match(ignored?.description ?? '', /ignored/);
    const onLine = await waitFor(() => ours(uri).find((d) => codeOf(d) === 'cert.expired'), 'the probe finding on the relayhost line');
    assert.equal(onLine.range.start.line, 1);
  });

  it('Export Report renders endpoints, findings and fixes as Markdown without secrets', async () => {
    const doc = (await vscode.commands.executeCommand('mailTlsDoctor.exportReport')) as vscode.TextDocument;
    const text = doc.getText();
    assert.equal(doc.languageId, 'markdown');
    assert.match(text, /^# Mail TLS Doctor report/m);
    assert.match(text, /cert\.expired/);
    assert.match(text, /postfix\.relayhost-needs-wrappermode/);
    assert.match(text, /\*\*Fix:\*\*/);
    assert.ok(!text.includes('not-a-real-password'), 'the .env password leaked into the report');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Probe Host takes a mail URL as the CLI does: the scheme names protocol and mode; a user part or a path is refused, never echoed', async () => {
    const s = lab.servers['healthy-imaps'];
    // No protocol or mode given: without the scheme this would ask for them (or refuse the URL).
    const results = (await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `imaps://${s.host}:${s.port}`, { servername: s.servername })) as {
      endpoint: { protocol: string; mode: string; port: number };
      tls: unknown;
    }[];
    assert.equal(results.length, 1);
    assert.deepEqual([results[0].endpoint.protocol, results[0].endpoint.mode, results[0].endpoint.port], ['imap', 'implicit', s.port]);
    assert.ok(results[0].tls, 'no TLS session');

    const before = api.recentNotices().length;
    const refused = await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `imaps://alice:hunter2@${s.host}:${s.port}`);
    assert.deepEqual(refused, []);
    const userPart = api.recentNotices().slice(before);
    assert.ok(
      userPart.some((n) => /no user part/.test(n)),
      userPart.join(' | '),
    );
    assert.ok(!userPart.some((n) => n.includes('hunter2') || n.includes('alice')), userPart.join(' | '));
    assert.deepEqual(await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `imaps://${s.host}:${s.port}/INBOX`), []);
    assert.match(api.recentNotices().at(-1) ?? '', /no path/);
  });
});
