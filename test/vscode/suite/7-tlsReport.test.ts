import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TlsReportPanel } from '../../../src/extension/commands/tlsReport';
import { activateExtension, EXTENSION_ID, waitFor } from '../helpers';

describe('extension: Mail TLS Report webview', () => {
  let shown: TlsReportPanel | undefined;
  // The host opens a copy of the fixture workspace; the other fixtures are read from the extension's own folder.
  const fixture = (...p: string[]) => vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'test', 'fixtures', ...p);

  it('shows a mail log and a TLS-RPT report as a chart, MX table and findings, with a strict CSP', async () => {
    await activateExtension();
    const log = fixture('logs', 'tls-deliveries.log');
    const report = fixture('tlsrpt', 'rfc8460-example.json');
    shown = (await vscode.commands.executeCommand('mailTlsDoctor.showTlsReport', log, [log, report])) as TlsReportPanel | undefined;
    assert.ok(shown, 'no panel');
    const panel = shown;
    assert.equal(shown.panel.title, 'Mail TLS Report');
    await waitFor(() => panel.panel.visible, 'the panel becomes visible');
    const html = shown.panel.webview.html;
    assert.equal(html, shown.html);
    assert.match(html, /<svg class="chart"/);
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; img-src data:; style-src 'nonce-[A-Za-z0-9+/=]+' [^;]+; script-src 'nonce-[A-Za-z0-9+/=]+';$/);
    assert.ok(csp.includes(shown.panel.webview.cspSource));
    // No remote content: nothing is loaded from anywhere (the CSP's style-src names the webview's own source).
    assert.doesNotMatch(
      html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
      /https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link|<img|<iframe|url\(/i,
      'no remote content',
    );
    const legacy = shown.model.series.find((s) => s.destination === 'legacy.test');
    assert.deepEqual([legacy?.failed, legacy?.ok], [4, 0]);
    assert.ok(shown.model.rows.some((r) => r.id === 'tlsrpt.certificate-expired' && r.check === 'mx1.mail.company-y.example:25'));
    assert.ok(!html.includes('hunter2'), 'no secret from the log reaches the view');
  });

  it('"Open line" opens the log at the finding\'s line; a forged message does nothing', async () => {
    assert.ok(shown, 'the first test showed the panel');
    const i = shown.model.rows.findIndex((r) => r.id === 'maillog.destination-persistent');
    assert.ok(i >= 0);
    await shown.handle({ type: 'open', row: i });
    const editor = await waitFor(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith('tls-deliveries.log')), 'the log opens');
    assert.equal(editor.selection.active.line, shown.model.rows[i].line);
    assert.equal(shown.model.rows[i].line, 2);
    await shown.handle({ type: 'open', row: 10_000 });
    await shown.handle({ type: 'open', file: '/etc/passwd', row: '0' });
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === '/etc/passwd'));
  });

  it('a closed panel is forgotten: the next report opens a new one that answers its page', async () => {
    assert.ok(shown, 'the first test showed the panel');
    const old = shown.panel;
    old.dispose();
    const log = fixture('logs', 'tls-deliveries.log');
    const again = (await vscode.commands.executeCommand('mailTlsDoctor.showTlsReport', log)) as TlsReportPanel | undefined;
    assert.ok(again, 'no panel');
    assert.notEqual(again.panel, old);
    await waitFor(() => again.panel.visible, 'the new panel becomes visible');
    const i = again.model.rows.findIndex((r) => r.id === 'maillog.destination-persistent');
    await again.handle({ type: 'open', row: i });
    await waitFor(() => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith('tls-deliveries.log')), 'the log opens');
    again.panel.dispose();
  });
});
