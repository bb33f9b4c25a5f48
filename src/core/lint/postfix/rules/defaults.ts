/** What Postfix does when a parameter is left at its default: TLS 1.0/1.1 on mandatory TLS, no outbound TLS. */
import { report, RuleContext, setParameter, setParameterFix, shown } from '../context';
import { PARAMS_VERSION, postfixDefault } from '../params';
import { analyzeProtocols } from '../protocols';
import { clientLevel } from './client';
import { serverLevel } from './sasl';
import { tls12Advice, tls12Value } from '../version';

/**
 * `postfix.mandatory-protocols-default`: a submission (encrypt) or smtps (wrapper mode) service where
 * smtpd_tls_mandatory_protocols is set nowhere, and the default of the Postfix version the parameter list comes
 * from still allows TLS 1.0/1.1. Only with the sibling main.cf read: without it, main.cf may well set it.
 */
export function checkMandatoryProtocolsDefault(ctx: RuleContext, mainKnown: boolean): void {
  const svc = ctx.service;
  if (!svc || !mainKnown || (svc.role !== 'submission' && svc.role !== 'smtps')) return;
  const scope = ctx.scope;
  const mandatory = svc.role === 'smtps' ? scope.flag('smtpd_tls_wrappermode') : serverLevel(scope) === 'encrypt';
  if (!mandatory || scope.definedAt('smtpd_tls_mandatory_protocols') !== undefined) return;
  const def = postfixDefault('smtpd_tls_mandatory_protocols');
  if (typeof def !== 'string') return;
  const legacy = analyzeProtocols(def).legacy;
  if (legacy.length === 0) return;
  report(ctx, 'postfix.mandatory-protocols-default', {
    severity: 'info',
    title: `The ${svc.name} service requires TLS but leaves smtpd_tls_mandatory_protocols at its default (${def}), which still allows ${legacy.join(', ')}.`,
    detail:
      `Postfix ${PARAMS_VERSION} (and the releases before it) default to "${def}" for mandatory TLS, so your users' logins may use ` +
      'TLS 1.0/1.1 (deprecated, RFC 8996) if their client offers nothing better. Every current mail client speaks TLS 1.2, so ' +
      'raising the floor only turns away software that should not be sending passwords anyway.',
    fix:
      `Set ${tls12Advice('smtpd_tls_mandatory_protocols', ctx)} in main.cf (for every service) or as an -o override on this service, ` +
      'then run `postfix reload`.',
    range: svc.nameRange,
    evidence: [`smtpd_tls_mandatory_protocols = ${def} (default, set neither in main.cf nor in the service)`],
    edits: setParameter(ctx, 'smtpd_tls_mandatory_protocols', tls12Value(ctx)),
    editTitle: `Add -o smtpd_tls_mandatory_protocols=${tls12Value(ctx)}`,
  });
}

/**
 * `postfix.no-outbound-tls`: an Internet MTA (it offers TLS to senders and delivers straight to MX hosts: no
 * relayhost, default transports) whose SMTP client never uses TLS: mail to Gmail and every other provider leaves in
 * clear text even though they all offer STARTTLS.
 */
export function checkNoOutboundTls(ctx: RuleContext): void {
  const scope = ctx.scope;
  const names = [
    'smtp_tls_security_level',
    'smtp_use_tls',
    'smtp_enforce_tls',
    'relayhost',
    'smtp_tls_policy_maps',
    'default_transport',
    'relay_transport',
    'sender_dependent_relayhost_maps',
    'sender_dependent_default_transport_maps',
    'smtpd_tls_security_level',
    'smtpd_use_tls',
  ];
  if (!names.every((n) => scope.resolved(n).complete)) return;
  if (clientLevel(scope) !== 'none' || scope.value('relayhost') !== '' || scope.value('smtp_tls_policy_maps') !== '') return;
  if (scope.value('sender_dependent_relayhost_maps') !== '' || scope.value('sender_dependent_default_transport_maps') !== '') return;
  if (scope.value('default_transport') !== 'smtp') return;
  // An Internet MTA: it offers TLS itself (so it is set up for TLS, and talks to the Internet).
  const offersTls = serverLevel(scope) !== 'none' || scope.value('smtpd_tls_cert_file') !== '' || scope.value('smtpd_tls_chain_files') !== '';
  if (!offersTls) return;
  // Only where the file shows it was meant to be set up for Internet mail: client TLS turned off explicitly, or
  // client TLS parameters written (a session cache, protocols, a CA) that have no effect at level none. A bare
  // fragment with only server settings says too little about how this host sends.
  const clientTls = [...scope.ownNames()].filter((n) => /^smtp_tls_/.test(n) && n !== 'smtp_tls_security_level');
  const own = scope.setting('smtp_tls_security_level') ?? scope.setting('smtp_use_tls');
  if (!own && clientTls.length === 0) return;
  const anchor =
    own ??
    scope.setting('smtpd_tls_security_level') ??
    scope.setting('smtpd_use_tls') ??
    scope.setting('smtpd_tls_cert_file') ??
    scope.setting('smtpd_tls_chain_files');
  if (!anchor) return;
  report(ctx, 'postfix.no-outbound-tls', {
    severity: 'warning',
    title: 'This server offers TLS to senders but sends all its own mail in clear text (smtp_tls_security_level is none or unset).',
    detail:
      "It delivers straight to the recipients' MX hosts (no relayhost) without ever trying STARTTLS, although nearly every mail " +
      'server offers it: messages and their headers cross the Internet readable, and Gmail marks them as not encrypted. Opportunistic TLS ' +
      '(may) costs nothing and falls back to plain text only where the peer has no TLS.',
    fix: 'Set smtp_tls_security_level = may (and smtp_tls_loglevel = 1 to see it in the log), then run `postfix reload`.',
    range: (own ?? anchor).valueRange,
    evidence: [
      shown(own, 'smtp_tls_security_level', '(unset: none)'),
      'relayhost = (empty: direct delivery to MX hosts)',
      shown(anchor),
      ...(clientTls.length > 0 ? [`set here but without effect at level none: ${clientTls.slice(0, 4).join(', ')}`] : []),
    ],
    ...setParameterFix(ctx, 'smtp_tls_security_level', 'may', anchor),
  });
}
