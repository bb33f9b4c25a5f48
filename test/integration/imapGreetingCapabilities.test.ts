/**
 * IMAP servers list their capabilities in the greeting (RFC 3501 7.1). When that list offers STARTTLS the probe
 * sends STARTTLS at once on every connection, as Thunderbird does, and asks for the list only over TLS; when the
 * greeting's list lacks STARTTLS, the CAPABILITY command's answer decides, so "not offered" never rests on it.
 * Against a real STARTTLS server on loopback that records each connection's commands.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectionLimiter, probeEndpoint } from '../../src/core/probe';
import { listenClosable } from '../support/listen';
import { makePki, type TestPki } from '../support/pki';

const NAME = 'mail.caps.test';

interface Recorded {
  port: number;
  /** Per connection, the commands in order, those over TLS prefixed "tls:". */
  connections: string[][];
  close(): Promise<void>;
}

async function imapServer(pki: TestPki, greetingCaps: string, commandCaps: string, onStartTls: 'upgrade' | 'refuse' = 'upgrade'): Promise<Recorded> {
  const leaf = pki.leaf({ cn: NAME, sans: [NAME] });
  const context = tls.createSecureContext({ cert: pki.chain(leaf), key: leaf.keyPem });
  const connections: string[][] = [];
  const sockets = new Set<net.Socket>();
  const converse = (s: net.Socket, seen: string[], secure: boolean) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const [tag, verb = ''] = line.split(' ');
        seen.push(`${secure ? 'tls:' : ''}${verb.toUpperCase()}`);
        if (/^CAPABILITY$/i.test(verb)) s.write(`* CAPABILITY ${secure ? 'IMAP4rev1 AUTH=PLAIN' : commandCaps}\r\n${tag} OK done\r\n`);
        else if (/^STARTTLS$/i.test(verb) && !secure && onStartTls === 'upgrade') {
          s.off('data', onData);
          s.write(`${tag} OK Begin TLS negotiation now.\r\n`);
          const t = new tls.TLSSocket(s, { isServer: true, secureContext: context });
          t.on('error', () => undefined);
          converse(t, seen, true);
          return;
        } else if (/^STARTTLS$/i.test(verb)) s.write(`${tag} NO STARTTLS not available\r\n`);
        else if (/^LOGOUT$/i.test(verb)) {
          s.write(`* BYE Logging out\r\n${tag} OK Logout completed.\r\n`);
          s.end();
        } else s.write(`${tag} BAD what\r\n`);
      }
    };
    s.on('data', onData);
  };
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    const seen: string[] = [];
    connections.push(seen);
    s.write(`* OK [CAPABILITY ${greetingCaps}] caps test ready.\r\n`);
    converse(s, seen, false);
  });
  const { port, close } = await listenClosable(server, sockets, '127.0.0.1', 0);
  return { port, connections, close };
}

describe('IMAP: capabilities from the greeting (real STARTTLS server on loopback)', function () {
  this.timeout(30_000);
  let pki: TestPki;
  const closers: Array<() => Promise<void>> = [];
  before(() => {
    pki = makePki('CAPS');
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  const probe = (port: number) =>
    probeEndpoint(
      { host: '127.0.0.1', port, protocol: 'imap', mode: 'starttls', servername: NAME, caFiles: [pki.rootFile()] },
      { timeoutMs: 5000, limiter: new ConnectionLimiter() },
    ).then((r) => r[0]);

  it('a greeting that lists STARTTLS: STARTTLS first on every connection, the list asked only over TLS', async () => {
    const server = await imapServer(pki, 'IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN', 'IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN');
    closers.push(server.close);
    const r = await probe(server.port);
    assert.equal(r.tls?.version, 'TLSv1.3', JSON.stringify(r.findings));
    assert.equal(r.trusted, true);
    assert.deepEqual(
      r.findings.filter((f) => f.severity === 'error').map((f) => f.id),
      [],
    );
    assert.equal(r.versions['TLSv1.2'], true, 'the scan connections reached TLS too');
    assert.ok(server.connections.length >= 2, JSON.stringify(server.connections));
    for (const seen of server.connections) {
      const plain = seen.filter((c) => !c.startsWith('tls:'));
      assert.equal(plain[0], 'STARTTLS', JSON.stringify(server.connections));
      assert.ok(!plain.includes('CAPABILITY'), JSON.stringify(server.connections));
    }
    assert.deepEqual(server.connections[0], ['STARTTLS', 'tls:CAPABILITY', 'tls:LOGOUT'], 'the main connection asks over TLS');
  });

  it("a greeting whose list lacks STARTTLS: the command's answer decides, both ways", async () => {
    const offered = await imapServer(pki, 'IMAP4rev1 SASL-IR', 'IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED');
    closers.push(offered.close);
    const r = await probe(offered.port);
    assert.equal(r.tls?.version, 'TLSv1.3', JSON.stringify(r.findings));
    assert.ok(!r.findings.some((f) => f.id === 'starttls.not-offered'));
    for (const seen of offered.connections) assert.deepEqual(seen.slice(0, 2), ['CAPABILITY', 'STARTTLS'], JSON.stringify(offered.connections));

    const absent = await imapServer(pki, 'IMAP4rev1 SASL-IR', 'IMAP4rev1 SASL-IR AUTH=PLAIN');
    closers.push(absent.close);
    const n = await probe(absent.port);
    assert.ok(
      n.findings.some((f) => f.id === 'starttls.not-offered'),
      JSON.stringify(n.findings),
    );
    assert.deepEqual(absent.connections[0], ['CAPABILITY', 'LOGOUT']);
  });

  it('a greeting that lists STARTTLS and then refuses it: starttls.refused, named from the reply', async () => {
    const server = await imapServer(pki, 'IMAP4rev1 STARTTLS', 'IMAP4rev1 STARTTLS', 'refuse');
    closers.push(server.close);
    const r = await probe(server.port);
    const f = r.findings.find((x) => x.id === 'starttls.refused');
    assert.ok(f, JSON.stringify(r.findings));
    assert.ok(
      f.evidence?.some((e) => /NO STARTTLS not available/.test(e)),
      JSON.stringify(f.evidence),
    );
    assert.equal(r.tls, null);
  });
});
