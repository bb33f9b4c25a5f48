import * as assert from 'node:assert/strict';
import { digCommand, parseServer, type DnsServer } from '../../../../src/core/dns/server';

describe('dns server: the dig command a finding suggests', () => {
  const server = (text: string) => parseServer(text) as DnsServer;

  it('asks the resolver the user named, with its port unless it is 53', () => {
    assert.equal(digCommand('MX example.com', server('127.0.0.1:5353')), 'dig @127.0.0.1 -p 5353 MX example.com');
    assert.equal(digCommand('MX example.com', server('192.0.2.53')), 'dig @192.0.2.53 MX example.com');
    assert.equal(digCommand('+short A mx.example.com', server('[::1]:8053')), 'dig @::1 -p 8053 +short A mx.example.com');
  });

  it("is plain dig (the system's resolver) when no resolver was named", () => {
    assert.equal(digCommand('+short A mx.example.com'), 'dig +short A mx.example.com');
  });
});
