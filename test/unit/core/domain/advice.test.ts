/**
 * The DANE and MTA-STS advice of the domain check (issue 10): what it tells an operator to publish must not break
 * delivery later. RFC 7671 8.1 (a new key's TLSA record two TTLs ahead), RFC 7672 3.1.2 (a DANE-TA record matches
 * only a CA certificate the server sends), Let's Encrypt's rotating intermediates, RFC 8461 3.2 (max_age "weeks or
 * greater"; text/plain is a SHOULD check), and Postfix's own behaviour for DANE without DNSSEC (smtp_tls_policy.c).
 */
import * as assert from 'node:assert/strict';
import { domainFindings as F } from '../../../../src/core/domain/findings';
import type { Finding } from '../../../../src/core/finding';
import { lint, only } from '../../../support/postfixLint';

const text = (f: Finding) => [f.title, f.detail, f.fix].join('\n');

describe('domain advice: DANE records that survive the next renewal', () => {
  it('a single TLSA record: publish the next key two TTLs ahead; no RFC claim of "two records at all times"', () => {
    const t = text(F.rolloverSingle('mx1.example.com', '3 1 1 ab12'));
    assert.match(t, /two TTLs/);
    assert.match(t, /RFC 7671 8\.1/);
    assert.doesNotMatch(t, /RFC 7671 8\.1: keep two records at all times/);
    assert.match(t, /--reuse-key/);
  });

  it('a 2 1 1 record is never offered without saying the server must send that CA and the CA must not rotate', () => {
    for (const f of [F.rolloverSingle('mx1.example.com', '3 1 1 ab12'), F.usageUnsuitable('mx1.example.com', ['1 1 1 ab12'])]) {
      const t = text(f);
      assert.match(t, /2 1 1/);
      assert.match(t, /sends that CA's certificate/);
      assert.match(t, /Let's Encrypt/);
    }
  });

  it('a mismatch: the 3 1 1 data command, and the two-TTL rule for the next change', () => {
    const t = text(F.tlsaMismatch('mx1.example.com', '192.0.2.1', ['3 1 1 ab12'], ['CN=mx1']));
    assert.match(t, /openssl pkey -pubin -outform DER \| sha256sum/);
    assert.match(t, /at least two TTLs/);
  });
});

describe('domain advice: MTA-STS', () => {
  it('a short max_age is a warning only in enforce mode; while testing it is info and says when to raise it', () => {
    const enforce = F.maxAgeShort('example.com', 3600, 'enforce');
    const testing = F.maxAgeShort('example.com', 3600, 'testing');
    assert.equal(enforce.severity, 'warning');
    assert.equal(testing.severity, 'info');
    assert.match(testing.fix ?? '', /switch to `mode: enforce`/);
    assert.match(enforce.detail, /weeks or greater/);
  });

  it('an invalid policy: the fix is one line (a newline showed as a literal "\\n" in the text output), the fields in code', () => {
    const f = F.policyInvalid('https://mta-sts.example.com/.well-known/mta-sts.txt', ['no max_age field']);
    assert.doesNotMatch(f.fix ?? '', /\n/);
    for (const field of ['`version: STSv1`', '`mode: enforce`', '`max_age: 604800`']) assert.ok(f.fix?.includes(field), f.fix);
  });

  it('a missing TLS-RPT record names what senders would report on, without "DANE or MTA-STS"', () => {
    const title = (dane: boolean, sts: boolean) => F.tlsrptMissing('example.com', { dane, sts }).title;
    assert.equal(
      title(true, false),
      'The MX hosts of example.com publish TLSA records (DANE), but example.com has no TLS-RPT record: nobody hears when senders fail.',
    );
    assert.equal(title(false, true), 'example.com publishes an MTA-STS record, but no TLS-RPT record: nobody hears when senders fail.');
    assert.match(title(true, true), /^example\.com publishes an MTA-STS record and its MX hosts TLSA records \(DANE\), but no TLS-RPT record/);
  });

  it('the content type: RFC 8461 3.2 (a SHOULD check), no unsourced claim about one provider', () => {
    const t = text(F.policyContentType('https://mta-sts.example.com/.well-known/mta-sts.txt', 'text/html'));
    assert.match(t, /RFC 8461 3\.2/);
    assert.doesNotMatch(t, /Gmail/);
  });
});

describe('domain advice: Postfix dane without DNSSEC lookups', () => {
  it('names what Postfix logs (a warning), instead of claiming the log is silent', () => {
    const f = only(lint('main.cf', 'myhostname = mail.example.com\nsmtp_tls_security_level = dane\n'), 'postfix.dane-without-dnssec');
    assert.match(f.detail, /dane configured with dnssec lookups disabled/);
    assert.doesNotMatch(f.detail, /says nothing/);
    assert.match(f.detail, /dane-only defers/);
  });
});
