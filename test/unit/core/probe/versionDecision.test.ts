import * as assert from 'node:assert/strict';
import { versionAttempt } from '../../../../src/core/probe/versionScan';
import { decideVersions, onlyAlertsReceived, type VersionAttempt } from '../../../../src/core/probe/versionDecision';
import type { TlsFailure } from '../../../../src/core/probe/errors';

const alert = (name: string): TlsFailure => ({ kind: 'alert', alert: name, reason: `alert ${name}` });

describe('version decision across TLS stacks', () => {
  it('an alert record alone (7 or 14 bytes) is "before the ServerHello"; anything with a handshake record is not', () => {
    assert.equal(onlyAlertsReceived(7), true);
    assert.equal(onlyAlertsReceived(14), true);
    assert.equal(onlyAlertsReceived(0), false);
    assert.equal(onlyAlertsReceived(8), false);
    assert.equal(onlyAlertsReceived(21), false);
    assert.equal(onlyAlertsReceived(1227), false, 'a ServerHello with certificates');
  });

  it("reads each stack's refusal the same way: OpenSSL 70, GnuTLS 40 and stunnel 80 before the ServerHello", () => {
    assert.deepEqual(versionAttempt(alert('protocol version'), 7, 1000), { kind: 'refused', detail: 'alert "protocol version"' });
    assert.deepEqual(versionAttempt(alert('handshake failure'), 7, 1000), { kind: 'alert-before-hello', alert: 'handshake failure' });
    assert.deepEqual(versionAttempt(alert('internal error'), 7, 1000), { kind: 'alert-before-hello', alert: 'internal error' });
    // After a ServerHello, an alert is about ciphers, keys or certificates: not a verdict on the version.
    const late = versionAttempt(alert('handshake failure'), 1300, 1000);
    assert.equal(late.kind, 'undecided');
    assert.match((late as { detail: string }).detail, /after the server's ServerHello/);
    assert.equal(versionAttempt({ kind: 'no-common-version', reason: 'unsupported protocol' }, 1227, 1000).kind, 'refused');
  });

  it('keeps "not decided" for what is really undecided, and says which', () => {
    const reset = versionAttempt({ kind: 'lost', reason: 'read ECONNRESET' }, 0, 1000) as { kind: string; detail: string };
    assert.equal(reset.kind, 'undecided');
    assert.match(reset.detail, /reset the connection before any reply/);
    // A clean close without a reply (Dovecot on OpenSSL 3) is the server's answer, decided like an alert.
    assert.deepEqual(versionAttempt({ kind: 'lost', reason: 'Client network socket disconnected before secure TLS connection was established' }, 0, 1000), {
      kind: 'closed-before-hello',
    });
    const d = decideVersions({ TLSv1: { kind: 'closed-before-hello' }, 'TLSv1.2': { kind: 'accepted' } });
    assert.equal(d.versions.TLSv1, false);
    assert.match(d.reasons.TLSv1, /^refused \(the server closed the connection without any reply, while TLSv1.2 completed/);
    assert.equal(decideVersions({ TLSv1: { kind: 'closed-before-hello' } }).versions.TLSv1, null);
    const silent = versionAttempt({ kind: 'timeout', reason: 'no answer' }, 0, 1500) as { kind: string; detail: string };
    assert.equal(silent.kind, 'undecided');
    assert.match(silent.detail, /no answer at all within 1500 ms/);
    const local = versionAttempt({ kind: 'local', reason: 'no protocols available' }, 0, 1000);
    assert.deepEqual(local, { kind: 'undecided', untested: true, detail: 'no protocols available' });
  });

  it('an alert before the ServerHello is a refusal only when another version completed a handshake', () => {
    const gnutlsLegacyOnly: Record<string, VersionAttempt> = {
      TLSv1: { kind: 'accepted' },
      'TLSv1.1': { kind: 'accepted', detail: 'negotiated on the main connection' },
      'TLSv1.2': { kind: 'refused', detail: 'the server answered with another version' },
      'TLSv1.3': { kind: 'alert-before-hello', alert: 'handshake failure' },
    };
    const d = decideVersions(gnutlsLegacyOnly);
    assert.deepEqual(d.versions, { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': false, 'TLSv1.3': false });
    assert.match(d.reasons['TLSv1.3'], /^refused \(alert "handshake failure" instead of a ServerHello, while TLSv1 and TLSv1.1 completed/);

    // Every version fails with the same alert: the endpoint is broken (no usable key, say), not version-picky.
    const broken = decideVersions({
      TLSv1: { kind: 'alert-before-hello', alert: 'handshake failure' },
      'TLSv1.1': { kind: 'alert-before-hello', alert: 'handshake failure' },
      'TLSv1.2': { kind: 'alert-before-hello', alert: 'handshake failure' },
      'TLSv1.3': { kind: 'alert-before-hello', alert: 'handshake failure' },
    });
    assert.deepEqual(broken.versions, { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': null, 'TLSv1.3': null });
    assert.match(broken.reasons.TLSv1, /^not decided \(.*no version completed a handshake/);

    const mixed = decideVersions({
      TLSv1: { kind: 'undecided', untested: true, detail: 'this runtime cannot offer it' },
      'TLSv1.1': { kind: 'undecided', detail: 'the server reset the connection before any reply' },
      'TLSv1.2': { kind: 'accepted' },
    });
    assert.deepEqual(mixed.versions, { TLSv1: null, 'TLSv1.1': null, 'TLSv1.2': true, 'TLSv1.3': null });
    assert.equal(mixed.reasons.TLSv1, 'not tested (this runtime cannot offer it)');
    assert.equal(mixed.reasons['TLSv1.1'], 'not decided (the server reset the connection before any reply)');
    assert.equal(mixed.reasons['TLSv1.3'], 'not tested');
  });
});
