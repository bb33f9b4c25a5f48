/**
 * Checks an endpoint before anything touches the network: the names that go into SNI and the dialogue, the
 * port, and the extra CA files. A bad endpoint becomes a finding, so a caller probing many endpoints gets one
 * result per endpoint instead of an exception that would leave the others running unobserved.
 */
import * as fs from 'node:fs';
import { readBounded } from '../fsread';
import type { Endpoint } from '../endpoint';
import { printable, validateHostname } from '../endpoint';
import type { Finding } from '../finding';
import { probeFindings as F, type EndpointName } from './findings';
import type { ProbeOptions } from './types';

const MAX_CA_FILE_BYTES = 5 * 1024 * 1024;

/** The first thing wrong with the endpoint (or the EHLO name), or undefined when it may be probed. */
export function endpointProblem(ep: Endpoint, opts: ProbeOptions): Finding | undefined {
  const names: Array<[EndpointName, unknown]> = [
    ['host', ep.host],
    ['servername', ep.servername],
    // An address literal is how RFC 5321 writes an address in EHLO; what is inside the brackets must be valid.
    ['EHLO name', typeof opts.ehloName === 'string' ? opts.ehloName.replace(/^\[(IPv6:)?(.*)\]$/, '$2') : opts.ehloName],
  ];
  for (const [role, name] of names) {
    if (name === undefined) continue;
    const text = typeof name === 'string' ? name : String(name);
    const check = validateHostname(text);
    if (!check.ok) return F.invalidName(role, printable(text), check.reason);
  }
  if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535) return F.invalidPort(ep, printable(String(ep.port)));
  return undefined;
}

/**
 * Why a CA file that a user named (`--ca`, the setting mailTlsDoctor.probe.extraCaFiles) cannot be used, or
 * undefined when it is a readable regular file. The check the CLI and the editor make before any probe starts,
 * without reading the file: `readCaFiles` reads it later within its byte bound, and one too large is a finding.
 */
export function caFileProblem(file: string): string | undefined {
  try {
    if (!fs.statSync(file).isFile()) return 'not a regular file';
    fs.accessSync(file, fs.constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/** The extra CA files' text, or a finding naming the file that cannot be read. */
export function readCaFiles(files: readonly string[] = []): { pems: string[] } | { finding: Finding } {
  const pems: string[] = [];
  for (const file of files) {
    // A device or a FIFO (/dev/zero, a pipe) would be read forever or block: only regular files. And at most
    // MAX_CA_FILE_BYTES + 1 bytes whatever stat says: /proc/self/pagemap reports size 0 and streams gigabytes.
    const r = readBounded(file, MAX_CA_FILE_BYTES);
    if (!r.ok) {
      const why =
        r.reason === 'too-large' ? 'larger than 5 MB' : r.reason === 'not-a-file' ? 'not a regular file' : r.reason === 'missing' ? 'ENOENT' : r.message;
      return { finding: F.caUnreadable(printable(file, 200), why) };
    }
    pems.push(r.data.toString('utf8'));
  }
  return { pems };
}
