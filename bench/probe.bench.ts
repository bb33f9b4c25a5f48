/**
 * The probe's cost against a real server on loopback, relative to baselines measured in the same run:
 * - a full probe (dialogue, handshake, chain judgement, one handshake per TLS version) of the healthy lab
 *   server vs one `openssl s_client -starttls smtp` handshake (a process spawn included, as a user runs it);
 * - 100 distinct endpoints probed together (probeMany) vs one, and vs 100 one after another: once as 100 ports
 *   of 127.0.0.1, once as 100 distinct loopback addresses (127.0.0.2-101, one server each, the same port), the
 *   case of issue 15's "100 endpoints within 3x one". The probe's own CPU time for the 100 is printed beside
 *   them: with both ends on this machine it, not the network, is the floor;
 * - the same 100 distinct addresses with each server behind 50 ms of round-trip time (a delaying relay in the
 *   servers' process): the case the goal is about, where one endpoint is mostly waiting and the probes together
 *   overlap that waiting.
 * Both ends run on this machine: with 2 cores the handshakes' CPU (server and client) bounds what concurrency
 * can win, so "together vs one after another" is the figure to watch, not "together vs one".
 */
import { execFile } from 'node:child_process';
import type { Endpoint } from '../src/core/endpoint';
import { ConnectionLimiter, DEFAULT_CONCURRENCY, probeEndpoint, probeMany, type ProbeResult } from '../src/core/probe';
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
const { startLatencyRelay } = require(process.env.MTD_ROOT + '/test/support/lab/latencyRelay.ts');
(async () => {
  const ports = [];
  const out = {};
  if (process.env.MTD_RELAY_TO) {
    // Relays: one in front of each server, on the server's address and one shared port (the first relay's).
    for (const target of JSON.parse(process.env.MTD_RELAY_TO)) {
      const port = ports.length ? ports[0] : 0;
      ports.push((await startLatencyRelay({ host: target.host, port, target, oneWayMs: Number(process.env.MTD_LATENCY_MS) })).port);
    }
  } else {
    const pki = makePki('Bench');
    const leaf = pki.leaf({ cn: 'mail.lab.test' });
    const tls = { certPem: pki.chain(leaf), keyPem: leaf.keyPem };
    const distinct = process.env.MTD_DISTINCT === '1';
    for (let i = 0; i < Number(process.env.MTD_COUNT); i++) {
      // Distinct addresses share one port (the first server's, taken by the OS), unless relays go in front.
      const host = distinct ? '127.0.0.' + (2 + i) : '127.0.0.1';
      const port = distinct && ports.length && !process.env.MTD_LATENCY_MS ? ports[0] : 0;
      ports.push((await startMailServer({ protocol: 'smtp', serves: 'starttls', tls }, host, port)).port);
    }
    out.caFile = pki.rootFile();
  }
  process.stdout.write(JSON.stringify({ ports, ...out }) + '\\n');
  // Each line on stdin asks for the process's CPU time so far (ms), the servers' share of a run.
  process.stdin.on('data', () => { const c = process.cpuUsage(); process.stdout.write((c.user + c.system) / 1000 + '\\n'); });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
})();
`;

type Child = { first: { ports: number[]; caFile?: string }; cpuMs(): Promise<number>; close(): Promise<void> };

/** Runs FARM in a child process with `env`; resolves once it has printed its ports. */
async function startFarmChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', FARM], {
    env: { ...process.env, MTD_ROOT: path.resolve(__dirname, '..'), ...env },
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
  child.stdout.removeAllListeners('data');
  return {
    first: JSON.parse(first) as Child['first'],
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

/**
 * Starts `count` healthy SMTP servers in a child process; closing ends the child. `distinct`: server i listens on
 * 127.0.0.(2+i), all on the same port; otherwise all on 127.0.0.1, each on its own port. `oneWayMs` > 0 (with
 * `distinct`): each server gets a free port of its address and a latency relay in front of it on the shared
 * port, the relays in a second child process (remote servers and the network do not share one core).
 */
export async function startServerFarm(
  count: number,
  distinct = false,
  oneWayMs = 0,
): Promise<{ ports: number[]; hosts: string[]; caFile: string; cpuMs(): Promise<number>; close(): Promise<void> }> {
  const servers = await startFarmChild({
    MTD_COUNT: String(count),
    MTD_DISTINCT: distinct ? '1' : '0',
    ...(oneWayMs > 0 ? { MTD_LATENCY_MS: String(oneWayMs) } : {}),
  });
  const hosts = servers.first.ports.map((_, i) => (distinct ? `127.0.0.${2 + i}` : '127.0.0.1'));
  const children = [servers];
  if (oneWayMs > 0) {
    const targets = servers.first.ports.map((port, i) => ({ host: hosts[i], port }));
    children.push(await startFarmChild({ MTD_RELAY_TO: JSON.stringify(targets), MTD_LATENCY_MS: String(oneWayMs) }));
  }
  return {
    ports: children[children.length - 1].first.ports,
    hosts,
    caFile: servers.first.caFile!,
    cpuMs: async () => (await Promise.all(children.map((c) => c.cpuMs()))).reduce((a, b) => a + b, 0),
    close: async () => {
      await Promise.all(children.map((c) => c.close()));
    },
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
      log(
        `  1 endpoint: median ${ms(one)}; 100 together (probeMany, default concurrency ${DEFAULT_CONCURRENCY}): median ${ms(hundred)}; 100 one after another: ${ms(sequential)}`,
      );
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
    await withLatency(log, ep, servers);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await lab.close();
  }
}

/** Half the round-trip time the latency rows put in front of each server: 50 ms, a server a country or two away. */
const ONE_WAY_MS = 25;

/**
 * The 100 distinct addresses again, each server behind a relay that delays every chunk by ONE_WAY_MS each way
 * and makes the TCP handshake cost its round trip (test/support/lab/latencyRelay.ts): what the goal is about,
 * how much of the waiting for remote servers the probes overlap. On loopback with no latency "one endpoint" is
 * pure CPU, so the rows above measure the machine's cores, not concurrency.
 */
async function withLatency(log: (line: string) => void, ep: Endpoint, servers: Array<{ close(): Promise<void> }>): Promise<void> {
  const farm = await startServerFarm(100, true, ONE_WAY_MS);
  servers.push(farm);
  try {
    const many: Endpoint[] = farm.ports.map((port, i) => ({ ...ep, host: farm.hosts[i], port, caFiles: [farm.caFile] }));
    // A fresh limiter with the defaults a user gets (per-host and global caps), so no run inherits a back-off.
    const defaults = () => new ConnectionLimiter();
    const reference = await probeEndpoint(many[0], { limiter: defaults() });
    const found = (r: ProbeResult) => JSON.stringify([r.findings.map((f) => f.id).sort(), r.versions, r.trusted, r.tls?.version]);
    let cpu = 0;
    let serverCpu = 0;
    let same = 0;
    const [ones, hundreds] = await timeInTurns(
      [
        () => probeEndpoint(many[0], { limiter: defaults() }),
        async () => {
          const c = process.cpuUsage();
          const s0 = await farm.cpuMs();
          const results = await probeMany(many, { limiter: defaults() });
          const d = process.cpuUsage(c);
          cpu = (d.user + d.system) / 1000;
          serverCpu = (await farm.cpuMs()) - s0;
          same = results.filter((r) => found(r) === found(reference[0])).length;
        },
      ],
      3,
    );
    const one = median(ones);
    const hundred = median(hundreds);
    const pools = [16, 100];
    const others = (
      await timeInTurns(
        pools.map((concurrency) => () => probeMany(many, { concurrency, limiter: new ConnectionLimiter({ global: Math.max(64, 2 * concurrency) }) })),
        1,
      )
    ).map(median);
    const sequential = median(
      await timeIt(async () => {
        for (const e of many) await probeEndpoint(e, { limiter: defaults() });
      }, 1),
    );
    const lim = defaults();
    log(
      `100 endpoints on 100 distinct addresses, each behind ${2 * ONE_WAY_MS} ms of round-trip time (${ONE_WAY_MS} ms each way, the TCP handshake's round trip included):`,
    );
    log(
      `  1 endpoint: median ${ms(one)}; 100 together (probeMany, default concurrency ${DEFAULT_CONCURRENCY}, per-host cap ${lim.perHost}, global cap ${lim.global}): median ${ms(hundred)} (in turns, 3 runs); 100 one after another: ${ms(sequential)}`,
    );
    log(`  ratio 100 together / 1: ${ratio(hundred, one)} (goal <= 3x); 100 together / 100 one after another: ${ratio(hundred, sequential)}`);
    log(
      `  other pool sizes (global cap twice the pool, at least 64; 1 run each): ${pools.map((c, i) => `${c}: ${ms(others[i])} = ${ratio(others[i], one)}`).join(', ')}`,
    );
    log(`  CPU for the 100 (last run): the probe ${ms(cpu)}, the servers and relays ${ms(serverCpu)}; ${same} of 100 found what the one found`);
  } finally {
    await farm.close();
    servers.pop();
  }
}
