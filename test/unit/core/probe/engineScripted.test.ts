import * as assert from 'node:assert/strict';
import { makeEndpoint } from '../../../../src/core/endpoint';
import { ConnectionLimiter, probeEndpoint, type Dialer } from '../../../../src/core/probe';
import type { Protocol } from '../../../../src/core/protocols';
import { scriptedConnection, type Script } from '../../../support/scriptedServer';

/** A dialer whose every connection is a fresh scripted server; records what each connection received. */
function scriptedDialer(script: () => Script) {
  const connections: string[][] = [];
  const dialer: Dialer = {
    async connect() {
      const c = scriptedConnection(script());
      connections.push(c.received);
      return c.socket;
    },
  };
  return { dialer, connections };
}

async function probe(protocol: Protocol, port: number, dialer: Dialer) {
  const [r] = await probeEndpoint(makeEndpoint('mx.example.test', port, { protocol }), {
    dialer,
    resolve: async () => ['192.0.2.1'],
    ehloName: 'probe.example',
    scanVersions: false,
    timeoutMs: 1000,
    limiter: new ConnectionLimiter(),
  });
  return { ids: r.findings.map((f) => f.id as string), result: r };
}

describe('the probe engine over an injected dialer (no socket)', () => {
  it('SMTP without STARTTLS: starttls.not-offered after EHLO, and a polite QUIT', async () => {
    const { dialer, connections } = scriptedDialer(() => ({
      greeting: ['220 mx.example.test ESMTP'],
      reply: (c) => (c.startsWith('EHLO') ? ['250-mx.example.test', '250 AUTH PLAIN'] : c === 'QUIT' ? ['221 bye'] : ['500 what']),
    }));
    const { ids } = await probe('smtp', 587, dialer);
    assert.ok(ids.includes('starttls.not-offered'), ids.join(', '));
    assert.deepEqual(connections[0].slice(0, 1), ['EHLO probe.example']);
    assert.ok(!connections.flat().includes('STARTTLS'));
    assert.equal(connections[0].at(-1), 'QUIT');
  });

  it('SMTP refusing STARTTLS: starttls.refused', async () => {
    const { dialer } = scriptedDialer(() => ({
      greeting: ['220 mx ESMTP'],
      reply: (c) => (c.startsWith('EHLO') ? ['250-mx', '250 STARTTLS'] : c === 'STARTTLS' ? ['454 4.7.0 TLS not available'] : ['221 bye']),
    }));
    assert.ok((await probe('smtp', 587, dialer)).ids.includes('starttls.refused'));
  });

  it('a busy greeting is greeting.rejected, with the back-off as a result field', async () => {
    const { dialer } = scriptedDialer(() => ({ greeting: ['421 4.7.0 too many connections'], reply: () => ['221 bye'] }));
    const { ids, result } = await probe('smtp', 25, dialer);
    assert.ok(ids.includes('greeting.rejected'));
    assert.equal(typeof result.backoffMs, 'number');
    assert.ok(result.backoffMs! > 0);
    const calm = scriptedDialer(() => ({ greeting: ['220 x'], reply: (c) => (c.startsWith('EHLO') ? ['250 x'] : ['221 bye']) }));
    assert.equal((await probe('smtp', 25, calm.dialer)).result.backoffMs, undefined);
  });

  it('IMAP and POP3 without STARTTLS/STLS: the protocol table picks the dialogue', async () => {
    const imap = scriptedDialer(() => ({
      greeting: ['* OK ready'],
      reply: (c) => {
        const tag = c.split(' ')[0];
        return c.endsWith('CAPABILITY') ? ['* CAPABILITY IMAP4rev1', `${tag} OK done`] : [`${tag} OK bye`];
      },
    }));
    assert.ok((await probe('imap', 143, imap.dialer)).ids.includes('starttls.not-offered'));
    assert.equal(imap.connections[0][0], 'a1 CAPABILITY');
    const pop = scriptedDialer(() => ({ greeting: ['+OK ready'], reply: (c) => (c === 'CAPA' ? ['+OK', 'USER', '.'] : ['+OK bye']) }));
    assert.ok((await probe('pop3', 110, pop.dialer)).ids.includes('starttls.not-offered'));
    assert.equal(pop.connections[0][0], 'CAPA');
  });

  it('a dialer error with a system code becomes the TCP finding', async () => {
    const dialer: Dialer = { connect: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) };
    assert.ok((await probe('smtp', 587, dialer)).ids.includes('tcp.refused'));
  });
});
