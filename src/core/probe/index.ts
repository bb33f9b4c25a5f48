/**
 * The probe engine's public face: probe one endpoint (every address its name resolves to) or many at once.
 * Pure Node (net, tls, dns); no editor API, so the CLI, the extension and the tests share it.
 */
import { setMaxListeners } from 'node:events';
import * as os from 'node:os';
import type { FailedLookup } from '../dns/failure';
import type { Endpoint } from '../endpoint';
import { isIpLiteral, printable } from '../endpoint';
import type { Finding } from '../finding';
import { probeFindings } from './findings';
import { abortError, ConnectionLimiter } from './limiter';
import { Gate, systemLookups } from './lookupGate';
import { Scope, TimeoutError } from './scope';
import { probeAddress } from './session';
import type { ProbeOptions, ProbeResult, TranscriptLine } from './types';
import { endpointProblem, readCaFiles } from './validate';

export type { Dialer, ProbeOptions, ProbeResult, TranscriptLine, TlsVersionName } from './types';
export { TLS_VERSIONS } from './types';
export { ConnectionLimiter } from './limiter';
export type { LimiterOptions } from './limiter';
export { tlsRuntime } from './tlsRuntime';

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * How many endpoints `probeMany` probes at once unless told. A probe mostly waits for the server (a dozen or more
 * round trips over four connections), so the pool, not the CPU, bounds a run of many endpoints: with 16, 100
 * endpoints behind 50 ms of round-trip time took 8-10x one endpoint (issue 15 item 3, docs/performance.md); 64
 * takes them in about two rounds. Servers are protected per address by the limiter's per-host cap (2), not by
 * this; 64 endpoints hold at most 128 sockets, well under any descriptor limit (Node raises the soft limit to
 * the hard one at start), and a few KB each on the network.
 */
export const DEFAULT_CONCURRENCY = 64;

/** Shared by every probe that brings no limiter of its own, so concurrent callers respect the same caps. */
export const defaultLimiter = new ConnectionLimiter();

/**
 * Resolves with one result per address the endpoint's host has (one result with no address if none, or if
 * the endpoint is invalid: a bad name, port or CA file is a finding, and no connection is opened). Rejects only
 * when the signal aborts.
 */
export function probeEndpoint(endpoint: Endpoint, opts: ProbeOptions = {}): Promise<ProbeResult[]> {
  return probeWith(endpoint, opts, readCaFiles);
}

/**
 * `readCa`: how the endpoint's CA files are read. probeMany reads each list of files once per run (every
 * endpoint of a run usually names the same `--ca`); an unreadable file is read again, and its finding made anew,
 * for each endpoint that names it.
 */
async function probeWith(endpoint: Endpoint, opts: ProbeOptions, readCa: typeof readCaFiles): Promise<ProbeResult[]> {
  const started = new Date();
  const invalid = endpointProblem(endpoint, opts);
  if (invalid) return [unprobed(endpoint, opts, started, invalid, `not probed: ${invalid.title}`)];
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const ca = readCa(endpoint.caFiles);
  if ('finding' in ca) return [unprobed(endpoint, opts, started, ca.finding, `not probed: ${ca.finding.title}`)];
  const resolved = await resolveAll(endpoint.host, opts);
  if ('error' in resolved) {
    return [
      unprobed(
        endpoint,
        opts,
        started,
        resolved.failed
          ? probeFindings.lookupFailed(endpoint, resolved.failed, opts.resolverServer)
          : probeFindings.dnsUnresolved(endpoint, resolved.error, opts.resolverServer),
        `resolve ${endpoint.host}: ${resolved.error}`,
      ),
    ];
  }
  const servername = endpoint.servername ?? endpoint.host;
  const limiter = opts.limiter ?? defaultLimiter;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return Promise.all(resolved.addresses.map((address) => probeAddress({ endpoint, address, servername, extraCaPems: ca.pems, opts, limiter, timeoutMs })));
}

/** `probeMany`'s options: a probe's, the pool size, and callbacks that say which endpoint each event is for. */
export interface ProbeManyOptions extends Omit<ProbeOptions, 'onTranscript'> {
  /** How many endpoints are probed at once; default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** An endpoint's probe starts (after the up-front checks; not called for an endpoint that is not probed). */
  onStart?: (endpoint: Endpoint, index: number) => void;
  /** Each result as it is ready (one per address). */
  onResult?: (r: ProbeResult) => void;
  /** An endpoint is done: all its results (one per address, or the one that says why it was not probed). */
  onEndpointDone?: (endpoint: Endpoint, results: ProbeResult[], index: number) => void;
  /** Every transcript line as it happens, with the endpoint it belongs to. */
  onTranscript?: (line: TranscriptLine, endpoint: Endpoint) => void;
  /**
   * The failure that ends the run (anything but the caller's own abort), with the endpoint whose probe or callback
   * failed; the other probes are then cancelled and `probeMany` rejects with this error once they have ended.
   */
  onFailure?: (endpoint: Endpoint, error: unknown, index: number) => void;
}

/**
 * Probes many endpoints with bounded concurrency; results come in endpoint order (and stream via onResult).
 * It settles only once every probe it started has ended: if one fails (an abort, an `onResult` that throws),
 * the others are cancelled and awaited first, so no probe goes on unobserved after it returns.
 */
export async function probeMany(endpoints: Endpoint[], opts: ProbeManyOptions = {}): Promise<ProbeResult[]> {
  const { concurrency = DEFAULT_CONCURRENCY, onStart, onResult, onEndpointDone, onTranscript, onFailure, ...rest } = opts;
  // Checked up front: a bad endpoint's result is ready before any connection to the good ones is opened.
  const problems = endpoints.map((ep) => endpointProblem(ep, rest));
  const stop = new AbortController();
  // Every running probe hangs a few listeners on this shared signal (its scopes, its queued slot requests) and
  // removes them when it ends: many at once is expected, so raise Node's leak-warning threshold to match.
  setMaxListeners(Math.max(10, concurrency * 16), stop.signal);
  const outer = rest.signal;
  const forward = () => stop.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  const shared: ProbeOptions = { ...rest, signal: stop.signal, limiter: rest.limiter ?? defaultLimiter };
  const caTexts = new Map<string, { pems: string[] }>();
  const readCaOnce = (files: readonly string[] = []) => {
    const key = JSON.stringify(files);
    const known = caTexts.get(key);
    if (known) return known;
    const read = readCaFiles(files);
    if ('pems' in read) caTexts.set(key, read);
    return read;
  };
  const out: ProbeResult[][] = new Array(endpoints.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (!failure && next < endpoints.length) {
      const i = next++;
      const endpoint = endpoints[i];
      try {
        const problem = problems[i];
        let results: ProbeResult[];
        if (problem) results = [unprobed(endpoint, rest, new Date(), problem, `not probed: ${problem.title}`)];
        else {
          onStart?.(endpoint, i);
          results = await probeWith(endpoint, onTranscript ? { ...shared, onTranscript: (line) => onTranscript(line, endpoint) } : shared, readCaOnce);
        }
        out[i] = results;
        for (const r of results) onResult?.(r);
        onEndpointDone?.(endpoint, results, i);
      } catch (error) {
        // The first failure wins; the ones it causes in the other workers (aborts) are its consequence.
        if (!failure && !outer?.aborted) onFailure?.(endpoint, error, i);
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, endpoints.length)) }, worker));
  } finally {
    outer?.removeEventListener('abort', forward);
  }
  if (failure) throw outer?.aborted ? abortError(outer) : failure.error;
  return out.flat();
}

/** The result of an endpoint that was never connected to (invalid, or its name does not resolve). */
function unprobed(endpoint: Endpoint, opts: ProbeOptions, started: Date, finding: Finding, note: string): ProbeResult {
  return {
    endpoint,
    probedFrom: opts.probedFrom ?? os.hostname(),
    tls: null,
    versions: { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null },
    certificates: [],
    findings: [finding],
    transcript: [{ at: 0, kind: 'note', text: printable(note, 300) }],
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
}

/**
 * Every address `host` has. `gate`: the turns the resolver takes (the system resolver's thread pool, unless the
 * caller brings a resolver of its own); the timeout starts with the turn, not while waiting for it.
 */
export async function resolveAll(
  host: string,
  opts: ProbeOptions,
  gate: Gate | undefined = opts.resolve ? undefined : systemLookups,
): Promise<{ addresses: string[] } | { error: string; failed?: FailedLookup }> {
  const bare = host.replace(/\.$/, '');
  if (isIpLiteral(bare)) return { addresses: [bare] };
  const resolve = opts.resolve ?? defaultResolve;
  try {
    const done = await gate?.enter(opts.signal);
    const scope = new Scope(opts.signal);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let found: string[];
    let lookup: Promise<string[]> | undefined;
    try {
      found = await scope.step<string[]>(`resolve ${bare}`, timeoutMs, (ok, fail) => {
        lookup = resolve(bare);
        lookup.then(ok, fail);
      });
    } finally {
      scope.dispose();
      // A lookup that timed out still holds its thread until it returns: its turn ends with it, not before.
      if (done) void (lookup ? lookup.then(done, done) : done());
    }
    const addresses = [...new Set(found)].filter((a) => typeof a === 'string' && isIpLiteral(a));
    return addresses.length ? { addresses } : { error: 'no A or AAAA record' };
  } catch (err) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    // No answer in time, or (from a resolver of the caller's, `--resolver`) no usable one: the resolver failed or
    // the name's servers did, not the name. `failed` says which lookup, for the finding: here the lookup of the
    // addresses as a whole (A and AAAA), with no record type known to be the one unanswered.
    if (err instanceof TimeoutError) {
      const detail = `no answer from the resolver within ${err.ms} ms`;
      return { error: detail, failed: { status: 'timeout', detail } };
    }
    const failed = (err as { lookup?: FailedLookup }).lookup;
    if (failed) return { error: (err as Error).message, failed };
    const e = err as NodeJS.ErrnoException;
    // The system resolver (getaddrinfo) could not get an answer, temporarily or for good: nothing is known about
    // the name, so it is the resolver's failure, not "no address".
    const why = GETADDRINFO_FAILURES.get(e.code ?? '');
    if (why) {
      const detail = `${why} (getaddrinfo ${e.code})`;
      return { error: detail, failed: { status: 'error', detail } };
    }
    return { error: e.code === 'ENOTFOUND' ? 'the name does not exist (NXDOMAIN) or has no address' : `${e.code ?? ''} ${e.message ?? String(err)}`.trim() };
  }
}

/** getaddrinfo's errors (as Node's codes) that mean the resolver gave no answer, with glibc's words for them. */
const GETADDRINFO_FAILURES = new Map([
  ['EAI_AGAIN', 'temporary failure in name resolution'],
  ['EAI_FAIL', 'non-recoverable failure in name resolution'],
]);

async function defaultResolve(host: string): Promise<string[]> {
  // Loaded on the first name: an IP literal (the CLI's usual target, every address a name resolves to) needs no dns.
  const dns = require('node:dns') as typeof import('node:dns');
  const all = await dns.promises.lookup(host, { all: true, verbatim: true });
  return all.map((a) => a.address);
}
