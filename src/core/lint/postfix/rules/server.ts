import { knownWithoutCertificate } from './wrapperService';
import type { TextEdit } from '../../../finding';
import { acceptsMailForDomains } from './mx';
import { report, RuleContext, setParameter, shown } from '../context';

const RFC3207 =
  'RFC 3207 says a publicly-referenced SMTP server must not require STARTTLS: other mail servers ' +
  'deliver to an MX without knowing whether it has TLS, and the ones that cannot negotiate it (or fail the ' +
  'handshake) get "530 Must issue a STARTTLS command first" and bounce or delay mail to you.';

/**
 * `smtpd_tls_security_level = encrypt` where the public MX (port 25) inherits or sets it. The edit never lowers
 * another service: in main.cf it is offered only when master.cf is known and no submission/smtps service inherits
 * main.cf's level (they would drop to "may", with AUTH offered before STARTTLS); in master.cf it gives the port-25
 * service its own `-o smtpd_tls_security_level=may` and leaves main.cf (and the services inheriting it) alone.
 */
export function checkEncryptOnMx(ctx: RuleContext, publicMxInheritsMain: boolean, inheritingServices?: readonly string[]): void {
  const at = ctx.scope.definedAt('smtpd_tls_security_level');
  if (!at || ctx.scope.value('smtpd_tls_security_level').toLowerCase() !== 'encrypt') return;
  if (ctx.service ? ctx.service.role !== 'mx' : !publicMxInheritsMain) return;
  if (!acceptsMailForDomains(ctx.scope)) return; // a relay for its own networks, no MX: it may require TLS
  const own = at.inherited ? undefined : at.setting;
  let edits: TextEdit[] | undefined;
  let editTitle: string | undefined;
  let caveat = '';
  if (ctx.service) {
    edits = setParameter(ctx, 'smtpd_tls_security_level', 'may');
    editTitle = own ? 'Set -o smtpd_tls_security_level=may' : `Add -o smtpd_tls_security_level=may to the ${ctx.service.name} service`;
  } else if (inheritingServices === undefined) {
    caveat =
      ' No edit is offered: without master.cf beside this file it is unknown whether a submission or smtps ' +
      'service inherits this level, and changing it here would drop that service to "may" (AUTH offered before STARTTLS).';
  } else if (inheritingServices.length > 0) {
    caveat =
      ` No edit is offered here: ${inheritingServices.join(', ')} in master.cf inherit${inheritingServices.length === 1 ? 's' : ''} this ` +
      'level and would drop to "may" (AUTH offered before STARTTLS). The edit on the port-25 service in master.cf fixes it without that.';
  } else {
    edits = [{ range: at.setting.valueRange, newText: 'may' }];
    editTitle = 'Set smtpd_tls_security_level = may';
  }
  report(ctx, 'postfix.encrypt-on-public-mx', {
    severity: 'warning',
    title: `smtpd_tls_security_level = encrypt on the public SMTP service (${ctx.service ? `${ctx.service.name} in master.cf${own ? '' : ', inherited from main.cf'}` : 'main.cf'}).`,
    detail: RFC3207 + ' Mandatory TLS belongs on the submission service (port 587), where your own users connect.' + caveat,
    fix: ctx.service
      ? `Add "-o smtpd_tls_security_level=may" under the ${ctx.service.name} service (port 25) and keep encrypt in main.cf for the ` +
        'services that inherit it. Then run `postfix reload`.'
      : 'Give port 25 opportunistic TLS without lowering submission: either add "-o smtpd_tls_security_level=may" under the ' +
        'smtp (port 25) service in master.cf, or set smtpd_tls_security_level = may here after adding ' +
        '"-o smtpd_tls_security_level=encrypt" under every submission/smtps service. Then run `postfix reload`.',
    range: own ? own.valueRange : ctx.service ? ctx.service.nameRange : at.setting.valueRange,
    evidence: [shown(at.setting) + (at.inherited ? ' (main.cf)' : '')],
    edits,
    editTitle,
  });
}

/** master.cf: implicit-TLS services need wrapper mode, submission needs encrypt. */
export function checkServiceTls(ctx: RuleContext, mainKnown: boolean): void {
  const svc = ctx.service;
  if (!svc) return;
  if (svc.role === 'smtps' && !ctx.scope.flag('smtpd_tls_wrappermode')) {
    const own = ctx.scope.setting('smtpd_tls_wrappermode');
    report(ctx, 'postfix.smtps-without-wrappermode', {
      severity: 'error',
      title: `The ${svc.name} service (port 465) runs without -o smtpd_tls_wrappermode=yes.`,
      detail:
        'Clients on port 465 start TLS at once (nodemailer with secure: true, Outlook, Thunderbird "SSL/TLS"), ' +
        'but this smtpd greets in plain text: the client reports "wrong version number" (OpenSSL) or a ' +
        'handshake timeout and cannot send.',
      fix:
        'Add "-o smtpd_tls_wrappermode=yes" (and "-o smtpd_sasl_auth_enable=yes" if users log in there) as ' +
        'continuation lines under the service, then run `postfix reload`.',
      range: own ? own.valueRange : svc.nameRange,
      evidence: own ? [shown(own)] : [`${svc.name} inet ... smtpd (no smtpd_tls_wrappermode override)`],
      edits: setParameter(ctx, 'smtpd_tls_wrappermode', 'yes'),
      editTitle: 'Add -o smtpd_tls_wrappermode=yes',
    });
  }
  if (svc.role === 'submission') {
    const level = ctx.scope.value('smtpd_tls_security_level').toLowerCase();
    const enforced = level === 'encrypt' || (level === '' && ctx.scope.flag('smtpd_enforce_tls'));
    if (!enforced && ctx.scope.resolved('smtpd_tls_security_level').complete) {
      const own = ctx.scope.setting('smtpd_tls_security_level');
      // smtpd_tls_auth_only = yes: AUTH is neither announced nor accepted before STARTTLS (postconf(5)), so no
      // password crosses in the clear; what remains is mail submitted without TLS by clients that do not log in.
      const authOnly = ctx.scope.flag('smtpd_tls_auth_only');
      // With no certificate at all, encrypt makes the port refuse every mail (seen with Postfix 3.7.11: MAIL gets
      // "530 5.7.0 Must issue a STARTTLS command first", STARTTLS "454 4.7.0 TLS not available due to local
      // problem"): the certificate comes first, and no edit sets encrypt alone.
      const noCert = knownWithoutCertificate(ctx, mainKnown);
      const sasl = ctx.scope.flag('smtpd_sasl_auth_enable');
      report(ctx, 'postfix.submission-without-encrypt', {
        severity: authOnly ? 'info' : 'warning',
        title: `The submission service does not require TLS (smtpd_tls_security_level is "${level || 'unset'}").`,
        detail:
          (authOnly
            ? 'smtpd_tls_auth_only = yes keeps AUTH off unencrypted sessions, so passwords do not travel in the clear; ' +
              'but a client that skips STARTTLS (or whose STARTTLS an attacker strips) can still connect and, if your ' +
              'restrictions allow it without login, submit mail unencrypted. '
            : sasl
              ? 'Your users log in on port 587. Without "encrypt" a client that skips STARTTLS, or an attacker ' +
                'who strips it, gets to send the password in the clear. '
              : 'Without "encrypt" a client that skips STARTTLS, or an attacker who strips it, submits its mail in the clear. ') +
          "RFC 8314 and Postfix's own master.cf example set encrypt on submission (opportunistic TLS is for port 25 only)." +
          (noCert
            ? ' This smtpd has no server certificate (no smtpd_tls_chain_files or smtpd_tls_cert_file in main.cf or here): with ' +
              'encrypt alone it would answer MAIL with "530 5.7.0 Must issue a STARTTLS command first" and STARTTLS with ' +
              '"454 4.7.0 TLS not available due to local problem", taking no mail at all.'
            : ''),
        fix:
          (noCert
            ? 'First give smtpd a certificate (smtpd_tls_chain_files on Postfix 3.4+, or smtpd_tls_cert_file and smtpd_tls_key_file, in main.cf); then '
            : '') +
          (own
            ? `${noCert ? 'change' : 'Change'} "-o smtpd_tls_security_level=${level}" under the submission service to encrypt, then run \`postfix reload\`.`
            : `${noCert ? 'add' : 'Add'} "-o smtpd_tls_security_level=encrypt" under the submission service in master.cf, then run \`postfix reload\`.`),
        range: own ? own.valueRange : svc.nameRange,
        evidence: [
          ...(own ? [shown(own)] : [`${svc.name} inet ... smtpd (no smtpd_tls_security_level override)`]),
          ...(noCert ? ['no server certificate: smtpd_tls_chain_files, smtpd_tls_cert_file (empty in main.cf and here)'] : []),
        ],
        edits: noCert ? undefined : setParameter(ctx, 'smtpd_tls_security_level', 'encrypt'),
        // With the service's own -o the edit changes its value; without one it adds the line.
        editTitle: own ? `Change -o smtpd_tls_security_level=${level} to encrypt` : 'Add -o smtpd_tls_security_level=encrypt',
      });
    }
  }
}
