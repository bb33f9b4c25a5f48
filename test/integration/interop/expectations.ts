/**
 * What our engine must report for each interop scenario. These are the admin's-eye facts of each setup (an
 * expired certificate is expired whoever serves it), so one table serves Postfix and Dovecot alike.
 */
import type { TlsVersionName } from '../../../src/core/probe';
import type { Scenario } from '../../support/mailservers/lab';

export interface Expectation {
  /** true/false: a handshake with this trust verdict; null: no TLS session; undefined: not asserted here. */
  trusted: boolean | null | undefined;
  /** Finding ids that must be present. */
  present: string[];
  /** Finding ids that must not be present (the neighbours a sloppy classifier would confuse it with). */
  absent: string[];
  /** Versions the server must be found to accept (true) or refuse (false). */
  versions?: Partial<Record<TlsVersionName, boolean>>;
  negotiated?: TlsVersionName;
}

const CERT_PROBLEMS = ['cert.expired', 'cert.not-yet-valid', 'cert.missing-intermediate', 'cert.self-signed', 'cert.untrusted-root', 'cert.hostname-mismatch'];
const DIALOGUE_PROBLEMS = ['starttls.not-offered', 'starttls.refused', 'mode.expects-implicit-tls', 'mode.expects-starttls', 'tls.handshake-failed'];

/** Exactly one certificate problem: the one named. */
function onlyCertProblem(id: string): Expectation {
  return { trusted: false, present: [id], absent: [...CERT_PROBLEMS.filter((c) => c !== id), ...DIALOGUE_PROBLEMS] };
}

export const EXPECTATIONS: Record<Scenario, Expectation> = {
  'full-chain': { trusted: true, present: [], absent: [...CERT_PROBLEMS, ...DIALOGUE_PROBLEMS, 'tls.no-tls13'], negotiated: 'TLSv1.3' },
  'leaf-only': onlyCertProblem('cert.missing-intermediate'),
  expired: onlyCertProblem('cert.expired'),
  'self-signed': onlyCertProblem('cert.self-signed'),
  'wrong-name': onlyCertProblem('cert.hostname-mismatch'),
  'tls13-only': {
    trusted: true,
    present: [],
    absent: [...CERT_PROBLEMS, ...DIALOGUE_PROBLEMS, 'tls.no-tls13', 'tls.legacy-version-accepted'],
    versions: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true },
    negotiated: 'TLSv1.3',
  },
  'tls12-max': {
    trusted: true,
    present: ['tls.no-tls13'],
    absent: [...CERT_PROBLEMS, ...DIALOGUE_PROBLEMS],
    versions: { 'TLSv1.2': true, 'TLSv1.3': false },
    negotiated: 'TLSv1.2',
  },
  'legacy-enabled': {
    trusted: true,
    present: ['tls.legacy-version-accepted'],
    absent: [...CERT_PROBLEMS, ...DIALOGUE_PROBLEMS],
    versions: { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': true },
  },
  'starttls-disabled': { trusted: null, present: ['starttls.not-offered'], absent: ['mode.expects-implicit-tls', 'mode.expects-starttls', ...CERT_PROBLEMS] },
  'implicit-on-plaintext-port': { trusted: null, present: ['mode.expects-starttls'], absent: ['mode.expects-implicit-tls', 'tls.handshake-failed'] },
  // The engine goes on in the right mode after saying so; that part is checked against the reference tools.
  'starttls-on-implicit-port': { trusted: undefined, present: ['mode.expects-implicit-tls'], absent: ['mode.expects-starttls', 'starttls.not-offered'] },
};
