import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explainError } from '../../../../../src/core/explain';
import { lintMailLog } from '../../../../../src/core/lint/maillog';
import { analyzeMailLog } from '../../../../../src/core/lint/maillog/deliveries';

const file = path.resolve(__dirname, '../../../../fixtures/logs/tls-deliveries.log');
const text = fs.readFileSync(file, 'utf8');
const now = new Date('2026-12-31T12:00:00Z');

describe('mail log deliveries (per queue ID)', () => {
  const a = analyzeMailLog(text, now);
  const dest = (d: string) => a.destinations.find((x) => x.destination === d);

  it('counts deliveries per queue ID and recipient, not log lines', () => {
    const legacy = dest('legacy.test');
    assert.ok(legacy);
    // 4 delivery attempts over 2 messages (5A1B2C3D4E three times, 6B2C3D4E5F once); 3 SSL_connect lines are not deliveries.
    assert.deepEqual([legacy.attempts, legacy.messages, legacy.delivered, legacy.tlsFailures, legacy.stuck], [4, 2, 0, 4, 2]);
    // Three attempts follow an "SSL_connect error ... lost connection" line; the last has only its status text.
    assert.deepEqual(legacy.causes, { 'explain.postfix-ssl-connect-lost': 3, 'explain.postfix-tls-handshake-lost': 1 });
  });

  it('tells a persistent fault (and since when) from an intermittent one (with its success rate)', () => {
    const legacy = dest('legacy.test');
    assert.equal(legacy?.pattern, 'persistent');
    assert.equal(legacy?.firstTlsFailure?.stamp, 'Dec 31 08:00:01');
    const inter = dest('inter.test');
    assert.equal(inter?.pattern, 'intermittent');
    assert.deepEqual([inter?.attempts, inter?.messages, inter?.delivered, inter?.tlsFailures], [4, 3, 2, 2]);
    // Since the first failure (line 5): fail, ok, fail -> 1 of 3.
    assert.equal(Math.round((inter?.successRateSinceFirstFailure ?? 0) * 100), 33);
    assert.deepEqual(inter?.causes, { 'explain.postfix-verify-expired': 2 });
    assert.equal(dest('steady.test')?.pattern, undefined);
  });

  it('reads Postfix 3.11 tls= fields and the error service\'s "TLS is required" deferral', () => {
    assert.deepEqual(dest('plain.test')?.tlsLevels, { 'may:none': 1 });
    assert.deepEqual(dest('dane.test')?.tlsLevels, { dane: 1 });
    const notls = dest('notls.test');
    assert.equal(notls?.tlsFailures, 1);
    assert.deepEqual(notls?.causes, { 'explain.postfix-tls-required-not-offered': 1 });
  });

  it('puts years on syslog stamps across New Year, from the injected clock', () => {
    const times = a.attempts.map((x) => x.time ?? 0);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => x - y),
      'time increases across Dec 31 -> Jan 1',
    );
    assert.equal(new Date(times[0]).toISOString(), '2026-12-30T23:50:01.000Z');
    assert.equal(new Date(times[times.length - 1]).toISOString().slice(0, 4), '2027');
  });

  it('keeps inbound (smtpd) apart: one failed handshake counted once, legacy sessions counted', () => {
    assert.equal(a.inbound.failures, 1);
    assert.equal(a.inbound.sessions, 2);
    assert.equal(a.inbound.legacySessions, 1);
    assert.deepEqual(a.inbound.clients[0], { client: '198.51.100.9', failures: 1, sessions: 0 });
    assert.ok(!a.destinations.some((d) => d.destination.includes('sender.test')), 'clients are not destinations');
  });

  it('lint findings say persistent/intermittent in deliveries and never repeat a secret', () => {
    const r = lintMailLog(file, text, now);
    const persistent = r.findings.find((f) => f.id === 'maillog.destination-persistent' && f.title.includes('legacy.test'));
    assert.ok(persistent);
    assert.match(persistent.title, /fails on TLS every time since Dec 31 08:00:01 \(4 of 4 delivery attempts failed on TLS; 0 of 2 messages delivered\)/);
    assert.equal(persistent.range?.start.line, 2, 'the first deferred delivery');
    // One deferred attempt and the log ends: it failed, but "every time" would claim a pattern one attempt cannot show.
    const once = r.findings.find((f) => f.id === 'maillog.destination-persistent' && f.title.includes('notls.test'));
    assert.equal(
      once?.title,
      'Mail to notls.test failed on TLS at its last delivery attempt in this log, Jan  1 00:20:00 (1 of 1 delivery attempt failed on TLS; 0 of 1 message delivered).',
    );
    assert.equal(once?.severity, 'error');
    assert.match(once?.detail ?? '', /one failure cannot tell a lasting fault from a passing one/);
    const inter = r.findings.find((f) => f.id === 'maillog.destination-intermittent');
    assert.match(inter?.title ?? '', /inter\.test fails on TLS intermittently: 33% of attempts succeeded since Dec 31 08:10:03/);
    assert.match(inter?.detail ?? '', /has expired/);
    const inbound = r.findings.find((f) => f.id === 'maillog.inbound-tls');
    assert.match(inbound?.title ?? '', /1 TLS handshake failed from 1 client, 2 TLS sessions established \(1 with TLS 1\.0\/1\.1\)/);
    // Each reason with its count of lines, in the singular for one.
    assert.match(inbound?.detail ?? '', /Reasons logged: [^.]*\(1 line\)/);
    assert.doesNotMatch(inbound?.detail ?? '', /\(1 lines\)/);
    assert.ok(r.findings.some((f) => f.id === 'maillog.postfix-tls-field-plaintext'));
    assert.ok(!JSON.stringify(r).includes('hunter2'));
  });
});

describe('mail log deliveries: a failure after successes, and the log ends', () => {
  it('is not "fails every time since": its last attempt failed, the earlier ones were delivered', () => {
    const log = [
      'Dec 31 08:00:01 mx1 postfix/smtp[1]: 1A2B3C4D5E: to=<a@later.test>, relay=mx.later.test[192.0.2.60]:25, delay=0.4, delays=0.01/0/0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)',
      'Dec 31 09:00:01 mx1 postfix/smtp[2]: 2B3C4D5E6F: to=<b@later.test>, relay=mx.later.test[192.0.2.60]:25, delay=0.4, delays=0.01/0/0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)',
      'Dec 31 10:00:01 mx1 postfix/smtp[3]: SSL_connect error to mx.later.test[192.0.2.60]:25: lost connection',
      'Dec 31 10:00:01 mx1 postfix/smtp[3]: 3C4D5E6F7A: to=<c@later.test>, relay=mx.later.test[192.0.2.60]:25, delay=1, delays=0.01/0/0.5/0, dsn=4.7.5, status=deferred (lost connection with mx.later.test[192.0.2.60] while performing the TLS handshake)',
      '',
    ].join('\n');
    const f = lintMailLog('/var/log/mail.log', log, now).findings.find((x) => x.id === 'maillog.destination-persistent');
    assert.match(
      f?.title ?? '',
      /^Mail to later\.test failed on TLS at its last delivery attempt in this log, Dec 31 10:00:01 \(1 of 3 delivery attempts failed on TLS; 2 of 3 messages delivered\)\.$/,
    );
    assert.doesNotMatch(f?.title ?? '', /every time/);
  });
});

describe('Postfix TLS lines explained', () => {
  // Real line formats (Postfix 3.x, postfix-mta-sts-resolver, postfix-tlspol, Postfix 3.11); names and addresses invented.
  const cases: Array<[string, string]> = [
    [
      'Jan 23 15:46:04 mx postfix/smtps/smtpd[51302]: warning: TLS library problem: error:142090C1:SSL routines:tls_early_post_process_client_hello:no shared cipher:../ssl/statem/statem_srvr.c:1779:',
      'explain.no-shared-cipher',
    ],
    ['May 23 09:35:16 mail postfix/smtpd[5982]: SSL_accept error from client.example.test[192.0.2.8]: -1', 'explain.postfix-ssl-accept-error'],
    ['Nov 28 10:22:08 mx postfix/smtps/smtpd[6718]: SSL_accept error from unknown[192.0.2.9]: lost connection', 'explain.postfix-ssl-accept-lost'],
    ['postfix/smtpd[26163]: NOQUEUE: lost connection after STARTTLS from unknown[192.0.2.10]', 'explain.postfix-lost-after-starttls'],
    [
      'Feb 19 21:51:06 mx postfix/smtps/smtpd[696]: Anonymous TLS connection established from unknown[192.168.23.3]: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)',
      'explain.postfix-anonymous-tls',
    ],
    [
      'postfix/smtp[123]: Untrusted TLS connection established to mx.example.test[192.0.2.5]:25: TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)',
      'explain.postfix-untrusted-tls',
    ],
    [
      'Feb 25 21:57:22 mx postfix/smtp[25291]: Trusted TLS connection established to in1.example.test[192.0.2.6]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)',
      'explain.postfix-trusted-tls',
    ],
    [
      'Jul 24 04:38:17 mx postfix/smtp[30582]: Verified TLS connection established to mx.example.test[192.0.2.7]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256',
      'explain.postfix-verified-tls',
    ],
    [
      'Oct 10 19:12:13 mx postfix/smtp[1711]: 62D3F481249: to=<a@b.test>, relay=b.test[192.0.2.7]:25, delay=0.07, delays=0.03/0.01/0.03/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host b.test[192.0.2.7])',
      'explain.postfix-tls-required-not-offered',
    ],
    [
      'postfix/smtp[1]: server certificate verification failed for mx.example.test[192.0.2.1]:25: num=20:unable to get local issuer certificate',
      'explain.postfix-verify-untrusted-issuer',
    ],
    [
      'postfix/smtp[1]: server certificate verification failed for mx.example.test[192.0.2.1]:25: num=10:certificate has expired',
      'explain.postfix-verify-expired',
    ],
    [
      'postfix/smtp[1]: server certificate verification failed for mx.example.test[192.0.2.1]:25: num=18:self-signed certificate',
      'explain.postfix-verify-self-signed',
    ],
    [
      'postfix/smtp[1]: server certificate verification failed for mx.example.test[192.0.2.1]:25: num=62:hostname mismatch',
      'explain.postfix-verify-hostname-mismatch',
    ],
    [
      'Nov 22 08:45:10 node2 postfix/smtp[63116]: certificate verification failed for mail.example.test[192.0.2.2]:25: self-signed certificate.',
      'explain.postfix-verify-self-signed',
    ],
    ['postfix/smtp[138]: 3C1D8C1D28: Server certificate not trusted', 'explain.postfix-server-cert-not-trusted'],
    [
      'postfix/smtp[9]: 5A1B2C3D4E: to=<a@example.test>, relay=mx.example.test[192.0.2.10]:25, delay=0.3, dsn=4.7.5, status=deferred (lost connection with mx.example.test[192.0.2.10] while performing the TLS handshake)',
      'explain.postfix-tls-handshake-lost',
    ],
    [
      "Jul 31 19:31:49 mail postfix/smtp[8523]: warning: reason: dnssec_probe 'ns:.' received a response that is not DNSSEC validated",
      'explain.postfix-dnssec-probe',
    ],
    [
      'Jan 12 23:00:05 t postfix/smtp[3594]: warning: TLS policy lookup for example.test/example.test: TLSA lookup error for example.test:25',
      'explain.postfix-tlsa-lookup-error',
    ],
    [
      'Jun 22 10:27:40 h postfix/smtp[28944]: warning: smtp_tls_policy_maps, next-hop destination "gmail.com": invalid attribute name: "servername"',
      'explain.postfix-policy-invalid-attribute',
    ],
    [
      'Jan 17 13:01:58 h postfix/smtp[42498]: warning: smtp_tls_policy_maps, next-hop destination "example.test": policy table lookup error',
      'explain.postfix-policy-lookup-error',
    ],
    [
      "2021-10-17 20:55:42 DEBUG    STS: Future await complete: data=b'90:OK secure match=mx.example.test:.example.test servername=hostname,'",
      'explain.tls-policy-service-answer',
    ],
    ['Mar 18 01:17:30 h postfix-tlspol[2489749]: INFO  No policy found for "example.test" (cached for 10m0s)', 'explain.tls-policy-service-answer'],
    [
      'Sep 30 23:05:38 h postfix/smtp[793146]: 01E12901F9D: to=<u@example.test>, relay=mx.example.test[192.0.2.9]:25, delay=7, delays=0.08/0.01/3.5/1.9, tls=!dane, dsn=4.7.5, status=deferred (Server certificate not verified)',
      'explain.postfix-tls-field-failed',
    ],
    [
      'Sep 30 23:05:38 h postfix/smtp[1]: 01E12901F9E: to=<u@example.test>, relay=mx.example.test[192.0.2.9]:25, delay=1, delays=0.08/0.01/0.5/0.4, tls=may:none, dsn=2.0.0, status=sent (250 2.0.0 Ok)',
      'explain.postfix-tls-field-plaintext',
    ],
    [
      'postfix/submission/smtpd[3090131]: warning: TLS library problem: error:14094415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:../ssl/record/rec_layer_s3.c:1543:SSL alert number 45:',
      'explain.peer-alert-certificate-expired',
    ],
    [
      'Sep 18 16:57:03 h postfix/smtps/smtpd[9030]: warning: TLS library problem: 9030:error:0B080074:x509 certificate routines:X509_check_private_key:key values mismatch:x509_cmp.c:330:',
      'explain.cert-key-mismatch',
    ],
    ["postfix/smtpd[27542]: warning: No server certs available. TLS won't be enabled", 'explain.postfix-no-server-cert'],
    [
      'Jan 14 21:41:58 mail postfix/smtp[932]: SMTPS wrappermode (TCP port 465) requires setting "smtp_tls_wrappermode = yes", and "smtp_tls_security_level = encrypt" (or stronger)',
      'explain.postfix-wrappermode-requires-encrypt',
    ],
  ];
  for (const [line, id] of cases) {
    it(`${id}: ${line.slice(0, 90)}`, () => {
      const ids = explainError(line).matches.map((m): string => m.id);
      assert.ok(ids.includes(id), JSON.stringify(ids));
      // The specific entry replaces the broader ones it supersedes: one explanation, not two contradicting ones.
      for (const broad of ['explain.starttls-unavailable', 'explain.handshake-failure', 'explain.postfix-cert-verification-failed']) {
        // tls=!dane with "(Server certificate not verified)" states two true things: the level failed, and why.
        if (id !== broad && ids.length > 1 && id !== 'explain.postfix-tls-field-failed') assert.ok(!ids.includes(broad), `${broad} beside ${id}`);
      }
    });
  }
  it('a successful session is info, never an error', () => {
    for (const l of [cases[4][0], cases[7][0]])
      assert.deepEqual(
        explainError(l).matches.map((m) => m.severity),
        ['info'],
      );
  });
});
