import * as assert from 'node:assert/strict';
import { legacyRangeFits, versionAttempt } from '../../../../src/core/probe/versionScan';
import { decideVersions, onlyAlertsReceived, splitLegacyRange, type VersionAttempt } from '../../../../src/core/probe/versionDecision';
import { tlsRuntime } from '../../../../src/core/probe/tlsRuntime';
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

  describe('one hello offering TLS 1.0 up to 1.1', () => {
    const modern: Record<string, VersionAttempt> = { 'TLSv1.3': { kind: 'accepted', detail: 'negotiated on the main connection' } };
    const failed = (attempt: VersionAttempt, bytesFromServer = 7) => splitLegacyRange({ kind: 'failed', attempt, bytesFromServer });

    it('a ServerHello with TLS 1.1 decides 1.1 only; one with TLS 1.0 decides both (1.1 refused: another version was chosen)', () => {
      assert.deepEqual(splitLegacyRange({ kind: 'accepted', version: 'TLSv1.1', detail: 'AES256-SHA' }), {
        'TLSv1.1': { kind: 'accepted', detail: 'AES256-SHA' },
      });
      const only10 = splitLegacyRange({ kind: 'accepted', version: 'TLSv1', detail: 'AES256-SHA' });
      assert.deepEqual(Object.keys(only10).sort(), ['TLSv1', 'TLSv1.1']);
      const d = decideVersions({ ...modern, ...only10 });
      assert.equal(d.versions.TLSv1, true);
      assert.equal(d.versions['TLSv1.1'], false);
      assert.match(d.reasons.TLSv1, /^accepted \(AES256-SHA, chosen from a hello offering both TLSv1 and TLSv1\.1\)$/);
      assert.match(d.reasons['TLSv1.1'], /^refused \(the server chose TLSv1 from a hello offering both/);
    });

    it('a TLS 1.0 ServerHello marked as a downgrade (OpenSSL with a hole at 1.1) refuses 1.1 and leaves 1.0 to its own hello', () => {
      const d = splitLegacyRange({ kind: 'downgrade', detail: 'TLSv1, marked as a downgrade' });
      assert.deepEqual(Object.keys(d), ['TLSv1.1']);
      assert.equal(d['TLSv1.1']!.kind, 'refused');
    });

    it('protocol_version decides 1.1 only: GnuTLS with a hole at 1.1 answers the range so and accepts a TLS 1.0 hello', () => {
      const d = failed({ kind: 'refused', detail: 'alert "protocol version"' });
      assert.deepEqual(d, { 'TLSv1.1': { kind: 'refused', detail: 'alert "protocol version"' } });
      assert.equal(d.TLSv1, undefined);
    });

    it('another alert or a clean close before any ServerHello decides both, and the reasons say it was one hello', () => {
      for (const attempt of [{ kind: 'alert-before-hello', alert: 'internal error' }, { kind: 'closed-before-hello' }] as VersionAttempt[]) {
        const d = failed(attempt, attempt.kind === 'closed-before-hello' ? 0 : 7);
        assert.deepEqual(Object.keys(d).sort(), ['TLSv1', 'TLSv1.1']);
        const decided = decideVersions({ ...modern, ...d });
        assert.deepEqual([decided.versions.TLSv1, decided.versions['TLSv1.1']], [false, false]);
        for (const v of ['TLSv1', 'TLSv1.1'] as const) {
          assert.match(decided.reasons[v], /^refused \(.* to one hello offering both TLSv1 and TLSv1\.1, while TLSv1\.3 completed a handshake/);
        }
        // The existing rule still holds: with no version completed, the same answer decides nothing.
        const alone = decideVersions(d);
        assert.deepEqual([alone.versions.TLSv1, alone.versions['TLSv1.1']], [null, null]);
        assert.match(alone.reasons.TLSv1, /^not decided \(.*to one hello offering both.*no version completed a handshake/);
      }
    });

    it('no answer at all decides 1.1 as its own hello would; a failure after a ServerHello, or one never sent, decides neither', () => {
      const reset: VersionAttempt = { kind: 'undecided', detail: 'the server reset the connection before any reply (read ECONNRESET)' };
      assert.deepEqual(failed(reset, 0), { 'TLSv1.1': reset });
      // After a ServerHello the server may have chosen 1.0, which a TLS 1.1 hello would have refused at once.
      assert.deepEqual(failed({ kind: 'undecided', detail: 'alert "handshake failure" after the server\'s ServerHello' }, 1300), {});
      assert.deepEqual(failed({ kind: 'undecided', detail: 'no complete answer within 1000 ms' }, 60), {});
      assert.deepEqual(failed({ kind: 'undecided', untested: true, detail: 'no protocols available' }, 0), {});
    });

    it('is used only when neither legacy version is known, this runtime offers both, and TLS 1.2 or 1.3 completed a handshake', () => {
      const rt = tlsRuntime();
      const yes = { ...rt, canOffer: { TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': true } };
      if (!rt.canOffer.TLSv1 || !rt.canOffer['TLSv1.1']) return; // this runtime cannot build the range at all
      assert.equal(legacyRangeFits(modern, yes), true);
      assert.equal(legacyRangeFits({ 'TLSv1.2': { kind: 'accepted' } }, yes), true);
      assert.equal(legacyRangeFits({}, yes), false, 'no modern handshake: the server may be intolerant of a higher version');
      assert.equal(legacyRangeFits({ 'TLSv1.3': { kind: 'alert-before-hello', alert: 'handshake failure' } }, yes), false);
      assert.equal(legacyRangeFits({ ...modern, TLSv1: { kind: 'accepted' } }, yes), false, 'one is known: ask the other alone');
      assert.equal(legacyRangeFits({ ...modern, 'TLSv1.1': { kind: 'accepted' } }, yes), false);
      assert.equal(legacyRangeFits(modern, { ...yes, canOffer: { ...yes.canOffer, TLSv1: false } }), false);
      assert.equal(legacyRangeFits(modern, { ...yes, canOffer: { ...yes.canOffer, 'TLSv1.1': false } }), false);
    });
  });
});
