import * as nodePath from 'node:path';
import { coveredNames, describeCertificate, keyMatchesCertificate, matchesHostname, parsePemBundle } from '../../../cert';
import * as F from '../../../cert/findings';
import { weakKeySeverity } from '../../../cert/judge';
import type { CertificateInfo } from '../../../cert/types';
import { certEvidence } from '../../../cert/wording';
import { printable } from '../../../endpoint';
import type { Finding, Range } from '../../../finding';
import type { FindingId } from '../../../findings';
import { report, RuleContext } from '../context';
import type { Setting } from '../main-parser';

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
  for (const [certName, keyName] of [['smtpd_tls_cert_file', 'smtpd_tls_key_file'], ['smtpd_tls_eccert_file', 'smtpd_tls_eckey_file']]) {
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

/** Splits the value into file names and reads each; reports the missing ones. Undefined when any is missing. */
function load(ctx: RuleContext, configPath: string, s: Setting): LoadedFile[] | undefined {
  const value = ctx.scope.value(s.name);
  const literal = value === s.value.trim();
  const out: LoadedFile[] = [];
  let missing = false;
  const re = /[^\s,]+/g;
  for (const m of value.matchAll(re)) {
    const p = m[0];
    const range = literal ? s.valueSubRange(m.index ?? 0, (m.index ?? 0) + p.length) : s.valueRange;
    const tried = candidates(p, configPath, ctx.host.workspaceRoot);
    let found: { text: string; at: string } | undefined;
    for (const c of tried) {
      const text = safeRead(ctx, c);
      if (text !== undefined) {
        found = { text, at: c };
        break;
      }
    }
    if (!found) {
      missing = true;
      const live = nodePath.resolve(configPath).startsWith('/etc/postfix/');
      report(ctx, {
        id: 'postfix.cert-file-missing',
        severity: live ? 'error' : 'info',
        title: `${s.name} names ${printable(p)}, which could not be found or read.`,
        detail: live
          ? 'Postfix cannot load its certificate or key ("cannot get certificate from file"), disables TLS for the ' +
            'server (no STARTTLS) and clients that require TLS cannot connect.'
          : 'The file is not in this workspace (looked for it as written and under the workspace folder that ' +
            'mirrors the path). If this config is a copy of a server\'s, check the file on the server: a missing ' +
            'or unreadable file there turns TLS off.',
        fix: 'Fix the path (absolute paths are safest), or copy the file into the workspace at the mirrored path ' +
          `(e.g. ${mirrorExample(p)}) to have it checked.`,
        range,
        evidence: tried.map((t) => `looked for ${printable(t, 200)}`),
      });
      continue;
    }
    out.push({ path: p, range, setting: s, text: found.text, foundAt: found.at });
  }
  return missing ? undefined : out;
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
function candidates(p: string, configPath: string, root: string | undefined): string[] {
  const out: string[] = [];
  const dir = nodePath.dirname(configPath);
  if (nodePath.isAbsolute(p)) {
    out.push(p);
    if (root) out.push(nodePath.join(root, p.replace(/^\/+/, '')));
    if (p.startsWith('/etc/postfix/')) out.push(nodePath.join(dir, p.slice('/etc/postfix/'.length)));
  } else {
    out.push(nodePath.join(dir, p));
    if (root) out.push(nodePath.join(root, p));
  }
  return [...new Set(out)];
}

function judge(ctx: RuleContext, certFiles: LoadedFile[], keyFiles: LoadedFile[]): void {
  const now = ctx.host.now ?? new Date();
  const days = ctx.host.expiryWarningDays ?? 30;
  const bundles = new Map<LoadedFile, ReturnType<typeof parsePemBundle>>();
  const bundle = (f: LoadedFile) => {
    let b = bundles.get(f);
    if (!b) {
      b = parsePemBundle(f.text);
      bundles.set(f, b);
    }
    return b;
  };
  for (const f of new Set([...certFiles, ...keyFiles])) {
    const b = bundle(f);
    if (b.errors.length > 0) {
      report(ctx, {
        id: 'postfix.cert-unreadable',
        severity: 'error',
        title: `${printable(f.path)} has blocks Postfix cannot use.`,
        detail: 'Postfix refuses a certificate or key file it cannot parse (or an encrypted key: it has no way to ask ' +
          'for the passphrase) and turns TLS off for the server.',
        fix: 'Replace the file with a PEM file holding the private key and the certificate chain, key unencrypted ' +
          '(`openssl pkey -in key.pem -out key-plain.pem`), readable by root.',
        range: f.range,
        evidence: b.errors.slice(0, 5),
      });
    }
  }
  const certs = certFiles.flatMap((f) => bundle(f).certificates.map((der) => ({ der, file: f })));
  const keys = keyFiles.flatMap((f) => bundle(f).privateKeys);
  if (certs.length === 0) {
    const f = certFiles[0];
    if (bundle(f).errors.length === 0) {
      report(ctx, {
        id: 'postfix.cert-unreadable',
        severity: 'error',
        title: `${printable(f.path)} holds no certificate.`,
        detail: 'Postfix finds no server certificate and turns TLS off: no STARTTLS, and clients that require TLS cannot connect.',
        fix: 'Point the setting at the PEM file with the certificate chain (certbot: fullchain.pem).',
        range: f.range,
      });
    }
    return;
  }
  const leaf = certs[0];
  const info = describeCertificate(leaf.der);
  if ('error' in info) return;
  const on = (f: Finding, range: Range, id: FindingId): void =>
    report(ctx, { id, severity: f.severity, title: f.title, detail: f.detail, fix: f.fix, range, evidence: f.evidence });

  if (Date.parse(info.notAfter) < now.getTime()) on(F.expired(info, 'server certificate', now), leaf.file.range, 'postfix.cert-expired');
  else if (Date.parse(info.notBefore) > now.getTime()) on(F.notYetValid(info, 'server certificate', now), leaf.file.range, 'postfix.cert-expired');
  else if (Date.parse(info.notAfter) - now.getTime() < days * 86_400_000) on(F.expiresSoon(info, 'server certificate', now, days), leaf.file.range, 'postfix.cert-expiring-soon');

  checkChain(ctx, info, certs.slice(1).map((c) => describeCertificate(c.der)), leaf.file.range, on);

  if (keys.length > 0 && !keys.some((k) => keyMatchesCertificate(k, leaf.der))) {
    const keyFile = keyFiles.find((f) => bundle(f).privateKeys.length > 0) ?? keyFiles[0];
    report(ctx, {
      id: 'postfix.cert-key-mismatch',
      severity: 'error',
      title: `The private key in ${printable(keyFile.path)} does not belong to the certificate in ${printable(leaf.file.path)}.`,
      detail: 'Postfix checks the pair at start-up, logs "key does not match certificate" (or "cannot load ' +
        'RSA private key"), and turns TLS off: STARTTLS disappears and clients that require TLS fail.',
      fix: 'Use the key generated with this certificate (certbot: privkey.pem from the same live/NAME directory), ' +
        'or reissue the certificate for this key. Then run `postfix reload`.',
      range: keyFile.range,
      evidence: [...certEvidence(info, 'certificate'), 'the key itself is never shown'],
    });
  }

  const weak = weakKeySeverity(info);
  if (weak) on(F.weakKey(info, 'server certificate', weak), leaf.file.range, 'postfix.cert-weak-key');

  const name = ctx.scope.resolved('myhostname');
  const myhostname = name.value.trim();
  if (name.complete && myhostname !== '' && !matchesHostname(info, myhostname)) {
    const f = F.hostnameMismatch(info, myhostname, coveredNames(info));
    report(ctx, {
      id: 'postfix.cert-hostname',
      severity: 'warning',
      title: `The certificate does not cover myhostname (${printable(myhostname)}).`,
      detail: `${f.detail} Postfix announces itself as myhostname, and your MX record and mail clients usually point at ` +
        'that name; if clients use another name that the certificate covers, this is harmless.',
      fix: f.fix,
      range: leaf.file.range,
      evidence: f.evidence,
    });
  }
}

function checkChain(
  ctx: RuleContext,
  leaf: CertificateInfo,
  rest: (CertificateInfo | { error: string })[],
  range: Range,
  on: (f: Finding, range: Range, id: FindingId) => void,
): void {
  if (leaf.selfSigned) return;
  const next = rest[0];
  if (next === undefined) {
    on(F.missingIntermediate(leaf), range, 'postfix.cert-missing-intermediate');
    return;
  }
  if (!('error' in next) && next.subject !== leaf.issuer) {
    const f = F.missingIntermediate(leaf);
    report(ctx, {
      id: 'postfix.cert-missing-intermediate',
      severity: 'error',
      title: `The certificate after the server certificate is not its issuer ("${leaf.issuer}").`,
      detail: `The file holds "${next.subject}" where the issuer "${leaf.issuer}" should follow. ${f.detail}`,
      fix: f.fix,
      range,
      evidence: [...certEvidence(leaf, 'server certificate'), `next certificate subject: ${next.subject}`],
    });
  }
}
