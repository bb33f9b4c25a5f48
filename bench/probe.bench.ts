/**
 * The probe's cost against a real server on loopback, relative to baselines measured in the same run:
 * - a full probe (dialogue, handshake, chain judgement, one handshake per TLS version) of the healthy lab
 *   server vs one `openssl s_client -starttls smtp` handshake (a process spawn included, as a user runs it);
 * - 100 distinct endpoints probed together (probeMany) vs one, and vs 100 one after another: once as 100 ports
 *   of 127.0.0.1, once as 100 distinct loopback addresses (127.0.0.2-101, one server each, the same port), the
 *   case of issue 15's "100 endpoints within 3x one". The probe's own CPU time for the 100 is printed beside
 *   them: with both ends on this machine it, not the network, is the floor.
 * Both ends run on this machine: with 2 cores the handshakes' CPU (server and client) bounds what concurrency
 * can win, so "together vs one after another" is the figure to watch, not "together vs one".
 */
import { execFile } from 'node:child_process';
import type { Endpoint } from '../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint, probeMany } from '../src/core/probe';
import { startLab } from '../test/support/lab';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { tcpConnect } from '../src/core/probe/tcp';
import type { Dialer } from '../src/core/probe/types';
import { median, ms, ratio, timeInTurns, timeIt } from './stats';

/**
 * A dialer that counts TCP connections open at once per address and port, from connect until the socket's close
 * (after both sides' FIN): what a server's per-client connection count sees, measured outside the limiter.
 */
function countingDialer(): { dialer: Dialer; peak(): number } {
  const open = new Map<string, number>();
  let peak = 0;
  return {
    dialer: {
      connect: async (scope, address, port, timeoutMs) => {
        const socket = await tcpConnect(scope, address, port, timeoutMs);
        const key = `${address}|${port}`;
        const n = (open.get(key) ?? 0) + 1;
        open.set(key, n);
        peak = Math.max(peak, n);
        socket.once('close', () => open.set(key, (open.get(key) ?? 1) - 1));
        return socket;
      },
    },
    peak: () => peak,
  };
}

const RUNS = 15;

function opensslHandshake(port: number, caFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'openssl',
      ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${port}`, '-servername', 'mail.lab.test', '-CAfile', caFile, '-brief'],
      { timeout: 10_000 },
      (err, _out, stderr) => (err && !/CONNECTION ESTABLISHED|Verification: OK/.test(stderr) ? reject(err) : resolve()),
    );
    child.stdin?.end('QUIT\r\n');
  });
}

const FARM = `
const { startMailServer } = require(process.env.MTD_ROOT + '/test/support/lab/mailServer.ts');
const { makePki } = require(process.env.MTD_ROOT + '/test/support/pki.ts');
(async () => {
  const pki = makePki('Bench');
  const leaf = pki.leaf({ cn: 'mail.lab.test' });
  const tls = { certPem: pki.chain(leaf), keyPem: leaf.keyPem };
  const ports = [];
  const distinct = process.env.MTD_DISTINCT === '1';
  for (let i = 0; i < Number(process.env.MTD_COUNT); i++) {
    // Distinct addresses share one port: the first server's, taken by the OS.
    const host = distinct ? '127.0.0.' + (2 + i) : '127.0.0.1';
    ports.push((await startMailServer({ protocol: 'smtp', serves: 'starttls', tls }, host, distinct && ports.length ? ports[0] : 0)).port);
  }
  process.stdout.write(JSON.stringify({ ports, caFile: pki.rootFile() }) + '\\n');
  // Each line on stdin asks for the farm's CPU time so far (ms), the servers' share of a run.
  process.stdin.on('data', () => { const c = process.cpuUsage(); process.stdout.write((c.user + c.system) / 1000 + '\\n'); });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
})();
`;

/**
 * Starts `count` healthy SMTP servers in a child process; closing ends the child. `distinct`: server i listens on
 * 127.0.0.(2+i), all on the same port; otherwise all on 127.0.0.1, each on its own port.
 */
export async function startServerFarm(
  count: number,
  distinct = false,
): Promise<{ ports: number[]; hosts: string[]; caFile: string; cpuMs(): Promise<number>; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', FARM], {
    env: { ...process.env, MTD_ROOT: path.resolve(__dirname, '..'), MTD_COUNT: String(count), MTD_DISTINCT: distinct ? '1' : '0' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf);
    });
    child.once('exit', (code) => reject(new Error(`server farm exited with ${code}`)));
  });
  const { ports, caFile } = JSON.parse(first) as { ports: number[]; caFile: string };
  child.stdout.removeAllListeners('data');
  return {
    ports,
    hosts: ports.map((_, i) => (distinct ? `127.0.0.${2 + i}` : '127.0.0.1')),
    caFile,
    cpuMs: () =>
      new Promise<number>((resolve) => {
        child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
        child.stdin.write('cpu\n');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

export async function run(log: (line: string) => void): Promise<void> {
  const lab = await startLab({ only: ['healthy'] });
  const servers: Array<{ close(): Promise<void> }> = [];
  try {
    const h = lab.servers.healthy;
    const ep: Endpoint = { host: h.host, port: h.port, protocol: h.protocol, mode: h.mode, servername: h.servername, caFiles: [lab.caFile] };
    const limiter = () => new ConnectionLimiter({ global: 256 });
    await probeEndpoint(ep, { limiter: limiter() }); // warm-up: loads the root store once per process
    await opensslHandshake(h.port, lab.caFile);

    const full = median(await timeIt(() => probeEndpoint(ep, { limiter: limiter() }), RUNS));
    const mainOnly = median(await timeIt(() => probeEndpoint(ep, { limiter: limiter(), scanVersions: false }), RUNS));
    const openssl = median(await timeIt(() => opensslHandshake(h.port, lab.caFile), RUNS));
    log(`full probe (4 versions) of the healthy endpoint: median ${ms(full)} over ${RUNS} runs`);
    log(`probe without the version scan:                  median ${ms(mainOnly)}`);
    log(`openssl s_client -starttls smtp (one handshake):  median ${ms(openssl)}`);
    log(`ratio full probe / openssl handshake: ${ratio(full, openssl)}; without version scan: ${ratio(mainOnly, openssl)}`);

    // The 100 servers run in their own process: sharing this one's event loop, they would measure the lab.
    for (const distinct of [false, true]) {
      const farm = await startServerFarm(100, distinct);
      servers.push(farm);
      const many: Endpoint[] = farm.ports.map((port, i) => ({ ...ep, host: farm.hosts[i], port, caFiles: [farm.caFile] }));
      const one = median(await timeIt(() => probeEndpoint(many[0], { limiter: limiter() }), 5));
      if (!distinct) {
        // What the per-host cap costs one endpoint in a server process of its own: four connections (main, then
        // one per version left) in two rounds at the default cap of 2, four at 1; 4 is an uncapped probe.
        const caps = [1, 2, 4];
        const times = (
          await timeInTurns(
            caps.map((perHost) => () => probeEndpoint(many[0], { limiter: new ConnectionLimiter({ global: 256, perHost }) })),
            RUNS,
          )
        ).map(median);
        log(
          `the per-host cap on one endpoint (full probe, in turns): ${caps.map((c, i) => `cap ${c}: ${ms(times[i])}`).join(', ')}; cap 2 / cap 4: ${ratio(times[1], times[2])}`,
        );
      }
      let cpu = 0;
      let serverCpu = 0;
      const counted = countingDialer();
      const hundred = median(
        await timeIt(async () => {
          const c = process.cpuUsage();
          const s0 = await farm.cpuMs();
          await probeMany(many, { limiter: limiter(), dialer: counted.dialer });
          const d = process.cpuUsage(c);
          cpu = (d.user + d.system) / 1000;
          serverCpu = (await farm.cpuMs()) - s0;
        }, 3),
      );
      const sequential = median(
        await timeIt(async () => {
          for (const e of many) await probeEndpoint(e, { limiter: limiter() });
        }, 1),
      );
      log(distinct ? '100 endpoints on 100 distinct addresses (127.0.0.2-101), same port:' : '100 endpoints on 127.0.0.1, 100 ports:');
      log(`  1 endpoint: median ${ms(one)}; 100 together (probeMany, default concurrency 16): median ${ms(hundred)}; 100 one after another: ${ms(sequential)}`);
      log(
        `  ratio 100 together / 1: ${ratio(hundred, one)}${distinct ? ' (goal <= 3x)' : ''}; 100 together / 100 one after another: ${ratio(hundred, sequential)}`,
      );
      log(
        `  CPU for the 100 (last run): the probe ${ms(cpu)}, the servers ${ms(serverCpu)}; together ${ratio(cpu + serverCpu, hundred)} of the wall time (2.00x: both cores busy all along)`,
      );
      log(`  most TCP connections open at once to one address and port, 100 together: ${counted.peak()} (per-host cap ${limiter().perHost})`);
      await farm.close();
      servers.pop();
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await lab.close();
  }
}
