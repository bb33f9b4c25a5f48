import * as nodePath from 'node:path';
import { coveredNames, matchesHostname, parsePemBundle } from '../../../cert';
import * as F from '../../../cert/findings';
import { certEvidence } from '../../../cert/wording';
import { printable } from '../../../endpoint';
import type { Finding, Range } from '../../../finding';
import type { FindingId } from '../../../findings';
import { FileChecks, report, RuleContext } from '../context';
import { hasTemplateMarkup, isPlaceholderWord } from '../../templates';
import type { Setting } from '../mainParser';
import { judgeServerFiles } from '../../serverCertFiles';
import { serverFileCandidates } from '../../serverPaths';
import { deniedAmong, deniedTexts } from '../../denied';

interface NamedFile {
  path: string;
  range: Range;
  setting: Setting;
}

interface LoadedFile extends NamedFile {
  text: string;
  foundAt: string;
}

/**
 * The server certificate files named in this scope (smtpd_tls_chain_files, or the cert/key pairs), read through
 * the host so the editor's unsaved buffers count. Only files this scope itself names are judged: a service that
 * inherits main.cf's files is main.cf's business.
 */
export function checkCertificates(ctx: RuleContext, configPath: string): void {
  const chain = own(ctx, 'smtpd_tls_chain_files');
  if (chain && ctx.scope.value('smtpd_tls_chain_files') !== '') {
    const files = load(ctx, configPath, chain);
    if (files) judge(ctx, files, files);
    return;
  }
  for (const [certName, keyName] of [
    ['smtpd_tls_cert_file', 'smtpd_tls_key_file'],
    ['smtpd_tls_eccert_file', 'smtpd_tls_eckey_file'],
  ]) {
    const certSetting = own(ctx, certName);
    const keySetting = own(ctx, keyName);
    if (!certSetting && !keySetting) continue;
    const certFiles = certSetting && ctx.scope.value(certName) !== '' ? load(ctx, configPath, certSetting) : [];
    // The key defaults to the certificate file ($smtpd_tls_cert_file): then the same file must hold both.
    const keyFiles = keySetting && ctx.scope.value(keyName) !== '' ? load(ctx, configPath, keySetting) : certFiles;
    if (!certFiles || !keyFiles || certFiles.length === 0) continue;
    judge(ctx, certFiles, keyFiles);
  }
}

function own(ctx: RuleContext, name: string): Setting | undefined {
  const s = ctx.scope.setting(name);
  return s && ctx.scope.resolved(name).complete ? s : undefined;
}

/** Parameters that name a local certificate, key or CA file (server and client side alike). */
export const FILE_PARAM =
  /^(smtpd|smtp|lmtp|tlsproxy|tlsproxy_client)_tls_(cert_file|key_file|eccert_file|eckey_file|dcert_file|dkey_file|chain_files|CAfile)$/;

/**
 * True when this config is one Postfix runs on this machine (not a copy in a project): the primary instance's
 * /etc/postfix, or a secondary instance's /etc/postfix-NAME (postmulti(1) names instances "postfix-NAME" and
 * derives their config_directory from the primary's by that name).
 */
export function isLiveConfig(configPath: string): boolean {
  return /^\/etc\/postfix(-[^/]+)?\//.test(nodePath.resolve(configPath));
}

/** The file names a value lists; template expressions and placeholders (`PH_SSL_KEY_FILE`) are not names. */
export function fileNames(value: string): Array<{ text: string; index: number }> {
  const out: Array<{ text: string; index: number }> = [];
  for (const m of value.matchAll(/[^\s,]+/g)) {
    if (isPlaceholderWord(m[0]) || hasTemplateMarkup(m[0])) continue;
    out.push({ text: m[0], index: m.index ?? 0 });
  }
  return out;
}

/** Reads a named file where it may be: as written, under the workspace mirror, beside the config. */
export function findFile(ctx: RuleContext, configPath: string, p: string): { text: string; at: string; tried: string[] } | { tried: string[] } {
  const tried = candidates(p, configPath, ctx.host.workspaceRoot);
  for (const c of tried) {
    const text = safeRead(ctx, c);
    if (text !== undefined) return { text, at: c, tried };
  }
  return { tried };
}

/** Splits the value into file names and reads each; reports the missing ones. Undefined when any is missing. */
function load(ctx: RuleContext, configPath: string, s: Setting, severity: 'error' | 'warning' = 'error'): LoadedFile[] | undefined {
  const value = ctx.scope.value(s.name);
  const literal = value === s.value.trim();
  const out: LoadedFile[] = [];
  let missing = false;
  for (const m of fileNames(value)) {
    const p = m.text;
    const range = literal ? s.valueSubRange(m.index, m.index + p.length) : s.valueRange;
    const found = findFile(ctx, configPath, p);
    if (!('text' in found)) {
      missing = true;
      reportMissing(ctx, configPath, s, p, range, found.tried, severity);
      continue;
    }
    out.push({ path: p, range, setting: s, text: found.text, foundAt: found.at });
  }
  return missing ? undefined : out;
}

function reportMissing(ctx: RuleContext, configPath: string, s: Setting, p: string, range: Range, tried: string[], severity: 'error' | 'warning'): void {
  const live = isLiveConfig(configPath);
  if (ctx.files && !ctx.files.reportMissing && !live) {
    ctx.files.skipped.push({ path: p, setting: s });
    return;
  }
  const denied = deniedAmong(ctx.host, tried);
  if (denied !== undefined) {
    report(ctx, 'postfix.cert-file-missing', {
      severity: 'info',
      ...deniedTexts(s.name, p, 'Postfix', `mail-tls-doctor lint ${nodePath.dirname(configPath)}`),
      range,
      evidence: [`not readable by this user: ${printable(denied, 200)}`],
    });
    return;
  }
  const server = severity === 'error';
  report(ctx, 'postfix.cert-file-missing', {
    severity: live ? severity : 'info',
    title: `${s.name} names ${printable(p)}, which could not be found or read.`,
    detail: live
      ? server
        ? 'Postfix cannot load its certificate or key (smtpd logs "cannot get RSA certificate from file ...: disabling ' +
          'TLS support"). It still announces STARTTLS but answers it with "454 4.7.0 TLS not available due to local ' +
          'problem": clients that require TLS cannot send, and senders on port 25 deliver in plain text.'
        : 'Postfix logs a warning and goes on without the file: with a missing CA file no certificate it should ' +
          'check can be trusted (verify/secure deliveries fail), with a missing client certificate or key the ' +
          'client presents none.'
      : 'This workspace holds other files this config names, at the paths the server uses, but not this one. If ' +
        'the copy is complete, the server lacks it too; a missing or unreadable certificate or key there makes smtpd ' +
        'answer STARTTLS with "454 4.7.0 TLS not available due to local problem".',
    fix:
      'Fix the path (absolute paths are safest), or copy the file into the workspace at the mirrored path ' + `(e.g. ${mirrorExample(p)}) to have it checked.`,
    range,
    evidence: tried.map((t) => `looked for ${printable(t, 200)}`),
  });
}

/** CA files and client certificates: named files must exist (where that can be known) and hold certificates. */
export function checkOtherFiles(ctx: RuleContext, configPath: string): void {
  for (const name of [
    'smtpd_tls_CAfile',
    'smtp_tls_CAfile',
    'lmtp_tls_CAfile',
    'smtp_tls_cert_file',
    'smtp_tls_key_file',
    'smtp_tls_chain_files',
    'smtp_tls_eccert_file',
    'smtp_tls_eckey_file',
  ]) {
    const s = own(ctx, name);
    if (!s || ctx.scope.value(name) === '') continue;
    const files = load(ctx, configPath, s, 'warning');
    if (!files) continue;
    if (!/CAfile$/.test(name)) continue;
    for (const f of files) {
      const b = parsePemBundle(f.text);
      if (b.certificates.length > 0) continue;
      report(ctx, 'postfix.cert-unreadable', {
        severity: 'error',
        title: `${printable(f.path)} (${name}) holds no certificate.`,
        detail:
          'Postfix reads trust anchors from this file; with none in it, no peer certificate can be verified ' +
          '(verify/secure levels fail, client certificates are never trusted).',
        fix: 'Point it at a PEM bundle of CA certificates (Debian/Ubuntu: /etc/ssl/certs/ca-certificates.crt).',
        range: f.range,
        evidence: b.errors.slice(0, 3),
      });
    }
  }
}

/** Decides, once per file, whether missing local files can be reported line by line (see FileChecks). */
export function fileChecksFor(configPath: string, settings: readonly Setting[], host: RuleContext['host']): FileChecks {
  const probe = { host } as RuleContext;
  let reportMissing = isLiveConfig(configPath);
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    if (reportMissing) break;
    if (!FILE_PARAM.test(s.name) || hasTemplateMarkup(s.value)) continue;
    for (const m of fileNames(s.value)) {
      if ('text' in findFile(probe, configPath, m.text)) {
        reportMissing = true;
        break;
      }
    }
  }
  return { reportMissing, skipped: [] };
}

/** The one summary of files that were not checked, for a copy of a config whose files are elsewhere. */
export function reportSkippedFiles(ctx: RuleContext): void {
  const skipped = ctx.files?.skipped ?? [];
  if (skipped.length === 0) return;
  const names = [...new Set(skipped.map((s) => s.path))];
  report(ctx, 'postfix.file-checks-skipped', {
    severity: 'info',
    title: `${names.length} certificate, key or CA file${names.length > 1 ? 's' : ''} named here ${names.length > 1 ? 'were' : 'was'} not checked: ${names.length > 1 ? 'they are' : 'it is'} not in this workspace.`,
    detail:
      'This config is not the live one of this machine (/etc/postfix, or /etc/postfix-NAME for a postmulti instance), and the workspace holds none of the ' +
      'files it names at their server paths, so it looks like a copy that will run elsewhere: whether the files ' +
      'exist there cannot be told from here.',
    fix:
      'To have them checked (expiry, chain, key match), copy them into the workspace at the mirrored path ' +
      `(e.g. ${mirrorExample(names[0])}), or lint the live config on the server.`,
    range: skipped[0].setting.valueRange,
    evidence: names.slice(0, 6).map((n) => `not checked: ${printable(n, 200)}`),
  });
}

function safeRead(ctx: RuleContext, p: string): string | undefined {
  try {
    return ctx.host.readFile(p);
  } catch {
    return undefined;
  }
}

function mirrorExample(p: string): string {
  return nodePath.posix.join('<workspace>', p.replace(/^\/+/, ''));
}

/** As written; under the workspace mirroring the absolute path; beside the config for /etc/postfix/... and relative names. */
export function candidates(p: string, configPath: string, root: string | undefined): string[] {
  return serverFileCandidates(p, configPath, root, { live: isLiveConfig(configPath), prefix: '/etc/postfix/', dir: nodePath.dirname(configPath) });
}

function judge(ctx: RuleContext, certFiles: LoadedFile[], keyFiles: LoadedFile[]): void {
  const now = ctx.host.now ?? new Date();
  const days = ctx.host.expiryWarningDays ?? 30;
  const j = judgeServerFiles(certFiles, keyFiles, now, days);
  for (const { file: f, errors } of j.unreadable) {
    report(ctx, 'postfix.cert-unreadable', {
      severity: 'error',
      title: `${printable(f.path)} has blocks Postfix cannot use.`,
      detail:
        'Postfix refuses a certificate or key file it cannot parse (or an encrypted key: it has no way to ask ' +
        'for the passphrase) and logs "...: disabling TLS support": smtpd still announces STARTTLS but answers it ' +
        'with "454 4.7.0 TLS not available due to local problem".',
      fix:
        'Replace the file with a PEM file holding the private key and the certificate chain, key unencrypted ' +
        '(`openssl pkey -in key.pem -out key-plain.pem`), readable by root.',
      range: f.range,
      evidence: errors.slice(0, 5),
    });
  }
  if (j.noCertificateIn) {
    report(ctx, 'postfix.cert-unreadable', {
      severity: 'error',
      title: `${printable(j.noCertificateIn.path)} holds no certificate.`,
      detail:
        'Postfix finds no server certificate ("cannot get RSA certificate from file ...: disabling TLS support"): ' +
        'smtpd still announces STARTTLS but answers it with "454 4.7.0 TLS not available due to local problem", so ' +
        'clients that require TLS cannot send and senders on port 25 deliver in plain text.',
      fix: 'Point the setting at the PEM file with the certificate chain (certbot: fullchain.pem).',
      range: j.noCertificateIn.range,
    });
  }
  if (!j.leaf) return;
  const info = j.leaf.info;
  const leafRange = j.leaf.file.range;
  const on = (f: Finding, range: Range, id: FindingId): void =>
    report(ctx, id, { severity: f.severity, title: f.title, detail: f.detail, fix: f.fix, range, evidence: f.evidence });

  if (j.validity) on(j.validity.finding, leafRange, j.validity.kind === 'expires-soon' ? 'postfix.cert-expiring-soon' : 'postfix.cert-expired');

  if (j.chain?.kind === 'leaf-only') on(j.chain.finding, leafRange, 'postfix.cert-missing-intermediate');
  else if (j.chain?.kind === 'wrong-next') {
    const next = j.chain.next;
    report(ctx, 'postfix.cert-missing-intermediate', {
      severity: 'error',
      title: `The certificate after the server certificate is not its issuer ("${info.issuer}").`,
      detail: `The file holds "${next.subject}" where the issuer "${info.issuer}" should follow. ${j.chain.finding.detail}`,
      fix: j.chain.finding.fix,
      range: leafRange,
      evidence: [...certEvidence(info, 'server certificate'), `next certificate subject: ${next.subject}`],
    });
  }

  if (j.keyMismatch) {
    const keyFile = j.keyMismatch.keyFile;
    report(ctx, 'postfix.cert-key-mismatch', {
      severity: 'error',
      title: `The private key in ${printable(keyFile.path)} does not belong to the certificate in ${printable(j.leaf.file.path)}.`,
      detail:
        'Postfix checks the pair when smtpd starts and logs "key values mismatch" and "cannot get RSA private key ' +
        'from file ...: disabling TLS support". smtpd still announces STARTTLS but answers it with "454 4.7.0 TLS not ' +
        'available due to local problem": clients that require TLS cannot send, senders on port 25 deliver in plain text.',
      fix:
        'Use the key generated with this certificate (certbot: privkey.pem from the same live/NAME directory), ' +
        'or reissue the certificate for this key. Then run `postfix reload`.',
      range: keyFile.range,
      evidence: [...certEvidence(info, 'certificate'), 'the key itself is never shown'],
    });
  }

  if (j.weakKey) on(j.weakKey, leafRange, 'postfix.cert-weak-key');

  const name = ctx.scope.resolved('myhostname');
  const myhostname = name.value.trim();
  if (name.complete && myhostname !== '' && !matchesHostname(info, myhostname)) {
    const f = F.hostnameMismatch(info, myhostname, coveredNames(info));
    report(ctx, 'postfix.cert-hostname', {
      severity: 'warning',
      title: `The certificate does not cover myhostname (${printable(myhostname)}).`,
      detail:
        `${f.detail} Postfix announces itself as myhostname, and your MX record and mail clients usually point at ` +
        'that name; if clients use another name that the certificate covers, this is harmless.',
      fix: f.fix,
      range: leafRange,
      evidence: f.evidence,
    });
  }
}
