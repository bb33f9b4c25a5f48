/**
 * Peak memory while probing the hostile lab, against a baseline in the same run. The lab's servers run in this
 * process; each measurement runs the probes in a fresh child process, whose peak RSS (getrusage maxrss) then
 * belongs to the probes alone:
 * - idle: the child loads the probe engine and probes nothing (the fixed cost of a Node process with it);
 * - healthy: the same number of probes as below, all against a well-behaved server (the baseline);
 * - hostile: every hostile server at once (megabyte lines, endless replies, garbage, 50-certificate chains,
 *   broken certificates...), over SMTP, IMAP and POP3, STARTTLS and implicit TLS, several rounds.
 * Bounded reads show as "hostile / healthy" close to 1; an unbounded buffer shows as tens of megabytes.
 *
 * The healthy baseline and the floods run in turns (TURNS of each, alternated) and the floods' margin is the median
 * of each turn's difference: one child's peak moves by a few megabytes from run to run (when the garbage collector
 * runs, the load), and a baseline measured once, at another moment, moved the margin by more than that. The
 * children run the TypeScript through tsx, whose compiler (esbuild) would start a worker thread (about 18 MB of
 * RSS) in whichever child first loads a file its cache does not hold yet, i.e. after any change to the sources:
 * ESBUILD_WORKER_THREADS=0 keeps that compiler in a process of its own, outside the figure.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Endpoint, Protocol, TlsMode } from '../src/core/endpoint';
import * as lab from '../test/support/hostile';
import { median, ratio } from './stats';

const ROUNDS = 3;
/** Children of each kind (healthy, 1x floods, 8x floods), alternated. */
const TURNS = 3;
const VARIANTS: Array<{ protocol: Protocol; mode: TlsMode }> = [
  { protocol: 'smtp', mode: 'starttls' },
  { protocol: 'smtp', mode: 'implicit' },
  { protocol: 'imap', mode: 'starttls' },
  { protocol: 'pop3', mode: 'implicit' },
];

interface ChildReport {
  maxRssKb: number;
  probes: number;
  findings: number;
}

/** In the child: probe the endpoints (all at once, ROUNDS times), then report the process's peak RSS. */
async function childMain(endpoints: Endpoint[]): Promise<void> {
  // Loaded here, not at the top: the parent (which runs the servers) must not count it, and the idle child does.
  const { ConnectionLimiter, probeMany } = require('../src/core/probe') as typeof import('../src/core/probe');
  let probes = 0;
  let findings = 0;
  for (let round = 0; round < ROUNDS && endpoints.length > 0; round++) {
    const results = await probeMany(endpoints, { concurrency: endpoints.length, timeoutMs: 1500, limiter: new ConnectionLimiter({ global: 256 }) });
    probes += results.length;
    findings += results.reduce((n, r) => n + r.findings.length, 0);
  }
  const report: ChildReport = { maxRssKb: process.resourceUsage().maxRSS, probes, findings };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runChild(endpoints: Endpoint[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', __filename], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, MTD_HOSTILE_MEMORY_CHILD: JSON.stringify(endpoints), ESBUILD_WORKER_THREADS: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`child exited with ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildReport);
      } catch (err) {
        reject(err);
      }
    });
  });
}

export async function run(log: (line: string) => void): Promise<void> {
  lab.healthyTls();
  lab.longChainTls();
  const servers: lab.HostileServer[] = [];
  try {
    const hostile: Endpoint[] = [];
    for (const make of lab.HOSTILE) {
      for (const v of VARIANTS) {
        const s = await lab.startHostile(make(), v);
        servers.push(s);
        hostile.push(s.endpoint());
      }
    }
    const healthy: Endpoint[] = [];
    for (const v of VARIANTS) {
      const s = await lab.startHostile(lab.healthy(), v);
      servers.push(s);
      for (let i = 0; i < hostile.length / VARIANTS.length; i++) healthy.push(s.endpoint());
    }

    // The same flood, eight times bigger: bounded reads keep the peak where it was.
    const flood: Endpoint[] = [];
    for (const make of [() => lab.hugeLine(64), () => lab.garbage(2048), lab.endlessCapabilities]) {
      for (const v of VARIANTS) {
        const s = await lab.startHostile(make(), v);
        servers.push(s);
        for (let i = 0; i < lab.HOSTILE.length / 3; i++) flood.push(s.endpoint());
      }
    }
    const floodSmall: Endpoint[] = [];
    for (const make of [() => lab.hugeLine(8), () => lab.garbage(256), lab.endlessCapabilities]) {
      for (const v of VARIANTS) {
        const s = await lab.startHostile(make(), v);
        servers.push(s);
        for (let i = 0; i < lab.HOSTILE.length / 3; i++) floodSmall.push(s.endpoint());
      }
    }

    // The idle child also fills tsx's cache for the engine before anything is compared.
    const idle = await runChild([]);
    const base: number[] = [];
    const small: number[] = [];
    const big: number[] = [];
    for (let turn = 0; turn < TURNS; turn++) {
      base.push((await runChild(healthy)).maxRssKb);
      small.push((await runChild(floodSmall)).maxRssKb);
      big.push((await runChild(flood)).maxRssKb);
    }
    const bad = await runChild(hostile);
    const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
    const turns = (xs: number[]) => `median of ${xs.map(mb).join(', ')}`;
    const healthyKb = median(base);
    log(`${hostile.length} hostile endpoints (${lab.HOSTILE.length} behaviours x ${VARIANTS.length} protocol/mode), ${ROUNDS} rounds, all at once`);
    log(`peak RSS idle (engine loaded, no probe): ${mb(idle.maxRssKb)}`);
    log(`peak RSS healthy baseline: ${mb(healthyKb)} (${healthy.length * ROUNDS} probes; ${turns(base)})`);
    log(`peak RSS hostile lab:      ${mb(bad.maxRssKb)} (${bad.probes} probes, ${bad.findings} findings)`);
    log(`hostile / healthy: ${ratio(bad.maxRssKb, healthyKb)}; above idle: ${ratio(bad.maxRssKb - idle.maxRssKb, Math.max(1, healthyKb - idle.maxRssKb))}`);
    log(`floods only (8 MB lines, 256 KB garbage, endless replies): ${mb(median(small))} (${turns(small)})`);
    log(`the same at 64 MB / 2 MB: ${mb(median(big))} (${turns(big)})`);
    log(`8x the bytes sent / 1x: ${ratio(median(big), median(small))} (bounded reads: about 1)`);
    const margins = big.map((kb, i) => kb - base[i]);
    log(`64 MB floods above the healthy baseline of the same turn: ${mb(median(margins))} (${turns(margins)}; goal <= 30 MB)`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

if (process.env.MTD_HOSTILE_MEMORY_CHILD !== undefined && require.main === module) {
  childMain(JSON.parse(process.env.MTD_HOSTILE_MEMORY_CHILD) as Endpoint[]).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
