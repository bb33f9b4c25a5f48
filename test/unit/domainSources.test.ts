/** The mail domains a workspace names (offered to the domain check) and the extension's domain-check settings. */
import * as assert from 'node:assert/strict';
import { parseMailDomain } from '../../src/core/domain/name';
import { lintText } from '../../src/core/lint';
import { readSettings } from '../../src/extension/settings';

const host = { readFile: () => undefined };
const domainsOf = (text: string, file = '/etc/postfix/main.cf') => lintText(file, text, host).domains;

describe('domain sources: relayhost in main.cf', () => {
  it('an unbracketed relayhost name is a mail domain, with the range of the name', () => {
    const text = 'myhostname = mail.example.com\nrelayhost = Relay.Example.NET.\n';
    const [d, ...rest] = domainsOf(text);
    assert.equal(rest.length, 0);
    assert.equal(d.domain, 'relay.example.net');
    assert.equal(d.file, '/etc/postfix/main.cf');
    assert.deepEqual(d.range, { start: { line: 1, character: 12 }, end: { line: 1, character: 30 } });
    assert.equal(text.split('\n')[1].slice(d.range.start.character, d.range.end.character), 'Relay.Example.NET.');
    assert.match(d.source, /relayhost/);
  });

  it('port 25 (by number or service name) still names the domain; other ports, brackets, addresses and placeholders do not', () => {
    assert.deepEqual(domainsOf('relayhost = example.org:25\n').map((d) => d.domain), ['example.org']);
    assert.deepEqual(domainsOf('relayhost = example.org:smtp\n').map((d) => d.domain), ['example.org']);
    assert.deepEqual(domainsOf('relayhost = example.org:587\n'), []);
    assert.deepEqual(domainsOf('relayhost = [smtp.example.org]\n'), []);
    assert.deepEqual(domainsOf('relayhost = [smtp.example.org]:587\n'), []);
    assert.deepEqual(domainsOf('relayhost = 192.0.2.1\n'), []);
    assert.deepEqual(domainsOf('relayhost = PH_RELAYHOST\n'), []);
    assert.deepEqual(domainsOf('relayhost = localhost\n'), []);
    assert.deepEqual(domainsOf('relayhost =\n'), []);
  });

  it('several destinations (Postfix 3.5+) give one domain each, each with its own range', () => {
    const text = 'relayhost = a.example.com, [b.example.com]:587 c.example.com\n';
    const ds = domainsOf(text);
    assert.deepEqual(ds.map((d) => d.domain), ['a.example.com', 'c.example.com']);
    assert.deepEqual(ds.map((d) => text.slice(d.range.start.character, d.range.end.character)), ['a.example.com', 'c.example.com']);
  });

  it('a relayhost from another parameter ($name) names the domain on the relayhost line', () => {
    const text = 'my_relay = relay.example.com\nrelayhost = $my_relay\n';
    const [d] = domainsOf(text);
    assert.equal(d.domain, 'relay.example.com');
    assert.equal(d.range.start.line, 1);
  });

  it('files that are not main.cf name no domain', () => {
    assert.deepEqual(domainsOf('relayhost = relay.example.com\n', '/w/notes.txt'), []);
  });
});

describe('parseMailDomain', () => {
  it('takes names of two labels or more, lower-cased, without the trailing dot', () => {
    assert.deepEqual(parseMailDomain(' Example.COM. '), { domain: 'example.com' });
    assert.deepEqual(parseMailDomain('xn--bcher-kva.example'), { domain: 'xn--bcher-kva.example' });
  });
  it('refuses what is not a mail domain, saying why', () => {
    for (const [input, why] of [
      ['', /empty/],
      ['localhost', /two labels/],
      ['192.0.2.1', /address/],
      ['::1', /address/],
      ['mail.example.com:25', /./],
      ['exa mple.com', /white space/],
      ['example.com\r\nQUIT', /CR|LF/],
      ['bücher.example', /non-ASCII/],
      ['[example.com]', /./],
    ] as const) {
      const r = parseMailDomain(input);
      assert.ok('error' in r, `accepted ${JSON.stringify(input)}`);
      assert.match(r.error, why);
    }
  });
});

describe('setting mailTlsDoctor.dns.resolver', () => {
  const read = (v: unknown) => readSettings((k) => (k === 'dns.resolver' ? v : undefined));
  it('an address with an optional port is the resolver; empty or unset means the system resolver', () => {
    assert.deepEqual(read('127.0.0.1').settings.dnsResolver, { host: '127.0.0.1', port: 53 });
    assert.deepEqual(read('127.0.0.53:5353').settings.dnsResolver, { host: '127.0.0.53', port: 5353 });
    assert.deepEqual(read('[::1]:53').settings.dnsResolver, { host: '::1', port: 53 });
    assert.equal(read('').settings.dnsResolver, undefined);
    assert.equal(read(undefined).settings.dnsResolver, undefined);
    assert.deepEqual(read('').problems, []);
  });
  it('a name, a bad port or another type is a problem, and the system resolver is used', () => {
    for (const bad of ['dns.google', '127.0.0.1:99999', 53, ['127.0.0.1'], '1.1.1.1\u202e']) {
      const r = read(bad);
      assert.equal(r.settings.dnsResolver, undefined, JSON.stringify(bad));
      assert.deepEqual(r.problemKeys, ['mailTlsDoctor.dns.resolver']);
      assert.ok(!r.problems.join('').includes('\u202e'), 'the value is quoted through the escaper');
    }
  });
});
