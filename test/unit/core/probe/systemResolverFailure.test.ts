/**
 * The system resolver's errors (getaddrinfo, as Node's dns.lookup reports them) read as what they are: a temporary
 * or hard resolver failure leaves the host unchecked; only "no such name / no address" says the host does not
 * resolve. The lookup is injected (no real name is resolved).
 */
import * as assert from 'node:assert/strict';
import type { Endpoint } from '../../../../src/core/endpoint';
import { probeEndpoint } from '../../../../src/core/probe';

const ep: Endpoint = { host: 'mx.example.test', port: 25, protocol: 'smtp', mode: 'starttls' };

/** An error shaped as Node's dns.lookup rejects with for `code`. */
function lookupError(code: string): Promise<string[]> {
  return Promise.reject(Object.assign(new Error(`getaddrinfo ${code} ${ep.host}`), { code, errno: -3001, syscall: 'getaddrinfo', hostname: ep.host }));
}

describe('probe: system resolver failures', () => {
  for (const code of ['EAI_AGAIN', 'EAI_FAIL']) {
    it(`${code} is the resolver failing (the host was not checked), not a name without an address`, async () => {
      const [r] = await probeEndpoint(ep, { resolve: () => lookupError(code), timeoutMs: 2000 });
      assert.equal(r.address, undefined);
      assert.equal(r.findings.length, 1);
      const f = r.findings[0];
      assert.equal(f.id, 'dns.unresolved');
      assert.equal(f.severity, 'error');
      assert.match(
        f.title,
        /^The system resolver gave no usable answer to the A query for mx\.example\.test \(.*failure in name resolution \(getaddrinfo EAI_/,
      );
      assert.match(f.title, /the host was not checked\.$/);
      assert.doesNotMatch(`${f.title} ${f.detail}`, /does not resolve to an address/);
      assert.match(f.detail, /nothing is known about the host/);
      // The system's resolver: the suggested dig asks it (no @server), and --resolver is offered.
      assert.match(f.fix ?? '', /`dig A mx\.example\.test`/);
      assert.match(f.fix ?? '', /--resolver IP\[:PORT\]/);
      assert.ok(r.transcript.some((l) => l.kind === 'note' && l.text.includes(`getaddrinfo ${code}`)));
    });
  }

  it('ENOTFOUND still says the host does not resolve to an address', async () => {
    const [r] = await probeEndpoint(ep, { resolve: () => lookupError('ENOTFOUND'), timeoutMs: 2000 });
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.title]),
      [['dns.unresolved', 'mx.example.test does not resolve to an address.']],
    );
  });
});
