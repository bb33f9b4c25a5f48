/**
 * What a live Postfix 3.x smtpd does in wrapper mode (implicit TLS, port 465) with the settings the wrapper-service
 * rules judge (src/core/lint/postfix/rules/wrapperService.ts): smtpd_tls_security_level=none is ignored (the TLS
 * handshake completes and the greeting comes over TLS), while a service without any server certificate drops every
 * connection ("Wrapper-mode request dropped"). The linter must call the first harmless (info) and the second an error.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { lintText } from '../../../src/core/lint';
import { makePki, type TestPki } from '../../support/pki';
import { writeServerCerts } from '../../support/mailservers/certs';
import { startPostfix, type PostfixInstance } from '../../support/mailservers/postfix';
import { findTool } from '../../support/mailservers/tools';
import { memoryHost } from '../../support/postfixLint';

/** Implicit TLS to a loopback port: the greeting read over TLS, or the error that ended the attempt. Bounded. */
function smtpsGreeting(port: number, ca: string): Promise<{ greeting?: string; protocol?: string; error?: string }> {
  return new Promise((resolve) => {
    let buf = '';
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'mail.test', ca, rejectUnauthorized: false });
    const done = (r: { greeting?: string; protocol?: string; error?: string }) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ error: 'timeout' }), 15_000);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.length > 4096 || buf.includes('\r\n')) done({ greeting: buf.split('\r\n')[0], protocol: sock.getProtocol() ?? undefined });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    sock.on('close', () => done({ error: 'closed' }));
  });
}

describe('postfix wrapper mode: what a live smtpd does with level none and without a certificate', function () {
  this.timeout(120_000);
  const missing = !findTool('postfix') || process.getuid?.() !== 0;
  let pki: TestPki | undefined;
  let pf: PostfixInstance | undefined;

  before(async function () {
    if (missing) {
      console.log('    SKIPPED: needs postfix and root (to start a stand-alone Postfix)');
      this.skip();
    }
    pki = makePki('Wrapper Live');
    fs.chmodSync(pki.dir, 0o755);
    const certs = writeServerCerts(pki, `${pki.dir}/certs`);
    pf = await startPostfix({
      defaultCert: certs['full-chain'],
      services: [
        { name: 'levelNone', tls: 'wrapper', overrides: { smtpd_tls_security_level: 'none' } },
        { name: 'noCert', tls: 'wrapper', overrides: { smtpd_tls_security_level: '', smtpd_tls_cert_file: '', smtpd_tls_key_file: '' } },
      ],
    });
  });

  after(async () => {
    await pf?.stop();
    if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  it('level none: TLS all the same, and the linter says it is ignored (info, no error)', async () => {
    const r = await smtpsGreeting(pf!.ports.levelNone, pki!.root.certPem);
    assert.match(r.greeting ?? '', /^220 /, `${JSON.stringify(r)}\n${pf!.log()}`);
    assert.match(r.protocol ?? '', /^TLSv1\.[23]$/);
    const main = '/ws/etc/postfix/main.cf';
    const master = '/ws/etc/postfix/master.cf';
    const files = {
      [main]: 'myhostname = mail.test\nsmtpd_tls_cert_file = /etc/ssl/mail.pem\nsmtpd_tls_key_file = /etc/ssl/mail.key\n',
      [master]: 'smtps inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_security_level=none\n',
    };
    const found = lintText(master, files[master], memoryHost(files)).findings;
    assert.deepEqual(
      found.filter((f) => f.id.startsWith('postfix.wrappermode') || f.id.startsWith('postfix.smtps')).map((f) => `${f.id} ${f.severity}`),
      ['postfix.wrappermode-level-ignored info'],
    );
    assert.ok(!found.some((f) => f.severity === 'error'), JSON.stringify(found.map((f) => f.title)));
  });

  it('no certificate: every connection is dropped, as the linter says (error)', async () => {
    const r = await smtpsGreeting(pf!.ports.noCert, pki!.root.certPem);
    assert.equal(r.greeting, undefined, JSON.stringify(r));
    // Postfix logs why; the finding quotes it.
    for (let i = 0; i < 50 && !/Wrapper-mode request dropped/.test(pf!.log()); i++) await new Promise((res) => setTimeout(res, 100));
    assert.match(pf!.log(), /No server certs available/);
    assert.match(pf!.log(), /Wrapper-mode request dropped/);
    const main = '/ws/etc/postfix/main.cf';
    const master = '/ws/etc/postfix/master.cf';
    const files = { [main]: 'myhostname = mail.test\n', [master]: 'smtps inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n' };
    const f = lintText(master, files[master], memoryHost(files)).findings.filter((x) => x.id === 'postfix.smtps-without-certificate');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'error');
    assert.match(f[0].detail, /No server certs available/);
    assert.match(f[0].detail, /Wrapper-mode request dropped/);
  });
});
