import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MailTlsDoctorApi } from '../../../src/extension/api';
import { startHostile, type HostileServer } from '../../support/hostile';
import { labPki } from '../../support/hostile/certs';
import { activateExtension, findNode, flatten, removeCreated, waitFor, wsUri } from '../helpers';

/** VS Code's notification link syntax (vs/base/common/linkedText.ts): what must never form in a notification. */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/;

// Hostile workspace settings and hostile servers, in the real host: what reaches a notification and a tooltip.
describe('extension: hostile settings and servers cannot act', function () {
  this.timeout(60_000);
  let api: MailTlsDoctorApi;

  before(async () => {
    api = await activateExtension();
  });

  describe('a settings file with command links (as a git pull would write it)', () => {
    const settingsUri = () => wsUri('.vscode', 'settings.json');
    let original: Uint8Array;

    before(async () => {
      original = await vscode.workspace.fs.readFile(settingsUri());
    });
    after(async () => {
      await vscode.workspace.fs.writeFile(settingsUri(), original);
      await waitFor(
        () =>
          !vscode.workspace
            .getConfiguration('mailTlsDoctor')
            .get<string[]>('probe.ignoredHosts')
            ?.some((h) => h.includes('command:')),
        'the settings restored',
      );
    });

    it('the warning names the settings and never carries a link; probe.onStartup and probe.intervalMinutes from the workspace are ignored', async () => {
      const before = api.recentNotices().length;
      const hostile = {
        'mailTlsDoctor.probe.ignoredHosts': ['*.example.com', '*.example.net', '*.example.org', '[Open a terminal](command:workbench.action.terminal.new)'],
        'mailTlsDoctor.severityOverrides': { '[Run](command:workbench.action.terminal.sendSequence?{"text":"id\\n"})': 'off' },
        'mailTlsDoctor.probe.timeoutSeconds': '[x](command:workbench.action.reloadWindow)',
        'mailTlsDoctor.probe.onStartup': true,
        'mailTlsDoctor.probe.intervalMinutes': 60,
      };
      await vscode.workspace.fs.writeFile(settingsUri(), Buffer.from(JSON.stringify(hostile, null, 2)));
      const notice = await waitFor(
        () =>
          api
            .recentNotices()
            .slice(before)
            .find((n) => n.includes('mailTlsDoctor.')),
        'the settings warning',
      );
      assert.doesNotMatch(notice, NOTIFICATION_LINK, notice);
      assert.doesNotMatch(notice, /command:|[[\]]/, notice);
      assert.match(notice, /mailTlsDoctor\.probe\.ignoredHosts/);
      assert.match(notice, /output/);
      for (const n of api.recentNotices()) assert.doesNotMatch(n, NOTIFICATION_LINK, n);
      // `machine` scope: the workspace cannot switch on probing at startup.
      assert.notEqual(vscode.workspace.getConfiguration('mailTlsDoctor').get('probe.onStartup'), true);
      // Nor watch mode: background probes of every host the workspace names, every hour, without being asked.
      await new Promise((r) => setTimeout(r, 500)); // the watch timer follows the same settings change
      assert.equal(api.watch()!.intervalMs, 0, 'a workspace setting turned watch mode on');
    });
  });

  describe('a certificate whose SAN closes a code fence and embeds an image', () => {
    let server: HostileServer;
    before(async () => {
      const pki = labPki();
      const san = 'mail.evil.test\n   ```\n![pixel](//127.0.0.1/pixel.png) <img src=//127.0.0.1/p.png>\n**Fix** run the attached script';
      const leaf = pki.leaf({ cn: 'evil ``` ![x](//127.0.0.1/x.png)', sans: [san, 'localhost'] });
      const der = Buffer.from(leaf.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
      server = await startHostile(
        { name: 'hostile-cert', tls: () => ({ key: leaf.keyPem, cert: pki.chain(leaf), leafDer: der, caPem: pki.root.certPem }) },
        { protocol: 'smtp', mode: 'implicit' },
      );
    });
    after(() => server?.close());

    it("the finding tooltip keeps the evidence inside its code block (rendered by VS Code's Markdown engine)", async () => {
      await vscode.commands.executeCommand('mailTlsDoctor.probeHost', `${server.host}:${server.port}`, {
        protocol: 'smtp',
        mode: 'implicit',
        servername: 'mail.example.test',
      });
      const ep = await waitFor(() => findNode(api.getTreeSnapshot(), (n) => n.label === `SMTP 127.0.0.1:${server.port} (implicit TLS)`), 'the endpoint');
      const finding = flatten(ep.children).find((n) => n.description === 'cert.hostname-mismatch');
      assert.ok(
        finding?.tooltip,
        `no hostname-mismatch finding: ${flatten(ep.children)
          .map((n) => n.description ?? n.label)
          .join(' | ')}`,
      );
      assert.ok(finding.tooltip.includes('pixel.png'), 'premise: the SAN reached the tooltip');
      const cert = flatten(ep.children).find((n) => n.label.startsWith('0: '));
      const texts = [finding.tooltip, cert?.tooltip ?? ''];
      let rendered: string | undefined;
      try {
        rendered = (await vscode.commands.executeCommand('markdown.api.render', texts.join('\n\n---\n\n'))) as string;
      } catch {
        rendered = undefined; // the built-in Markdown extension is not in this host: the structural check below still runs
      }
      console.log(
        `[mtd]       (tooltip ${rendered === undefined ? 'checked structurally only: markdown.api.render is not available' : 'rendered by markdown.api.render'})`,
      );
      if (rendered !== undefined) {
        assert.doesNotMatch(rendered, /<img|<a\s/i, rendered);
        assert.doesNotMatch(rendered, /<strong>Fix<\/strong> run the attached/, 'fake Fix text rendered as Markdown');
      }
      // Structural: the fence that opens the evidence is longer than any backtick run inside it.
      const open = /^(`{3,})text$/m.exec(finding.tooltip);
      assert.ok(open, finding.tooltip);
      const after = finding.tooltip.slice(open.index + open[0].length);
      const close = after.indexOf(`\n${open[1]}\n`);
      assert.ok(close >= 0, 'the fence is closed');
      for (const line of after.slice(0, close).split('\n')) assert.doesNotMatch(line, new RegExp(`^ {0,3}\`{${open[1].length},}\\s*$`), line);
    });
  });

  describe('a main.cf value with bidi and terminal controls (a hostile repository)', () => {
    const uri = () => wsUri('hostile-hover', 'main.cf');
    after(() => removeCreated('hostile-hover'));

    it('the hover shows them escaped inside the value, never as controls', async () => {
      // U+202E reverses what follows on screen ("Trojan Source"); ESC starts a terminal sequence.
      await vscode.workspace.fs.writeFile(uri(), Buffer.from('smtp_tls_security_level = may\u202e tpyrcne\nsmtp_tls_loglevel = 1\u001b[2J\n'));
      for (const [line, shown] of [
        [0, 'may\\u202e tpyrcne'],
        [1, '1\\x1b[2J'],
      ] as const) {
        const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri(), new vscode.Position(line, 3))) as vscode.Hover[];
        const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
        assert.ok(text.includes('Effective value (from this file)'), text);
        assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(text));
        assert.ok(text.includes(shown), JSON.stringify(text));
      }
    });
  });
});
