import * as assert from 'node:assert/strict';
import { runExplain } from '../../../src/cli/explain';
import type { CliIO } from '../../../src/cli/io';

function io(stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => out.push(t), err: (t) => err.push(t), color: false, ...(stdin !== undefined ? { readStdin: async () => stdin } : {}) };
  return { cli, out, err };
}

describe('mail-tls-doctor explain', () => {
  it('explains the text given as arguments, with causes, fix and the probe command', async () => {
    const { cli, out } = io();
    const code = await runExplain(['SSL_connect', 'error', 'to', 'smtp.example.com[203.0.113.5]:465:', 'lost', 'connection'], cli);
    assert.equal(code, 0);
    const text = out.join('');
    assert.match(text, /explain\.postfix-ssl-connect-lost/);
    assert.match(text, /1\. likely:/);
    assert.match(text, /fix: /);
    assert.match(text, /mail-tls-doctor probe smtp\.example\.com:465 --implicit/);
  });

  it('reads standard input when no text is given, and prints JSON', async () => {
    const { cli, out } = io('Error: Greeting never received\n');
    assert.equal(await runExplain(['--json'], cli), 0);
    const parsed = JSON.parse(out.join('')) as { matches: Array<{ id: string }> };
    assert.deepEqual(
      parsed.matches.map((m) => m.id),
      ['explain.greeting-never-received'],
    );
  });

  it('exits 1 when nothing is recognised, 2 on bad usage', async () => {
    const a = io();
    assert.equal(await runExplain(['everything', 'is', 'fine'], a.cli), 1);
    assert.match(a.out.join(''), /No known mail TLS error/);
    assert.equal(await runExplain(['--frobnicate', 'x'], io().cli), 2);
    assert.equal(await runExplain([], io().cli), 2);
    assert.equal(await runExplain([], io('   \n').cli), 2);
  });
});
