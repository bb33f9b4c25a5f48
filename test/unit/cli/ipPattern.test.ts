/**
 * Node's IPv6 pattern compiled once, straight to machine code (a process-wide V8 setting switched off and on
 * around it): afterwards the pattern still tells addresses from names, and a second call changes nothing.
 * Run in a child process, so this test runner's own V8 settings are not touched.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPT = `
const net = require('node:net');
const { compileIpPatternOnce } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/cli/ipPattern.ts'))});
compileIpPatternOnce();
compileIpPatternOnce();
const cases = ['mail.example', '::1', 'fe80::1%eth0', '2001:db8::192.0.2.1', '127.0.0.1', '1::2::3', 'mx.[::1]'];
process.stdout.write(JSON.stringify(cases.map((c) => net.isIP(c))));
`;

describe('cli/ipPattern', () => {
  it('leaves net.isIP answering as before, however often it is called', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [0, 6, 6, 6, 4, 0, 0]);
  });
});
