import type { Severity } from '../../../finding';
import { report, RuleContext, shown, where } from '../context';
import type { Setting } from '../main-parser';
import { analyzeProtocols } from '../protocols';

const PROTOCOL_PARAM = /^(smtpd|smtp|lmtp|postscreen|tlsproxy|tlsproxy_client)_tls_(mandatory_)?protocols$/;
const FIX_VALUE = '>=TLSv1.2';

export function checkProtocols(ctx: RuleContext, s: Setting): void {
  if (!PROTOCOL_PARAM.test(s.name)) return;
  // `$name` values are judged by what they expand to; ranges still point at what is written.
  const r = ctx.scope.resolved(s.name);
  if (!r.complete) return;
  const a = analyzeProtocols(r.value);
  const literal = r.value === s.value;
  const replaceAll = { range: s.valueRange, newText: FIX_VALUE };

  for (const issue of literal ? a.syntax : []) {
    const end = issue.replaceEnd ?? issue.token.end;
    report(ctx, {
      id: 'postfix.protocols-syntax',
      severity: 'error',
      title: `${s.name} has "${issue.token.text}", which Postfix does not accept.`,
      detail: `${issue.reason}. Postfix rejects the whole protocol list ("Invalid TLS protocol list") and the TLS ` +
        `engine does not start: STARTTLS is not offered (server) or mandatory TLS deliveries fail (client).`,
      fix: issue.replacement
        ? `Write "${issue.replacement}" without the space, then run \`postfix reload\`.`
        : `Use only SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (with "!" to exclude) or, with Postfix 3.6 or later, ` +
          `">=TLSv1.2" style bounds; the simplest safe value is "${FIX_VALUE}".`,
      range: s.valueSubRange(issue.token.start, end),
      evidence: [shown(s)],
      edits: issue.replacement ? [{ range: s.valueSubRange(issue.token.start, end), newText: issue.replacement }] : [replaceAll],
      editTitle: issue.replacement ? `Write ${issue.replacement}` : `Set ${s.name} = ${FIX_VALUE}`,
    });
  }
  if (a.syntax.length > 0) return;

  if (a.lostToHole.length > 0 || a.droppedByIncludeList.length > 0 || a.effective.length === 0) {
    const lost = [...a.lostToHole, ...a.droppedByIncludeList];
    const none = a.effective.length === 0;
    report(ctx, {
      id: 'postfix.protocols-gap',
      severity: none || a.effective.every((v) => v !== 'TLSv1.2' && v !== 'TLSv1.3') ? 'error' : 'warning',
      title: none
        ? `${s.name} leaves no TLS version enabled.`
        : `${s.name} leaves only ${a.effective.join(', ')}: ${lost.join(', ')} ${lost.length > 1 ? 'are' : 'is'} disabled too.`,
      detail: a.droppedByIncludeList.length > 0 && a.lostToHole.length === 0
        ? 'Listing the versions to include turns off every version not listed, so TLSv1.3 is off. Postfix ' +
          'recommends the exclusion form (or, since 3.6, ">=" bounds) for this reason.'
        : 'OpenSSL cannot skip a version: it enables the run of versions that starts at the lowest one allowed and ' +
          'stops at the first excluded one. Excluding a middle version therefore disables every newer version as ' +
          'well, and peers that require TLS 1.2 (Gmail, OpenSSL 3 clients, nodemailer on current Node) fail the ' +
          'handshake.',
      fix: `Set ${s.name} = ${FIX_VALUE} (Postfix 3.6 or later; on older Postfix exclude a contiguous range: ` +
        '"!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"), then run `postfix reload`.',
      range: s.valueRange,
      evidence: [shown(s), `OpenSSL enables: ${none ? 'nothing' : a.effective.join(', ')}`],
      edits: literal ? [replaceAll] : undefined,
      editTitle: `Set ${s.name} = ${FIX_VALUE}`,
    });
  }

  if (a.legacy.length > 0) {
    const severity = legacySeverity(ctx, s.name);
    report(ctx, {
      id: 'postfix.legacy-protocols',
      severity,
      title: `${s.name} permits ${a.legacy.join(', ')}.`,
      detail: legacyDetail(ctx, s.name, severity) +
        ' TLS 1.0 and 1.1 are deprecated (RFC 8996); SSLv3 is broken (POODLE).',
      fix: `Set ${s.name} = ${FIX_VALUE} (Postfix 3.6 or later; older Postfix: "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"), ` +
        'then run `postfix reload`.',
      range: s.valueRange,
      evidence: [shown(s)],
      edits: [replaceAll],
      editTitle: `Set ${s.name} = ${FIX_VALUE}`,
    });
  }
}

function isMandatory(name: string): boolean {
  return name.includes('_mandatory_');
}

function legacySeverity(ctx: RuleContext, name: string): Severity {
  if (isMandatory(name)) return 'warning';
  const role = ctx.service?.role;
  if (role === 'submission' || role === 'smtps') return 'warning';
  if (name.startsWith('smtp_') || name.startsWith('lmtp_')) return ctx.scope.value('relayhost') !== '' ? 'warning' : 'info';
  return 'info';
}

function legacyDetail(ctx: RuleContext, name: string, severity: Severity): string {
  if (severity === 'info') {
    return `This is opportunistic TLS in ${where(ctx)}. Postfix's TLS_README advises against demanding more for ` +
      'opportunistic TLS on the public Internet: a peer that cannot do TLS 1.2 would then send in plain text, ' +
      'which is worse than old TLS. Raise it where TLS is required (submission, relays, mandatory levels).';
  }
  if (isMandatory(name)) {
    return `This list applies where TLS is mandatory (the encrypt, verify and secure levels, typically submission ` +
      'and relays): there is no plain-text fallback to protect, so accepting deprecated versions only keeps the ' +
      'door open to downgrades.';
  }
  return `These connections carry passwords or relay mail (${where(ctx)}); the peers involved (Gmail, Microsoft 365, ` +
    'OpenSSL 3 clients, nodemailer) all speak TLS 1.2 or newer.';
}
