import type { Severity } from '../../../finding';
import { report, RuleContext, shown, where } from '../context';
import type { Setting } from '../mainParser';
import { analyzeProtocols, protocolSide, ProtocolSide, Version, VERSIONS } from '../protocols';
import { BOUND_TLS12, describeKnowledge, EXCLUSION_TLS12, knownVersion, knowsBounds, tls12Advice, tls12Value } from '../version';
import { smtpdTlsMandatory } from './opportunisticOverride';

const PROTOCOL_PARAM = /^(smtpd|smtp|lmtp|postscreen|tlsproxy|tlsproxy_client)_tls_(mandatory_)?protocols$/;

/** What Postfix does when it cannot read the list (tls_server.c / tls_client.c). */
function rejectedEffect(side: ProtocolSide): string {
  return side === 'server'
    ? 'The server logs "Invalid TLS protocol list ...: disabling TLS support": smtpd still announces STARTTLS but ' +
        'answers it with "454 4.7.0 TLS not available due to local problem", so clients that require TLS cannot send ' +
        'and the others deliver in plain text.'
    : 'The SMTP client logs "Invalid TLS protocol list ...: aborting TLS session" for every delivery: deliveries ' +
        'that require TLS (encrypt, verify, secure) are deferred and stay in the queue.';
}

/** The list as `!name` exclusions of every version outside `allowed` (read by every Postfix version). */
export function exclusionList(allowed: readonly Version[], compact: boolean): string {
  const out = VERSIONS.filter((v) => !allowed.includes(v)).map((v) => `!${v}`);
  return out.join(compact ? ',' : ', ');
}

/** `>=floor` where the bound syntax is known to work, else the exclusions below the floor. */
function floorValue(ctx: RuleContext, floor: Version): string {
  if (knowsBounds(knownVersion(ctx)) === true) return `>=${floor}`;
  const idx = VERSIONS.indexOf(floor);
  return exclusionList(VERSIONS.slice(idx), ctx.service !== undefined);
}

export function checkProtocols(ctx: RuleContext, s: Setting): void {
  if (!PROTOCOL_PARAM.test(s.name)) return;
  // `$name` values are judged by what they expand to; ranges still point at what is written.
  const r = ctx.scope.resolved(s.name);
  if (!r.complete) return;
  const side = protocolSide(s.name);
  const a = analyzeProtocols(r.value, side);
  const literal = r.value === s.value;
  const know = knownVersion(ctx);
  const bounds = knowsBounds(know);
  const fixValue = tls12Value(ctx);
  const replaceAll = { range: s.valueRange, newText: fixValue };
  const versionNote = know.version ? ` Version: ${describeKnowledge(know)}.` : '';

  let rejected = false;
  for (const issue of literal ? a.syntax : []) {
    const end = issue.replaceEnd ?? issue.token.end;
    if (issue.replacement) {
      // A bound written with a blank (">= TLSv1.2"). Postfix 3.6+ reads ">=" alone as no bound and the name after it
      // as an include list (only that version); older Postfix rejects the whole list.
      const joined = r.value.slice(0, issue.token.start) + issue.replacement + r.value.slice(end);
      const intended = analyzeProtocols(joined, side);
      const exclusions = exclusionList(intended.allowed, ctx.service !== undefined);
      const useJoin = bounds === true;
      rejected ||= bounds !== true;
      report(ctx, 'postfix.protocols-syntax', {
        severity: bounds === true ? 'warning' : 'error',
        title: `${s.name} has "${issue.token.text}" followed by a blank, which Postfix does not read as a bound.`,
        detail:
          `${issue.reason}. Postfix 3.6 and later read "${issue.token.text}" alone as no bound at all and the ` +
          `name after it as a list of versions to include, so only that version is enabled (for "${issue.token.text} TLSv1.2": ` +
          `TLS 1.2 only, TLS 1.3 off). Postfix before 3.6 has no bounds and rejects the whole list. ${rejectedEffect(side)}${versionNote}`,
        fix: useJoin
          ? `Write "${issue.replacement}" without the blank, then run \`postfix reload\`.`
          : `Write the list as "${exclusions}" (every Postfix version), or "${issue.replacement}" without the blank on ` +
            'Postfix 3.6 and later; then run `postfix reload`.',
        range: s.valueSubRange(issue.token.start, end),
        evidence: [shown(s)],
        edits: useJoin
          ? [{ range: s.valueSubRange(issue.token.start, end), newText: issue.replacement }]
          : exclusions
            ? [{ range: s.valueRange, newText: exclusions }]
            : undefined,
        editTitle: useJoin ? `Write ${issue.replacement}` : `Set ${s.name} = ${exclusions}`,
      });
      continue;
    }
    rejected = true;
    report(ctx, 'postfix.protocols-syntax', {
      severity: 'error',
      title: `${s.name} has "${issue.token.text}", which Postfix does not accept.`,
      detail: `${issue.reason}. Postfix rejects the whole protocol list. ${rejectedEffect(side)}${versionNote}`,
      fix:
        `Use only SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (with "!" to exclude), or with Postfix 3.6 and ` +
        `later ">=" / "<=" bounds; for TLS 1.2 and newer: ${tls12Advice(s.name, ctx)}. Then run \`postfix reload\`.`,
      range: s.valueSubRange(issue.token.start, end),
      evidence: [shown(s)],
      edits: [replaceAll],
      editTitle: `Set ${s.name} = ${fixValue}`,
    });
  }
  // Bounds on a Postfix known to be older than 3.6: the whole list is rejected.
  if (literal && a.syntax.length === 0 && bounds === false) {
    const boundTok = a.tokens.find((t) => /^[<>]=/.test(t.text));
    if (boundTok) {
      rejected = true;
      const exclusions = exclusionList(a.allowed, ctx.service !== undefined);
      report(ctx, 'postfix.protocols-syntax', {
        severity: 'error',
        title: `${s.name} uses "${boundTok.text}", a bound that ${describeKnowledge(know)} does not understand.`,
        detail:
          `The ">=" and "<=" bounds exist since Postfix 3.6 (postconf(5), smtpd_tls_protocols); older Postfix ` +
          `takes "${boundTok.text}" for an unknown protocol name and rejects the whole list. ${rejectedEffect(side)}`,
        fix: `Write the list with exclusions: ${s.name} = ${exclusions || EXCLUSION_TLS12}, then run \`postfix reload\`.`,
        range: s.valueSubRange(boundTok.start, boundTok.end),
        evidence: [shown(s), describeKnowledge(know)],
        edits: exclusions ? [{ range: s.valueRange, newText: exclusions }] : undefined,
        editTitle: `Set ${s.name} = ${exclusions}`,
      });
    }
  }
  if (rejected || a.syntax.length > 0) return;

  const legacySev = a.legacy.length > 0 ? legacySeverity(ctx, s.name) : undefined;
  if (a.lostToHole.length > 0 || a.droppedByIncludeList.length > 0 || a.effective.length === 0) {
    const lost = [...a.lostToHole, ...a.droppedByIncludeList];
    const none = a.effective.length === 0;
    const noModern = a.effective.every((v) => v !== 'TLSv1.2' && v !== 'TLSv1.3');
    // Close the gap without moving the floor: tightening is the legacy rule's business (and not wanted for
    // opportunistic TLS). Where the legacy rule would tighten anyway, go straight to TLS 1.2.
    const floor = a.effective[0];
    const tighten = none || legacySev === 'warning' || (floor !== undefined && (floor === 'TLSv1.2' || floor === 'TLSv1.3'));
    const value = tighten || floor === undefined ? fixValue : floorValue(ctx, floor);
    report(ctx, 'postfix.protocols-gap', {
      severity: none || noModern ? 'error' : 'warning',
      title: none
        ? `${s.name} leaves no TLS version enabled.`
        : `${s.name} leaves only ${a.effective.join(', ')}: ${lost.join(', ')} ${lost.length > 1 ? 'are' : 'is'} disabled too.`,
      detail:
        a.droppedByIncludeList.length > 0 && a.lostToHole.length === 0
          ? `Listing the versions to include turns off every version not listed, so ${a.droppedByIncludeList.join(', ')} ${a.droppedByIncludeList.length > 1 ? 'are' : 'is'} off and only ${a.effective.join(', ')} ${a.effective.length > 1 ? 'remain' : 'remains'}. Postfix ` +
            'recommends the exclusion form (or, since 3.6, ">=" bounds) for this reason (postconf(5), smtpd_tls_protocols).'
          : none
            ? 'No TLS version is left, so every TLS handshake fails.'
            : 'This is a list of the SMTP client: an OpenSSL client cannot skip a version, it offers the run of versions ' +
              'that starts at the lowest one allowed and stops at the first excluded one. Excluding a middle version ' +
              'therefore disables every newer version as well, and servers that require TLS 1.2 or newer (Microsoft ' +
              '365, OpenSSL 3 servers at security level 2) fail the handshake.',
      fix:
        `Set ${s.name} = ${value}${value === BOUND_TLS12 || value.startsWith('>=') ? ' (Postfix 3.6 and later)' : ' (every Postfix version)'}` +
        `, then run \`postfix reload\`.${tighten ? '' : ' This keeps the lowest version you allow and closes the gap above it.'}`,
      range: s.valueRange,
      evidence: [shown(s), `OpenSSL enables: ${none ? 'nothing' : a.effective.join(', ')}`],
      edits: literal ? [{ range: s.valueRange, newText: value }] : undefined,
      editTitle: `Set ${s.name} = ${value}`,
    });
  }

  // A service that requires TLS never uses its opportunistic smtpd list: postfix.opportunistic-override-ignored says so,
  // and advice to tighten a list without effect would contradict it.
  if (a.legacy.length > 0 && legacySev && !(s.name === 'smtpd_tls_protocols' && smtpdTlsMandatory(ctx))) {
    const opportunistic = legacySev === 'info';
    report(ctx, 'postfix.legacy-protocols', {
      severity: legacySev,
      title: `${s.name} permits ${a.legacy.join(', ')}.`,
      detail: legacyDetail(ctx, s.name, legacySev) + ' TLS 1.0 and 1.1 are deprecated (RFC 8996); SSLv3 is broken (RFC 7568, POODLE).',
      fix: opportunistic
        ? 'Leave this list as it is for opportunistic TLS; require TLS 1.2 where TLS is mandatory instead: ' +
          `${tls12Advice(s.name.replace(/_tls_protocols$/, '_tls_mandatory_protocols'), ctx)}.`
        : `Set ${tls12Advice(s.name, ctx)}, then run \`postfix reload\`.`,
      range: s.valueRange,
      evidence: [shown(s), ...(know.version ? [describeKnowledge(know)] : [])],
      edits: opportunistic ? undefined : [replaceAll],
      editTitle: `Set ${s.name} = ${fixValue}`,
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
  // Only a relayhost that is known counts: a templated one (`{{ RELAYHOST }}`, `${RELAY}`) may render empty, and then
  // these lists serve opportunistic TLS to MX hosts, which TLS_README advises against restricting.
  if (name.startsWith('smtp_') || name.startsWith('lmtp_')) return knownRelay(ctx) ? 'warning' : 'info';
  return 'info';
}

function knownRelay(ctx: RuleContext): boolean {
  const relay = ctx.scope.resolved('relayhost');
  return relay.complete && relay.value.trim() !== '';
}

function legacyDetail(ctx: RuleContext, name: string, severity: Severity): string {
  if (severity === 'info') {
    return (
      `This list applies to opportunistic TLS in ${where(ctx)} (security level "may"; the mandatory levels use ` +
      `${name.replace(/_tls_protocols$/, '_tls_mandatory_protocols')}). Postfix's TLS_README advises against ` +
      'restricting opportunistic TLS on the public Internet: a peer that cannot do TLS 1.2 would then fall back to ' +
      'plain text, which is worse than old TLS. That is why no edit is offered here.'
    );
  }
  if (isMandatory(name)) {
    return (
      `This list applies where TLS is mandatory (the encrypt, verify and secure levels, typically submission ` +
      'and relays): there is no plain-text fallback to protect, so accepting deprecated versions only keeps the ' +
      'door open to downgrades.'
    );
  }
  return (
    `These connections carry passwords or relay mail (${where(ctx)}); the peers involved (Microsoft 365, ` +
    'current mail clients, nodemailer on Node 20) all speak TLS 1.2 or newer.'
  );
}
