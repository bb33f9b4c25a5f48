/**
 * Client-side policy settings that the domain check is about (issue 14 item 9): DANE without DNSSEC lookups
 * (Postfix downgrades to `may` with only a warning), and certificate verification (`verify`, `secure`, or an MTA-STS
 * socketmap policy) with no CA to verify against (every peer is "Untrusted": mail deferred).
 */
import { report, RuleContext, setParameter, setParameterFix, shown } from '../context';
import { caFileAdvice, systemCaBundle } from '../caBundle';
import { clientLevel } from './client';

const COMPLETE = (ctx: RuleContext, names: string[]) => names.every((n) => ctx.scope.resolved(n).complete);

/** `postfix.dane-without-dnssec`: smtp_tls_security_level = dane/dane-only but smtp_dns_support_level is not dnssec. */
export function checkDaneWithoutDnssec(ctx: RuleContext): void {
  const scope = ctx.scope;
  if (!COMPLETE(ctx, ['smtp_tls_security_level', 'smtp_dns_support_level'])) return;
  const level = clientLevel(scope);
  if (level !== 'dane' && level !== 'dane-only') return;
  if (scope.value('smtp_dns_support_level').toLowerCase() === 'dnssec') return;
  const setting = scope.setting('smtp_tls_security_level');
  if (!setting) return;
  const dns = scope.setting('smtp_dns_support_level');
  report(ctx, 'postfix.dane-without-dnssec', {
    severity: 'warning',
    title: `smtp_tls_security_level = ${level} without smtp_dns_support_level = dnssec: DANE is off.`,
    detail:
      'Postfix uses DANE only when its DNS lookups ask for DNSSEC validation (smtp_dns_support_level = dnssec, with a validating ' +
      'resolver on loopback in /etc/resolv.conf and "options trust-ad"). Without it, the dane level falls back to may (opportunistic TLS, no ' +
      'authentication) and dane-only defers every delivery; the only trace is a warning per delivery attempt ' +
      '("NEXTHOP: dane configured with dnssec lookups disabled"), easy to miss because mail still flows with dane.',
    fix:
      'Set smtp_dns_support_level = dnssec, run a validating resolver on this host (unbound) listed in /etc/resolv.conf with ' +
      '"options trust-ad", then `postfix reload`; `mail-tls-doctor check DOMAIN --resolver 127.0.0.1` shows what DANE then sees.',
    range: setting.valueRange,
    evidence: [shown(setting), shown(dns, 'smtp_dns_support_level', '(unset: no DNSSEC)')],
    ...setParameterFix(ctx, 'smtp_dns_support_level', 'dnssec', setting),
  });
}

/**
 * `postfix.verify-without-ca` for an MTA-STS socketmap in smtp_tls_policy_maps (its enforce policies come back as
 * `secure`) with no smtp_tls_CAfile, smtp_tls_CApath or smtp_tls_trust_anchor_file: Postfix trusts no CA, so no MX of
 * an MTA-STS domain verifies. The global verify/secure case is checked by client.ts.
 */
export function checkVerifyWithoutCa(ctx: RuleContext): void {
  const scope = ctx.scope;
  if (!COMPLETE(ctx, ['smtp_tls_security_level', 'smtp_tls_policy_maps', 'smtp_tls_CAfile', 'smtp_tls_CApath', 'smtp_tls_trust_anchor_file'])) return;
  // tls_append_default_CA only appends to a CAfile/CApath that is set (tls_certkey.c): alone it trusts nothing.
  if (scope.value('smtp_tls_CAfile') !== '' || scope.value('smtp_tls_CApath') !== '' || scope.value('smtp_tls_trust_anchor_file') !== '') return;
  const level = clientLevel(scope);
  if (level === 'verify' || level === 'secure') return; // reported by client.ts
  if (!/\bsocketmap:/i.test(scope.value('smtp_tls_policy_maps'))) return;
  const setting = scope.setting('smtp_tls_policy_maps');
  if (!setting) return;
  const bundle = systemCaBundle(scope);
  report(ctx, 'postfix.verify-without-ca', {
    severity: 'error',
    title: 'An MTA-STS policy map (socketmap) is used but no CA is configured (smtp_tls_CAfile / smtp_tls_CApath): mail to MTA-STS domains is deferred.',
    detail:
      "With neither smtp_tls_CAfile nor smtp_tls_CApath Postfix loads no CA at all (tls_append_default_CA only adds OpenSSL's " +
      'default CAs to a CAfile or CApath that is set), so every peer is "Untrusted", so the verify and secure levels (and the secure level an MTA-STS resolver such as postfix-mta-sts-resolver ' +
      'returns for enforce policies) defer the mail with "Server certificate not trusted".',
    fix: `Set smtp_tls_CAfile = ${caFileAdvice(bundle)}, then \`postfix reload\`.`,
    range: setting.valueRange,
    evidence: [shown(setting), 'smtp_tls_CAfile, smtp_tls_CApath: (unset)'],
    edits: setParameter(ctx, 'smtp_tls_CAfile', bundle.path, setting),
    editTitle: 'Set smtp_tls_CAfile to the system CA bundle',
  });
}
