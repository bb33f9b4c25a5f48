/**
 * What the reference tools say about one lab target, gathered for the differential tests: `openssl s_client`
 * for every protocol, `posttls-finger` for SMTP. Tools that are not installed are simply absent.
 */
import type { TlsMode } from '../../../src/core/endpoint';
import { fingerPath, postTlsFinger, type FingerVerdict } from './posttlsFinger';
import { opensslPath, sClient, sClientNegotiated, sClientVersions, type OpensslTarget, type OpensslVerdict, type TlsVersionName } from './opensslClient';
import type { Target } from './lab';

export interface OpensslView {
  /** With -verify_return_error and -verify_hostname: the trust verdict. */
  verdict: OpensslVerdict;
  /** Without verification: the version the server settles on. */
  negotiated: TlsVersionName | null;
}

export interface References {
  /** Talking the way the client under test does (the target's `mode`). */
  openssl?: OpensslView;
  /** Talking the way the port really works, when that differs (the mode-mismatch scenarios). */
  opensslServerMode?: OpensslView;
  /** Each version on its own, in the port's real mode. */
  opensslVersions?: Record<TlsVersionName, boolean>;
  finger?: FingerVerdict;
  fingerServerMode?: FingerVerdict;
}

export async function gatherReferences(target: Target, servername: string, caFile: string, timeoutMs: number): Promise<References> {
  const refs: References = {};
  const jobs: Promise<void>[] = [];
  const base = { port: target.port, protocol: target.protocol, servername, caFile };
  if (opensslPath()) {
    const view = async (mode: TlsMode): Promise<OpensslView> => {
      const t: OpensslTarget = { ...base, mode };
      const [verdict, negotiated] = await Promise.all([sClient(t, { timeoutMs }), sClientNegotiated(t, undefined, timeoutMs)]);
      return { verdict, negotiated };
    };
    jobs.push(view(target.mode).then((v) => void (refs.openssl = v)));
    if (target.mode !== target.serverMode) jobs.push(view(target.serverMode).then((v) => void (refs.opensslServerMode = v)));
    jobs.push(sClientVersions({ ...base, mode: target.serverMode }, timeoutMs).then((v) => void (refs.opensslVersions = v)));
  }
  if (target.protocol === 'smtp' && fingerPath() && target.postfixConfigDir) {
    const finger = (mode: TlsMode) =>
      postTlsFinger({ port: target.port, wrapper: mode === 'implicit', servername, caFile, configDir: target.postfixConfigDir! });
    jobs.push(finger(target.mode).then((v) => void (refs.finger = v)));
    if (target.mode !== target.serverMode) jobs.push(finger(target.serverMode).then((v) => void (refs.fingerServerMode = v)));
  }
  await Promise.all(jobs);
  return refs;
}
