import * as vscode from 'vscode';
import { defaultPort, makeEndpoint, PORT_DEFAULTS, validateHostname, type Endpoint, type Protocol, type TlsMode } from '../../core/endpoint';
import { PROTOCOL_NAMES, PROTOCOLS, TLS_MODES } from '../../core/protocols';
import type { ProbeResult } from '../../core/probe/types';
import { parseTargetSpec } from '../../core/targetSpec';
import type { Controller } from '../controller';
import { Command, VIEW_ID } from '../ids';
import { asCancellationToken } from '../cancellation';
import { OPEN_SETTING, openSetting, searched, showError, showInfo } from '../notify';
import { askParsed } from './ask';
import { confirmUntrusted } from './trust';
import { plural } from '../../core/wording';

export interface ProbeHostOptions {
  protocol?: Protocol;
  mode?: TlsMode;
  servername?: string;
  /** Cancels the probe like the progress notification's Cancel button does (for scripts and tests). */
  cancellation?: vscode.CancellationToken;
}

/**
 * `Probe Workspace Mail Servers`: an explicit request, so in an untrusted workspace it asks once, modally. The
 * registered command passes no options (a command link or another extension must not skip the prompt); only code
 * of this extension can, and none does outside tests of this function.
 */
export async function probeWorkspace(ctl: Controller, internal: { skipTrustPrompt?: boolean } = {}): Promise<ProbeResult[]> {
  await ctl.lint.whenIdle();
  const endpoints = ctl.workspaceEndpoints();
  if (endpoints.length === 0 && ctl.lint.endpoints().length > 0) {
    // Servers are named, but every one is ignored: saying "none found" would send the user looking in the wrong place.
    const named = new Set(ctl.lint.endpoints().map((d) => d.endpoint.host.toLowerCase())).size;
    void showInfo(
      `Mail TLS Doctor: ${named === 1 ? 'the one host' : `all ${named} hosts`} this workspace names ${named === 1 ? 'is' : 'are'} in mailTlsDoctor.probe.ignoredHosts; nothing was probed.`,
      OPEN_SETTING,
    ).then((pick) => pick && openSetting('mailTlsDoctor.probe.ignoredHosts'));
    return [];
  }
  if (endpoints.length === 0) {
    // Not waited on, like the notice above: the command ends now (a keybinding or a caller is not left waiting for
    // a notification nobody may close), and the button still runs Probe Host...
    void showInfo(`Mail TLS Doctor found no mail servers (Postfix relayhost, nodemailer transports, mail logs) ${searched()}.`, 'Probe Host...').then(
      (pick) => pick && vscode.commands.executeCommand(Command.probeHost),
    );
    return [];
  }
  const hosts = [...new Set(endpoints.map((e) => e.host))];
  const go = await confirmUntrusted(ctl, internal, {
    question: `Connect to ${plural(hosts.length, 'host')} named in its files?`,
    names: hosts,
    detail: 'Probes open TCP connections and TLS handshakes to these hosts from this machine. They never send credentials or mail.',
    button: 'Connect',
  });
  if (!go) return [];
  void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  return ctl.probeEndpoints(endpoints, "Mail TLS Doctor: probing the workspace's mail servers", true);
}

interface ModeItem extends vscode.QuickPickItem {
  protocol: Protocol;
  mode: TlsMode;
}

/** Every protocol and mode of the protocol table, in its order. */
const MODES: { protocol: Protocol; mode: TlsMode }[] = PROTOCOL_NAMES.flatMap((protocol) => TLS_MODES.map((mode) => ({ protocol, mode })));

/**
 * `Probe Host...`: host[:port] typed by the user (validated as they type), then protocol and mode with the port's
 * usual pairing preselected; or a mail URL as the CLI takes it (`imaps://host`, `submission://host:2587`), whose
 * scheme names the protocol and mode, so no pick follows (the scheme wins over `opts`, as over the CLI's flags).
 * Called with arguments (from the tree or a test) it skips the prompts.
 */
export async function probeHost(ctl: Controller, target?: string, opts: ProbeHostOptions = {}): Promise<ProbeResult[]> {
  const parsed = await askParsed(
    target,
    {
      title: 'Mail TLS Doctor: Probe Host',
      prompt: 'Mail server as host[:port] or a mail URL, e.g. smtp.example.com:587, [192.0.2.1]:465, imaps://imap.example.com',
      placeHolder: 'smtp.example.com:587',
    },
    parseTargetSpec,
  );
  if (!parsed) return [];
  let protocol = parsed.protocol ?? opts.protocol;
  let mode = parsed.mode ?? opts.mode;
  if (!protocol || !mode) {
    const picked = await pickMode(parsed.port);
    if (!picked) return [];
    ({ protocol, mode } = picked);
  }
  if (opts.servername !== undefined && !validateHostname(opts.servername).ok) {
    void showError('Mail TLS Doctor: the servername is not a valid host name.');
    return [];
  }
  const ep: Endpoint = makeEndpoint(parsed.host, parsed.port ?? defaultPort(protocol, mode), { protocol, mode, servername: opts.servername });
  ctl.addManual(ep);
  void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  return ctl.probeEndpoints([ep], `Mail TLS Doctor: probing ${parsed.host}`, true, asCancellationToken(opts.cancellation));
}

async function pickMode(port: number | undefined): Promise<{ protocol: Protocol; mode: TlsMode } | undefined> {
  const preferred = port !== undefined ? PORT_DEFAULTS[port] : undefined;
  const items: ModeItem[] = MODES.map(({ protocol, mode }) => ({
    protocol,
    mode,
    label: `${PROTOCOLS[protocol].label} ${mode === 'implicit' ? 'with implicit TLS' : 'with STARTTLS'}`,
    description: port !== undefined ? `port ${port}` : `port ${defaultPort(protocol, mode)}`,
    detail: preferred && preferred.protocol === protocol && preferred.mode === mode ? `The usual pairing for port ${port}` : undefined,
  }));
  const qp = vscode.window.createQuickPick<ModeItem>();
  qp.title = 'Mail TLS Doctor: protocol and TLS mode';
  qp.items = items;
  const active = items.find((i) => preferred && i.protocol === preferred.protocol && i.mode === preferred.mode) ?? items[0];
  qp.activeItems = [active];
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const s = qp.selectedItems[0] ?? qp.activeItems[0];
      resolve(s ? { protocol: s.protocol, mode: s.mode } : undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
