import * as assert from 'node:assert/strict';
import { parseProbeArgs } from '../../../src/cli/probe';
import { dialogueFor, looksLikePlaintextGreeting } from '../../../src/core/probe/dialogue';
import { defaultPort, isProtocol, PORT_DEFAULTS, PROTOCOL_NAMES, PROTOCOLS, protocolList, protocolOfGreeting, TLS_MODES } from '../../../src/core/protocols';
import { isMailUrl } from '../../../src/core/lint/hosts';

describe('protocol table', () => {
  it('derives the well-known ports and their modes', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(PORT_DEFAULTS).map(([port, d]) => [port, `${d.protocol}/${d.mode}`])), {
      25: 'smtp/starttls',
      587: 'smtp/starttls',
      2525: 'smtp/starttls',
      465: 'smtp/implicit',
      143: 'imap/starttls',
      993: 'imap/implicit',
      110: 'pop3/starttls',
      995: 'pop3/implicit',
    });
    assert.deepEqual(
      PROTOCOL_NAMES.flatMap((p) => TLS_MODES.map((m) => defaultPort(p, m))),
      [587, 465, 143, 993, 110, 995],
    );
  });

  it('no port belongs to two protocols or modes', () => {
    const ports = PROTOCOL_NAMES.flatMap((p) => TLS_MODES.flatMap((m) => PROTOCOLS[p].ports[m]));
    assert.equal(new Set(ports).size, ports.length);
  });

  it('tells the protocol of a plaintext greeting, busy or not', () => {
    const cases: [string, string | undefined][] = [
      ['220 mx.example.com ESMTP Postfix', 'smtp'],
      ['220-mx.example.com ESMTP', 'smtp'],
      ['421 4.7.0 too many connections', 'smtp'],
      ['554 5.7.1 go away', 'smtp'],
      ['* OK [CAPABILITY IMAP4rev1] Dovecot ready.', 'imap'],
      ['* bye server shutting down', 'imap'],
      ['* PREAUTH welcome', 'imap'],
      ['+OK Dovecot ready.', 'pop3'],
      ['-ERR [SYS/TEMP] busy', 'pop3'],
      ['HTTP/1.1 400 Bad Request', undefined],
      ['250 ok', undefined],
      ['', undefined],
    ];
    for (const [line, p] of cases) {
      assert.equal(protocolOfGreeting(line), p, line);
      assert.equal(looksLikePlaintextGreeting(line), p !== undefined, line);
    }
  });

  it('every protocol has a dialogue, a CLI name and URL schemes', () => {
    for (const p of PROTOCOL_NAMES) {
      const d = dialogueFor(p, 'probe.example');
      for (const step of ['greeting', 'capabilities', 'startTls', 'goodbye'] as const) assert.equal(typeof d[step], 'function', `${p}.${step}`);
      assert.equal(parseProbeArgs(['--protocol', p.toUpperCase(), 'h.example']).protocol, p);
      for (const scheme of PROTOCOLS[p].urlSchemes) assert.ok(isMailUrl(`${scheme}://h.example`), scheme);
    }
    assert.throws(() => parseProbeArgs(['--protocol', 'http', 'h.example']), /--protocol must be smtp, imap or pop3, not "http"/);
    assert.equal(protocolList(), 'smtp, imap or pop3');
    assert.equal(isProtocol('constructor'), false);
    assert.equal(isMailUrl('https://h.example'), false);
  });
});
