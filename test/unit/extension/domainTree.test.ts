import * as assert from 'node:assert/strict';
import type { DomainReport, MxHost } from '../../../src/core/domain';
import { domainChildren } from '../../../src/extension/domainTree';
import type { Node } from '../../../src/extension/tree';

/** A finished check with the given MX part and nothing else. */
function report(mx: DomainReport['mx']): DomainReport {
  return {
    domain: 'example.test',
    mx,
    dnssec: { resolver: '127.0.0.1:5353 (given with --resolver)', trusted: true, mx: 'insecure' },
    dane: { published: false, hosts: [] },
    mtaSts: { status: 'absent', txt: [] },
    tlsRpt: { status: 'absent', rua: [] },
    senders: [],
    results: [],
    findings: [],
  };
}

const mxSection = (r: DomainReport) => {
  const nodes = domainChildren({ domain: r.domain, definitions: [], reason: '', state: { kind: 'done', report: r } });
  return nodes.find((n): n is Extract<Node, { kind: 'section' }> => n.kind === 'section' && n.label === 'MX')!;
};
const labels = (n: Node): string[] => ('children' in n && n.children ? n.children.flatMap((c) => [('label' in c ? c.label : '') ?? '', ...labels(c)]) : []);

describe('domain tree: MX hosts and states in words', () => {
  it('an MX that names an IP address says so, not "No address (error)"', () => {
    const literal: MxHost = { name: '192.0.2.7', preference: 10, cnames: [], addresses: [], addressStatus: 'error', addressesSecure: false, literal: true };
    const all = labels(mxSection(report({ status: 'ok', secure: false, hosts: [literal] })));
    assert.ok(all.includes('An IP address, not a host name: senders skip it'), all.join(' | '));
    assert.ok(!all.some((l) => /No address/.test(l)), all.join(' | '));
  });

  it('a domain that does not exist: the MX part says NXDOMAIN and that senders bounce', () => {
    assert.equal(mxSection(report({ status: 'nxdomain', secure: false, hosts: [] })).description, 'no such domain (NXDOMAIN): senders bounce');
  });
});
