/**
 * A real signing authoritative server (knot) and a real validating resolver (unbound) on loopback ports, for the
 * domain check's interop tier. knot serves and signs zones from the given texts (`dnssec-signing: on`);
 * unbound trusts the DS records `keymgr` prints for each anchored zone (or a wrong DS, for a zone meant to be
 * bogus) and reaches knot through stub zones. Both run in the foreground as children and are stopped with
 * the tier (and by the reaper if the process dies).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { query } from '../../src/core/dns/client';
import { freePorts } from './mailservers/ports';
import { track } from './mailservers/reaper';
import { run } from './mailservers/run';
import { findTool } from './mailservers/tools';

export interface ZoneSpec {
  /** Without the trailing dot: `test`, `lab-broken`. */
  name: string;
  /** Zone file body (records relative to the origin); SOA and NS are added. */
  body: string;
  signed: boolean;
  /** The trust anchor unbound gets: the real DS, a wrong one (bogus), or none (insecure). */
  anchor: 'ds' | 'wrong' | 'none';
}

export interface DnsInterop {
  knotPort: number;
  resolverPort: number;
  /** `127.0.0.1:PORT` of unbound, for --resolver. */
  resolver: string;
  ds: Record<string, string[]>;
  stop(): Promise<void>;
}

export function dnsInteropTools(): string[] {
  return ['knotd', 'keymgr', 'unbound'].filter((t) => !findTool(t)).map((t) => `\`${t}\` is not installed (Debian: knot, unbound)`);
}

async function waitAnswer(port: number, name: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await query({ host: '127.0.0.1', port }, name, 'SOA', { timeoutMs: 500 }).catch(() => undefined);
    if (r && r.rcode !== 'REFUSED') return;
    if (Date.now() > deadline) throw new Error(`no DNS answer for ${name} on port ${port} within ${ms} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function startChild(name: string, cmd: string, args: string[], logFile: string): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const untrack = track(name, () => (child.exitCode === null ? child.pid : undefined));
  child.once('exit', untrack);
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

export async function startDnsInterop(zones: ZoneSpec[]): Promise<DnsInterop> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtd-interop-dns-'));
  const knotDir = path.join(dir, 'knot');
  const ubDir = path.join(dir, 'unbound');
  fs.mkdirSync(knotDir);
  fs.mkdirSync(ubDir);
  const [knotPort, resolverPort] = await freePorts(2);
  for (const z of zones) {
    fs.writeFileSync(
      path.join(knotDir, `${z.name}.zone`),
      `$ORIGIN ${z.name}.\n$TTL 300\n@ SOA ns.${z.name}. admin.${z.name}. 1 3600 600 86400 300\n@ NS ns.${z.name}.\nns A 127.0.0.1\n${z.body}\n`,
    );
  }
  const knotConf = path.join(knotDir, 'knot.conf');
  fs.writeFileSync(
    knotConf,
    [
      'server:',
      `  listen: 127.0.0.1@${knotPort}`,
      `  rundir: ${knotDir}`,
      'database:',
      `  storage: ${knotDir}`,
      'template:',
      '  - id: default',
      `    storage: ${knotDir}`,
      '    file: "%s.zone"',
      'zone:',
      ...zones.flatMap((z) => [`  - domain: ${z.name}.`, ...(z.signed ? ['    dnssec-signing: on'] : [])]),
      '',
    ].join('\n'),
  );
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) await stopChild(c);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(startChild('knotd', findTool('knotd')!, ['-c', knotConf], path.join(knotDir, 'log')));
    for (const z of zones) await waitAnswer(knotPort, `${z.name}`, 10_000);
    const ds: Record<string, string[]> = {};
    for (const z of zones.filter((x) => x.signed)) {
      // knot signs on load; wait until keymgr can print the DS of the zone's key.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const r = await run(findTool('keymgr')!, ['-c', knotConf, `${z.name}.`, 'ds'], { timeoutMs: 5000 });
        const lines = r.stdout.split('\n').filter((l) => / DS \d+ \d+ 2 [0-9a-f]+$/i.test(l.trim()));
        if (lines.length) {
          ds[z.name] = lines.map((l) => l.trim());
          break;
        }
        if (Date.now() > deadline) throw new Error(`keymgr printed no DS for ${z.name}: ${r.stdout}${r.stderr}`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    const anchors = zones.flatMap((z) =>
      z.anchor === 'ds'
        ? ds[z.name].map((d) => `  trust-anchor: "${d}"`)
        : z.anchor === 'wrong'
          ? [`  trust-anchor: "${z.name}. DS 12345 13 2 ${'0'.repeat(64)}"`]
          : [],
    );
    const ubConf = path.join(ubDir, 'unbound.conf');
    fs.writeFileSync(
      ubConf,
      [
        'server:',
        '  interface: 127.0.0.1',
        `  port: ${resolverPort}`,
        '  do-not-query-localhost: no',
        '  username: ""',
        '  chroot: ""',
        `  directory: "${ubDir}"`,
        `  pidfile: "${ubDir}/unbound.pid"`,
        '  use-syslog: no',
        '  verbosity: 1',
        '  module-config: "validator iterator"',
        '  qname-minimisation: no',
        '  num-threads: 1',
        '  so-reuseport: no',
        '  outgoing-range: 64',
        '  num-queries-per-thread: 32',
        ...zones.map((z) => `  local-zone: "${z.name}." nodefault`),
        ...anchors,
        ...zones.flatMap((z) => ['stub-zone:', `  name: "${z.name}."`, `  stub-addr: 127.0.0.1@${knotPort}`]),
        'remote-control:',
        '  control-enable: no',
        '',
      ].join('\n'),
    );
    children.push(startChild('unbound', findTool('unbound')!, ['-d', '-c', ubConf], path.join(ubDir, 'log')));
    await waitAnswer(resolverPort, zones[0].name, 10_000);
    return { knotPort, resolverPort, resolver: `127.0.0.1:${resolverPort}`, ds, stop };
  } catch (err) {
    const logs = ['knot', 'unbound'].map((d) => {
      try {
        return fs.readFileSync(path.join(dir, d, 'log'), 'utf8').slice(-2000);
      } catch {
        return '';
      }
    });
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.join('\n')}`);
  }
}
