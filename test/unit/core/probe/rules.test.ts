import * as assert from 'node:assert/strict';
import { clockSkew, dateInGreeting } from '../../../../src/core/probe/clock';
import { looksLikePlaintextGreeting } from '../../../../src/core/probe/dialogue';
import { classifyTlsError } from '../../../../src/core/probe/errors';
import { BackoffError, ConnectionLimiter } from '../../../../src/core/probe/limiter';
import { addressLiteral } from '../../../../src/core/probe/sessionConnect';
import { describeRepeats, summarizeRepeats } from '../../../../src/core/probe/repeat';
import { TimeoutError } from '../../../../src/core/probe/scope';
import { acceptedLegacy, lacksTls13, modernMissing, weakCipherReason, weakKeyExchange } from '../../../../src/core/probe/tlsRules';
import type { ProbeResult } from '../../../../src/core/probe';
import type { FindingId } from '../../../../src/core/findings';

describe('probe rules', () => {
  describe('dates in greetings', () => {
    it('reads Sendmail and Exim banners with numeric and named zones', () => {
      assert.equal(
        dateInGreeting('220 mx.example.com ESMTP Sendmail 8.15.2/8.15.2; Sat, 28 Nov 2026 06:03:55 +0100')?.toISOString(),
        '2026-11-28T05:03:55.000Z',
      );
      assert.equal(dateInGreeting('220 mx ESMTP Exim 4.96 Sat, 28 Nov 2026 05:03:55 +0000')?.toISOString(), '2026-11-28T05:03:55.000Z');
      assert.equal(dateInGreeting('220 mx ESMTP Sat, 28 Nov 2026 00:03:55 EST')?.toISOString(), '2026-11-28T05:03:55.000Z');
      assert.equal(dateInGreeting('220 mx ESMTP 1 Dec 26 10:00 GMT')?.toISOString(), '2026-12-01T10:00:00.000Z');
    });
    it('ignores greetings without a date or a zone', () => {
      assert.equal(dateInGreeting('220 mail.example.com ESMTP Postfix (Debian/GNU)'), undefined);
      assert.equal(dateInGreeting('220 mx Sat, 28 Nov 2026 05:03:55'), undefined);
      assert.equal(dateInGreeting('220 mx 99 Nov 2026 05:03:55 +0000'), undefined);
    });
    it('flags more than 5 minutes of skew either way', () => {
      const now = new Date('2026-11-28T05:03:55Z');
      assert.equal(clockSkew('220 mx Exim Sat, 28 Nov 2026 05:07:55 +0000', now), undefined);
      assert.equal(clockSkew('220 mx Exim Sat, 28 Nov 2026 05:10:55 +0000', now), 7 * 60_000);
      assert.equal(clockSkew('220 mx Exim Sat, 28 Nov 2026 03:03:55 +0000', now), -2 * 3600_000);
    });
  });

  describe('ciphers and key exchange', () => {
    it('flags RC4, 3DES, NULL, EXPORT, anonymous, MD5 and static RSA', () => {
      for (const c of [
        'RC4-SHA',
        'DES-CBC3-SHA',
        'ECDHE-RSA-DES-CBC3-SHA',
        'NULL-SHA256',
        'EXP-RC4-MD5',
        'ADH-AES128-SHA',
        'AECDH-AES256-SHA',
        'AES128-SHA',
        'AES256-GCM-SHA384',
      ]) {
        assert.ok(weakCipherReason(c, 'TLSv1.2'), c);
      }
    });
    it('accepts forward-secret AEAD and CBC suites and every TLS 1.3 suite', () => {
      for (const c of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'DHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-SHA']) {
        assert.equal(weakCipherReason(c, 'TLSv1.2'), undefined, c);
      }
      assert.equal(weakCipherReason('TLS_AES_256_GCM_SHA384', 'TLSv1.3'), undefined);
    });
    it('flags finite-field DH under 2048 bits only', () => {
      assert.equal(weakKeyExchange({ type: 'DH', size: 1024 }), 1024);
      assert.equal(weakKeyExchange({ type: 'DH', size: 2048 }), undefined);
      assert.equal(weakKeyExchange({ type: 'ECDH', name: 'X25519', size: 253 }), undefined);
      assert.equal(weakKeyExchange(undefined), undefined);
    });
    it('judges the version map, leaving untested versions out of it', () => {
      assert.deepEqual(acceptedLegacy({ TLSv1: true, 'TLSv1.1': null, 'TLSv1.2': true, 'TLSv1.3': true }), ['TLSv1']);
      assert.equal(modernMissing({ TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false }), true);
      assert.equal(modernMissing({ TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': null }), false);
      assert.equal(lacksTls13({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false }), true);
      assert.equal(lacksTls13({ TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': null }), false);
    });
  });

  describe('TLS errors', () => {
    const err = (code: string, message: string) => Object.assign(new Error(message), { code });
    it('names alerts', () => {
      const f = classifyTlsError(err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version'));
      assert.equal(f.kind, 'alert');
      assert.equal(f.alert, 'protocol version');
      const f2 = classifyTlsError(
        err(
          'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
          '801C07E2577F0000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 40\n',
        ),
      );
      assert.equal(f2.alert, 'handshake failure');
      assert.equal(f2.reason, 'ssl3_read_bytes:sslv3 alert handshake failure: SSL alert number 40');
    });
    it('tells a plaintext server, a lost connection, a timeout and a local limitation apart', () => {
      const plain = classifyTlsError(
        err(
          'ERR_SSL_WRONG_VERSION_NUMBER',
          'C0B7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:\n',
        ),
      );
      assert.equal(plain.kind, 'plaintext');
      assert.equal(plain.reason, 'ssl3_get_record:wrong version number');
      assert.equal(classifyTlsError(err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established')).kind, 'lost');
      assert.equal(classifyTlsError(new TimeoutError('TLS handshake', 100)).kind, 'timeout');
      assert.equal(classifyTlsError(err('ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'no protocols available')).kind, 'local');
      assert.equal(classifyTlsError(err('ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol')).kind, 'no-common-version');
    });
    it('recognises plaintext greetings of all three protocols', () => {
      for (const g of ['220 mx ESMTP', '220-mx ESMTP', '* OK IMAP ready', '+OK POP3', '421 busy']) assert.ok(looksLikePlaintextGreeting(g), g);
      assert.ok(!looksLikePlaintextGreeting('\u0016\u0003\u0001'));
      assert.ok(!looksLikePlaintextGreeting('HTTP/1.1 400 Bad Request'));
    });
  });

  describe('connection limiter', () => {
    it('allows at most 2 connections per host and queues the rest', async () => {
      const l = new ConnectionLimiter();
      const r1 = await l.acquire('a');
      await l.acquire('a');
      await l.acquire('b');
      let third = false;
      const p = l.acquire('a').then((r) => {
        third = true;
        return r;
      });
      await new Promise((r) => setImmediate(r));
      assert.equal(third, false);
      r1();
      r1(); // idempotent
      await p;
      assert.equal(third, true);
    });
    it('respects the global cap', async () => {
      const l = new ConnectionLimiter({ global: 1 });
      const r = await l.acquire('a');
      let other = false;
      const p = l.acquire('b').then(() => (other = true));
      await new Promise((res) => setImmediate(res));
      assert.equal(other, false);
      r();
      await p;
    });
    it('refuses a queued request when a back-off it will not wait for starts, at once', async () => {
      const l = new ConnectionLimiter({ perHost: 1 });
      const r = await l.acquire('a');
      const queued = l.acquire('a', undefined, { maxBackoffMs: 0 });
      l.backOff('a', 60_000);
      await assert.rejects(queued, (e: unknown) => e instanceof BackoffError && e.remainingMs > 59_000);
      r();
    });
    it('tells a request it is held by a back-off once, then grants it when the back-off ends', async () => {
      const l = new ConnectionLimiter();
      l.backOff('a', 60);
      const told: number[] = [];
      const release = await l.acquire('a', undefined, { maxBackoffMs: 1000, onBackoff: (ms) => told.push(ms) });
      assert.equal(told.length, 1);
      assert.ok(told[0] > 0 && told[0] <= 60);
      assert.equal(l.backoffRemaining('a'), 0);
      release();
      l.backOff('b', 100);
      await assert.rejects(l.acquire('b', undefined, { maxBackoffMs: 10 }), BackoffError);
    });
  });

  describe('EHLO address literal', () => {
    it('writes IPv4, IPv6 and IPv4-mapped addresses as RFC 5321 literals', () => {
      assert.equal(addressLiteral('127.0.0.1'), '[127.0.0.1]');
      assert.equal(addressLiteral('::ffff:127.0.0.1'), '[127.0.0.1]');
      assert.equal(addressLiteral('::FFFF:10.1.2.3'), '[10.1.2.3]');
      assert.equal(addressLiteral('::1'), '[IPv6:::1]');
      assert.equal(addressLiteral('::ffff:7f00:1'), '[IPv6:::ffff:7f00:1]');
      assert.equal(addressLiteral('fe80::1'), '[IPv6:fe80::1]');
    });
  });

  describe('--repeat summary', () => {
    const result = (address: string, ids: string[]): ProbeResult => ({
      endpoint: { host: 'mx.example', port: 25, protocol: 'smtp', mode: 'starttls' },
      address,
      probedFrom: 'test',
      tls: null,
      versions: { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null },
      certificates: [],
      findings: ids.map((id) => ({ id: id as FindingId, severity: 'error' as const, title: id, detail: '', fix: '' })),
      transcript: [],
      startedAt: '',
      durationMs: 0,
    });
    it('tells persistent from intermittent and names the failing address', () => {
      const runs = [
        [result('192.0.2.1', []), result('192.0.2.2', ['tls.lost-connection'])],
        [result('192.0.2.1', []), result('192.0.2.2', [])],
        [result('192.0.2.1', []), result('192.0.2.2', ['tls.lost-connection'])],
      ];
      const v = summarizeRepeats(runs);
      assert.deepEqual(
        v.map((x) => x.verdict),
        ['ok', 'intermittent'],
      );
      assert.deepEqual(v[1].errors, [{ id: 'tls.lost-connection', runs: 2 }]);
      const text = describeRepeats(v).join('\n');
      assert.match(text, /192\.0\.2\.2: fails in 2 of 3 runs/);
      assert.match(text, /only 192\.0\.2\.2 fails/);
      assert.deepEqual(
        summarizeRepeats([[result('192.0.2.1', ['tcp.refused'])], [result('192.0.2.1', ['tcp.refused'])]]).map((x) => x.verdict),
        ['persistent'],
      );
    });
  });
});
