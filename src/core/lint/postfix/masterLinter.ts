import * as nodePath from 'node:path';
import { makeEndpoint, validateHostname } from '../../endpoint';
import type { Finding } from '../../finding';
import { maskExcerpt } from '../../secrets';
import type { DiscoveredEndpoint, Linter, LintHost, LintResult } from '../types';
import { report, RuleContext } from './context';
import { siblingText } from './mainLinter';
import { parseMainCf } from './mainParser';
import { parseMasterCf } from './masterParser';
import { checkCertificates, checkOtherFiles, fileChecksFor, reportSkippedFiles } from './rules/certs';
import { reportTemplate, templateInfo } from './rules/templates';
import { isPlaceholderWord } from '../templates';
import { checkClientLevel, checkRelayOverride } from './rules/client';
import { checkCipherGrade, checkDeprecated } from './rules/deprecated';
import { checkUnknownNames, referencedNames } from './rules/names';
import { checkProtocols } from './rules/protocols';
import { checkEncryptOnMx, checkServiceTls } from './rules/server';
import { checkWrapperService } from './rules/wrapperService';
import { ParameterScope } from './scope';
import { describeService, smtpdServices } from './services';
import { checkMandatoryProtocolsDefault } from './rules/defaults';
import { checkOpportunisticOverride } from './rules/opportunisticOverride';
import { checkInlineCredentials, checkSaslBeforeStarttls, SERVER_AUTH_PARAMS } from './rules/sasl';
import { checkByteOrderMark } from './rules/byteOrderMark';

export function isMasterCf(path: string): boolean {
  const base = nodePath.basename(path).toLowerCase();
  return base === 'master.cf' || /[._-]master\.cf$/.test(base);
}

export const postfixMasterLinter: Linter = {
  format: 'postfix-master',
  files: {
    label: 'Postfix master.cf',
    names: ['master.cf', '*.master.cf', '*-master.cf', '*_master.cf'],
    activation: ['onLanguage:postfix', 'workspaceContains:**/master.cf'],
    oversize: 'skip',
  },
  matches: (path) => isMasterCf(path),
  lint: lintMasterCf,
};

const PROBLEM_TEXT: Record<string, { title: string; detail: string; severity: 'error' | 'warning'; fix?: string }> = {
  'orphan-continuation': {
    title: 'This line starts with white space but continues nothing.',
    detail: 'A master.cf entry must start in the first column; Postfix reports the line and ignores it.',
    severity: 'warning',
  },
  'field-count': {
    title: 'This master.cf entry has fewer than the 8 required fields.',
    detail:
      'Each service needs: service type private unpriv chroot wakeup maxproc command. The master daemon stops ' +
      'with "bad field count" and Postfix does not start.',
    severity: 'error',
  },
  'unbalanced-brace': {
    title: 'A "{" in this entry is never closed.',
    detail: 'Postfix 3.0+ reads "{ ... }" as one argument; without the closing brace the entry is rejected.',
    severity: 'error',
  },
  'bad-override': {
    title: 'An -o option here is not of the form -o name=value.',
    detail: 'The service fails to start ("unexpected command-line argument" or "bad parameter" in the mail log).',
    severity: 'error',
  },
  'comment-in-args': {
    title: 'This "#" is not a comment: its words are arguments of the service command, and the service does not start.',
    detail:
      'master.cf has comments only on lines of their own (first non-blank character "#"). After a field, the words go to ' +
      'the command: a Postfix daemon stops with "fatal: unexpected command-line argument: #", master logs "bad command ' +
      'startup -- throttling", and every connection to the service is closed without a greeting (seen with Postfix ' +
      '3.7.11). No -o option after the "#" would be read either.',
    severity: 'error',
    fix: 'Put the comment on a line of its own (starting with "#") above the entry, then run `postfix reload`.',
  },
};

export function lintMasterCf(path: string, text: string, host: LintHost): LintResult {
  const findings: Finding[] = [];
  const endpoints: DiscoveredEndpoint[] = [];
  const cf = parseMasterCf(text);
  const mainText = siblingText(path, 'main.cf', host);
  const main = mainText !== undefined ? parseMainCf(mainText) : undefined;
  const mainScope = new ParameterScope(main?.settings ?? []);
  const overrides = cf.services.flatMap((svc) => svc.overrides);
  const files = fileChecksFor(path, [...(main?.settings ?? []), ...overrides], host);
  const base: RuleContext = { file: path, doc: cf.doc, scope: mainScope, host, findings, files };
  const template = templateInfo(cf.doc, overrides, mainScope);

  for (const p of cf.problems) {
    // Template markup in an entry (`{{ .PORT }} inet ...`, `<%= opts %>`) is rendered away before Postfix reads it.
    if (template && template.markupLine(p.range.start.line)) continue;
    const t = PROBLEM_TEXT[p.kind];
    report(base, 'postfix.master-syntax-error', {
      severity: t.severity,
      title: t.title,
      detail: t.detail,
      fix: t.fix ?? 'Write the entry as "service type private unpriv chroot wakeup maxproc command [-o name=value ...]", with continuation lines indented.',
      range: p.range,
      evidence: [maskExcerpt(p.excerpt.replace(/\s+/g, ' '))],
    });
  }

  checkByteOrderMark(base, 'master.cf');

  const referenced = referencedNames(
    main?.settings ?? [],
    cf.services.flatMap((s) => s.overrides.map((o) => o.value)),
  );
  for (const m of main?.settings ?? []) referenced.add(m.name);
  const myhostname = mainText !== undefined ? mainScope.resolved('myhostname') : { value: '', complete: false };

  const smtpd = new Map(smtpdServices(cf.services).map((x) => [x.service, x]));
  for (const svc of cf.services) {
    const info = describeService(svc);
    const scope = new ParameterScope(svc.overrides, mainScope);
    const ctx: RuleContext = { ...base, scope, service: info };
    const winners = [...new Map(svc.overrides.map((o) => [o.name, o])).values()];
    for (const o of winners) {
      checkProtocols(ctx, o);
      checkDeprecated(ctx, o);
      checkCipherGrade(ctx, o);
    }
    checkUnknownNames(ctx, winners, referenced);
    checkServiceTls(ctx, mainText !== undefined);
    checkWrapperService(ctx, mainText !== undefined);
    checkEncryptOnMx(ctx, false);
    checkRelayOverride(ctx);
    if (info.role === 'client') checkClientLevel(ctx, true);
    if (info.role === 'mx' || info.role === 'submission' || info.role === 'smtps') checkCertificates(ctx, path);
    checkOtherFiles(ctx, path);
    checkMandatoryProtocolsDefault(ctx, mainText !== undefined);
    if (smtpd.has(svc)) checkOpportunisticOverride(ctx, mainText !== undefined);
    checkInlineCredentials(ctx);
    const exposed = smtpd.get(svc);
    // A service's own overrides decide here; what it inherits from main.cf is reported in main.cf.
    if (exposed && svc.overrides.some((o) => SERVER_AUTH_PARAMS.includes(o.name))) {
      checkSaslBeforeStarttls(
        ctx,
        exposed.port25 && svc.type.text === 'pass' ? `The ${info.name} service (the smtpd behind postscreen on port 25)` : `The ${info.name} service`,
      );
    }

    if ((info.role === 'mx' || info.role === 'submission' || info.role === 'smtps') && info.port !== undefined) {
      const hostName = info.host ?? (myhostname.complete ? myhostname.value.trim() : '');
      if (hostName !== '' && !isPlaceholderWord(hostName) && validateHostname(hostName).ok) {
        const implicit = scope.flag('smtpd_tls_wrappermode');
        endpoints.push({
          endpoint: makeEndpoint(hostName, info.port, implicit ? { protocol: 'smtp', mode: 'implicit' } : { protocol: 'smtp' }),
          file: path,
          range: info.nameRange,
          source: `${info.name} service in master.cf`,
        });
      }
    }
  }
  reportSkippedFiles(base);
  if (template) reportTemplate(base, template);
  return { findings, endpoints };
}
