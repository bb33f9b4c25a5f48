import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { startMailServer, type RunningServer } from '../../support/lab/mailServer';
import { makePki, type TestPki } from '../../support/pki';
import { activateExtension, findNode, removeCreated, waitFor, wsUri } from '../helpers';

const DAY = 86_400_000;

// Watch mode against a real STARTTLS server on loopback whose certificate the test swaps between rounds:
// valid for long -> expiring within the warning threshold -> expired.
describe('extension: watch mode, expiry in the status bar, transitions', function () {
  this.timeout(90_000);
  let api: MailTlsDoctorApi;
  let pki: TestPki;
  let server: RunningServer;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');
  const cert = (days: number) => {
    const leaf = pki.leaf({ cn: '127.0.0.1', sans: ['127.0.0.1'], notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() + days * DAY) });
    return { certPem: pki.chain(leaf), keyPem: leaf.keyPem };
  };
  const label = () => `SMTP 127.0.0.1:${server.port} (STARTTLS)`;

  before(async () => {
    api = await activateExtension();
    pki = makePki('Watch Test');
    server = await startMailServer({ protocol: 'smtp', serves: 'starttls', tls: cert(200), name: 'watch.lab.test' });
    await config().update('probe.extraCaFiles', [pki.rootFile()], vscode.ConfigurationTarget.Global);
    await config().update('probe.timeoutSeconds', 5, vscode.ConfigurationTarget.Global);
    await config().update('certificates.expiryWarningDays', 30, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.writeFile(
      wsUri('watched', 'main.cf'),
      Buffer.from(`# relay watched by the test\nrelayhost = [127.0.0.1]:${server.port}\nsmtp_tls_security_level = encrypt\n`),
    );
    // This suite is about watch rounds, not the file watcher (4-probe-tree covers that): a scan makes the new
    // file's endpoint known at once, where the watcher of a loaded CI machine can take longer than the wait.
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    await waitFor(() => findNode(api.getTreeSnapshot(), (n) => n.label === label()), 'the watched relayhost in the tree');
  });

  after(async () => {
    for (const k of ['probe.extraCaFiles', 'probe.timeoutSeconds', 'certificates.expiryWarningDays', 'probe.intervalMinutes']) {
      await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    }
    await server?.close();
    await removeCreated('watched');
  });

  it('is off by default, at least every 5 minutes when on, and runs only in a trusted workspace', async () => {
    assert.equal(api.isTrusted, true);
    assert.equal(api.watch()!.intervalMs, 0);
    await config().update('probe.intervalMinutes', 2, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.watch()!.intervalMs > 0, 'the watch timer');
    assert.equal(api.watch()!.intervalMs, 5 * 60_000, '2 minutes is raised to the 5-minute minimum');
    await config().update('probe.intervalMinutes', 60, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.watch()!.intervalMs === 60 * 60_000, 'the new interval');
    assert.equal(api.watch()!.paused, false);
  });

  it('a first round sets the baseline: the status bar shows the soonest expiry, no transition', async () => {
    await api.runWatchRound();
    const w = api.watch()!;
    assert.equal(w.rounds, 1);
    assert.deepEqual(w.transitions, []);
    assert.ok(w.expiry, 'no expiry in the status bar');
    assert.equal(w.expiry.endpoint.port, server.port);
    assert.match(w.expiry.text, /cert expires in (199|200) d$/);
    assert.equal(w.expiry.color, undefined);
    const ep = findNode(api.getTreeSnapshot(), (n) => n.label === label())!;
    assert.equal(ep.icon, 'pass');
  });

  it('a certificate swapped for one inside the warning threshold: logged with its time, notified, status bar warns', async () => {
    server.setTls(cert(5));
    await api.runWatchRound();
    const w = api.watch()!;
    const t = w.transitions.find((x) => x.kind === 'expiry-warning');
    assert.ok(t, JSON.stringify(w.transitions));
    assert.equal(t.host, '127.0.0.1');
    assert.ok(!Number.isNaN(Date.parse(t.at)) && Math.abs(Date.parse(t.at) - Date.now()) < 60_000, t.at);
    assert.match(t.text, /expires in (5 d|4 d 23 h) \(warning at 30 days/, 'five days less the seconds since: never "4 d"');
    assert.equal(t.notified, true);
    assert.match(w.expiry!.text, /^\$\(warning\) cert expires in (5 d|4 d 23 h)$/);
    assert.equal(w.expiry!.color, 'statusBarItem.warningBackground');
  });

  it('clicking the status bar opens the config line that names the endpoint', async () => {
    const w = api.watch()!;
    await vscode.commands.executeCommand('mailTlsDoctor.showEndpoint', w.expiry!.endpoint);
    const ed = await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.path.endsWith('/watched/main.cf') && vscode.window.activeTextEditor,
      'main.cf in the editor',
    );
    assert.equal(ed.selection.start.line, 1, 'the relayhost line');
  });

  it('"Don\'t warn for this host" keeps logging but stops notifying; pass -> fail when the certificate expires', async () => {
    await api.respondToWatch(api.watch()!.expiry!.endpoint, "Don't warn for this host");
    assert.deepEqual(api.watch()!.mutedHosts, ['127.0.0.1']);
    server.setTls(cert(-3));
    await api.runWatchRound();
    const w = api.watch()!;
    const t = w.transitions.find((x) => x.kind === 'pass-to-fail');
    assert.ok(t, JSON.stringify(w.transitions));
    assert.match(t.text, /now fails \(.*cert\.expired/);
    assert.equal(t.notified, false, 'muted host: logged, not notified');
    assert.match(w.expiry!.text, /cert expired 3 d( 0 h)? ago$/);
    assert.equal(w.expiry!.color, 'statusBarItem.errorBackground');
  });

  it('the tree says whether failures over the watch rounds are persistent or intermittent (with the rate)', async () => {
    const ep = findNode(api.getTreeSnapshot(), (n) => n.label === label())!;
    assert.equal(ep.icon, 'error');
    assert.match(ep.description ?? '', /persistent: failing in the last 1 watch probe$/);
    // Renewed: back to passing, logged (good news: no notification).
    server.setTls(cert(300));
    await api.runWatchRound();
    const back = api.watch()!.transitions.find((x) => x.kind === 'fail-to-pass');
    assert.ok(back);
    assert.equal(back.notified, false);
    assert.match(api.watch()!.expiry!.text, /cert expires in (299|300) d$/);
    // And failing again: mixed with successes, so intermittent, with its rate over the rounds kept.
    server.setTls(cert(-3));
    await api.runWatchRound();
    const again = findNode(api.getTreeSnapshot(), (n) => n.label === label())!;
    assert.match(again.description ?? '', /intermittent: failed 2 of the last 5 watch probes \(40%\)/);
    assert.ok(
      again.children.some((c) => /^Watch: intermittent/.test(c.label)),
      again.children.map((c) => c.label).join(' | '),
    );
    assert.equal(api.watch()!.transitions.filter((x) => x.kind === 'pass-to-fail').length, 2);
  });
});
