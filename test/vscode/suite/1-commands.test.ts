import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from '../helpers';

describe('extension: activation and commands', () => {
  it('activates and registers every command its manifest declares', async () => {
    await activateExtension();
    const declared: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    assert.ok(declared.length >= 6);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    for (const c of ['probeWorkspace', 'probeHost', 'explainError', 'lintWorkspace', 'showTranscript', 'exportReport']) {
      assert.ok(registered.has(`mailTlsDoctor.${c}`), c);
    }
  });

  it("activation loads only the shell: the linters, the tree and the commands' work come from the editor part, loaded for the startup lint", async () => {
    const api = await activateExtension();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const dist = path.join(ext.extensionPath, 'dist');
    const shell = fs.readFileSync(path.join(dist, 'extension.js'), 'utf8');
    assert.match(shell, /require\("\.\/ext-editor\.js"\)/, 'the shell does not load the editor part');
    // Finding ids (the registry, every linter) and the Postfix parameter table live in the part only.
    const part = fs.readFileSync(path.join(dist, 'ext-editor.js'), 'utf8');
    for (const text of ['postfix.cert-expired', 'smtpd_tls_cert_file', 'explain.connection-refused']) {
      assert.ok(part.includes(text), `the editor part lacks ${text}`);
      assert.ok(!shell.includes(text), `the shell (dist/extension.js) holds ${text}: activation evaluates it`);
    }
    const t = api.timings();
    assert.ok(t.editorLoad, 'the startup lint did not load the editor part');
    assert.ok(t.startedMs !== undefined && t.startedMs >= 0, 'the startup work has not ended');
  });

  it('runs in the real host: the workspace is trusted in this session and main.cf is a Postfix document', async () => {
    const api = await activateExtension();
    assert.equal(api.isTrusted, true);
    const [uri] = await vscode.workspace.findFiles('etc/postfix/main.cf');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'postfix');
  });

  it('explains a pasted error without opening any connection', async () => {
    const api = await activateExtension();
    const before = api.probeStateCount();
    const findings = (await vscode.commands.executeCommand(
      'mailTlsDoctor.explainError',
      'SSL_connect error to smtp.example.com[192.0.2.10]:465: lost connection',
    )) as { id: string; fix: string }[];
    assert.ok(findings.length > 0, 'no explanation');
    assert.ok(findings.every((f) => f.id && f.fix));
    assert.equal(api.probeStateCount(), before);
  });
});
