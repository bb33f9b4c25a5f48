/**
 * Node checks every TLS server name and every host name it connects to against its IPv6 address pattern
 * (`net.isIP`, to warn about IP literals sent as SNI). V8 compiles that large pattern twice in a process: to
 * bytecode on its first use and to machine code on its second, 14-17 ms of a CLI probe's start on this machine.
 * Compiled straight to machine code, once, it costs about 3 ms. Only the CLI does this: the tier-up setting is
 * V8's and process-wide, so it is switched off for this one compilation and back on at once, and the editor's
 * extension host is not ours to change.
 */
import { isIPv6 } from 'node:net';

let compiled = false;

/** Compiles Node's IPv6 pattern once, before the first connection; a no-op after that. */
export function compileIpPatternOnce(): void {
  if (compiled) return;
  compiled = true;
  // Whoever started this process chose how regular expressions compile: that stays as it is.
  if ([...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('regexp'))) return;
  // Required here: node:v8 loads eight more internal modules (17 fresh pages), and a STARTTLS probe calls this
  // after its first connect, while the server prepares its greeting.
  const { setFlagsFromString } = require('node:v8') as typeof import('node:v8');
  setFlagsFromString('--no-regexp-tier-up');
  try {
    isIPv6('mail.invalid');
  } finally {
    setFlagsFromString('--regexp-tier-up');
  }
}
