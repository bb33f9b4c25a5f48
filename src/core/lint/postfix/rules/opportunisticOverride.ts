/**
 * `postfix.opportunistic-override-ignored`: a master.cf smtpd service that requires TLS (-o smtpd_tls_security_level=
 * encrypt, or wrapper mode) and sets smtpd_tls_ciphers or smtpd_tls_protocols with -o. At a mandatory level smtpd
 * uses smtpd_tls_mandatory_ciphers / smtpd_tls_mandatory_protocols (postconf(5): the plain ones are "with opportunistic
 * TLS encryption"), so the override does nothing and the service runs with the inherited mandatory value.
 */
import { printable } from '../../../endpoint';
import type { TextEdit } from '../../../finding';
import { report, RuleContext, shown } from '../context';
import { serverLevel } from './sasl';

const COUNTERPART: Readonly<Record<string, string>> = {
  smtpd_tls_ciphers: 'smtpd_tls_mandatory_ciphers',
  smtpd_tls_protocols: 'smtpd_tls_mandatory_protocols',
};

const GRADE_RANK: Readonly<Record<string, number>> = { null: 0, export: 1, low: 2, medium: 3, high: 4 };

/** A master.cf service whose smtpd requires TLS (wrapper mode or encrypt): its opportunistic smtpd_tls_* lists have no effect. */
export function smtpdTlsMandatory(ctx: RuleContext): boolean {
  return ctx.service !== undefined && (ctx.scope.flag('smtpd_tls_wrappermode') || serverLevel(ctx.scope) === 'encrypt');
}

/** `mainKnown`: the sibling main.cf was read, so the inherited mandatory value is known (else it is Postfix's default). */
export function checkOpportunisticOverride(ctx: RuleContext, mainKnown: boolean): void {
  const svc = ctx.service;
  if (!svc || !smtpdTlsMandatory(ctx)) return;
  const scope = ctx.scope;
  const wrapper = scope.flag('smtpd_tls_wrappermode');
  for (const [name, mandatory] of Object.entries(COUNTERPART)) {
    const own = scope.setting(name);
    // A service that also sets the mandatory parameter itself has said what it wants there.
    if (!own || scope.setting(mandatory)) continue;
    const inherited = scope.resolved(mandatory);
    // Renaming is offered only where it cannot weaken the service: a cipher grade at least as strong as the inherited one.
    const ownRank = GRADE_RANK[own.value.trim().toLowerCase()];
    const inheritedRank = GRADE_RANK[inherited.value.trim().toLowerCase()];
    const inheritedText = `${printable(inherited.value, 80) || '(empty)'}${mainKnown ? '' : ' unless main.cf sets it (main.cf was not read)'}`;
    const safeRename =
      mainKnown && name === 'smtpd_tls_ciphers' && inherited.complete && ownRank !== undefined && inheritedRank !== undefined && ownRank >= inheritedRank;
    const edits: TextEdit[] | undefined = safeRename ? [{ range: own.nameRange, newText: mandatory }] : undefined;
    const why = wrapper ? 'smtpd_tls_wrappermode = yes: TLS from the first byte' : 'smtpd_tls_security_level = encrypt';
    report(ctx, 'postfix.opportunistic-override-ignored', {
      severity: 'warning',
      title: `-o ${name} has no effect on the ${svc.name} service: TLS is mandatory there, so ${mandatory} applies.`,
      detail:
        `This service requires TLS (${why}), and at a mandatory level smtpd takes its ${name === 'smtpd_tls_ciphers' ? 'cipher grade' : 'protocol list'} ` +
        `from ${mandatory}; ${name} is only for opportunistic TLS (postconf(5)). So this service runs with ` +
        `${mandatory} = ${inheritedText}, not with the value written here.`,
      fix: safeRename
        ? `Rename the override to -o ${mandatory}=${printable(own.value, 80)}, then run \`postfix reload\`.`
        : `Set -o ${mandatory}= on this service to the value it should have (the inherited one is ${inheritedText}), ` +
          `and remove -o ${name}; then run \`postfix reload\`.`,
      range: own.nameRange,
      evidence: [shown(own), `${mandatory} = ${inheritedText} (inherited: in effect here)`, `TLS mandatory here: ${why}`],
      edits,
      editTitle: safeRename ? `Rename to ${mandatory}` : undefined,
    });
  }
}
