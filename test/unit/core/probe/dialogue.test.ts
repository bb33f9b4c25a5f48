import * as assert from 'node:assert/strict';
import { Conn } from '../../../../src/core/probe/conn';
import { dialogueFor, ProtocolError } from '../../../../src/core/probe/dialogue';
import { Scope } from '../../../../src/core/probe/scope';
import { Transcript } from '../../../../src/core/probe/transcript';
import type { Protocol } from '../../../../src/core/protocols';
import { scriptedConnection, type Script } from '../../../support/scriptedServer';

function session(protocol: Protocol, script: Script, timeoutMs = 2000) {
  const { socket, received } = scriptedConnection(script);
  const conn = new Conn(socket, new Scope(), new Transcript(), timeoutMs);
  return { conn, received, dialogue: dialogueFor(protocol, 'probe.example') };
}

const table = (replies: Record<string, string[]>) => (command: string) => replies[command];

describe('dialogues against a scripted in-memory server', () => {
  describe('SMTP', () => {
    it('a 220 greeting, EHLO with STARTTLS, a 220 to STARTTLS', async () => {
      const s = session('smtp', {
        greeting: ['220-mx.example ESMTP', '220 ready'],
        reply: table({ 'EHLO probe.example': ['250-mx.example', '250-PIPELINING', '250 STARTTLS'], STARTTLS: ['220 2.0.0 go ahead'] }),
      });
      assert.deepEqual(await s.dialogue.greeting(s.conn), { ok: true, busy: false, lines: ['220-mx.example ESMTP', '220 ready'] });
      const caps = await s.dialogue.capabilities(s.conn);
      assert.equal(caps.starttls, true);
      assert.equal(caps.known, true);
      assert.deepEqual(await s.dialogue.startTls(s.conn), { ok: true, lines: ['220 2.0.0 go ahead'] });
      assert.deepEqual(s.received, ['EHLO probe.example', 'STARTTLS']);
    });

    it('421 is busy, 554 is a refusal', async () => {
      for (const [line, ok, busy] of [
        ['421 4.7.0 too busy', false, true],
        ['554 5.7.1 no', false, false],
      ] as const) {
        const s = session('smtp', { greeting: [line], reply: () => undefined });
        const g = await s.dialogue.greeting(s.conn);
        assert.deepEqual([g.ok, g.busy], [ok, busy], line);
      }
    });

    it('EHLO refused falls back to HELO; both refused is a refusal; STARTTLS not announced', async () => {
      const helo = session('smtp', { greeting: ['220 old'], reply: table({ 'EHLO probe.example': ['502 5.5.2 no'], 'HELO probe.example': ['250 old'] }) });
      await helo.dialogue.greeting(helo.conn);
      const c1 = await helo.dialogue.capabilities(helo.conn);
      assert.deepEqual([c1.starttls, c1.known, c1.refused], [false, true, false]);
      const none = session('smtp', { greeting: ['220 strict'], reply: () => ['550 5.7.1 go away'] });
      await none.dialogue.greeting(none.conn);
      const c2 = await none.dialogue.capabilities(none.conn);
      assert.deepEqual([c2.starttls, c2.known, c2.refused], [false, false, true]);
      const plain = session('smtp', { greeting: ['220 x'], reply: table({ 'EHLO probe.example': ['250-x', '250 AUTH PLAIN'] }) });
      await plain.dialogue.greeting(plain.conn);
      assert.equal((await plain.dialogue.capabilities(plain.conn)).starttls, false);
    });

    it('a refused STARTTLS; replies that are not SMTP or change their code are protocol errors', async () => {
      const refused = session('smtp', { greeting: ['220 x'], reply: table({ STARTTLS: ['454 4.7.0 TLS not available'] }) });
      await refused.dialogue.greeting(refused.conn);
      assert.equal((await refused.dialogue.startTls(refused.conn)).ok, false);
      const junk = session('smtp', { greeting: ['HTTP/1.1 400 Bad Request'], reply: () => undefined });
      await assert.rejects(junk.dialogue.greeting(junk.conn), ProtocolError);
      const mixed = session('smtp', { greeting: ['220-a', '250 b'], reply: () => undefined });
      await assert.rejects(mixed.dialogue.greeting(mixed.conn), /changes its code/);
    });

    it('goodbye sends QUIT and closes, also when the server hangs up first', async () => {
      const s = session('smtp', { greeting: ['220 x'], reply: table({ QUIT: ['221 bye'] }) });
      await s.dialogue.greeting(s.conn);
      await s.dialogue.goodbye(s.conn);
      assert.deepEqual(s.received, ['QUIT']);
      const gone = session('smtp', { greeting: ['220 x'], reply: () => undefined, closeAfter: () => true });
      await gone.dialogue.greeting(gone.conn);
      await gone.dialogue.goodbye(gone.conn); // never throws
    });
  });

  describe('IMAP', () => {
    it('tags its commands, finds STARTTLS in CAPABILITY, reads the tagged status', async () => {
      const s = session('imap', {
        greeting: ['* OK [CAPABILITY IMAP4rev1] ready'],
        reply: (c) => {
          const [tag, cmd] = c.split(' ');
          if (cmd === 'CAPABILITY') return ['* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED', `${tag} OK done`];
          if (cmd === 'STARTTLS') return [`${tag} OK Begin TLS negotiation now`];
          return [`${tag} BAD what`];
        },
      });
      assert.equal((await s.dialogue.greeting(s.conn)).ok, true);
      assert.deepEqual([(await s.dialogue.capabilities(s.conn)).starttls], [true]);
      assert.equal((await s.dialogue.startTls(s.conn)).ok, true);
      assert.deepEqual(s.received, ['a1 CAPABILITY', 'a2 STARTTLS']);
    });

    it("reads STARTTLS from the greeting's CAPABILITY code only when the code lists it as a word", async () => {
      const offers = async (greeting: string) => {
        const s = session('imap', { greeting: [greeting], reply: () => undefined });
        return (await s.dialogue.greeting(s.conn)).offersStartTls;
      };
      assert.equal(await offers('* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN] Dovecot ready.'), true);
      assert.equal(await offers('* ok [capability imap4rev1 starttls] ready'), true);
      assert.equal(await offers('* OK [CAPABILITY IMAP4rev1 STARTTLS]'), true);
      assert.equal(await offers('* OK [CAPABILITY IMAP4rev1 SASL-IR] ready'), false);
      assert.equal(await offers('* OK [CAPABILITY IMAP4rev1 X-STARTTLSX] ready'), false);
      // Only a response code counts: the greeting's free text is not a capability list.
      assert.equal(await offers('* OK ready, STARTTLS available'), undefined);
      assert.equal(await offers('* OK [ALERT] [CAPABILITY IMAP4rev1 STARTTLS] ready'), undefined);
      assert.equal(await offers('* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in'), undefined);
    });

    it('* BYE is busy, a NO to STARTTLS is a refusal, a non-IMAP greeting is a protocol error', async () => {
      const bye = session('imap', { greeting: ['* BYE too many connections'], reply: () => undefined });
      assert.deepEqual(await bye.dialogue.greeting(bye.conn), { ok: false, busy: true, lines: ['* BYE too many connections'] });
      const no = session('imap', { greeting: ['* OK x'], reply: (c) => [`${c.split(' ')[0]} NO [UNAVAILABLE] no TLS`] });
      await no.dialogue.greeting(no.conn);
      assert.equal((await no.dialogue.startTls(no.conn)).ok, false);
      const junk = session('imap', { greeting: ['+OK pop3 here'], reply: () => undefined });
      await assert.rejects(junk.dialogue.greeting(junk.conn), /not an IMAP greeting/);
    });
  });

  describe('POP3', () => {
    it('CAPA with STLS, then STLS', async () => {
      const s = session('pop3', { greeting: ['+OK ready'], reply: table({ CAPA: ['+OK list follows', 'USER', 'STLS', '.'], STLS: ['+OK begin TLS'] }) });
      assert.equal((await s.dialogue.greeting(s.conn)).ok, true);
      const caps = await s.dialogue.capabilities(s.conn);
      assert.deepEqual([caps.starttls, caps.known, caps.lines.length], [true, true, 4]);
      assert.equal((await s.dialogue.startTls(s.conn)).ok, true);
    });

    it('no CAPA is unknown capabilities (STLS may still work); -ERR greeting; a bare "+" is no reply', async () => {
      const old = session('pop3', { greeting: ['+OK old'], reply: table({ CAPA: ['-ERR unknown command'] }) });
      await old.dialogue.greeting(old.conn);
      const caps = await old.dialogue.capabilities(old.conn);
      assert.deepEqual([caps.starttls, caps.known], [false, false]);
      const err = session('pop3', { greeting: ['-ERR [SYS/TEMP] busy'], reply: () => undefined });
      assert.equal((await err.dialogue.greeting(err.conn)).ok, false);
      const bare = session('pop3', { greeting: ['+ hello'], reply: () => undefined });
      await assert.rejects(bare.dialogue.greeting(bare.conn), /not a POP3 reply/);
    });
  });

  it('a silent server times out the step', async () => {
    const s = session('smtp', { greeting: [], reply: () => undefined }, 100);
    await assert.rejects(s.dialogue.greeting(s.conn), /greeting/);
  });
});
