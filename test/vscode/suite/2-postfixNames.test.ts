import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

async function hoverText(uri: vscode.Uri, line: number, character: number): Promise<string> {
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(line, character))) as vscode.Hover[];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
}

// The Postfix linters lint main.cf/master.cf under other names too (relay-main.cf, edge_master.cf); those files get
// what main.cf gets in the editor: the postfix language (colours) and the hovers, with master.cf's `-o` values.
describe('extension: Postfix configs under the other names the linters know', function () {
  this.timeout(60_000);

  before(async () => {
    await activateExtension();
  });

  after(async () => {
    await removeCreated('named');
  });

  it('relay-main.cf: a postfix document, linted, with hovers', async () => {
    const uri = wsUri('named', 'relay-main.cf');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('# relay\nrelayhost = [smtp.example.com]:465\nsmtp_tls_security_level = may\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'postfix');
    await waitFor(() => ours(uri).some((d) => codeOf(d) === 'postfix.relayhost-needs-wrappermode'), 'the lint of relay-main.cf');
    assert.match(await hoverText(uri, 2, 3), /Effective value \(from this file\): `may`/);
  });

  it("edge_master.cf and postfix/master.cf.proto: the hover's effective value is the service's -o", async () => {
    const master = 'smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n';
    for (const uri of [wsUri('named', 'edge_master.cf'), wsUri('named', 'postfix', 'master.cf.proto')]) {
      await vscode.workspace.fs.writeFile(uri, Buffer.from(master));
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.languageId, 'postfix', uri.path);
      const text = await hoverText(uri, 2, 8);
      assert.match(text, /Effective value \(from this service's `-o`\): `encrypt`/, `${uri.path}: ${text}`);
    }
  });
});
