/**
 * What the linter knows about obsolete Postfix TLS parameters, as data: each one's successor and why (postconf(5),
 * TLS_README, FORWARD_SECRECY_README). The deprecated-parameter rule (rules/deprecated.ts) reports from it, and the
 * editor's hover on such a parameter says the same (`obsoleteParameterDoc`). No imports: the hover loads it alone.
 */
export interface Successor {
  /** The parameter that replaces it. */
  name: string;
  why: string;
  /** Removing it changes nothing Postfix does today (ignored, or never used since 2.3). */
  removable?: boolean;
}

const IGNORED_SINCE_36 = 'Postfix 3.6 and later ignore it';
export const LEVELS_23 = 'Postfix 2.3 replaced it with security levels';

/**
 * The pre-2.3 switches that together decide a TLS security level (smtpd.c, smtp_tls_policy.c): a non-empty
 * *_tls_security_level wins; otherwise enforce = yes gives encrypt (the client: verify while
 * smtp_tls_enforce_peername = yes, its default), use = yes gives may, and nothing gives none. They are converted
 * together, in one edit, so applying it never leaves two level lines or a lower level.
 */
export interface LevelGroup {
  level: string;
  use: string;
  enforce: string;
  peername?: string;
}
export const LEVEL_GROUPS: LevelGroup[] = [
  { level: 'smtpd_tls_security_level', use: 'smtpd_use_tls', enforce: 'smtpd_enforce_tls' },
  { level: 'smtp_tls_security_level', use: 'smtp_use_tls', enforce: 'smtp_enforce_tls', peername: 'smtp_tls_enforce_peername' },
  { level: 'lmtp_tls_security_level', use: 'lmtp_use_tls', enforce: 'lmtp_enforce_tls', peername: 'lmtp_tls_enforce_peername' },
];
export const groupMembers = (g: LevelGroup): string[] => [g.use, g.enforce, ...(g.peername ? [g.peername] : [])];
export const levelGroupOf = (name: string): LevelGroup | undefined => LEVEL_GROUPS.find((g) => groupMembers(g).includes(name));

/** Obsolete TLS parameters and what replaced them (postconf(5), TLS_README, FORWARD_SECRECY_README). */
export const TABLE: Record<string, Successor> = {
  smtpd_tls_dh512_param_file: { name: '(none)', why: `export-grade DH is gone: ${IGNORED_SINCE_36} silently (postconf(5))`, removable: true },
  smtpd_tls_eecdh_grade: {
    name: 'tls_eecdh_auto_curves',
    why: `${IGNORED_SINCE_36} and behave as if it were "auto" (curves come from tls_eecdh_auto_curves; postconf(5))`,
    removable: true,
  },
  tls_eecdh_strong_curve: { name: 'tls_eecdh_auto_curves', why: `it only served smtpd_tls_eecdh_grade = strong, which ${IGNORED_SINCE_36}`, removable: true },
  tls_eecdh_ultra_curve: { name: 'tls_eecdh_auto_curves', why: `it only served smtpd_tls_eecdh_grade = ultra, which ${IGNORED_SINCE_36}`, removable: true },
  smtp_tls_per_site: {
    name: 'smtp_tls_policy_maps',
    why: 'smtp_tls_policy_maps replaced it in Postfix 2.3 (its table uses levels: none, may, encrypt, verify, secure)',
  },
  lmtp_tls_per_site: { name: 'lmtp_tls_policy_maps', why: 'lmtp_tls_policy_maps replaced it in Postfix 2.3' },
  smtp_tls_cipherlist: {
    name: 'smtp_tls_mandatory_ciphers',
    why: 'it is a Postfix < 2.3 control, not used since 2.3 (use cipher grades and *_tls_exclude_ciphers)',
    removable: true,
  },
  smtpd_tls_cipherlist: {
    name: 'smtpd_tls_mandatory_ciphers',
    why: 'it is a Postfix < 2.3 control, not used since 2.3 (use cipher grades and *_tls_exclude_ciphers)',
    removable: true,
  },
  lmtp_tls_cipherlist: { name: 'lmtp_tls_mandatory_ciphers', why: 'it is a Postfix < 2.3 control, not used since 2.3', removable: true },
};
for (const g of LEVEL_GROUPS) for (const m of groupMembers(g)) TABLE[m] = { name: g.level, why: LEVELS_23 };
for (const side of ['smtpd', 'smtp', 'lmtp']) {
  for (const part of ['dcert', 'dkey']) {
    TABLE[`${side}_tls_${part}_file`] = {
      name: side === 'smtpd' ? 'smtpd_tls_chain_files' : `${side}_tls_chain_files`,
      why: 'DSA is obsolete (postconf(5): "should not be used"); TLS 1.3 and OpenSSL 3 at its default security level do not use DSA certificates',
    };
  }
}

/** The obsolete parameter's entry, if `name` is one. */
export function obsoleteParameter(name: string): Successor | undefined {
  return Object.prototype.hasOwnProperty.call(TABLE, name) ? TABLE[name] : undefined;
}

/** Hover text for an obsolete parameter: the same successor and reason the lint reports (Markdown with code spans). */
export function obsoleteParameterDoc(name: string): string | undefined {
  const succ = obsoleteParameter(name);
  if (!succ) return undefined;
  const successor = succ.name === '(none)' ? 'Nothing replaces it; remove it.' : `Use \`${succ.name}\` instead.`;
  return `Obsolete: ${succ.why}. ${successor}`;
}
