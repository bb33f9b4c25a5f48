/**
 * What each protocol's server says, and how to tell the client's commands apart, so every hostile behaviour can
 * be served over SMTP, IMAP and POP3 alike. Kept minimal: enough for a TLS probe's dialogue, nothing more.
 */
import type { Protocol } from '../../../src/core/endpoint';

export type CommandKind = 'capability' | 'starttls' | 'quit' | 'other';

export interface Command {
  kind: CommandKind;
  /** IMAP tag ('' for SMTP and POP3), echoed in tagged replies. */
  tag: string;
}

export interface Phrases {
  greeting: string;
  /** Capability reply; `secure` drops the STARTTLS advertisement, as real servers do after the upgrade. */
  capabilities(tag: string, secure: boolean): string;
  startTlsAck(tag: string): string;
  quitReply(tag: string): string;
  unknown(tag: string): string;
  /** A "too busy" greeting (SMTP 421), the signal a polite client backs off on. */
  busy: string;
  /** The start of a multi-line reply, and the line the endless variant repeats. */
  multiLineStart(tag: string): string;
  multiLineItem(i: number): string;
  parse(line: string): Command;
}

const smtp: Phrases = {
  greeting: '220 hostile.test ESMTP lab\r\n',
  capabilities: (_t, secure) => `250-hostile.test\r\n250-PIPELINING\r\n${secure ? '' : '250-STARTTLS\r\n'}250 8BITMIME\r\n`,
  startTlsAck: () => '220 2.0.0 Ready to start TLS\r\n',
  quitReply: () => '221 2.0.0 Bye\r\n',
  unknown: () => '502 5.5.2 Error: command not recognized\r\n',
  busy: '421 4.7.0 hostile.test Error: too many connections from your address\r\n',
  multiLineStart: () => '250-hostile.test\r\n',
  multiLineItem: (i) => `250-X-ENDLESS-${i} ${'x'.repeat(40)}\r\n`,
  parse(line) {
    const verb = line.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    if (verb === 'EHLO' || verb === 'HELO') return { kind: 'capability', tag: '' };
    if (verb === 'STARTTLS') return { kind: 'starttls', tag: '' };
    if (verb === 'QUIT') return { kind: 'quit', tag: '' };
    return { kind: 'other', tag: '' };
  },
};

const imap: Phrases = {
  greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS] hostile.test IMAP lab\r\n',
  capabilities: (t, secure) => `* CAPABILITY IMAP4rev1${secure ? '' : ' STARTTLS'} LOGINDISABLED\r\n${t} OK done\r\n`,
  startTlsAck: (t) => `${t} OK Begin TLS negotiation now\r\n`,
  quitReply: (t) => `* BYE logging out\r\n${t} OK done\r\n`,
  unknown: (t) => `${t} BAD unknown command\r\n`,
  busy: '* BYE [UNAVAILABLE] too many connections from your address\r\n',
  multiLineStart: () => '* CAPABILITY IMAP4rev1\r\n',
  multiLineItem: (i) => `* CAPABILITY X-ENDLESS-${i} ${'x'.repeat(40)}\r\n`,
  parse(line) {
    const [tag = '', verb = ''] = line.trim().split(/\s+/);
    const v = verb.toUpperCase();
    const kind: CommandKind = v === 'CAPABILITY' ? 'capability' : v === 'STARTTLS' ? 'starttls' : v === 'LOGOUT' ? 'quit' : 'other';
    return { kind, tag: tag || '*' };
  },
};

const pop3: Phrases = {
  greeting: '+OK hostile.test POP3 lab\r\n',
  capabilities: (_t, secure) => `+OK capability list follows\r\nUSER\r\n${secure ? '' : 'STLS\r\n'}.\r\n`,
  startTlsAck: () => '+OK Begin TLS negotiation now\r\n',
  quitReply: () => '+OK bye\r\n',
  unknown: () => '-ERR unknown command\r\n',
  busy: '-ERR [IN-USE] too many connections from your address\r\n',
  multiLineStart: () => '+OK capability list follows\r\n',
  // Never the lone "." that would end the list.
  multiLineItem: (i) => `X-ENDLESS-${i} ${'x'.repeat(40)}\r\n`,
  parse(line) {
    const verb = line.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    if (verb === 'CAPA') return { kind: 'capability', tag: '' };
    if (verb === 'STLS') return { kind: 'starttls', tag: '' };
    if (verb === 'QUIT') return { kind: 'quit', tag: '' };
    return { kind: 'other', tag: '' };
  },
};

export const PHRASES: Readonly<Record<Protocol, Phrases>> = { smtp, imap, pop3 };
