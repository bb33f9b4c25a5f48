/**
 * The probe engine's public face: probe one endpoint (every address its name resolves to) or many at once.
 * Pure Node (net, tls, dns); no editor API, so the CLI, the extension and the tests share it.
 */
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Endpoint } from '../endpoint';
import { isIpLiteral, printable, validateHostname } from '../endpoint';
import { probeFindings } from './findings';
import { abortError, ConnectionLimiter } from './limiter';
import { Scope, TimeoutError } from './scope';
import { probeAddress } from './session';
import type { ProbeOptions, ProbeResult } from './types';

export type { ProbeOptions, ProbeResult, TranscriptLine, TlsVersionName } from './types';
export { TLS_VERSIONS } from './types';
export { ConnectionLimiter } from './limiter';
export type { LimiterOptions } from './limiter';
export { tlsRuntime } from './tlsRuntime';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Shared by every probe that brings no limiter of its own, so concurrent callers respect the same caps. */
export const defaultLimiter = new ConnectionLimiter();

/** Resolves with one result per address the endpoint's host has (one result with no address if none). */
export async function probeEndpoint(endpoint: Endpoint, opts: ProbeOptions = {}): Promise<ProbeResult[]> {
  checkEndpoint(endpoint, opts);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const started = new Date();
  const resolved = await resolveAll(endpoint.host, opts);
  if ('error' in resolved) {
    return [
      {
        endpoint,
        probedFrom: opts.probedFrom ?? os.hostname(),
        tls: null,
        versions: { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null },
        certificates: [],
        findings: [probeFindings.dnsUnresolved(endpoint, resolved.error)],
        transcript: [{ at: 0, kind: 'note', text: `resolve ${endpoint.host}: ${resolved.error}` }],
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
      },
    ];
  }
  const extraCaPems = (endpoint.caFiles ?? []).map(readCaFile);
  const servername = endpoint.servername ?? endpoint.host;
  const limiter = opts.limiter ?? defaultLimiter;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return Promise.all(resolved.addresses.map((address) => probeAddress({ endpoint, address, servername, extraCaPems, opts, limiter, timeoutMs })));
}

/** Probes many endpoints with bounded concurrency; results come in endpoint order (and stream via onResult). */
export async function probeMany(
  endpoints: Endpoint[],
  opts: ProbeOptions & { concurrency?: number; onResult?: (r: ProbeResult) => void } = {},
): Promise<ProbeResult[]> {
  const { concurrency = 16, onResult, ...rest } = opts;
  const shared: ProbeOptions = { ...rest, limiter: rest.limiter ?? defaultLimiter };
  const out: ProbeResult[][] = new Array(endpoints.length);
  let next = 0;
  const worker = async () => {
    while (next < endpoints.length) {
      const i = next++;
      const results = await probeEndpoint(endpoints[i], shared);
      out[i] = results;
      for (const r of results) onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, endpoints.length)) }, worker));
  return out.flat();
}

function checkEndpoint(ep: Endpoint, opts: ProbeOptions): void {
  for (const [what, name] of [
    ['host', ep.host],
    ['servername', ep.servername],
    ['EHLO name', opts.ehloName?.replace(/^\[(IPv6:)?(.*)\]$/, '$2')],
  ] as const) {
    if (name === undefined) continue;
    const check = validateHostname(name);
    if (!check.ok) throw new TypeError(`invalid ${what} "${printable(name)}": ${check.reason}`);
  }
  if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535) throw new TypeError(`invalid port ${ep.port}`);
}

async function resolveAll(host: string, opts: ProbeOptions): Promise<{ addresses: string[] } | { error: string }> {
  const bare = host.replace(/\.$/, '');
  if (isIpLiteral(bare)) return { addresses: [bare] };
  const resolve = opts.resolve ?? defaultResolve;
  try {
    const scope = new Scope(opts.signal);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let found: string[];
    try {
      found = await scope.step<string[]>(`resolve ${bare}`, timeoutMs, (ok, fail) => {
        resolve(bare).then(ok, fail);
      });
    } finally {
      scope.dispose();
    }
    const addresses = [...new Set(found)].filter((a) => typeof a === 'string' && isIpLiteral(a));
    return addresses.length ? { addresses } : { error: 'no A or AAAA record' };
  } catch (err) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (err instanceof TimeoutError) return { error: `no answer from the resolver within ${err.ms} ms` };
    const e = err as NodeJS.ErrnoException;
    return { error: e.code === 'ENOTFOUND' ? 'the name does not exist (NXDOMAIN) or has no address' : `${e.code ?? ''} ${e.message ?? String(err)}`.trim() };
  }
}

async function defaultResolve(host: string): Promise<string[]> {
  const all = await dns.promises.lookup(host, { all: true, verbatim: true });
  return all.map((a) => a.address);
}

function readCaFile(file: string): string {
  try {
    if (fs.statSync(file).size > 5 * 1024 * 1024) throw Object.assign(new Error('larger than 5 MB'), { code: 'larger than 5 MB' });
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TypeError(`cannot read the CA file ${printable(file, 200)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
