import type { TextEdit } from '../../../finding';
import { removeSetting, report, RuleContext, shown } from '../context';
import type { Setting } from '../main-parser';
import { PARAMS_VERSION } from '../params';

interface Successor {
  /** The parameter that replaces it. */
  name: string;
  /** The equivalent value for the old one's value, when there is an exact one. */
  value?: (oldValue: string, ctx: RuleContext) => string | undefined;
  why: string;
  /** Removing it changes nothing Postfix does today (ignored, or never used since 2.3). */
  removable?: boolean;
}

const yesNo = (yes: string, no: string) => (v: string) => (v.toLowerCase() === 'yes' ? yes : v.toLowerCase() === 'no' ? no : undefined);

const IGNORED_SINCE_36 = 'Postfix 3.6 and later ignore it';

/** Obsolete TLS parameters and what replaced them (postconf(5), TLS_README, FORWARD_SECRECY_README). */
const TABLE: Record<string, Successor> = {
  smtp_use_tls: { name: 'smtp_tls_security_level', value: yesNo('may', 'none'), why: 'Postfix 2.3 replaced it with security levels' },
  smtpd_use_tls: { name: 'smtpd_tls_security_level', value: yesNo('may', 'none'), why: 'Postfix 2.3 replaced it with security levels' },
  lmtp_use_tls: { name: 'lmtp_tls_security_level', value: yesNo('may', 'none'), why: 'Postfix 2.3 replaced it with security levels' },
  smtp_enforce_tls: {
    name: 'smtp_tls_security_level',
    // With the default smtp_tls_enforce_peername = yes, enforcing TLS also verified the peer name.
    value: (v, ctx) => (v.toLowerCase() === 'yes' ? (ctx.scope.value('smtp_tls_enforce_peername').toLowerCase() === 'no' ? 'encrypt' : 'verify') : undefined),
    why: 'Postfix 2.3 replaced it with security levels',
  },
  smtpd_enforce_tls: { name: 'smtpd_tls_security_level', value: yesNo('encrypt', 'may'), why: 'Postfix 2.3 replaced it with security levels' },
  smtp_tls_enforce_peername: { name: 'smtp_tls_security_level', why: 'Postfix 2.3 replaced it with security levels (verify, encrypt)' },
  smtp_tls_per_site: { name: 'smtp_tls_policy_maps', why: 'smtp_tls_policy_maps replaced it in Postfix 2.3 (its table uses levels: none, may, encrypt, verify, secure)' },
  lmtp_tls_per_site: { name: 'lmtp_tls_policy_maps', why: 'lmtp_tls_policy_maps replaced it in Postfix 2.3' },
  smtpd_tls_dh1024_param_file: {
    name: 'tls_ffdhe_auto_groups',
    why: 'with Postfix 3.7+ built against OpenSSL 3, an empty value or "auto" lets OpenSSL pick the DH group, which postconf(5) calls the most interoperable choice (Postfix 3.8 adds tls_ffdhe_auto_groups)',
  },
  smtpd_tls_dh512_param_file: { name: '(none)', why: `export-grade DH is gone: ${IGNORED_SINCE_36} silently`, removable: true },
  smtpd_tls_eecdh_grade: { name: 'tls_eecdh_auto_curves', why: `${IGNORED_SINCE_36} and behave as if it were "auto" (curves come from tls_eecdh_auto_curves)`, removable: true },
  tls_eecdh_strong_curve: { name: 'tls_eecdh_auto_curves', why: `it only served smtpd_tls_eecdh_grade = strong, which ${IGNORED_SINCE_36}`, removable: true },
  tls_eecdh_ultra_curve: { name: 'tls_eecdh_auto_curves', why: `it only served smtpd_tls_eecdh_grade = ultra, which ${IGNORED_SINCE_36}`, removable: true },
  smtp_tls_cipherlist: { name: 'smtp_tls_mandatory_ciphers', why: 'it is a Postfix < 2.3 control, not used since 2.3 (use cipher grades and *_tls_exclude_ciphers)', removable: true },
  smtpd_tls_cipherlist: { name: 'smtpd_tls_mandatory_ciphers', why: 'it is a Postfix < 2.3 control, not used since 2.3 (use cipher grades and *_tls_exclude_ciphers)', removable: true },
  lmtp_tls_cipherlist: { name: 'lmtp_tls_mandatory_ciphers', why: 'it is a Postfix < 2.3 control, not used since 2.3', removable: true },
};
for (const side of ['smtpd', 'smtp', 'lmtp']) {
  for (const part of ['dcert', 'dkey']) {
    TABLE[`${side}_tls_${part}_file`] = {
      name: side === 'smtpd' ? 'smtpd_tls_chain_files' : `${side}_tls_chain_files`,
      why: 'DSA is obsolete (postconf(5): "should not be used"); TLS 1.3 and OpenSSL 3 at its default security level do not use DSA certificates',
    };
  }
}

export function checkDeprecated(ctx: RuleContext, s: Setting): void {
  const succ = TABLE[s.name];
  if (!succ) return;
  const value = ctx.scope.value(s.name);
  const equivalent = succ.value?.(value, ctx);
  const successorSet = succ.name !== '(none)' && ctx.scope.setting(succ.name) !== undefined;
  let edits: TextEdit[] | undefined;
  let editTitle: string | undefined;
  const remove = removeSetting(ctx, s);
  if (equivalent !== undefined && !successorSet && remove) {
    // Rewrite the line in place, so the new parameter sits where the old one was.
    edits = [{ range: { start: s.nameRange.start, end: s.valueRange.end }, newText: `${succ.name} = ${equivalent}` }];
    editTitle = `Replace with ${succ.name} = ${equivalent}`;
  } else if (equivalent !== undefined && !successorSet && ctx.service) {
    edits = [{ range: { start: s.nameRange.start, end: s.valueRange.end }, newText: `${succ.name}=${equivalent}` }];
    editTitle = `Replace with ${succ.name}=${equivalent}`;
  } else if (remove && (value === '' || successorSet || succ.removable)) {
    edits = [remove];
    editTitle = `Remove ${s.name}`;
  }
  const successorText = succ.name === '(none)' ? 'nothing replaces it' : `its successor is ${succ.name}${equivalent !== undefined ? ` = ${equivalent}` : ''}`;
  report(ctx, {
    id: 'postfix.deprecated-parameter',
    severity: 'warning',
    title: `${s.name} is obsolete: ${successorText}.`,
    detail: `${s.name} is obsolete: ${succ.why}.` +
      (successorSet ? ` ${succ.name} is also set here and takes precedence, so this line only misleads readers.` : '') +
      ' Newer Postfix releases warn about or drop obsolete parameters, and a reader of this file is misled about what is in effect.',
    fix: succ.name === '(none)'
      ? `Remove ${s.name}.`
      : `Remove ${s.name}${equivalent !== undefined && !successorSet ? ` and set ${succ.name} = ${equivalent}` : `; configure ${succ.name} instead if you need the behaviour`}, then run \`postfix reload\`.`,
    range: s.nameRange,
    evidence: [shown(s), `parameter list: Postfix ${PARAMS_VERSION}`],
    edits,
    editTitle,
  });
}

const GRADE_PARAM = /^(smtpd|smtp|lmtp|tlsproxy|tlsproxy_client|postscreen)_tls_(mandatory_)?ciphers$/;

export function checkCipherGrade(ctx: RuleContext, s: Setting): void {
  if (!GRADE_PARAM.test(s.name)) return;
  const v = ctx.scope.value(s.name).toLowerCase();
  if (v !== 'export' && v !== 'low') return;
  report(ctx, {
    id: 'postfix.obsolete-cipher-grade',
    severity: 'warning',
    title: `${s.name} = ${v} asks for an obsolete cipher grade.`,
    detail: `The "${v}" grade enables ciphers that give no real protection (40/56-bit export and single-DES ` +
      'suites), which OpenSSL 3 has dropped anyway; Postfix 3.8 and later treat "export" and "low" as "medium". ' +
      'Postfix\'s default, "medium", already interoperates with every current client.',
    fix: `Set ${s.name} = medium (or remove the line to get the default), then run \`postfix reload\`.`,
    range: s.valueRange,
    evidence: [shown(s)],
    edits: [{ range: s.valueRange, newText: 'medium' }],
    editTitle: `Set ${s.name} = medium`,
  });
}
