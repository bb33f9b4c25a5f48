/**
 * Cipher grades below "medium" (postconf(5), smtp_tls_mandatory_ciphers): one judgement for the grade parameters of
 * main.cf and master.cf and for the `ciphers=` attribute of a TLS policy table entry, which overrides
 * smtp_tls_ciphers (level may) or smtp_tls_mandatory_ciphers (the mandatory levels) for one destination.
 *
 * "export" and "low" are insecure ("SHOULD NOT be used"), though OpenSSL 1.1.0 and later have no such suites left.
 * "null" (tls_null_cipherlist = eNULL:!aNULL) asks for suites without encryption; with OpenSSL 3 it gives none at
 * all: Postfix 3.7.11 on Debian 12 logs `error setting cipher grade: "null"` and "no cipher match" and aborts TLS
 * (seen with `posttls-finger -g null` against a TLS 1.3 and a TLS 1.2 server).
 * A value that is no grade at all (tls_misc.c's grade names: high, medium, low, export, null, any case) fails the same
 * way, when each TLS session is set up: Postfix 3.7.11 logs `invalid cipher grade: "bogus"` after STARTTLS and makes
 * no TLS connection (seen with `posttls-finger -g bogus`, at level may and encrypt).
 */
import { printable } from '../../../endpoint';
import type { Severity } from '../../../finding';
import { protocolSide } from '../protocols';

export interface GradeJudgement {
  /** The finding: a known grade below "medium", or a value that is no grade. */
  id: 'postfix.obsolete-cipher-grade' | 'postfix.invalid-cipher-grade';
  grade: 'export' | 'low' | 'null' | 'invalid';
  severity: Severity;
  /** Why the grade is a problem, in the place it applies (`where`: "for example.com (level encrypt)", "in main.cf"). */
  detail: string;
}

/**
 * The judgement of `grade` where it applies. `mandatory`: TLS is required there (no plain-text fallback);
 * `side`: the SMTP client or the server; `customNull`: tls_null_cipherlist is set by the admin (the "null" grade
 * then means whatever that list says, which is not judged).
 */
export function judgeGrade(grade: string, mandatory: boolean, side: 'client' | 'server', customNull = false): GradeJudgement | undefined {
  const g = grade.trim().toLowerCase();
  if (!GRADES.has(g)) {
    return {
      id: 'postfix.invalid-cipher-grade',
      grade: 'invalid',
      severity: mandatory ? 'error' : 'warning',
      detail:
        `"${printable(grade.trim(), 40)}" is not a cipher grade (Postfix knows high, medium, low, export and null, in any case). ` +
        `Postfix does not refuse it at start-up but at every TLS session: it logs 'invalid cipher grade' and makes no TLS connection ` +
        `(seen with Postfix 3.7.11 on Debian 12). ${noTls(mandatory, side)}`,
    };
  }
  if (g === 'export' || g === 'low') {
    return {
      id: 'postfix.obsolete-cipher-grade',
      grade: g,
      severity: 'warning',
      detail:
        `The "${g}" grade enables ciphers that give no real protection (40/56-bit export and single-DES ` +
        'suites; OpenSSL 1.1.0 and later no longer have them at all); postconf(5): "This choice is insecure and SHOULD NOT be used". ' +
        'Postfix\'s default, "medium", already interoperates with every current client.',
    };
  }
  if (g !== 'null' || customNull) return undefined;
  return {
    id: 'postfix.obsolete-cipher-grade',
    grade: 'null',
    severity: mandatory ? 'error' : 'warning',
    detail:
      'The "null" grade allows only cipher suites without encryption (tls_null_cipherlist = eNULL:!aNULL; postconf(5): ' +
      '"authentication without encryption", only for the rare peer set up for them, such as an LMTP server on a UNIX-domain socket). ' +
      'With OpenSSL 3 not even those are left: Postfix logs \'error setting cipher grade: "null"\' and "no cipher match" and aborts ' +
      `the TLS handshake (seen with Postfix 3.7.11 on Debian 12). ${noTls(mandatory, side)}`,
  };
}

/** tls_misc.c's cipher grade names (compared in lower case). */
const GRADES = new Set(['high', 'medium', 'low', 'export', 'null']);

/** What a grade that gives no TLS session means where it applies. */
function noTls(mandatory: boolean, side: 'client' | 'server'): string {
  return mandatory
    ? side === 'client'
      ? 'TLS is mandatory here, so every delivery is deferred and mail stays in the queue.'
      : 'TLS is mandatory here, so no client can start a session that counts.'
    : side === 'client'
      ? 'TLS is opportunistic here, so Postfix retries without TLS and the mail goes in plain text.'
      : 'TLS is opportunistic here: clients that retry without TLS send in plain text, the others cannot deliver.';
}

/** The side a grade parameter belongs to (smtp_/lmtp_/tlsproxy_client_ are client parameters). */
export function gradeSide(name: string): 'client' | 'server' {
  return protocolSide(name);
}
