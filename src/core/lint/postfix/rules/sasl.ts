/**
 * Where passwords travel: SMTP AUTH offered by smtpd before STARTTLS, a SASL client with no TLS, credentials sent
 * to a relay whose certificate is never checked, and passwords written into main.cf itself.
 */
import { printable } from '../../../endpoint';
import { parseDestinations } from '../destinations';
import type { Severity } from '../../../finding';
import { report, RuleContext, setParameter, setParameterFix, shown, where } from '../context';
import type { ParameterScope } from '../scope';
import { caFileAdvice, systemCaBundle } from '../caBundle';
import { clientLevel } from './client';

/** The server's effective TLS level, including what the obsolete smtpd_use_tls/smtpd_enforce_tls imply. */
export function serverLevel(scope: ParameterScope): string {
  const level = scope.value('smtpd_tls_security_level').toLowerCase();
  if (level) return level;
  if (scope.flag('smtpd_enforce_tls')) return 'encrypt';
  return scope.flag('smtpd_use_tls') ? 'may' : 'none';
}

/** Parameters that decide whether an smtpd offers AUTH before TLS. */
export const SERVER_AUTH_PARAMS = [
  'smtpd_sasl_auth_enable',
  'smtpd_tls_security_level',
  'smtpd_use_tls',
  'smtpd_enforce_tls',
  'smtpd_tls_auth_only',
  'smtpd_tls_wrappermode',
  'smtpd_sasl_security_options',
];

const COMPLETE = (scope: ParameterScope, names: string[]) => names.every((n) => scope.resolved(n).complete);

/**
 * `postfix.sasl-before-starttls`: this scope (main.cf as inherited by the port-25 smtpd, or a master.cf smtpd
 * service) enables SASL and lets a client AUTH before STARTTLS: level none or may, no smtpd_tls_auth_only, no
 * wrapper mode, and plaintext mechanisms allowed on unencrypted sessions.
 */
export function checkSaslBeforeStarttls(ctx: RuleContext, serviceLabel: string): void {
  const scope = ctx.scope;
  if (!COMPLETE(scope, SERVER_AUTH_PARAMS)) return;
  if (!scope.flag('smtpd_sasl_auth_enable') || scope.flag('smtpd_tls_wrappermode') || scope.flag('smtpd_tls_auth_only')) return;
  const level = serverLevel(scope);
  if (level !== 'none' && level !== 'may') return;
  if (/\bnoplaintext\b/i.test(scope.value('smtpd_sasl_security_options'))) return;
  const sasl = scope.definedAt('smtpd_sasl_auth_enable');
  const own = scope.setting('smtpd_sasl_auth_enable') ?? scope.setting('smtpd_tls_security_level') ?? scope.setting('smtpd_tls_auth_only');
  const range = own?.valueRange ?? ctx.service?.nameRange;
  if (!range) return;
  const severity: Severity = level === 'none' ? 'error' : 'warning';
  const authOnly = scope.setting('smtpd_tls_auth_only');
  report(ctx, 'postfix.sasl-before-starttls', {
    severity,
    title:
      level === 'none'
        ? `${serviceLabel} offers SMTP AUTH without TLS: passwords cross the network in clear text.`
        : `${serviceLabel} offers SMTP AUTH before STARTTLS (smtpd_tls_auth_only is not yes): a client can send its password in clear text.`,
    detail:
      (level === 'none'
        ? 'smtpd_sasl_auth_enable = yes while TLS is off here, so every login (AUTH PLAIN/LOGIN is base64, not encryption) is readable on the path.'
        : 'With opportunistic TLS a client that does not issue STARTTLS, or one whose STARTTLS an attacker strips from the EHLO reply, is still ' +
          'offered AUTH and sends the password in clear text. Mail clients with "STARTTLS if available" and scripts do exactly that.') +
      ` (${sasl?.inherited ? 'SASL is enabled in main.cf and inherited here' : 'SASL is enabled here'}; ${where(ctx)}.)`,
    fix:
      level === 'none'
        ? 'Enable TLS for this service (smtpd_tls_security_level = may with smtpd_tls_auth_only = yes, or encrypt on submission), or turn SASL off here; then `postfix reload`.'
        : 'Set smtpd_tls_auth_only = yes (AUTH is then announced only after STARTTLS), or require TLS on this service (encrypt, on submission), then `postfix reload`.',
    range,
    evidence: [
      shown(sasl?.setting, 'smtpd_sasl_auth_enable', 'yes') + (sasl?.inherited ? ' (main.cf)' : ''),
      `smtpd TLS level: ${level}`,
      authOnly ? shown(authOnly) : 'smtpd_tls_auth_only = no (default)',
    ],
    edits: level === 'may' ? setParameter(ctx, 'smtpd_tls_auth_only', 'yes', own) : undefined,
    editTitle: 'Set smtpd_tls_auth_only = yes',
  });
}

/**
 * `postfix.sasl-client-without-tls`: smtp_sasl_auth_enable = yes with no TLS at all, where no relayhost is set
 * (with a relayhost, postfix.relay-credentials-in-clear says it): the credentials in smtp_sasl_password_maps go to
 * their servers in clear text.
 */
export function checkSaslClientWithoutTls(ctx: RuleContext): void {
  const scope = ctx.scope;
  if (
    !COMPLETE(scope, [
      'smtp_sasl_auth_enable',
      'smtp_tls_security_level',
      'smtp_use_tls',
      'smtp_enforce_tls',
      'smtp_tls_wrappermode',
      'relayhost',
      'smtp_tls_policy_maps',
    ])
  )
    return;
  if (!scope.flag('smtp_sasl_auth_enable') || scope.flag('smtp_tls_wrappermode') || scope.value('relayhost') !== '') return;
  if (clientLevel(scope) !== 'none') return;
  const sasl = scope.setting('smtp_sasl_auth_enable');
  if (!sasl) return;
  const noPlain = /\bnoplaintext\b/i.test(scope.value('smtp_sasl_security_options'));
  const policy = scope.value('smtp_tls_policy_maps') !== '';
  const level = scope.setting('smtp_tls_security_level');
  report(ctx, 'postfix.sasl-client-without-tls', {
    severity: noPlain || policy ? 'info' : 'warning',
    title: 'The SMTP client logs in to servers (smtp_sasl_auth_enable = yes) but never uses TLS.',
    detail:
      'smtp_tls_security_level is none (or unset), so the credentials from smtp_sasl_password_maps are sent to the relays and ' +
      'sender-dependent hosts they belong to without encryption' +
      (noPlain
        ? '; smtp_sasl_security_options has noplaintext, so only challenge-response mechanisms are used, whose exchange can still be cracked offline.'
        : ': AUTH PLAIN/LOGIN is base64, readable by anyone on the path.') +
      (policy ? ' smtp_tls_policy_maps is set and may require TLS for those hosts; check its entries.' : ''),
    // No relayhost: this client also delivers to MX hosts, so a global encrypt would defer mail to every one without TLS
    // (TLS_README: mandatory TLS "is not viable as a default security level for mail delivery to the public Internet").
    fix:
      'Set smtp_tls_security_level = may, and require TLS for the hosts you log in to in smtp_tls_policy_maps ' +
      '("[smtp.example.com]:587 secure", or encrypt), then run `postfix reload`. Not encrypt globally: with no relayhost this server ' +
      'also delivers straight to MX hosts, and mail to those without TLS would be deferred.',
    range: sasl.valueRange,
    evidence: [shown(sasl), shown(level, 'smtp_tls_security_level', '(unset: none)')],
    ...setParameterFix(ctx, 'smtp_tls_security_level', 'may', sasl),
  });
}

/**
 * `postfix.encrypt-without-verification`: credentials go to a relay at the encrypt level, which encrypts but never
 * checks the relay's certificate: whoever answers on the path (a MITM) gets them. The Postfix analogue of
 * nodemailer's rejectUnauthorized: false.
 */
export function checkEncryptWithoutVerification(ctx: RuleContext): void {
  const scope = ctx.scope;
  if (!COMPLETE(scope, ['smtp_sasl_auth_enable', 'smtp_tls_security_level', 'relayhost', 'smtp_tls_policy_maps'])) return;
  if (!scope.flag('smtp_sasl_auth_enable') || scope.value('relayhost') === '' || clientLevel(scope) !== 'encrypt') return;
  if (scope.value('smtp_tls_policy_maps') !== '') return;
  const level = scope.setting('smtp_tls_security_level');
  if (!level) return;
  // tls_append_default_CA alone trusts nothing (it appends to a CAfile/CApath that is set): not a CA.
  const hasCa = scope.value('smtp_tls_CAfile') !== '' || scope.value('smtp_tls_CApath') !== '';
  const edits = [...setParameter(ctx, 'smtp_tls_security_level', 'secure', level)];
  const bundle = systemCaBundle(scope);
  if (!hasCa) edits.push(...setParameter(ctx, 'smtp_tls_CAfile', bundle.path, level));
  report(ctx, 'postfix.encrypt-without-verification', {
    severity: 'info',
    title: 'The relay gets your SMTP password over TLS whose certificate is never checked (smtp_tls_security_level = encrypt).',
    detail:
      'The encrypt level protects against passive eavesdropping only: Postfix accepts any certificate, so an attacker who can ' +
      'redirect the connection (DNS, a hostile network) presents their own and receives the AUTH exchange. With a relay that has a ' +
      'public certificate, the secure level (certificate must match the relay name) costs nothing.',
    fix:
      'Set smtp_tls_security_level = secure' +
      (hasCa ? '' : ` and smtp_tls_CAfile = ${caFileAdvice(bundle)}`) +
      ', then run `postfix reload` and watch the log for "Verified TLS connection established".',
    range: level.valueRange,
    evidence: [
      shown(level),
      shown(scope.setting('relayhost'), 'relayhost', scope.value('relayhost')),
      shown(scope.setting('smtp_sasl_auth_enable'), 'smtp_sasl_auth_enable', 'yes'),
    ],
    edits,
    editTitle: hasCa ? 'Set smtp_tls_security_level = secure' : 'Set smtp_tls_security_level = secure with the system CA bundle',
  });
}

const PASSWORD_MAPS = /^(smtp|lmtp)_sasl_password_maps$/;

/**
 * The keys of the password table's lines: the table is looked up by the next hop exactly as written ("[host]:port"),
 * so this file's own relayhost when it has one, each destination of a list (Postfix 3.5+: "[a]:587, [b]:587") on a
 * line of its own; else (no relayhost, a $name, user info) an example.
 */
function tableLines(ctx: RuleContext, name: string): string[] {
  const example = ['[relay.example.com]:587'];
  if (name !== 'smtp_sasl_password_maps') return example;
  const relay = ctx.scope.resolved('relayhost');
  if (!relay.complete) return example;
  const keys = parseDestinations(relay.value).map((d) => relay.value.slice(d.start, d.end));
  return keys.length > 0 && keys.every((k) => !k.includes('@')) ? keys.slice(0, 4) : example;
}

/** `postfix.inline-credentials`: `static:user:pass` or `inline:{ host = user:pass }` written into the config. */
export function checkInlineCredentials(ctx: RuleContext): void {
  for (const name of ['smtp_sasl_password_maps', 'lmtp_sasl_password_maps']) {
    const s = ctx.scope.setting(name);
    if (!s || !PASSWORD_MAPS.test(s.name)) continue;
    const v = s.value;
    const inline = /(^|[\s,])static:\S*:/i.test(v) || /(^|[\s,])(inline|texthash):\{[^}]*=/i.test(v);
    if (!inline) continue;
    const lines = tableLines(ctx, name)
      .map((key) => `"${printable(key, 200)} user:password"`)
      .join(', ');
    report(ctx, 'postfix.inline-credentials', {
      severity: 'warning',
      title: `${name} holds a password written into ${ctx.service ? 'master.cf' : 'main.cf'} itself.`,
      detail:
        'main.cf and master.cf are world-readable (postconf shows them to any local user, and `postconf -n` output is pasted ' +
        'into bug reports), and configs like this one end up in repositories. A lookup table of its own can be made readable by ' +
        'root only.',
      fix:
        `Move the credentials to a table: ${name} = hash:/etc/postfix/sasl_passwd (lines ${lines}), ` +
        'then `chmod 600 /etc/postfix/sasl_passwd && postmap /etc/postfix/sasl_passwd && postfix reload`. Change the password if the file was shared.',
      range: s.valueRange,
      // shown() hides everything after the map type: the secret never reaches the evidence.
      evidence: [shown(s)],
    });
  }
}
