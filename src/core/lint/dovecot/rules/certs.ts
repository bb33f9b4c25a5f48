/**
 * The certificate and key files a Dovecot config names, read through the LintHost as the Postfix rules read theirs
 * (same lookup: as written on the live config, under the workspace mirror, beside the config for /etc/dovecot/...),
 * judged by the shared server-file judgement (lint/serverCertFiles.ts) and worded for Dovecot.
 * 2.3 names files as `ssl_cert = </path` (the `<` is what makes it a file); 2.4 as `ssl_server_cert_file = /path`.
 * A missing file stops Dovecot at start-up ("Fatal: Error in configuration file ... ssl_cert: Can't open file
 * /etc/...: No such file or directory", seen with doveconf -x 2.3.19).
 * In 2.3, ssl_ca is the CA for verifying *client* certificates: the intermediate the server must send belongs in
 * the ssl_cert file, after the server certificate. An intermediate put into ssl_ca instead is a common mistake.
 */
import * as nodePath from 'node:path';
import { printable } from '../../../endpoint';
import type { Finding, Range } from '../../../finding';
import type { FindingId } from '../../../findings';
import type { CertificateInfo } from '../../../cert/types';
import { CHAIN_FIX_CAT, certEvidence } from '../../../cert/wording';
import { serverFileCandidates as candidates } from '../../serverPaths';
import { certificatesIn, judgeServerFiles } from '../../serverCertFiles';
import { report, type DovecotContext } from '../context';
import { isServerScoped, type DovecotSetting } from '../parser';
import { isOpaque } from '../template';
import { bool, inVersion } from './words';
import { deniedAmong, deniedTexts } from '../../denied';

interface Loaded {
  path: string;
  range: Range;
  text: string;
}

/** One server certificate with its key and CA settings, as a scope (global or a filter) sets them. */
const PAIRS = [
  { cert: 'ssl_cert', key: 'ssl_key', ca: 'ssl_ca', verify: 'ssl_verify_client_cert', prefix: true },
  { cert: 'ssl_alt_cert', key: 'ssl_alt_key', ca: 'ssl_ca', verify: 'ssl_verify_client_cert', prefix: true },
  { cert: 'ssl_server_cert_file', key: 'ssl_server_key_file', ca: 'ssl_server_ca_file', verify: 'ssl_server_request_client_cert', prefix: false },
  { cert: 'ssl_server_alt_cert_file', key: 'ssl_server_alt_key_file', ca: 'ssl_server_ca_file', verify: 'ssl_server_request_client_cert', prefix: false },
];

/** The path a value names: 2.3's `<path`, 2.4's path; undefined for inline PEM, variables, or no `<` in 2.3. */
export function namedPath(value: string, prefix: boolean): string | undefined {
  let v = value.trim();
  if (prefix) {
    if (!v.startsWith('<')) return undefined;
    v = v.slice(1).trim();
  }
  if (v === '' || /[$%]/.test(v) || v.includes('-----BEGIN') || isOpaque(v)) return undefined;
  return v;
}

export function checkCertificates(ctx: DovecotContext): void {
  const state = { reportMissing: ctx.live, skipped: [] as Array<{ path: string; range: Range }> };
  const jobs: Array<() => void> = [];
  for (const pair of PAIRS) {
    for (const certSetting of ctx.conf.settings) {
      if (certSetting.name !== pair.cert || !isServerScoped(certSetting)) continue;
      const certPath = namedPath(certSetting.value, pair.prefix);
      if (!certPath) continue;
      // The key and CA of the same scope: in this file's same sections, else the global ones.
      const keySetting = sameScope(ctx, certSetting, pair.key);
      const caSetting = sameScope(ctx, certSetting, pair.ca);
      const verifySetting = sameScope(ctx, certSetting, pair.verify);
      const verifiesClients = verifySetting !== undefined && bool(verifySetting.value) === true;
      const keyPath = keySetting ? namedPath(keySetting.value, pair.prefix) : undefined;
      const caPath = caSetting ? namedPath(caSetting.value, pair.prefix) : undefined;
      const cert = find(ctx, certPath);
      const key = keyPath ? find(ctx, keyPath) : undefined;
      if (cert.text !== undefined || key?.text !== undefined) state.reportMissing = true;
      jobs.push(() => {
        const own = (s: DovecotSetting | undefined) => s !== undefined && ctx.conf.settings.includes(s);
        const certFile = loaded(ctx, state, certSetting, certPath, cert);
        const keyFile = keySetting && keyPath && own(keySetting) ? loaded(ctx, state, keySetting, keyPath, key!) : undefined;
        if (!certFile) return;
        const keyFiles = keyFile ? [keyFile] : keyPath && key?.text !== undefined ? [{ path: keyPath, range: certSetting.valueRange, text: key.text }] : [];
        const caText = caPath ? find(ctx, caPath).text : undefined;
        const ca = caSetting && caText !== undefined ? { setting: caSetting, path: caPath!, text: caText, loaded: verifiesClients } : undefined;
        judge(ctx, certSetting.name, certFile, keyFiles, ca);
      });
    }
  }
  for (const job of jobs) job();
  if (state.skipped.length > 0) reportSkipped(ctx, state.skipped);
}

function sameScope(ctx: DovecotContext, s: DovecotSetting, name: string): DovecotSetting | undefined {
  const key = (x: DovecotSetting) => x.sections.map((q) => `${q.name} ${q.arg}`).join('/');
  const here = key(s);
  let found: DovecotSetting | undefined;
  for (const x of ctx.conf.settings) if (x.name === name && key(x) === here) found = x;
  if (found) return found;
  for (let i = ctx.all.length - 1; i >= 0; i--) if (ctx.all[i].name === name && ctx.all[i].sections.length === 0) return ctx.all[i];
  return undefined;
}

function find(ctx: DovecotContext, p: string): { text?: string; tried: string[] } {
  const tried = candidates(p, ctx.file, ctx.host.workspaceRoot, { live: ctx.live, prefix: '/etc/dovecot/', dir: ctx.home });
  for (const c of tried) {
    let text: string | undefined;
    try {
      text = ctx.host.readFile(c);
    } catch {
      text = undefined;
    }
    if (text !== undefined) return { text, tried };
  }
  return { tried };
}

function loaded(
  ctx: DovecotContext,
  state: { reportMissing: boolean; skipped: Array<{ path: string; range: Range }> },
  s: DovecotSetting,
  p: string,
  found: { text?: string; tried: string[] },
): Loaded | undefined {
  if (found.text !== undefined) return { path: p, range: s.valueRange, text: found.text };
  if (!state.reportMissing) {
    state.skipped.push({ path: p, range: s.valueRange });
    return undefined;
  }
  const denied = deniedAmong(ctx.host, found.tried);
  if (denied !== undefined) {
    report(ctx, 'dovecot.cert-file-missing', {
      severity: 'info',
      ...deniedTexts(s.name, p, 'Dovecot', `mail-tls-doctor lint ${nodePath.dirname(ctx.file)}`),
      range: s.valueRange,
      evidence: [`not readable by this user: ${printable(denied, 200)}`],
    });
    return undefined;
  }
  report(ctx, 'dovecot.cert-file-missing', {
    severity: ctx.live ? 'error' : 'info',
    title: `${s.name} names ${printable(p)}, which could not be found or read.`,
    detail: ctx.live
      ? `Dovecot reads the file when it starts and stops if it cannot ("Error in configuration file ... ${s.name}: Can't open file ${printable(p)}: No such file or directory"): IMAP and POP3 do not start.`
      : 'This workspace holds other files this config names, at the paths the server uses, but not this one. If the copy ' +
        'is complete, the server lacks it too, and Dovecot does not start without it.',
    fix: 'Fix the path (certbot: /etc/letsencrypt/live/NAME/fullchain.pem and privkey.pem), or copy the file into the workspace at the mirrored path to have it checked.',
    range: s.valueRange,
    evidence: found.tried.map((t) => `looked for ${printable(t, 200)}`),
  });
  return undefined;
}

function reportSkipped(ctx: DovecotContext, skipped: Array<{ path: string; range: Range }>): void {
  const names = [...new Set(skipped.map((s) => s.path))];
  report(ctx, 'dovecot.file-checks-skipped', {
    severity: 'info',
    title: `${names.length} certificate or key file${names.length > 1 ? 's' : ''} named here ${names.length > 1 ? 'were' : 'was'} not checked: not in this workspace.`,
    detail:
      'This config is not the live one of this machine (/etc/dovecot), and the workspace holds none of the files it ' +
      'names at their server paths, so it looks like a copy that runs elsewhere: whether the files exist there cannot be told from here.',
    fix: 'To have them checked (expiry, chain, key match), copy them into the workspace at the mirrored path (e.g. <workspace>/etc/...), or lint the live config on the server.',
    range: skipped[0].range,
    evidence: names.slice(0, 6).map((n) => `not checked: ${printable(n, 200)}`),
  });
}

function judge(
  ctx: DovecotContext,
  certName: string,
  certFile: Loaded,
  keyFiles: Loaded[],
  /**
   * `loaded`: Dovecot loads the CA file only to verify client certificates (lib-ssl-iostream: `if
   * (set->verify_remote_cert) ssl_iostream_context_load_ca`); OpenSSL then completes a leaf-only chain from it and
   * sends the intermediate (observed with Dovecot 2.3.19 and openssl s_client -showcerts).
   */
  ca: { setting: DovecotSetting; path: string; text: string; loaded: boolean } | undefined,
): void {
  const j = judgeServerFiles([certFile], keyFiles, ctx.host.now ?? new Date(), ctx.host.expiryWarningDays ?? 30);
  const on = (f: Finding, range: Range, id: FindingId): void =>
    report(ctx, id, { severity: f.severity, title: f.title, detail: f.detail, fix: f.fix, range, evidence: f.evidence });
  for (const { file, errors } of j.unreadable) {
    report(ctx, 'dovecot.cert-unreadable', {
      severity: 'error',
      title: `${printable(file.path)} has blocks Dovecot cannot use.`,
      detail:
        'Dovecot\'s login processes stop at start-up when the certificate or key does not parse ("Can\'t load SSL certificate" / ' +
        '"Can\'t load private key"); an encrypted key also needs ssl_key_password (2.4: ssl_server_key_password).',
      fix: 'Replace the file with the PEM certificate chain (certbot: fullchain.pem) or the unencrypted private key (privkey.pem).',
      range: file.range,
      evidence: errors.slice(0, 5),
    });
  }
  if (j.noCertificateIn) {
    report(ctx, 'dovecot.cert-unreadable', {
      severity: 'error',
      title: `${printable(j.noCertificateIn.path)} (${certName}) holds no certificate.`,
      detail: 'Dovecot\'s login processes stop at start-up ("There is no valid PEM certificate."), so IMAP and POP3 clients cannot connect.',
      fix: 'Point the setting at the PEM file with the certificate chain (certbot: fullchain.pem).',
      range: j.noCertificateIn.range,
    });
  }
  if (!j.leaf) return;
  const info = j.leaf.info;
  const range = certFile.range;
  if (j.validity) on(j.validity.finding, range, j.validity.kind === 'expires-soon' ? 'dovecot.cert-expiring-soon' : 'dovecot.cert-expired');
  const issuerInCa = ca ? certificatesIn(ca.text).find((c) => c.subject === info.issuer && !c.selfSigned) : undefined;
  // A leaf-only file whose intermediate OpenSSL takes from the loaded CA file: clients get the chain.
  const chain = j.chain?.kind === 'leaf-only' && ca?.loaded && issuerInCa ? undefined : j.chain;
  if (chain?.kind === 'leaf-only' && ca && issuerInCa) {
    report(ctx, 'dovecot.cert-ca-is-chain', {
      severity: 'error',
      title: `The intermediate "${info.issuer}" is in ${ca.setting.name}, not in the ${certName} file: clients never get it.`,
      detail:
        `${ca.setting.name} is the CA Dovecot uses to verify client certificates, read only when it asks for them (not here); it is not ` +
        `what the server sends. The server sends only ` +
        `what the ${certName} file holds, here the server certificate alone. ${chain.finding.detail}`,
      fix:
        `Put the intermediate into the ${certName} file after the server certificate (certbot: use fullchain.pem, not cert.pem), ` +
        `and remove ${ca.setting.name} unless you verify client certificates; then \`doveadm reload\`.`,
      range,
      evidence: [...certEvidence(info, 'server certificate'), `${ca.setting.name} holds: ${issuerInCa.subject}`],
    });
  } else if (chain?.kind === 'leaf-only') on({ ...chain.finding, fix: chainFix(ctx, info) }, range, 'dovecot.cert-missing-intermediate');
  else if (chain?.kind === 'wrong-next') {
    report(ctx, 'dovecot.cert-missing-intermediate', {
      severity: 'error',
      title: `The certificate after the server certificate is not its issuer ("${info.issuer}").`,
      detail: `The file holds "${chain.next.subject}" where the issuer "${info.issuer}" should follow. ${chain.finding.detail}`,
      fix: chainFix(ctx, info),
      range,
      evidence: [...certEvidence(info, 'server certificate'), `next certificate subject: ${chain.next.subject}`],
    });
  }
  if (j.keyMismatch) {
    report(ctx, 'dovecot.cert-key-mismatch', {
      severity: 'error',
      title: `The private key in ${printable(j.keyMismatch.keyFile.path)} does not belong to the certificate in ${printable(certFile.path)}.`,
      detail:
        'Dovecot checks the pair when its login processes start and stops them on an OpenSSL "key values mismatch" error: IMAP and POP3 clients cannot connect.',
      fix: 'Use the key generated with this certificate (certbot: privkey.pem from the same live/NAME directory), or reissue the certificate for this key; then `doveadm reload`.',
      range: j.keyMismatch.keyFile.range,
      evidence: [...certEvidence(info, 'certificate'), 'the key itself is never shown'],
    });
  }
  if (j.weakKey) on(j.weakKey, range, 'dovecot.cert-weak-key');
}

/** The chain fix in this config's Dovecot syntax (the generic one names Postfix and both Dovecot versions). */
function chainFix(ctx: DovecotContext, leaf: CertificateInfo): string {
  const setting = inVersion(
    ctx,
    '`ssl_cert = </etc/letsencrypt/live/NAME/fullchain.pem` (the `<` is required)',
    '`ssl_server_cert_file = /etc/letsencrypt/live/NAME/fullchain.pem`',
  );
  const aia = leaf.aiaIssuerUrl
    ? ` The intermediate can be fetched from ${leaf.aiaIssuerUrl} (convert DER with \`openssl x509 -inform der -in it.cer -out intermediate.pem\`).`
    : '';
  return `Serve the full chain, not just the certificate: with certbot use fullchain.pem, never cert.pem: ${setting}, then \`doveadm reload\`. ${CHAIN_FIX_CAT}${aia}`;
}
