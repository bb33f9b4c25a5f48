import * as assert from 'node:assert/strict';
import { UsageError } from '../../../src/cli/io';
import { parseProbeArgs } from '../../../src/cli/probe';
import { parseTargetList, parseTargetSpec, targetEndpoint } from '../../../src/cli/targets';

describe('probe targets: a line (or an argument) may name its protocol and mode as a mail URL', () => {
  it('one list mixes protocols and modes; the port defaults per scheme; plain lines keep the options and the port table', () => {
    const list = [
      'imaps://imap.example.com          # IMAP, implicit TLS, 993',
      'imap://imap.example.com:1143',
      'pop3s://[2001:db8::1]',
      'POP3://pop.example.com',
      'submissions://smtp.example.com',
      'submission://smtp.example.com',
      'smtps://smtp.example.com:2465/',
      'smtp://mx.example.com:25',
      'mail.example.com:993',
      'relay.example.com',
    ].join('\n');
    const got = parseTargetList('servers.txt', list, {}).map((t) => `${t.endpoint.protocol}/${t.endpoint.mode} ${t.endpoint.host}:${t.endpoint.port}`);
    assert.deepEqual(got, [
      'imap/implicit imap.example.com:993',
      'imap/starttls imap.example.com:1143',
      'pop3/implicit 2001:db8::1:995',
      'pop3/starttls pop.example.com:110',
      'smtp/implicit smtp.example.com:465',
      'smtp/starttls smtp.example.com:587',
      'smtp/implicit smtp.example.com:2465',
      'smtp/starttls mx.example.com:25',
      'imap/implicit mail.example.com:993',
      'smtp/starttls relay.example.com:587',
    ]);
  });

  it("a URL's scheme wins over --protocol/--starttls/--implicit, which stay the default of plain lines", () => {
    const opts = { protocol: 'pop3' as const, mode: 'implicit' as const };
    const [url, plain] = parseTargetList('x', 'imap://a.example.com\nb.example.com\n', opts).map((t) => t.endpoint);
    assert.deepEqual([url.protocol, url.mode, url.port], ['imap', 'starttls', 143]);
    assert.deepEqual([plain.protocol, plain.mode, plain.port], ['pop3', 'implicit', 995]);
    const a = parseProbeArgs(['imaps://a.example.com', 'b.example.com:25', '--protocol', 'pop3']);
    assert.deepEqual(
      a.targets.map((t) => targetEndpoint(t, { protocol: a.protocol, mode: a.mode })).map((e) => `${e.protocol}/${e.mode}:${e.port}`),
      ['imap/implicit:993', 'pop3/starttls:25'],
    );
  });

  it('refuses a user part without repeating it, a path or query, and URLs of other schemes, naming the line', () => {
    for (const [line, expected] of [
      ['smtps://bob:hunter2@smtp.example.com:465', /^a target takes no user part \(it may hold a password\): give smtps:\/\/smtp\.example\.com:465$/],
      ['imaps://smtp.example.com/INBOX', /takes no path, query or fragment/],
      ['imap://smtp.example.com?x=1', /takes no path, query or fragment/],
      ['https://mail.example.com/', /^a URL \(https:\/\/\.\.\.\) is not a target/],
      ['imaps://', /empty target/],
      ['imaps://bad_host!:993', /invalid host/],
      ['imaps://h.example.com:99999', /invalid port/],
    ] as const) {
      const r = parseTargetSpec(line);
      assert.ok('error' in r, line);
      assert.match(r.error, expected);
      assert.doesNotMatch(r.error, /bob|hunter2/);
      assert.throws(
        () => parseTargetList('list.txt', `ok.example.com\n${line}\n`, {}),
        (e: Error) => e instanceof UsageError && e.message.startsWith('list.txt:2: ') && !/hunter2/.test(e.message),
      );
    }
  });
});
