/**
 * A master.cf smtpd service in wrapper mode (`-o smtpd_tls_wrappermode=yes`, implicit TLS on 465), checked against
 * what Postfix 3.7.11 does (seen live, test/integration/interop/postfixWrapper.test.ts):
 *
 * - smtpd_tls_security_level is ignored in wrapper mode (postconf(5): "This parameter is ignored with
 *   smtpd_tls_wrappermode = yes"): with `-o smtpd_tls_security_level=none` (or main.cf's level none or empty) the
 *   service still does TLS. The `none` only misleads the reader: info.
 * - Without any server certificate smtpd logs "No server certs available. TLS won't be enabled" and then, for each
 *   connection, "Wrapper-mode request dropped ... TLS context initialization failed": the service takes no mail at
 *   all. That is what really makes an SMTPS service unable to do TLS: error.
 */
import { report, RuleContext, shown } from '../context';

/** The parameters that give smtpd a certificate (any of them non-empty is enough to try). */
const CERT_PARAMS = ['smtpd_tls_chain_files', 'smtpd_tls_cert_file', 'smtpd_tls_eccert_file', 'smtpd_tls_dcert_file'];

/**
 * True when it is known that this smtpd has no server certificate at all: main.cf is in view and neither it nor the
 * service sets one (a $variable left unresolved could name one). smtpd then logs "No server certs available. TLS
 * won't be enabled".
 */
export function knownWithoutCertificate(ctx: RuleContext, mainKnown: boolean): boolean {
  if (!mainKnown || !CERT_PARAMS.every((n) => ctx.scope.resolved(n).complete)) return false;
  return CERT_PARAMS.every((n) => ctx.scope.value(n).trim() === '');
}

export function checkWrapperService(ctx: RuleContext, mainKnown: boolean): void {
  const svc = ctx.service;
  if (!svc || (svc.role !== 'smtps' && svc.role !== 'submission' && svc.role !== 'mx')) return;
  if (!ctx.scope.flag('smtpd_tls_wrappermode')) return;

  const level = ctx.scope.setting('smtpd_tls_security_level');
  if (level && level.value.trim().toLowerCase() === 'none') {
    report(ctx, 'postfix.wrappermode-level-ignored', {
      severity: 'info',
      title: `The ${svc.name} service sets smtpd_tls_security_level=none, which wrapper mode ignores: it still speaks TLS only.`,
      detail:
        'postconf(5): smtpd_tls_security_level "is ignored with smtpd_tls_wrappermode = yes". A Postfix 3.7 smtpd with both ' +
        'settings completes the TLS handshake on every connection (TLS 1.3 with the configured certificate) and never talks ' +
        'plain text, so the line turns nothing off; it only tells a reader the opposite of what happens.',
      fix: 'Write -o smtpd_tls_security_level=encrypt (what wrapper mode does) or remove the line, then run `postfix reload`.',
      range: level.valueRange,
      evidence: [shown(level), shown(ctx.scope.setting('smtpd_tls_wrappermode'), 'smtpd_tls_wrappermode', 'yes')],
      edits: [{ range: level.valueRange, newText: 'encrypt' }],
      editTitle: 'Write -o smtpd_tls_security_level=encrypt',
    });
  }

  // Without main.cf the inherited certificate is unknown; a $variable left unresolved could name one.
  if (!knownWithoutCertificate(ctx, mainKnown)) return;
  const own = CERT_PARAMS.map((n) => ctx.scope.setting(n)).find((s) => s !== undefined);
  const wrapper = ctx.scope.setting('smtpd_tls_wrappermode');
  report(ctx, 'postfix.smtps-without-certificate', {
    severity: 'error',
    title: `The ${svc.name} service runs in wrapper mode (implicit TLS) but has no server certificate: Postfix drops every connection.`,
    detail:
      'Neither smtpd_tls_chain_files nor smtpd_tls_cert_file (nor the ECDSA/DSA variants) is set in main.cf or by this ' +
      'service. smtpd logs "No server certs available. TLS won\'t be enabled" and then, for every client, "Wrapper-mode ' +
      'request dropped ... TLS context initialization failed": clients see the connection reset before any greeting ' +
      '(seen with Postfix 3.7.11), so nothing can be submitted on this port. A TLS level of none or empty in main.cf ' +
      'does not cause this (wrapper mode ignores the level); the missing certificate does.',
    fix:
      'Set smtpd_tls_chain_files (Postfix 3.4+) or smtpd_tls_cert_file and smtpd_tls_key_file in main.cf (or as -o ' +
      'overrides of this service) to the server certificate chain and key, then run `postfix reload`.',
    range: own ? own.valueRange : wrapper ? wrapper.valueRange : svc.nameRange,
    evidence: [
      shown(wrapper, 'smtpd_tls_wrappermode', 'yes'),
      ...CERT_PARAMS.map((n) => shown(ctx.scope.setting(n), n, `${ctx.scope.value(n)}${ctx.scope.setting(n) ? '' : ' (empty: main.cf and default)'}`)),
    ],
  });
}
