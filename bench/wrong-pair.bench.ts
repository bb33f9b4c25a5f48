/**
 * How long a probe takes to name a wrong port / mode pair (STARTTLS asked of an implicit-TLS port), relative to
 * the same port probed in its right mode and to the greeting timeout it no longer waits out: a silent port is
 * tried with TLS on a second connection after SILENT_PORT_MS (src/core/probe/session.ts).
 */
import type { Endpoint } from '../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint } from '../src/core/probe';
import { SILENT_PORT_MS } from '../src/core/probe/session';
import { startLab } from '../test/support/lab';
import { median, ms, ratio, timeIt } from './stats';

const RUNS = 7;

export async function run(log: (line: string) => void): Promise<void> {
  const lab = await startLab({ only: ['implicit-on-starttls-port'] });
  try {
    const s = lab.servers['implicit-on-starttls-port'];
    const wrong: Endpoint = { host: s.host, port: s.port, protocol: s.protocol, mode: 'starttls', servername: s.servername, caFiles: [lab.caFile] };
    const right: Endpoint = { ...wrong, mode: 'implicit' };
    for (const timeoutMs of [4_000, 10_000]) {
      const opts = () => ({ timeoutMs, scanVersions: false, limiter: new ConnectionLimiter() });
      await probeEndpoint(right, opts()); // warm-up
      const base = median(await timeIt(() => probeEndpoint(right, opts()), RUNS));
      const named = median(
        await timeIt(async () => {
          const [r] = await probeEndpoint(wrong, opts());
          if (!r.findings.some((f) => f.id === 'mode.expects-implicit-tls')) throw new Error('the wrong pair was not named');
        }, RUNS),
      );
      log(
        `timeout ${timeoutMs} ms: wrong pair named in ${ms(named)} (silent delay ${SILENT_PORT_MS} ms) = ${ratio(named, timeoutMs)} of the timeout; right mode ${ms(base)}; wrong/right ${ratio(named, base)}`,
      );
    }
  } finally {
    await lab.close();
  }
}
