import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, codeOf, makeWatchedFolder, ours, removeCreated, waitFor, wsUri } from '../helpers';

// A Dovecot file is judged with the whole config its dovecot.conf includes (`!include conf.d/*.conf`): a conf.d file
// added or removed, or dovecot.conf saved, changes the lint of the config's other files, also those in another
// folder (dovecot.conf for a conf.d file, a conf.d file for dovecot.conf).
describe('extension: the files of one Dovecot config are linted again with each other', function () {
  this.timeout(60_000);
  const dir = 'dovecot-siblings';
  const main = () => wsUri(dir, 'dovecot', 'dovecot.conf');
  const auth = () => wsUri(dir, 'dovecot', 'conf.d', '10-auth.conf');
  const ssl = () => wsUri(dir, 'dovecot', 'conf.d', '10-ssl.conf');
  const cleartext = (uri: vscode.Uri) => ours(uri).some((d) => codeOf(d) === 'dovecot.cleartext-auth');

  before(async () => {
    await activateExtension();
    await makeWatchedFolder(vscode.Uri.file(path.dirname(auth().fsPath)));
    // Two scopes, so that each file holds a setting Dovecot keeps (a global one in dovecot.conf after the include
    // would win over conf.d's, which then has no finding of its own).
    fs.writeFileSync(main().fsPath, '!include conf.d/*.conf\nprotocol imap {\n  disable_plaintext_auth = no\n}\n');
    fs.writeFileSync(auth().fsPath, 'auth_mechanisms = plain login\ndisable_plaintext_auth = no\n');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeCreated(dir);
  });

  it('a conf.d file added or removed: dovecot.conf (another folder) is linted again', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(main()));
    await waitFor(() => cleartext(main()), 'dovecot.cleartext-auth in dovecot.conf');
    // conf.d/10-ssl.conf's ssl = required refuses every login before TLS: nothing to warn about any more. Its own
    // finding (TLSv1) shows that its creation was seen: VS Code drops a create and a delete of one path that are
    // still pending together, and a user does not delete a file within milliseconds of writing it.
    fs.writeFileSync(ssl().fsPath, 'ssl = required\nssl_min_protocol = TLSv1\n');
    const legacy = () => ours(ssl()).some((d) => codeOf(d) === 'dovecot.legacy-protocols');
    await waitFor(() => !cleartext(main()) && legacy(), 'dovecot.conf linted again with the new conf.d/10-ssl.conf, and that file linted', 20_000);
    fs.rmSync(ssl().fsPath);
    await waitFor(() => !legacy(), 'the deleted conf.d/10-ssl.conf has no diagnostics', 20_000);
    await waitFor(() => cleartext(main()), 'dovecot.conf linted again without conf.d/10-ssl.conf', 20_000);
  });

  it('dovecot.conf saved from the editor: the conf.d files are linted again', async () => {
    const doc = await vscode.workspace.openTextDocument(auth());
    await vscode.window.showTextDocument(doc, { preview: false });
    await waitFor(() => cleartext(auth()), 'dovecot.cleartext-auth in conf.d/10-auth.conf');
    const mainDoc = await vscode.workspace.openTextDocument(main());
    const edit = new vscode.WorkspaceEdit();
    edit.insert(main(), new vscode.Position(0, 0), 'ssl = required\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await mainDoc.save());
    await waitFor(() => !cleartext(auth()), 'conf.d/10-auth.conf linted again with the saved dovecot.conf', 20_000);
  });
});
