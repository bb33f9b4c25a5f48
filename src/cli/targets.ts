/**
 * Where `probe` gets its endpoints: arguments, `--input FILE|-` (one target per line, `#` comments) and
 * `--from-config PATH` (the servers the configs under PATH name); `--shard K/N` keeps a stable part of them,
 * and an endpoint named several times is probed once, remembering every line that named it.
 */
import * as fs from 'node:fs';
import { printable, type Endpoint, type EndpointOptions } from '../core/endpoint';
import { readBounded } from '../core/fsread';
import { nodeCrypto } from '../core/nodeLazy';
import type { DefinedAt } from '../core/report/records';
import { parseTargetSpec, targetEndpoint } from '../core/targetSpec';
import { UsageError } from './io';

// The parser is the core's, shared with the editor's Probe Host box.
export { parseTargetSpec, targetEndpoint, type TargetSpec } from '../core/targetSpec';

/** A target list of a few hundred thousand lines is plenty; more is a mistake, not a workload. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export interface Target {
  endpoint: Endpoint;
  definedAt?: DefinedAt;
}

export interface PlannedEndpoint {
  endpoint: Endpoint;
  definedAt: DefinedAt[];
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
    throw new UsageError(`--shard must be K/N with 1 <= K <= N (e.g. 2/4), not "${printable(text)}"`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** Reads `--input`: the file's text, or standard input for `-`. Bounded. */
export async function readInput(file: string, readStdin?: () => Promise<string>): Promise<{ name: string; text: string }> {
  if (file === '-') {
    if (!readStdin) throw new UsageError('--input -: there is no standard input');
    const text = await readStdin();
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new UsageError(`--input -: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB`);
    return { name: '-', text };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`--input ${printable(file)}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`--input ${printable(file)}: not a regular file`);
  if (st.size > MAX_INPUT_BYTES) throw new UsageError(`--input ${printable(file)}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB`);
  // Bounded whatever stat said: a /proc file reports size 0 and streams without end.
  const r = readBounded(file, MAX_INPUT_BYTES);
  if (r.ok) return { name: file, text: r.data.toString('utf8') };
  if (r.reason === 'too-large') throw new UsageError(`--input ${printable(file)}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB`);
  throw new UsageError(`--input ${printable(file)}: cannot read it`);
}

/**
 * One target per line, as parseTargetSpec reads it (`HOST[:PORT]`, `[IPv6]:PORT`, `imaps://HOST[:PORT]`...); `#`
 * starts a comment, blank lines are skipped. A line that is not a target is a usage error naming the file and line
 * (a typo must not silently shrink the list).
 */
export function parseTargetList(name: string, text: string, opts: EndpointOptions): Target[] {
  const out: Target[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (!content) return;
    if (/\s/.test(content)) throw new UsageError(`${printable(name)}:${i + 1}: one target per line, not "${printable(content)}"`);
    const t = parseTargetSpec(content);
    if ('error' in t) throw new UsageError(`${printable(name)}:${i + 1}: ${t.error}`);
    const start = raw.indexOf(content);
    out.push({
      endpoint: targetEndpoint(t, opts),
      ...(name === '-'
        ? {}
        : {
            definedAt: {
              file: name,
              range: { start: { line: i, character: start }, end: { line: i, character: start + content.length } },
              source: `line ${i + 1} of the target list`,
            },
          }),
    });
  });
  return out;
}

/** Identity of an endpoint within a run: one probe per key, however often it is named. */
export function endpointIdentity(ep: Endpoint): string {
  return `${ep.protocol}|${ep.mode}|${ep.host.toLowerCase().replace(/\.$/, '')}|${ep.port}|${(ep.servername ?? '').toLowerCase()}|${(ep.caFiles ?? []).join('\u0000')}`;
}

/** Merges targets naming the same endpoint (first mention first), keeping every place that named it. */
export function dedupeTargets(targets: readonly Target[]): PlannedEndpoint[] {
  const byKey = new Map<string, PlannedEndpoint>();
  for (const t of targets) {
    const key = endpointIdentity(t.endpoint);
    let p = byKey.get(key);
    if (!p) byKey.set(key, (p = { endpoint: t.endpoint, definedAt: [] }));
    if (t.definedAt) p.definedAt.push(t.definedAt);
  }
  return [...byKey.values()];
}

/**
 * Which shard (1..count) an endpoint belongs to: a hash of its identity, so the same endpoint lands in the same
 * shard on every machine and in every run, whatever else the list holds or in which order.
 */
export function shardOf(ep: Endpoint, count: number): number {
  const digest = nodeCrypto().createHash('sha256').update(endpointIdentity(ep)).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(ep: Endpoint, shard: Shard | undefined): boolean {
  return !shard || shardOf(ep, shard.count) === shard.index;
}
