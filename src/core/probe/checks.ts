/**
 * The checks made before anything touches the network, without the findings that report them (validate.ts makes
 * those): the CLI's dispatcher runs the same checks before it loads the probe engine (src/cli/earlyConnect.ts).
 */
import * as fs from 'node:fs';
import { readBounded } from '../boundedRead';
import type { Endpoint } from '../endpoint';
import { validateHostname } from '../endpoint';
import type { EndpointName } from './findings';

const MAX_CA_FILE_BYTES = 5 * 1024 * 1024;

export type EndpointCheck = { kind: 'name'; role: EndpointName; text: string; reason: string } | { kind: 'port' };

/** The first thing wrong with the endpoint (or the EHLO name), or undefined when it may be probed. */
export function endpointCheck(ep: Endpoint, ehloName: string | undefined): EndpointCheck | undefined {
  const names: Array<[EndpointName, unknown]> = [
    ['host', ep.host],
    ['servername', ep.servername],
    // An address literal is how RFC 5321 writes an address in EHLO; what is inside the brackets must be valid.
    ['EHLO name', typeof ehloName === 'string' ? ehloName.replace(/^\[(IPv6:)?(.*)\]$/, '$2') : ehloName],
  ];
  for (const [role, name] of names) {
    if (name === undefined) continue;
    const text = typeof name === 'string' ? name : String(name);
    const check = validateHostname(text);
    if (!check.ok) return { kind: 'name', role, text, reason: check.reason };
  }
  if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535) return { kind: 'port' };
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

/** The extra CA files' text, or the first file that cannot be read and why. */
export function readCaTexts(files: readonly string[] = []): { pems: string[] } | { file: string; why: string } {
  const pems: string[] = [];
  for (const file of files) {
    // A device or a FIFO (/dev/zero, a pipe) would be read forever or block: only regular files. And at most
    // MAX_CA_FILE_BYTES + 1 bytes whatever stat says: /proc/self/pagemap reports size 0 and streams gigabytes.
    const r = readBounded(file, MAX_CA_FILE_BYTES);
    if (!r.ok) {
      const why =
        r.reason === 'too-large' ? 'larger than 5 MB' : r.reason === 'not-a-file' ? 'not a regular file' : r.reason === 'missing' ? 'ENOENT' : r.message;
      return { file, why };
    }
    pems.push(r.data.toString('utf8'));
  }
  return { pems };
}
