/**
 * dovecot.ssl-without-cert against the real Dovecot installed here (Debian 12's 2.3.19): a stand-alone instance on
 * loopback with `ssl = yes` and no certificate starts (doveconf accepts the config), and a TLS client on its
 * implicit-TLS port is dropped. The log line the lint quotes must be the one Dovecot writes, and the lint must
 * report that very config.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { lintText } from '../../src/core/lint';
import { startDovecot, type DovecotInstance } from '../support/mailservers/dovecot';
import { findTool } from '../support/mailservers/tools';
import { diskLintHost } from '../support/lintHost';

/** A TLS handshake to 127.0.0.1:port: how it ended ('secure' or the error). */
function handshake(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' });
    const done = (r: string) => {
      s.destroy();
      resolve(r);
    };
    s.once('secureConnect', () => done('secure'));
    s.once('error', (e) => done(e.message));
    s.setTimeout(10_000, () => done('timeout'));
  });
}

async function logSays(instance: DovecotInstance, words: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (instance.log().includes(words)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('dovecot: TLS on with no certificate, as Dovecot 2.3 runs it', function () {
  this.timeout(60000);
  let instance: DovecotInstance | undefined;
  before(function () {
    if (!findTool('dovecot')) {
      console.log('    SKIPPED: dovecot is not installed (apt-get install dovecot-imapd to run this check)');
      this.skip();
    }
  });
  after(async () => {
    await instance?.stop();
  });

  it('starts, drops the TLS client, and logs the words the lint quotes', async () => {
    instance = await startDovecot({ name: 'no-cert', sslWithoutCert: true, listeners: ['imap', 'imaps'] });
    const file = path.join(instance.dir, 'dovecot.conf');
    const text = fs.readFileSync(file, 'utf8');
    const found = lintText(file, text, diskLintHost(instance.dir)).findings.filter((f) => f.id === 'dovecot.ssl-without-cert');
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(text.split('\n')[found[0].range!.start.line].trim(), 'ssl = yes');
    assert.notEqual(await handshake(instance.ports.imaps!), 'secure');
    const quoted = /"(Failed to initialize SSL server context: [^"]+)"/.exec(found[0].detail)?.[1];
    assert.ok(quoted, found[0].detail);
    assert.ok(await logSays(instance, quoted), `lint quotes ${JSON.stringify(quoted)}, Dovecot logged:\n${instance.log()}`);
  });
});
