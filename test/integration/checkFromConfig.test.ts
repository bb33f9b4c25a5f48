/**
 * `lint` names the mail domains a config names, and `check --from-config PATH` checks them: the domains of a TLS
 * policy table, once each, every DNS question going to the in-process loopback DNS server given with --resolver.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureIO } from '../support/cli';
import { startDnsServer, type TestDnsServer } from '../support/dns/server';

const GOOD = path.join(__dirname, '..', 'fixtures', 'postfix', 'policy-map-good');
const NO_DOMAINS = path.join(__dirname, '..', 'fixtures', 'postfix', 'continuations');

describe('check --from-config: the mail domains a config names', function () {
  this.timeout(60_000);
  let dns: TestDnsServer | undefined;
  before(async () => {
    // No records at all: every name is NXDOMAIN, so each domain's check ends at the MX lookup without a probe.
    dns = await startDnsServer({ records: [] });
  });
  after(async () => dns?.close());

  it('lint lists the policy table domains in text and JSON', async () => {
    const text = captureIO();
    await main(['lint', GOOD], text);
    assert.match(text.stdout, /tls_policy:2:1 domain example\.org \(smtp_tls_policy_maps entry \(dane-only\)/);
    const json = captureIO();
    await main(['lint', GOOD, '--json'], json);
    const files = (JSON.parse(json.stdout) as { files: Array<{ file: string; domains?: Array<{ domain: string }> }> }).files;
    const table = files.find((f) => f.file.endsWith('tls_policy'))!;
    assert.deepEqual(
      table.domains!.map((d) => d.domain),
      ['example.org', 'example.com', 'legacy.example', 'lan.example'],
    );
  });

  it('checks each domain once, asking only the given resolver, and says where each came from', async () => {
    const io = captureIO();
    await main(['check', '--from-config', GOOD, 'example.com', '--resolver', dns!.address, '--timeout', '2000', '--json'], io);
    const out = JSON.parse(io.stdout) as { domains: Array<{ domain: string }> };
    assert.deepEqual(
      out.domains.map((d) => d.domain),
      ['example.com', 'example.org', 'legacy.example', 'lan.example'],
    );
    assert.match(io.stderr, /example\.org: from .*tls_policy:2 \(smtp_tls_policy_maps entry \(dane-only\)\)/);
    const asked = new Set(dns!.log.map((q) => q.name.toLowerCase()));
    for (const d of ['example.org', 'legacy.example', 'lan.example']) assert.ok(asked.has(d), `${d} not asked: ${[...asked].join(', ')}`);
  });

  it('a config without mail domains, or a missing path, is a usage error', async () => {
    const none = captureIO();
    assert.equal(await main(['check', '--from-config', NO_DOMAINS, '--resolver', dns!.address], none), 2);
    assert.match(none.stderr, /no mail domain named/);
    const missing = captureIO();
    assert.equal(await main(['check', '--from-config', path.join(GOOD, 'absent'), '--resolver', dns!.address], missing), 2);
  });
});
