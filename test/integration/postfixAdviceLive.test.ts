/**
 * The behaviour the Postfix advice texts describe, checked against the real Postfix installed here (one
 * stand-alone instance on loopback, see test/support/mailservers/postfix.ts), so a text that claims it can be
 * traced to an observation:
 *
 * - a hole in an smtpd protocol list is no hole on the server side (TLS 1.0, 1.2 and 1.3 still negotiate);
 * - ">= TLSv1.2" with a separator after ">=" means TLS 1.2 only on Postfix 3.6+;
 * - an unreadable protocol list, a missing certificate or a key that does not match keep STARTTLS announced and
 *   answer it with "454 4.7.0 TLS not available due to local problem".
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { makePki, type TestPki } from '../support/pki';
import { SERVER_NAME, writeServerCerts } from '../support/mailservers/certs';
import { sClientVersions } from '../support/mailservers/opensslClient';
import { startPostfix, type PostfixInstance } from '../support/mailservers/postfix';
import { findTool } from '../support/mailservers/tools';

/** EHLO, then STARTTLS: the capability lines and the reply to STARTTLS. Bounded in time and bytes. */
function starttlsReply(port: number): Promise<{ ehlo: string; reply: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    let step = 0;
    let ehlo = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer in time: ${JSON.stringify(buf.slice(0, 500))}`));
    }, 15_000);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.length > 65_536) sock.destroy(new Error('too much data'));
      const lines = buf.split('\r\n');
      const last = lines[lines.length - 2] ?? '';
      if (!/^\d{3} /.test(last)) return;
      if (step === 0) {
        step = 1;
        buf = '';
        sock.write('EHLO client.test\r\n');
      } else if (step === 1) {
        step = 2;
        ehlo = buf;
        buf = '';
        sock.write('STARTTLS\r\n');
      } else {
        clearTimeout(timer);
        sock.end('QUIT\r\n');
        resolve({ ehlo, reply: last });
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('postfix advice: the behaviour the texts describe, seen on a live Postfix', function () {
  this.timeout(120_000);
  let pki: TestPki | undefined;
  let pf: PostfixInstance | undefined;
  const missing = !findTool('postfix') || !findTool('openssl') || process.getuid?.() !== 0;

  before(async function () {
    if (missing) {
      console.log('    SKIPPED: needs postfix, openssl and root (to start a stand-alone Postfix)');
      this.skip();
    }
    pki = makePki('Advice Live');
    const certs = writeServerCerts(pki, path.join(pki.dir, 'certs'));
    pf = await startPostfix({
      defaultCert: certs['full-chain'],
      services: [
        { name: 'hole', tls: 'starttls', overrides: { smtpd_tls_protocols: '!SSLv2,!SSLv3,!TLSv1.1' } },
        { name: 'spacebound', tls: 'starttls', overrides: { smtpd_tls_protocols: '>=,TLSv1.2' } },
        { name: 'badlist', tls: 'starttls', overrides: { smtpd_tls_protocols: 'TLSv1.4' } },
        { name: 'nocert', tls: 'starttls', cert: { certFile: path.join(pki.dir, 'absent-cert.pem'), keyFile: path.join(pki.dir, 'absent-key.pem') } },
        { name: 'mismatch', tls: 'starttls', cert: { certFile: certs['full-chain'].certFile, keyFile: certs['self-signed'].keyFile } },
      ],
    });
  });
  after(async () => {
    await pf?.stop();
    if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  const target = (name: string) => ({
    port: pf!.ports[name],
    protocol: 'smtp' as const,
    mode: 'starttls' as const,
    servername: SERVER_NAME,
    caFile: pki!.rootFile(),
  });

  it('smtpd with "!SSLv2, !SSLv3, !TLSv1.1" still negotiates TLS 1.0, 1.2 and 1.3 (no client-side hole)', async () => {
    const v = await sClientVersions(target('hole'));
    assert.deepEqual(v, { TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true }, pf!.log().slice(-2000));
  });

  it('">=" followed by a separator and TLSv1.2 means TLS 1.2 only on Postfix 3.6+', async () => {
    const v = await sClientVersions(target('spacebound'));
    assert.deepEqual(v, { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false }, pf!.log().slice(-2000));
  });

  for (const name of ['badlist', 'nocert', 'mismatch']) {
    it(`${name}: STARTTLS stays announced and is answered with 454`, async () => {
      const r = await starttlsReply(pf!.ports[name]);
      assert.match(r.ehlo, /250[- ]STARTTLS/, r.ehlo);
      assert.match(r.reply, /^454 4\.7\.0 TLS not available due to local problem/, `${r.reply}\n${pf!.log().slice(-2000)}`);
    });
  }

  it('the unreadable list is logged as "Invalid TLS protocol list"', () => {
    assert.match(pf!.log(), /Invalid TLS protocol list "TLSv1\.4"/);
  });
});
