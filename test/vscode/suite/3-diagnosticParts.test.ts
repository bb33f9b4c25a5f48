import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

// A file's diagnostics go out in parts by line (src/extension/diagnostics.ts, 64 lines a part): a keystroke re-sends
// only the parts whose list changed or whose squiggles the edit may have moved. The host keeps the Diagnostic
// objects of a part it was not sent again, so object identity tells which parts went out.
const filler = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `# note ${from + i}`);
const TEXT = [
  'relayhost = [smtp.example.com]:465', // 0: postfix.relayhost-needs-wrappermode (part 0); its fix edits line 100
  ...filler(1, 100),
  'smtp_tls_security_level = may', // 100
  'smtpd_tls_protocols = !SSLv2, !SSLv3', // 101: postfix.legacy-protocols (part 1)
  ...filler(102, 200),
  'smtp_tls_protocols = !SSLv2, !SSLv3', // 200: postfix.legacy-protocols (part 3)
  '',
].join('\n');

describe('extension: diagnostics sent in parts by line', function () {
  this.timeout(60_000);
  let api: MailTlsDoctorApi;
  const uri = () => wsUri('parts', 'main.cf');
  const at = (line: number, id: string) => ours(uri()).find((d) => d.range.start.line === line && codeOf(d) === id);
  const legacy = 'postfix.legacy-protocols';
  const wrapper = 'postfix.relayhost-needs-wrappermode';

  before(async () => {
    api = await activateExtension();
    await vscode.workspace.fs.writeFile(uri(), Buffer.from(TEXT));
  });

  after(async () => {
    await removeCreated('parts');
    await removeCreated('parts-deleted');
  });

  /** Makes an edit and waits for the as-you-type lint that follows it. */
  async function edit(editor: vscode.TextEditor, change: (b: vscode.TextEditorEdit) => void): Promise<void> {
    const before = api.timings().typingLint(uri().toString())?.seq ?? 0;
    assert.ok(await editor.edit(change), 'the editor refused the edit');
    await waitFor(() => (api.timings().typingLint(uri().toString())?.seq ?? 0) > before, 'the lint after the edit');
  }

  it('the session does not auto-save: the edits below stay unsaved, so reverting goes back to the file as written', () => {
    // VS Code for the Web (the offline runner's workbench) auto-saves after 1 s by default; on a loaded machine the
    // first test's edits reached the disk between two keystrokes and the second test's revert kept them (2 of 7 runs).
    assert.equal(vscode.workspace.getConfiguration('files', uri()).get('autoSave'), 'off');
  });

  it('re-sends only the part an edit touched, all parts from a new line on, and quick fixes of unsent parts use the new lint', async () => {
    const doc = await vscode.workspace.openTextDocument(uri());
    const editor = await vscode.window.showTextDocument(doc);
    await waitFor(() => at(0, wrapper) && at(101, legacy) && at(200, legacy), 'the three diagnostics');
    const [w, p1, p3] = [at(0, wrapper)!, at(101, legacy)!, at(200, legacy)!];
    const count = ours(uri()).length;

    // A keystroke where nothing is and nothing changes: nothing goes out.
    await edit(editor, (b) => b.insert(new vscode.Position(150, doc.lineAt(150).text.length), 'x'));
    assert.equal(at(0, wrapper), w);
    assert.equal(at(101, legacy), p1);
    assert.equal(at(200, legacy), p3);

    // At the end of line 101's value: its part goes out again, the others stay as they were.
    await edit(editor, (b) => b.insert(new vscode.Position(101, doc.lineAt(101).text.length), ', !TLSv1'));
    const p1b = at(101, legacy);
    assert.ok(p1b && p1b !== p1, 'the touched part was not sent again');
    assert.match(doc.getText(p1b.range), /SSLv2/);
    assert.equal(at(0, wrapper), w);
    assert.equal(at(200, legacy), p3);

    // A new line at line 50: everything after it moved and goes out again; part 0 above it does not.
    await edit(editor, (b) => b.insert(new vscode.Position(50, 0), '# inserted\n'));
    assert.equal(at(0, wrapper), w, 'part 0 lies before the edit: not sent again');
    const moved = [at(102, legacy), at(201, legacy)];
    assert.ok(
      moved[0] && moved[1],
      ours(uri())
        .map((d) => `${codeOf(d)}@${d.range.start.line}`)
        .join(', '),
    );
    for (const d of moved) assert.match(doc.getText(d!.range), /SSLv2/);
    assert.equal(ours(uri()).length, count, 'each diagnostic shows once');

    // The kept relayhost diagnostic's quick fix edits smtp_tls_security_level where it is now (line 101, was 100).
    const actions = (await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      uri(),
      w.range,
      vscode.CodeActionKind.QuickFix.value,
    )) as vscode.CodeAction[];
    const fix = actions.find((a) => /wrappermode/.test(a.title) && !a.title.startsWith('Fix all'));
    assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const text = doc.getText().split('\n');
    assert.equal(text[1], 'smtp_tls_wrappermode = yes');
    assert.equal(text[102], 'smtp_tls_security_level = encrypt', text.slice(100, 104).join(' | '));
    await waitFor(() => !ours(uri()).some((d) => codeOf(d) === wrapper), 'the wrappermode diagnostic to go away');
  });

  it('a deletion over two lines sends every part after it again and keeps the part before it', async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const doc = await vscode.workspace.openTextDocument(uri());
    const editor = await vscode.window.showTextDocument(doc);
    await waitFor(() => at(0, wrapper) && at(101, legacy) && at(200, legacy), 'the three diagnostics');
    await api.whenIdle();
    const [w, p1, p3] = [at(0, wrapper)!, at(101, legacy)!, at(200, legacy)!];
    // Lines 50 and 51 joined (a range over two lines, no line break typed): the parts below it move up a line and go
    // out again; the one above it stays as it was sent (diagnostics.ts judges a part wholly above an edit unmoved).
    await edit(editor, (b) => b.delete(new vscode.Range(50, doc.lineAt(50).text.length, 51, 0)));
    assert.equal(at(0, wrapper), w, 'part 0 lies before the edit: not sent again');
    const moved = [at(100, legacy), at(199, legacy)];
    assert.ok(moved[0] && moved[1] && moved[0] !== p1 && moved[1] !== p3, 'the parts below the edit were not sent again');
    for (const d of moved) assert.match(doc.getText(d!.range), /SSLv2/);
  });

  it('a deleted file leaves no diagnostic in any part', async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // A file no editor has loaded: its lint comes from the disk, and its deletion from the watcher.
    const gone = wsUri('parts-deleted', 'main.cf');
    await vscode.workspace.fs.writeFile(gone, Buffer.from(TEXT));
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    await waitFor(() => ours(gone).length >= 3 && ours(gone).some((d) => d.range.start.line === 200), 'the diagnostics of every part');
    await removeCreated('parts-deleted');
    await waitFor(() => vscode.languages.getDiagnostics(gone).length === 0, 'no diagnostic left in any part', 30_000);
  });
});
