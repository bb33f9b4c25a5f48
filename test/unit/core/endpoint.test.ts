import * as assert from 'node:assert/strict';
import { parseTarget } from '../../../src/core/endpoint';

describe('parseTarget: a URL where HOST[:PORT] belongs', () => {
  const cases: [string, RegExp][] = [
    ['imap://127.0.0.1:143', /give HOST\[:PORT\], here "127\.0\.0\.1:143" with --protocol imap --starttls$/],
    ['imaps://mail.example.com', /here "mail\.example\.com" with --protocol imap --implicit$/],
    ['submission://[2001:db8::1]:587/', /here "\[2001:db8::1\]:587" with --protocol smtp --starttls$/],
    ['SMTPS://mail.example.com:465', /here "mail\.example\.com:465" with --protocol smtp --implicit$/],
    ['pop3s://mail.example.com:995', /with --protocol pop3 --implicit$/],
    ['https://mail.example.com/', /^a URL \(https:\/\/\.\.\.\) is not a target: give HOST\[:PORT\], here "mail\.example\.com"$/],
  ];
  for (const [text, expected] of cases) {
    it(`${text}: says it is a URL and what to give instead`, () => {
      const r = parseTarget(text);
      assert.ok('error' in r, `accepted ${text}`);
      assert.match(r.error, expected);
      assert.doesNotMatch(r.error, /IPv6/, 'not "not a valid IPv6 address"');
    });
  }

  it('never repeats the user part of the URL, which may hold a password', () => {
    for (const text of [
      'smtps://bob:s3cr@t/x@mail.example.com:465/path',
      'smtp://bob:hunter2@mail.example.com',
      'imap://bob%40corp:pa:ss@mail.example.com:143',
    ]) {
      const r = parseTarget(text);
      assert.ok('error' in r);
      assert.doesNotMatch(r.error, /bob|s3cr|hunter2|pa:ss/, r.error);
      assert.match(r.error, /"mail\.example\.com(:\d+)?"/);
    }
  });

  it('refuses a user part without a scheme (user:password@host:port) and never repeats it', () => {
    for (const [text, host] of [
      ['bob:hunter2@mail.example.com:587', 'mail.example.com:587'],
      ['bob@corp.example:s3cr@t@mail.example.com', 'mail.example.com'],
      ['bob:hunter2@[2001:db8::1]:25', '[2001:db8::1]:25'],
      ['bob:hunter2@', 'HOST'],
    ]) {
      const r = parseTarget(text);
      assert.ok('error' in r, `accepted ${text}`);
      assert.doesNotMatch(r.error, /bob|hunter2|s3cr|corp/, r.error);
      assert.equal(r.error, `a target takes no user part (it may hold a password): give HOST[:PORT], here "${host}"`);
    }
    // An injected command line is no user part: it stays an invalid host (escaped).
    const injected = parseTarget('mail.example.test\r\nMAIL FROM:<a@example.test>:25');
    assert.ok('error' in injected);
    assert.match(injected.error, /^invalid host "mail\.example\.test/);
  });

  it('still parses host, host:port and IPv6 targets', () => {
    assert.deepEqual(parseTarget('mail.example.com:587'), { host: 'mail.example.com', port: 587 });
    assert.deepEqual(parseTarget('[2001:db8::1]:25'), { host: '2001:db8::1', port: 25 });
    assert.deepEqual(parseTarget('2001:db8::1'), { host: '2001:db8::1' });
  });
});
