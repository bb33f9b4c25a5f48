import type { ParameterScope } from './scope';

export interface CaBundle {
  path: string;
  /** Where the path holds, for edit titles. */
  platform: string;
}

const DEBIAN: CaBundle = { path: '/etc/ssl/certs/ca-certificates.crt', platform: 'Debian/Ubuntu' };
const RHEL: CaBundle = { path: '/etc/pki/tls/certs/ca-bundle.crt', platform: 'RHEL/Fedora' };

/** Names whose values show the platform: the alternatives-system commands, and paths a file may already use. */
const COMMANDS = ['sendmail_path', 'newaliases_path', 'mailq_path'];

/**
 * The system CA bundle an edit may write into smtp_tls_CAfile, for the platform the config shows. RHEL, CentOS and
 * Fedora package Postfix with `sendmail.postfix` (`mailq.postfix`, `newaliases.postfix`: the alternatives system) and
 * keep their bundle in /etc/pki, where Debian's /etc/ssl/certs/ca-certificates.crt does not exist: a `secure` level
 * with that file defers every mail ("cannot load Certificate Authority data"). Otherwise Debian's path (also
 * Ubuntu's and Alpine's).
 */
export function systemCaBundle(scope: ParameterScope): CaBundle {
  if (COMMANDS.some((n) => /\.postfix$/.test(scope.value(n)))) return RHEL;
  for (const s of scope.ownSettings()) if (s.value.includes('/etc/pki/')) return RHEL;
  return DEBIAN;
}

/** `path (platform; the other platform: its path)`, for fix texts. */
export function caFileAdvice(bundle: CaBundle): string {
  return bundle === RHEL ? `${RHEL.path} (RHEL/Fedora; Debian/Ubuntu: ${DEBIAN.path})` : `${DEBIAN.path} (Debian/Ubuntu; RHEL: ${RHEL.path})`;
}
