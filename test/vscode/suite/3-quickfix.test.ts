import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

const BROKEN = [
  'relayhost = [smtp.example.com]:465',
  'smtp_sasl_auth_enable = yes',
  'smtp_tls_security_level = may',
  'smtp_tls_protocols = !SSLv2, !SSLv3',
  'smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3',
  '',
].join('\n');

async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) as vscode.CodeAction[];
}

describe('extension: quick fixes', () => {
  let uri: vscode.Uri;

  before(async () => {
    await activateExtension();
    uri = wsUri('etc', 'postfix', 'quickfix', 'main.cf');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(BROKEN));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await removeCreated('etc', 'postfix', 'quickfix');
  });

  it("turns the finding's edit into a quick fix that changes the text and makes the diagnostic go away", async () => {
    const d = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'postfix.relayhost-needs-wrappermode'), 'the wrappermode diagnostic');
    const actions = await quickFixes(uri, d.range);
    // The finding's editTitle names what it turns on; other extensions' generic actions ("Fix", "Explain") do not.
    const fix = actions.find((a) => /wrappermode/.test(a.title) && !a.title.startsWith('Fix all'));
    assert.ok(fix?.edit, `no quick fix among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.match(doc.getText(), /^smtp_tls_wrappermode = yes$/m);
    await waitFor(() => !ours(uri).some((x) => codeOf(x) === 'postfix.relayhost-needs-wrappermode'), 'the wrappermode diagnostic to disappear');
  });

  it('offers "fix all of this kind in the file" and it fixes every one', async () => {
    const both = await waitFor(() => {
      const l = ours(uri).filter((x) => codeOf(x) === 'postfix.legacy-protocols');
      return l.length === 2 && l;
    }, 'two legacy-protocols diagnostics');
    const actions = await quickFixes(uri, both[0].range);
    // Titled in words like the single fixes, with the kind's title from the registry, not its id.
    const all = actions.find((a) => a.title === 'Fix all 2 in this file: The protocol list allows SSLv3, TLS 1.0 or TLS 1.1.');
    assert.ok(all?.edit, `no fix-all among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    const doc = await vscode.workspace.openTextDocument(uri);
    // Version unknown, file written with "!": the form every Postfix reads (">=TLSv1.2" needs Postfix 3.6+).
    assert.equal(doc.getText().match(/!SSLv2, !SSLv3, !TLSv1, !TLSv1\.1/g)?.length, 2);
    await waitFor(() => !ours(uri).some((x) => codeOf(x) === 'postfix.legacy-protocols'), 'both legacy-protocols diagnostics to disappear');
  });
});
