import * as vscode from 'vscode';
import type { DomainReport } from '../../core/domain';
import { parseMailDomain } from '../../core/domain/name';
import type { Controller } from '../controller';
import { VIEW_ID } from '../ids';
import { asCancellationToken } from '../cancellation';
import { OPEN_SETTING, openSetting, searched, showInfo } from '../notify';
import { askParsed } from './ask';
import { confirmUntrusted } from './trust';
import type { Node } from '../tree';
import { plural } from '../../core/wording';

export interface CheckDomainOptions {
  /** Cancels like the progress notification's Cancel button (scripts, tests). */
  cancellation?: vscode.CancellationToken;
  /** Lab ports, as the CLI's --smtp-port / --https-port: MX hosts are probed on 25 and policies fetched on 443. */
  smtpPort?: number;
  httpsPort?: number;
}

/**
 * `Check Mail Domain...`: the domain typed by the user (validated as they type), or given by the tree's domain
 * node or a caller. Like Probe Host, the user names what is contacted, so no trust prompt: nothing the workspace
 * names is checked unless the user picked it.
 */
export async function checkMailDomain(ctl: Controller, target?: unknown, opts: CheckDomainOptions = {}): Promise<DomainReport[]> {
  const node = target as Extract<Node, { kind: 'domain' }> | undefined;
  const given = typeof target === 'string' ? target : node?.kind === 'domain' && typeof node.entry?.domain === 'string' ? node.entry.domain : undefined;
  const parsed = await askParsed(
    given,
    {
      title: 'Mail TLS Doctor: Check Mail Domain',
      prompt: 'A mail domain: its MX hosts, DANE, MTA-STS and TLS-RPT are checked the way a sending MTA sees them',
      placeHolder: 'example.com',
      errorPrefix: 'not a mail domain: ',
    },
    parseMailDomain,
  );
  if (!parsed) return [];
  void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  return ctl.checkDomains({
    domains: [parsed.domain],
    title: `Mail TLS Doctor: checking the mail domain ${parsed.domain}`,
    cancellation: asCancellationToken(opts.cancellation),
    smtpPort: port(opts.smtpPort),
    httpsPort: port(opts.httpsPort),
  });
}

/**
 * `Check Workspace Mail Domains`: every domain the workspace's configs name. An explicit request, so in an untrusted
 * workspace it asks once, modally, as Probe Workspace does; the registered command takes no argument (a command
 * link must not skip the prompt).
 */
export async function checkWorkspaceDomains(ctl: Controller, internal: { skipTrustPrompt?: boolean } = {}): Promise<DomainReport[]> {
  await ctl.lint.whenIdle();
  const domains = ctl.workspaceDomains();
  const named = new Set(ctl.offeredDomains().map((d) => d.domain)).size;
  if (domains.length === 0 && named > 0) {
    void showInfo(
      `Mail TLS Doctor: ${named === 1 ? 'the one mail domain' : `all ${named} mail domains`} this workspace names ${named === 1 ? 'is' : 'are'} in mailTlsDoctor.probe.ignoredHosts; nothing was checked.`,
      OPEN_SETTING,
    ).then((pick) => pick && openSetting('mailTlsDoctor.probe.ignoredHosts'));
    return [];
  }
  if (domains.length === 0) {
    // Sender domains are named but not offered until the user asks for them: say so instead of "none found".
    const senders = !ctl.settings.includeSenderDomains && ctl.lint.domains().some((d) => d.sender);
    // Not waited on, as in Probe Workspace: the command ends now and the button still asks for a domain.
    void showInfo(
      `Mail TLS Doctor found no mail domain (an unbracketed relayhost in main.cf, TLS policy map entries) ${searched()}${senders ? '; the nodemailer sender domains it names are listed only with mailTlsDoctor.domains.includeSenderDomains' : ''}.`,
      'Check Mail Domain...',
    ).then((pick) => pick && checkMailDomain(ctl));
    return [];
  }
  const go = await confirmUntrusted(ctl, internal, {
    question: `Check ${plural(domains.length, 'mail domain')} named in its files?`,
    names: domains,
    detail:
      'The check asks the DNS resolver about these domains, opens TCP connections and TLS handshakes to their MX hosts on port 25 and fetches their MTA-STS policies over HTTPS. It never sends credentials or mail.',
    button: 'Check',
  });
  if (!go) return [];
  void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  return ctl.checkDomains({ domains, title: "Mail TLS Doctor: checking the workspace's mail domains" });
}

function port(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? v : undefined;
}
