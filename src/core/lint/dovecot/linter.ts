/**
 * The Dovecot lint: dovecot.conf and the conf.d/NN-name.conf files it includes. Names alone would claim other
 * servers' files (Apache's and nginx's conf.d hold `10-ssl.conf`-style names too), so a numbered file (in a conf.d
 * folder or a dovecot tree) is claimed when it sits in dovecot/conf.d or its text reads as Dovecot's.
 */
import * as nodePath from 'node:path';
import type { Linter, LintHost, LintResult } from '../types';
import { buildContext } from './context';
import { discoverEndpoints } from './endpoints';
import { checkCertificates } from './rules/certs';
import { checkCipherList } from './rules/ciphers';
import { checkMissingFilePrefix } from './rules/fileValues';
import { checkTlsWithoutCertificate } from './rules/noCertificate';
import { checkMissingIncludes } from './rules/includes';
import { checkMinProtocol, checkRemovedProtocols } from './rules/protocols';
import { checkObsoleteDhSettings } from './rules/removed';
import { checkCleartextAuth, checkSslDisabled } from './rules/ssl';
import { checkSyntax } from './rules/syntax';
import { reportTemplate } from './rules/templateFile';
import { checkVersionNames } from './rules/versionNames';

/** A text this large is no hand-written Dovecot config (the stock 10-mail.conf is 18 KB). */
const MAX_LENGTH = 2_000_000;

/** Settings and sections only Dovecot writes this way (`key = value` with Dovecot's names, its section names). */
const DOVECOT_TEXT =
  /^[ \t]*(?:(?:ssl|ssl_(?:cert|key|ca|dh|min_protocol|cipher_list|protocols|server_cert_file|server_key_file|client_ca_dir|prefer_server_ciphers)|protocols|disable_plaintext_auth|auth_allow_cleartext|auth_mechanisms|mail_location|mail_plugins|mail_privileged_group|first_valid_uid|dovecot_config_version|login_greeting|login_trusted_networks)[ \t]*=|(?:service[ \t]+[\w-]+|inet_listener[ \t]+[\w-]+|unix_listener[ \t]+\S+|passdb(?:[ \t]+\w+)?|userdb(?:[ \t]+\w+)?|namespace[ \t]+\S+|protocol[ \t]+!?\w+|plugin)[ \t]*\{|!include(?:_try)?[ \t])/m;

export function looksLikeDovecot(text: string): boolean {
  return DOVECOT_TEXT.test(text.slice(0, 200_000));
}

export function isDovecotConf(path: string, text?: string): boolean {
  const base = nodePath.basename(path).toLowerCase();
  if (base === 'dovecot.conf') return true;
  if (!/^\d\d-[^/\\]*\.conf$/.test(base)) return false;
  const dir = nodePath.dirname(path);
  const confD = nodePath.basename(dir).toLowerCase() === 'conf.d';
  // By name (the CLI walk, the editor's scan): a conf.d folder, or any folder of a dovecot tree
  // (docker-mailserver keeps its conf.d files in target/dovecot/). The text decides below.
  if (text === undefined) return confD || /(^|[\\/])[^\\/]*dovecot[^\\/]*([\\/]|$)/i.test(dir);
  // conf.d of a dovecot/ folder: Dovecot's own, even when all of it is commented out.
  if (confD && /(^|[\\/])dovecot$/i.test(nodePath.dirname(dir))) return true;
  return looksLikeDovecot(text);
}

export const dovecotLinter: Linter = {
  format: 'dovecot',
  files: {
    label: 'Dovecot dovecot.conf and conf.d/*.conf',
    names: ['dovecot.conf', '[0-9][0-9]-*.conf'],
    activation: ['workspaceContains:**/dovecot.conf', 'workspaceContains:**/conf.d/[0-9][0-9]-*.conf'],
    oversize: 'skip',
    maxLength: MAX_LENGTH,
  },
  matches: (path, text) => isDovecotConf(path, text) && (text === undefined || text.length <= MAX_LENGTH),
  lint: lintDovecotConf,
};

export function lintDovecotConf(path: string, text: string, host: LintHost): LintResult {
  const ctx = buildContext(path, text, host);
  checkSyntax(ctx);
  checkMissingIncludes(ctx);
  checkVersionNames(ctx);
  checkSslDisabled(ctx);
  checkTlsWithoutCertificate(ctx);
  checkCleartextAuth(ctx);
  checkMissingFilePrefix(ctx);
  checkMinProtocol(ctx);
  checkRemovedProtocols(ctx);
  checkObsoleteDhSettings(ctx);
  checkCipherList(ctx);
  checkCertificates(ctx);
  reportTemplate(ctx);
  return { findings: ctx.findings, endpoints: discoverEndpoints(ctx) };
}
