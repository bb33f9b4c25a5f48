import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, codeOf, ours, removeCreated, waitFor, wsUri } from '../helpers';

describe('extension: diagnostics from the lint engine', () => {
  before(async () => {
    await activateExtension();
  });

  after(async () => {
    await removeCreated('etc', 'postfix', 'typing');
    await removeCreated('rotated-logs');
    await removeCreated('policy-table');
  });

  it('scans a Postfix TLS policy table by its name and marks an entry Postfix rejects', async () => {
    const uri = wsUri('policy-table', 'tls_policy');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('# per-destination TLS\nexample.org dane_only\nexample.com may\n'));
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    const d = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'postfix.policy-map-level'), 'the policy-map-level diagnostic');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [1, 12, 21]);
  });

  it('scans every log name the mail-log linter owns: mail.info and a rotated mail.log.1, like the CLI', async () => {
    const line = 'Nov 27 10:05:12 mail postfix/smtp[1240]: SSL_connect error to smtp.example.com[192.0.2.10]:465: lost connection\n';
    const info = wsUri('rotated-logs', 'mail.info');
    const rotated = wsUri('rotated-logs', 'mail.log.1');
    await vscode.workspace.fs.writeFile(info, Buffer.from(line));
    await vscode.workspace.fs.writeFile(rotated, Buffer.from(line));
    await vscode.commands.executeCommand('mailTlsDoctor.lintWorkspace');
    for (const uri of [info, rotated]) {
      await waitFor(() => ours(uri).some((x) => codeOf(x) === 'maillog.postfix-ssl-connect-lost'), `a diagnostic in ${uri.path}`);
    }
  });

  it('marks the relayhost port in main.cf, with the finding id as code and a link to its explanation', async () => {
    const uri = wsUri('etc', 'postfix', 'main.cf');
    const d = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'postfix.relayhost-needs-wrappermode'), 'the wrappermode diagnostic');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    // `relayhost = [smtp.example.com]:465`: the port, on line 7 (0-based 6).
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [6, 31, 6, 34]);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(d.range), '465');
    // The code links to the line of docs/findings-postfix.md that explains the id.
    assert.ok(typeof d.code === 'object', 'the code is not a link');
    assert.ok(d.code.target.path.endsWith('/docs/findings-postfix.md'), d.code.target.toString());
    const line = Number(/^L(\d+)$/.exec(d.code.target.fragment)?.[1]);
    const docLines = Buffer.from(await vscode.workspace.fs.readFile(d.code.target.with({ fragment: '' })))
      .toString('utf8')
      .split('\n');
    assert.match(docLines[line - 1] ?? '', /`postfix\.relayhost-needs-wrappermode`/);
    const legacy = ours(uri).filter((x) => codeOf(x) === 'postfix.legacy-protocols');
    assert.equal(legacy.length, 2);
    assert.deepEqual(legacy.map((x) => x.range.start.line).sort(), [16, 17]);
  });

  it('marks master.cf services and points a nodemailer finding at the .env line that fed it', async () => {
    const master = wsUri('etc', 'postfix', 'master.cf');
    const smtps = await waitFor(() => ours(master).find((x) => codeOf(x) === 'postfix.smtps-without-wrappermode'), 'the smtps diagnostic');
    assert.equal(smtps.range.start.line, 6);
    const mailer = wsUri('app', 'mailer.js');
    const d = await waitFor(() => ours(mailer).find((x) => codeOf(x) === 'nodemailer.plaintext-on-implicit-port'), 'the nodemailer diagnostic');
    const doc = await vscode.workspace.openTextDocument(mailer);
    assert.equal(doc.getText(d.range), 'false');
    const rel = d.relatedInformation ?? [];
    assert.ok(
      rel.some((r) => r.location.uri.path.endsWith('/.env') && r.location.range.start.line === 1),
      `related: ${JSON.stringify(rel.map((r) => [r.location.uri.path, r.location.range.start.line]))}`,
    );
  });

  it('lints as you type (debounced) and clears the diagnostic when the text is fixed', async () => {
    const uri = wsUri('etc', 'postfix', 'typing', 'main.cf');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('smtpd_tls_security_level = may\n'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3\n'));
    const d = await waitFor(() => ours(uri).find((x) => codeOf(x) === 'postfix.legacy-protocols'), 'a diagnostic for the typed line');
    assert.equal(d.range.start.line, 1);
    await editor.edit((e) => e.replace(d.range, '>=TLSv1.2'));
    await waitFor(() => !ours(uri).some((x) => codeOf(x) === 'postfix.legacy-protocols'), 'the diagnostic to go away');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('explains TLS parameters on hover, with the effective value', async () => {
    const uri = wsUri('etc', 'postfix', 'main.cf');
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('smtpd_tls_protocols'));
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(line, 3))) as vscode.Hover[];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /smtpd_tls_protocols/);
    assert.match(text, /TLS 1\.0\/1\.1/);
    assert.match(text, /Effective value \(from this file\)/);
  });

  it("in master.cf, a service's -o override is the effective value", async () => {
    const uri = wsUri('etc', 'postfix', 'master.cf');
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('-o smtpd_tls_security_level=may'));
    const col = doc.lineAt(line).text.indexOf('smtpd_tls_security_level') + 2;
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(line, col))) as vscode.Hover[];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Effective value \(from this service's `-o`\): `may`/);
  });
});
