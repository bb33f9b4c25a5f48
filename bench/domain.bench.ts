/**
 * The domain check's cost against probing its MX alone (issue 14: at most 2x), both on loopback in the same run:
 * a full `checkDomain` of the healthy one-MX lab domain (DNS over the in-process server: MX, A, AAAA, TLSA, TXT;
 * the MTA-STS policy fetched over HTTPS; the MX probed with its version scan) vs `probeEndpoint` of that MX with
 * the same probe options.
 */
import { DomainResolver } from '../src/core/dns/resolver';
import { checkDomain } from '../src/core/domain';
import { ConnectionLimiter, probeEndpoint } from '../src/core/probe';
import { startDomainLab } from '../test/support/domainlab';
import { median, ms, ratio, timeIt } from './stats';

const RUNS = 15;

export async function run(log: (line: string) => void): Promise<void> {
  const lab = await startDomainLab();
  try {
    const limiter = () => new ConnectionLimiter({ global: 256 });
    const probe = () =>
      probeEndpoint(
        { host: '127.0.0.11', port: lab.smtpPort, protocol: 'smtp', mode: 'starttls', servername: 'mx1.good.test', caFiles: [lab.caFile] },
        { limiter: limiter() },
      );
    const check = async () => {
      const resolver = new DomainResolver({ server: { host: lab.dns.host, port: lab.dns.port }, source: 'option', trusted: true });
      const r = await checkDomain('good.test', {
        resolver,
        caFiles: [lab.caFile],
        smtpPort: lab.smtpPort,
        httpsPort: lab.httpsPort,
        probeOptions: { limiter: limiter() },
      });
      if (r.findings.some((f) => f.severity !== 'info')) throw new Error(`the healthy lab domain has findings: ${r.findings.map((f) => f.id).join(', ')}`);
    };
    await probe(); // warm-up: the root store, the TLS contexts
    await check();
    const p = median(await timeIt(probe, RUNS));
    const c = median(await timeIt(check, RUNS));
    log(`probe of the MX alone: ${ms(p)} (median of ${RUNS})`);
    log(`full domain check (MX, TLSA, MTA-STS, TLS-RPT, probe): ${ms(c)}`);
    log(`domain check / probe: ${ratio(c, p)} (target: at most 2.00x) ${c <= 2 * p ? 'OK' : 'OVER TARGET'}`);
  } finally {
    await lab.close();
  }
}
