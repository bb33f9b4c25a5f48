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
      // getaddrinfo asks for every address (A and AAAA, /etc/hosts...): no one query is named as the one that failed.
      assert.match(
        f.title,
        /^The system resolver gave no usable answer to the lookup of the addresses of mx\.example\.test \(.*failure in name resolution \(getaddrinfo EAI_/,
      );
      assert.doesNotMatch(`${f.title} ${(f.evidence ?? []).join(' ')}`, /\bA query|^A /);
      assert.equal(
        f.evidence?.[0],
        `addresses of mx.example.test: ${code === 'EAI_AGAIN' ? 'temporary' : 'non-recoverable'} failure in name resolution (getaddrinfo ${code})`,
      );
      assert.match(f.title, /the host was not checked\.$/);
      assert.doesNotMatch(`${f.title} ${f.detail}`, /does not resolve to an address/);
      assert.match(f.detail, /nothing is known about the host/);
      // The system's resolver: the suggested dig asks it (no @server), and --resolver is offered.
      assert.match(f.fix ?? '', /`dig A mx\.example\.test`, `dig AAAA mx\.example\.test`/);
      assert.match(f.fix ?? '', /--resolver IP\[:PORT\]/);
      assert.ok(r.transcript.some((l) => l.kind === 'note' && l.text.includes(`getaddrinfo ${code}`)));
    });
  }

  it('a lookup that runs out of time names the address lookup, not an A query', async () => {
    const [r] = await probeEndpoint(ep, { resolve: () => new Promise<string[]>(() => undefined), timeoutMs: 50 });
    const f = r.findings[0];
    assert.equal(f.id, 'dns.unresolved');
    assert.match(
      f.title,
      /^The system resolver gave no usable answer to the lookup of the addresses of mx\.example\.test \(no answer from the resolver within 50 ms\)/,
    );
  });

  it('ENOTFOUND still says the host does not resolve to an address', async () => {
    const [r] = await probeEndpoint(ep, { resolve: () => lookupError('ENOTFOUND'), timeoutMs: 2000 });
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.title]),
      [['dns.unresolved', 'mx.example.test does not resolve to an address.']],
    );
  });
});
