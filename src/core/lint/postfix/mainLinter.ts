import * as nodePath from 'node:path';
import type { Finding } from '../../finding';
import { maskExcerpt } from '../../secrets';
import type { Linter, LintHost, LintResult } from '../types';
import type { RuleContext } from './context';
import { report } from './context';
import { parseMainCf } from './mainParser';
import { parseMasterCf } from './masterParser';
import { checkCertificates, checkOtherFiles, fileChecksFor, reportSkippedFiles } from './rules/certs';
import { reportTemplate, templateInfo } from './rules/templates';
import { checkRelay } from './rules/client';
import { relayDomains } from './rules/relayDomains';
import { transportDomains } from './rules/transportDomains';
import { checkCipherGrade, checkDeprecated } from './rules/deprecated';
import { levelGroupOf } from './obsoleteParams';
import { checkDuplicates, checkUnknownNames, referencedNames } from './rules/names';
import { checkProtocols } from './rules/protocols';
import { checkTrailingComments } from './rules/trailingComment';
import { checkByteOrderMark } from './rules/byteOrderMark';
import { checkEncryptOnMx } from './rules/server';
import { isKnownParameter } from './params';
import { ParameterScope } from './scope';
import { describeService, smtpdServices } from './services';
import { checkNoOutboundTls } from './rules/defaults';
import { checkDaneWithoutDnssec, checkVerifyWithoutCa } from './rules/dane';
import { checkEncryptWithoutVerification, checkInlineCredentials, checkSaslBeforeStarttls, checkSaslClientWithoutTls, SERVER_AUTH_PARAMS } from './rules/sasl';

export function isMainCf(path: string): boolean {
  const base = nodePath.basename(path).toLowerCase();
  return base === 'main.cf' || /[._-]main\.cf$/.test(base);
}

export function siblingText(path: string, name: string, host: LintHost): string | undefined {
  try {
    // A byte-order mark is the sibling's own finding; here it is read as meant.
    return host.readFile(nodePath.join(nodePath.dirname(path), name))?.replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}

export const postfixMainLinter: Linter = {
  format: 'postfix-main',
  files: {
    label: 'Postfix main.cf',
    names: ['main.cf', '*.main.cf', '*-main.cf', '*_main.cf'],
    activation: ['onLanguage:postfix', 'workspaceContains:**/main.cf'],
    oversize: 'skip',
  },
  matches: (path) => isMainCf(path),
  lint: lintMainCf,
};

export function lintMainCf(path: string, text: string, host: LintHost): LintResult {
  const findings: Finding[] = [];
  const cf = parseMainCf(text);
  const scope = new ParameterScope(cf.settings);
  const ctx: RuleContext = { file: path, doc: cf.doc, scope, host, findings, files: fileChecksFor(path, cf.settings, host) };
  const template = templateInfo(cf.doc, cf.settings, scope);

  for (const p of cf.problems) {
    // Template markup where Postfix expects a name (`{{ .EXTRA }}` on a line of its own) is rendered away.
    if (template && template.markupLine(p.firstLine)) continue;
    const orphan = p.kind === 'orphan-continuation';
    const firstLine = cf.doc.lines[p.firstLine];
    const indent = firstLine.length - firstLine.trimStart().length;
    // Un-indenting makes the line take effect: only for a real parameter that nothing else in the file sets
    // (else it would be an unused name or a second assignment).
    const orphanName = /^\s*([A-Za-z0-9_]+)\s*=/.exec(firstLine)?.[1];
    const orphanFixable = orphan && orphanName !== undefined && isKnownParameter(orphanName) && scope.setting(orphanName) === undefined;
    report(ctx, 'postfix.syntax-error', {
      severity: orphan ? 'warning' : 'error',
      title: orphan
        ? 'This line starts with white space but continues nothing, so Postfix ignores it.'
        : p.kind === 'missing-name'
          ? 'A line has "=" but no parameter name.'
          : 'A line is not of the form "name = value".',
      detail: orphan
        ? 'postconf warns "logical line must not start with whitespace" and skips the line: the setting has no effect.'
        : 'Postfix stops at this line ("fatal: ... missing \'=\' after attribute name" or "missing attribute name"): ' +
          'postfix, postconf and every daemon refuse to start until it is fixed.',
      fix: orphan
        ? 'Remove the leading white space.'
        : 'Write it as "name = value" (one parameter per line; continuation lines start with white space), or comment it out with #.',
      range: p.range,
      evidence: [`line ${p.firstLine + 1}: ${maskExcerpt(p.excerpt.replace(/\s+/g, ' '))}`],
      edits: orphanFixable
        ? [{ range: { start: { line: p.firstLine, character: 0 }, end: { line: p.firstLine, character: indent } }, newText: '' }]
        : undefined,
      editTitle: 'Remove the leading white space',
    });
  }

  checkTrailingComments(ctx, cf.settings);
  checkByteOrderMark(ctx, 'main.cf');

  // master.cf beside main.cf tells whether the public MX inherits main.cf's smtpd settings, and which of
  // main.cf's own variables it uses.
  const masterText = siblingText(path, 'master.cf', host);
  const master = masterText !== undefined ? parseMasterCf(masterText) : undefined;
  const masterValues: string[] = [];
  let publicMxInherits = master === undefined;
  // Level groups a service sets with legacy -o switches (or an empty own level): converting main.cf's switches
  // first would change what those services get.
  const masterLegacyGroups = new Set<string>();
  const otherServicesInherit: string[] = [];
  for (const svc of master?.services ?? []) {
    for (const o of svc.overrides) masterValues.push(o.value);
    const ownLevels = new Map(svc.overrides.map((o) => [o.name, o.value.trim()]));
    for (const o of svc.overrides) {
      const g = levelGroupOf(o.name);
      if (g && !ownLevels.get(g.level)) masterLegacyGroups.add(g.level);
      if (/^(smtpd|smtp|lmtp)_tls_security_level$/.test(o.name) && o.value.trim() === '') masterLegacyGroups.add(o.name);
    }
    const role = describeService(svc).role;
    if ((role === 'submission' || role === 'smtps') && !ownLevels.has('smtpd_tls_security_level')) otherServicesInherit.push(svc.name.text);
    if (describeService(svc).role === 'mx' && !svc.overrides.some((o) => o.name === 'smtpd_tls_security_level')) publicMxInherits = true;
  }

  // The last assignment of each name, in the order of each name's first one.
  const winners = [...scope.ownSettings()];
  for (let i = 0; i < winners.length; i++) {
    const s = winners[i];
    checkProtocols(ctx, s);
    checkDeprecated(ctx, s, { masterLegacyGroups });
    checkCipherGrade(ctx, s);
  }
  checkUnknownNames(ctx, winners, referencedNames(cf.settings, masterValues));
  // Without a template every setting counts, and the scope already knows each name's last one.
  if (template)
    checkDuplicates(
      ctx,
      cf.settings.filter((s) => !template.conditional(s)),
    );
  else checkDuplicates(ctx, cf.settings, scope);
  const endpoints = checkRelay(ctx);
  checkEncryptOnMx(ctx, publicMxInherits, master === undefined ? undefined : otherServicesInherit);
  // SMTP AUTH on port 25 comes from main.cf unless the port-25 smtpd (behind postscreen: its `pass` service)
  // overrides what decides it; without master.cf the stock one (no overrides) is assumed.
  const port25 = master ? smtpdServices(master.services).filter((x) => x.port25) : [];
  if (!master || port25.some((x) => !x.service.overrides.some((o) => SERVER_AUTH_PARAMS.includes(o.name)))) {
    checkSaslBeforeStarttls(ctx, 'The port-25 smtpd (main.cf settings)');
  }
  checkSaslClientWithoutTls(ctx);
  checkEncryptWithoutVerification(ctx);
  checkDaneWithoutDnssec(ctx);
  checkVerifyWithoutCa(ctx);
  checkInlineCredentials(ctx);
  checkNoOutboundTls(ctx);
  checkCertificates(ctx, path);
  checkOtherFiles(ctx, path);
  reportSkippedFiles(ctx);
  if (template) reportTemplate(ctx, template);
  return { findings, endpoints, domains: [...relayDomains(ctx), ...transportDomains(ctx)] };
}
