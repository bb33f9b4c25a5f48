/**
 * The interop tier for one server: start the real server with every scenario, probe each target with our
 * engine and with the reference tools (all at once, bounded), then assert per target: our findings, and that
 * our verdict agrees with openssl s_client and, for SMTP, posttls-finger.
 */
import * as assert from 'node:assert/strict';
import { probeEndpoint, tlsRuntime, TLS_VERSIONS, type ProbeResult } from '../../../src/core/probe';
import { plannedTargets, startLab, targetKey, type Lab, type ServerName, type Target } from '../../support/mailservers/lab';
import { fingerPath } from '../../support/mailservers/posttlsFinger';
import { opensslPath } from '../../support/mailservers/opensslClient';
import { gatherReferences, type References } from '../../support/mailservers/references';
import { announceSkip, serverTools } from '../../support/mailservers/tools';
import { EXPECTATIONS } from './expectations';

/** Per step of our probe and per reference-tool run: loopback answers in milliseconds, silence is the test. */
const STEP_TIMEOUT_MS = 5_000;
const CONCURRENCY = 6;

type Observed = { target: Target; ours: ProbeResult; refs: References };
type Outcome = Observed | { target: Target; error: unknown };

export function defineInteropSuite(server: ServerName): void {
  const label = server === 'postfix' ? 'Postfix (smtpd, STARTTLS and wrapper mode)' : 'Dovecot (IMAP and POP3, STARTTLS and implicit TLS)';
  describe(`interop with a real ${label}`, function () {
    this.timeout(90_000);
    let lab: Lab | undefined;
    const outcomes = new Map<string, Outcome>();
    const timings: string[] = [];

    before(async function () {
      const tools = serverTools(server);
      if (!tools.ok) {
        if (process.env.MTD_REQUIRE_INTEROP) throw new Error(`the interop tier must run here (MTD_REQUIRE_INTEROP) but: ${tools.reasons.join('; ')}`);
        announceSkip(`interop tests against a real ${server}`, tools.reasons);
        this.skip();
      }
      const missing = [opensslPath() ? '' : 'openssl', server === 'postfix' && !fingerPath() ? 'posttls-finger' : ''].filter(Boolean);
      if (missing.length)
        announceSkip(
          `differential checks against ${missing.join(' and ')}`,
          missing.map((m) => `\`${m}\` is not installed`),
        );

      let t = Date.now();
      lab = await startLab(server);
      timings.push(`start ${Date.now() - t} ms`);
      t = Date.now();
      await pool(lab.targets, CONCURRENCY, async (target) => outcomes.set(targetKey(target), await observe(lab!, target)));
      timings.push(`${lab.targets.length} targets probed and cross-checked ${Date.now() - t} ms`);
    });

    after(async function () {
      const t = Date.now();
      await lab?.stop();
      if (lab) {
        timings.push(`stop ${Date.now() - t} ms`);
        process.stdout.write(`      [interop ${server}] ${timings.join(', ')}\n`);
      }
    });

    for (const planned of plannedTargets(server)) {
      const key = targetKey(planned);
      const expected = EXPECTATIONS[planned.scenario];
      const outcome = (): Observed => {
        const o = outcomes.get(key);
        if (!o) throw new Error(`no outcome for ${key}`);
        if ('error' in o) throw o.error;
        return o;
      };

      describe(key, () => {
        it('our engine reports what is wrong, and only that', () => {
          const { ours } = outcome();
          const ids: string[] = ours.findings.map((f) => f.id);
          const why = () => explain(lab, outcome());
          for (const id of expected.present) assert.ok(ids.includes(id), `expected ${id}, got [${ids.join(', ')}]\n${why()}`);
          for (const id of expected.absent) assert.ok(!ids.includes(id), `did not expect ${id}, got [${ids.join(', ')}]\n${why()}`);
          if (expected.trusted === null) {
            assert.equal(ours.tls, null, `expected no TLS session\n${why()}`);
            assert.equal(ours.trusted, undefined);
          } else if (expected.trusted !== undefined) {
            assert.ok(ours.tls, `expected a TLS session\n${why()}`);
            assert.equal(ours.trusted, expected.trusted, why());
            assert.ok(ours.certificates.length > 0, 'a handshake must report the certificates it saw');
          }
          if (expected.negotiated) assert.equal(ours.tls?.version, expected.negotiated, why());
          for (const [v, accepted] of Object.entries(expected.versions ?? {}) as [keyof ProbeResult['versions'], boolean][]) {
            // A version this Node cannot offer is "not tested", which the engine must then say (null).
            const want = tlsRuntime().canOffer[v] ? accepted : null;
            assert.equal(ours.versions[v], want, `${v}\n${why()}`);
          }
          if (ours.tls) {
            const legacy = ours.versions.TLSv1 === true || ours.versions['TLSv1.1'] === true;
            assert.equal(ids.includes('tls.legacy-version-accepted'), legacy, `legacy finding must follow the version scan\n${why()}`);
          }
          // Every finding must be complete enough to act on.
          for (const f of ours.findings) assert.ok(f.title && f.detail && f.fix, `incomplete finding ${f.id}`);
        });

        it('agrees with openssl s_client', function () {
          if (!opensslPath()) this.skip();
          const { ours, refs } = outcome();
          const ossl = refs.openssl!;
          const why = () => explain(lab, outcome(), ossl.verdict.raw);
          if (planned.mode === planned.serverMode) {
            assert.equal(ours.tls?.version ?? null, ossl.negotiated, `negotiated version\n${why()}`);
            if (ours.tls) {
              assert.equal(ours.trusted, ossl.verdict.trusted, `trust verdict (openssl: ${ossl.verdict.verifyError ?? 'ok'})\n${why()}`);
              if (ossl.verdict.verifyError) {
                // Not just "untrusted" on both sides: the same reason.
                const ids: string[] = ours.findings.map((f) => f.id);
                const accepted = findingsForOpensslError(ossl.verdict.verifyError);
                assert.ok(
                  accepted.some((id) => ids.includes(id)),
                  `openssl says "${ossl.verdict.verifyError}", so we should report one of [${accepted.join(', ')}], got [${ids.join(', ')}]\n${why()}`,
                );
              }
            } else assert.equal(ossl.verdict.handshake, false, `openssl got a TLS session where we found none\n${why()}`);
          } else {
            // Talking the wrong mode gets openssl no TLS either, which is what our mode finding says.
            assert.equal(ossl.negotiated, null, `openssl negotiated TLS in the mismatched mode\n${why()}`);
            assert.equal(ossl.verdict.trusted, false);
            const right = refs.opensslServerMode!;
            if (ours.tls) {
              // Our engine went on in the right mode: that result must match openssl's in that mode.
              assert.equal(ours.tls.version, right.negotiated, `version in the right mode\n${why()}`);
              assert.equal(ours.trusted, right.verdict.trusted, `trust in the right mode\n${why()}`);
            }
          }
          if (ours.tls && refs.opensslVersions) {
            for (const v of TLS_VERSIONS) {
              if (ours.versions[v] === null && !tlsRuntime().canOffer[v]) continue;
              assert.equal(ours.versions[v], refs.opensslVersions[v], `${v} accepted? ours ${ours.versions[v]}, openssl ${refs.opensslVersions[v]}\n${why()}`);
            }
          }
        });

        if (planned.protocol === 'smtp') {
          it('agrees with posttls-finger', function () {
            if (!fingerPath()) this.skip();
            const { ours, refs } = outcome();
            const finger = refs.finger!;
            const why = () => explain(lab, outcome(), finger.raw);
            if (planned.mode === planned.serverMode) {
              if (!ours.tls) assert.equal(finger.trust, null, `posttls-finger got TLS where we found none\n${why()}`);
              else {
                assert.equal(finger.version, ours.tls.version, `negotiated version\n${why()}`);
                assert.equal(finger.trust, ours.trusted ? 'Verified' : 'Untrusted', `trust verdict\n${why()}`);
              }
            } else {
              assert.equal(finger.trust, null, `posttls-finger got TLS in the mismatched mode\n${why()}`);
              const right = refs.fingerServerMode!;
              if (ours.tls) {
                assert.equal(right.version, ours.tls.version, `version in the right mode\n${why()}`);
                assert.equal(right.trust, ours.trusted ? 'Verified' : 'Untrusted', `trust in the right mode\n${why()}`);
              }
            }
          });
        }
      });
    }
  });
}

/** The finding(s) that name the same problem as an OpenSSL X509 verify error. */
function findingsForOpensslError(text: string): string[] {
  const map: [RegExp, string[]][] = [
    [/has expired/, ['cert.expired']],
    [/not yet valid/, ['cert.not-yet-valid']],
    [/self[- ]signed certificate$/, ['cert.self-signed']],
    [/self[- ]signed certificate in certificate chain/, ['cert.untrusted-root']],
    [/unable to get local issuer|unable to verify the first certificate/, ['cert.missing-intermediate', 'cert.untrusted-root']],
    [/hostname mismatch/, ['cert.hostname-mismatch']],
  ];
  return map.find(([re]) => re.test(text))?.[1] ?? [`(no mapping for "${text}": extend findingsForOpensslError)`];
}

async function observe(lab: Lab, target: Target): Promise<Outcome> {
  try {
    const endpoint = { host: '127.0.0.1', port: target.port, protocol: target.protocol, mode: target.mode, servername: lab.servername, caFiles: [lab.caFile] };
    const [results, refs] = await Promise.all([
      probeEndpoint(endpoint, {
        timeoutMs: STEP_TIMEOUT_MS,
        ehloName: 'probe.test',
        // The host is an address literal; a resolver call would be a bug, and must never reach real DNS.
        resolve: async (host) => {
          throw new Error(`unexpected name resolution of ${host}`);
        },
      }),
      gatherReferences(target, lab.servername, lab.caFile, STEP_TIMEOUT_MS + 2_000),
    ]);
    assert.equal(results.length, 1, 'one address, one result');
    return { target, ours: results[0], refs };
  } catch (error) {
    return { target, error };
  }
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** What a failing assertion shows: our findings and transcript, the reference tool's words, the server's log. */
function explain(lab: Lab | undefined, o: Observed, reference?: string): string {
  const ours = o.ours;
  const parts = [
    `target: ${targetKey(o.target)} on 127.0.0.1:${o.target.port}`,
    ours ? `ours: tls=${JSON.stringify(ours.tls)} trusted=${ours.trusted} versions=${JSON.stringify(ours.versions)}` : 'ours: no result',
    ours ? `findings: ${ours.findings.map((f) => `${f.id}(${f.severity})`).join(', ')}` : '',
    ours
      ? `transcript:\n${ours.transcript
          .slice(-25)
          .map((l) => `  ${l.conn ? `[${l.conn}] ` : ''}${l.kind} ${l.text}`)
          .join('\n')}`
      : '',
    reference
      ? `reference tool said:\n${reference
          .split('\n')
          .filter(Boolean)
          .slice(-25)
          .map((l) => `  ${l}`)
          .join('\n')}`
      : '',
    lab ? `server log (tail):\n${lab.logs().split('\n').slice(-20).join('\n')}` : '',
  ];
  return parts.filter(Boolean).join('\n');
}
