import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

// A workspace that links to the live config (`ln -s /etc/postfix postfix`): the workspace search follows the link,
// VS Code's watcher does not. The extension watches the link's target itself, so a change made there (postconf -e,
// certbot, another editor) shows while the window keeps the focus and no terminal command ends.
describe('extension: a config in a folder the workspace links to is linted again when it changes', function () {
  this.timeout(60_000);
  const link = 'linked-postfix';
  let target: string;
  let api: MailTlsDoctorApi;
  const mainCf = () => wsUri(link, 'main.cf');
  const masterCf = () => wsUri(link, 'master.cf');
  const codes = (uri: vscode.Uri) => ours(uri).map(codeOf);

  before(async () => {
    api = await activateExtension();
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-linked-'));
    fs.writeFileSync(path.join(target, 'main.cf'), 'relayhost = [smtp.example.com]:465\n');
    fs.symlinkSync(target, wsUri(link).fsPath);
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    await waitFor(() => codes(mainCf()).includes('postfix.relayhost-needs-wrappermode'), 'main.cf linted through the link');
    await new Promise((r) => setTimeout(r, 1_000)); // the link's own creation event and its folder search
    await api.whenIdle();
  });

  after(async () => {
    await removeCreated(link);
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('an edit at the target: linted again', async () => {
    fs.writeFileSync(path.join(target, 'main.cf'), 'relayhost = [smtp.example.com]:587\nsmtp_tls_protocols = TLSv1\n');
    await waitFor(
      () => !codes(mainCf()).includes('postfix.relayhost-needs-wrappermode') && codes(mainCf()).includes('postfix.legacy-protocols'),
      'main.cf linted again after its edit at the target',
    );
  });

  it('a new master.cf at the target: linted too, as the workspace watcher would have had it followed the link', async () => {
    const service = 'submission inet n       -       y       -       -       smtpd\n  -o smtpd_tls_security_level=none\n';
    fs.writeFileSync(path.join(target, 'master.cf'), service);
    await waitFor(() => codes(masterCf()).includes('postfix.submission-without-encrypt'), 'the new master.cf linted');
  });

  it('a delete at the target: its diagnostics go', async () => {
    fs.rmSync(path.join(target, 'main.cf'));
    await waitFor(() => ours(mainCf()).length === 0, 'the deleted main.cf has no diagnostics');
  });
});
