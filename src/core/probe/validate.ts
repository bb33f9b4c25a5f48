/**
 * Checks an endpoint before anything touches the network: the names that go into SNI and the dialogue, the
 * port, and the extra CA files. A bad endpoint becomes a finding, so a caller probing many endpoints gets one
 * result per endpoint instead of an exception that would leave the others running unobserved. The checks
 * themselves are in checks.ts.
 */
import type { Endpoint } from '../endpoint';
import { printable } from '../endpoint';
import type { Finding } from '../finding';
import { endpointCheck, readCaTexts } from './checks';
import { probeFindings as F } from './findings';
import type { ProbeOptions } from './types';

export { caFileProblem } from './checks';

/** The first thing wrong with the endpoint (or the EHLO name), or undefined when it may be probed. */
export function endpointProblem(ep: Endpoint, opts: ProbeOptions): Finding | undefined {
  const p = endpointCheck(ep, opts.ehloName);
  if (!p) return undefined;
  return p.kind === 'name' ? F.invalidName(p.role, printable(p.text), p.reason) : F.invalidPort(ep, printable(String(ep.port)));
}

/** The extra CA files' text, or a finding naming the file that cannot be read. */
export function readCaFiles(files: readonly string[] = []): { pems: string[] } | { finding: Finding } {
  const r = readCaTexts(files);
  return 'pems' in r ? r : { finding: F.caUnreadable(printable(r.file, 200), r.why) };
}
