import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { connectionStats, healthy, startHostile, type HostileServer } from '../../support/hostile';
import { activateExtension, codeOf, findNode, ours, removeCreated, waitFor, wsUri } from '../helpers';

// A hostile repository in restricted mode: links out of the workspace, and a command link that tries to skip
// the trust prompt of Probe Workspace.
describe('restricted mode: the workspace boundary and the trust prompt hold', function () {
  this.timeout(60_000);
  const SECRET = 'Hunter2-Secret';
  let outside: string;

  before(() => {
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-outside-'));
  });
  after(async () => {
    await removeCreated('linked');
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('a main.cf and a .env that link out of the workspace are not read, and say so', async () => {
    const api = await activateExtension();
    const netrc = path.join(outside, 'netrc');
    fs.writeFileSync(netrc, `relayhost = [token-abc123.attacker.example]:587\nsmtp_sasl_password_maps static:bob:${SECRET}\n`);
    const tokenFile = path.join(outside, 'token');
    fs.writeFileSync(tokenFile, 'SMTP_HOST=token-abc123.attacker.example\n');
    const dir = wsUri('linked').fsPath;
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(netrc, path.join(dir, 'main.cf'));
    fs.symlinkSync(tokenFile, path.join(dir, '.env'));
    fs.writeFileSync(
      path.join(dir, 'mailer.js'),
      "const nodemailer = require('nodemailer');\nnodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587 });\n",
    );
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    await api.whenIdle();
    const d = await waitFor(() => ours(wsUri('linked', 'main.cf')).find((x) => codeOf(x) === 'lint.link-outside-workspace'), 'the link finding on main.cf');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    await waitFor(() => ours(wsUri('linked', '.env')).find((x) => codeOf(x) === 'lint.link-outside-workspace'), 'the link finding on .env');
    const everything = JSON.stringify([...vscode.languages.getDiagnostics()].map(([u, ds]) => [u.toString(), ds.map((x) => x.message)]));
    assert.ok(!everything.includes(SECRET), 'a secret from outside reached Problems');
    assert.ok(!everything.includes('token-abc123'), 'a token from outside reached Problems');
    assert.ok(!findNode(api.getTreeSnapshot(), (n) => n.label.includes('token-abc123')), 'a token from outside became an endpoint');
  });

  describe('Probe Workspace called with { skipTrustPrompt: true } (what a command link would pass)', () => {
    let server: HostileServer;
    const stats = connectionStats();
    before(async () => {
      server = await startHostile(healthy(), { stats });
      fs.mkdirSync(wsUri('linked', 'lab').fsPath, { recursive: true });
      fs.writeFileSync(wsUri('linked', 'lab', 'main.cf').fsPath, `relayhost = [127.0.0.1]:${server.port}\n`);
    });
    after(() => server?.close());

    // Last in this session: the modal prompt it opens stays open (nobody answers it), as it should.
    it('still asks first: no connection is opened', async () => {
      const api = await activateExtension();
      await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
      await waitFor(() => findNode(api.getTreeSnapshot(), (n) => n.label === `SMTP 127.0.0.1:${server.port} (STARTTLS)`), 'the lab endpoint in the tree');
      const before = stats.accepted;
      void vscode.commands.executeCommand('mailTlsDoctor.probeWorkspace', { skipTrustPrompt: true });
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(stats.accepted, before, 'the workspace was probed without the trust prompt');
      assert.equal(api.probeStateCount() > 0 && findNode(api.getTreeSnapshot(), (n) => n.description === 'probing...') !== undefined, false);
    });
  });
});
