import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { activateExtension, codeOf, makeWatchedFolder, ours, removeCreated, waitFor, wsUri } from '../helpers';

// A main.cf saved as "UTF-8 with BOM": VS Code opens it without the mark in the document's text (its encoding says
// utf8bom), the disk holds it. Postfix reads the mark as text, so the finding must show whether the file is linted
// from disk or open, with the other findings at the columns the editor shows.
describe('extension: a config saved with a byte-order mark', function () {
  this.timeout(60_000);
  const dir = 'bom';
  const mainCf = () => wsUri(dir, 'etc', 'postfix', 'main.cf');
  const place = (id: string) => ours(mainCf()).find((d) => codeOf(d) === id)?.range;

  before(async () => {
    await activateExtension();
    await makeWatchedFolder(vscode.Uri.joinPath(mainCf(), '..'));
    fs.writeFileSync(mainCf().fsPath, '\uFEFFrelayhost = [smtp.example.com]:465\n');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeCreated(dir);
  });

  it('linted from disk and open in the editor: the same finding, the other findings at the same columns', async () => {
    await waitFor(() => place('postfix.byte-order-mark'), 'the byte-order mark reported for the file on disk', 20_000);
    const fromDisk = place('postfix.relayhost-needs-wrappermode');
    assert.ok(fromDisk);
    const doc = await vscode.workspace.openTextDocument(mainCf());
    assert.equal(doc.encoding, 'utf8bom');
    assert.ok(!doc.getText().startsWith('\uFEFF'), "the document's text has no mark");
    await vscode.window.showTextDocument(doc);
    // A keystroke lints the document's text (no mark) again.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(mainCf(), new vscode.Position(1, 0), '\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await new Promise((r) => setTimeout(r, 1_000));
    await waitFor(() => place('postfix.byte-order-mark'), 'the byte-order mark reported for the open document');
    assert.deepEqual(place('postfix.relayhost-needs-wrappermode'), fromDisk);
    assert.equal(doc.lineAt(0).text.slice(fromDisk.start.character, fromDisk.end.character), '465');
  });
});
