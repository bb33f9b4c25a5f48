import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { startMailServer, type RunningServer } from '../../support/lab/mailServer';
import { makePki } from '../../support/pki';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

const DAY = 86_400_000;

// A relay on IPv6 loopback (`relayhost = [ipv6:::1]:PORT`): every place the editor writes its address writes it as
// `[::1]:PORT`, never the ambiguous `::1:PORT`.
describe('extension: an IPv6 relay in the texts the editor shows', function () {
  this.timeout(60_000);
  let server: RunningServer;
  let api: MailTlsDoctorApi;
  const config = () => vscode.workspace.getConfiguration('mailTlsDoctor');
  const uri = () => wsUri('v6relay', 'main.cf');

  before(async () => {
    api = await activateExtension();
    const pki = makePki('IPv6 Test');
    const leaf = pki.leaf({ cn: '::1', sans: ['::1'], notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
    server = await startMailServer(
      { protocol: 'smtp', serves: 'starttls', tls: { certPem: pki.chain(leaf), keyPem: leaf.keyPem }, name: 'v6.lab.test' },
      '::1',
    );
    await config().update('probe.extraCaFiles', [pki.rootFile()], vscode.ConfigurationTarget.Global);
    await config().update('probe.timeoutSeconds', 5, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.writeFile(
      uri(),
      Buffer.from(`# relay on IPv6 loopback\nrelayhost = [ipv6:::1]:${server.port}\nsmtp_tls_security_level = encrypt\n`),
    );
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
  });

  after(async () => {
    await config().update('probe.extraCaFiles', undefined, vscode.ConfigurationTarget.Global);
    await config().update('probe.timeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
    await removeCreated('v6relay');
  });

  it('a probe finding on the relayhost line names the address in brackets: (probe of [::1]:PORT)', async () => {
    const results = (await vscode.commands.executeCommand('mailTlsDoctor.probeWorkspace')) as { endpoint: { host: string; port: number } }[];
    assert.ok(
      results.some((r) => r.endpoint.host === '::1' && r.endpoint.port === server.port),
      results.map((r) => `${r.endpoint.host} ${r.endpoint.port}`).join(', '),
    );
    const d = await waitFor(() => ours(uri()).find((x) => codeOf(x) === 'cert.expired'), 'the probe finding on the relayhost line');
    assert.equal(d.range.start.line, 1);
    assert.ok(d.message.includes(`(probe of [::1]:${server.port})`), d.message);
  });

  it("the status bar's soonest expiry names it [::1]:PORT in its tooltip", async () => {
    const expiry = await waitFor(() => {
      const e = api.watch()?.expiry;
      return e?.endpoint.host === '::1' && e;
    }, 'the IPv6 relay as the soonest expiry');
    assert.ok(expiry.tooltip.includes(`[::1]:${server.port},`), expiry.tooltip);
  });
});
