/**
 * Peak memory while probing the hostile lab, against a baseline in the same run. The lab's servers run in this
 * process; each measurement runs the probes in a fresh child process, whose peak RSS (getrusage maxrss) then
 * belongs to the probes alone:
 * - idle: the child loads the probe engine and probes nothing (the fixed cost of a Node process with it);
 * - healthy: the same number of probes as below, all against a well-behaved server (the baseline);
 * - hostile: every hostile server at once (megabyte lines, endless replies, garbage, 50-certificate chains,
 *   broken certificates...), over SMTP, IMAP and POP3, STARTTLS and implicit TLS, several rounds.
 * Bounded reads show as "hostile / healthy" close to 1; an unbounded buffer shows as tens of megabytes.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Endpoint, Protocol, TlsMode } from '../src/core/endpoint';
import * as lab from '../test/support/hostile';
import { ratio } from './stats';

const ROUNDS = 3;
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
      env: { ...process.env, MTD_HOSTILE_MEMORY_CHILD: JSON.stringify(endpoints) },
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

    const idle = await runChild([]);
    const base = await runChild(healthy);
    const bad = await runChild(hostile);
    const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
    log(`${hostile.length} hostile endpoints (${lab.HOSTILE.length} behaviours x ${VARIANTS.length} protocol/mode), ${ROUNDS} rounds, all at once`);
    log(`peak RSS idle (engine loaded, no probe): ${mb(idle.maxRssKb)}`);
    log(`peak RSS healthy baseline: ${mb(base.maxRssKb)} (${base.probes} probes)`);
    log(`peak RSS hostile lab:      ${mb(bad.maxRssKb)} (${bad.probes} probes, ${bad.findings} findings)`);
    log(
      `hostile / healthy: ${ratio(bad.maxRssKb, base.maxRssKb)}; above idle: ${ratio(bad.maxRssKb - idle.maxRssKb, Math.max(1, base.maxRssKb - idle.maxRssKb))}`,
    );
    const small = await runChild(floodSmall);
    const big = await runChild(flood);
    log(`floods only (8 MB lines, 256 KB garbage, endless replies): ${mb(small.maxRssKb)}; the same at 64 MB / 2 MB: ${mb(big.maxRssKb)}`);
    log(`8x the bytes sent / 1x: ${ratio(big.maxRssKb, small.maxRssKb)} (bounded reads: about 1)`);
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
