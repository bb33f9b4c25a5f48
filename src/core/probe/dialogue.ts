/**
 * The plaintext part of SMTP, IMAP and POP3 that a TLS probe needs: greeting, capabilities, STARTTLS, and a
 * polite goodbye. Nothing else is ever sent: no AUTH, no MAIL, no credentials.
 */
import { protocolOfGreeting, type Protocol } from '../protocols';
import type { Conn } from './conn';
import { ProtocolLimitError } from './lineReader';

export class ProtocolError extends ProtocolLimitError {
  override name = 'ProtocolError';
}

export interface Greeting {
  /** The server is ready for us. */
  ok: boolean;
  /** It turned us away for load (SMTP 421, IMAP BYE): the caller backs off. */
  busy: boolean;
  lines: string[];
  /**
   * The greeting itself lists STARTTLS: IMAP's CAPABILITY response code (RFC 3501 7.1), which Dovecot, Cyrus and
   * Courier send. Clients that read it (Thunderbird) send STARTTLS without asking for the list again.
   */
  offersStartTls?: boolean;
}

export interface Capabilities {
  starttls: boolean;
  /** The server refused even to say hello (SMTP: EHLO and HELO both rejected, e.g. a policy on our name). */
  refused?: boolean;
  /** False when the server has no capability command (old POP3 servers): STARTTLS may work anyway. */
  known: boolean;
  lines: string[];
}

export interface StartTlsReply {
  ok: boolean;
  lines: string[];
}

export interface Dialogue {
  greeting(c: Conn, ms?: number): Promise<Greeting>;
  capabilities(c: Conn): Promise<Capabilities>;
  startTls(c: Conn): Promise<StartTlsReply>;
  /** QUIT / LOGOUT; waits briefly for the answer and never throws. */
  goodbye(c: Conn): Promise<void>;
}

const SMTP_LINE = /^(\d{3})(?:([ -])(.*))?$/;

async function smtpReply(c: Conn, step: string, ms?: number): Promise<{ code: number; lines: string[] }> {
  let code: string | undefined;
  const lines = await c.lines(
    step,
    (l) => {
      const m = SMTP_LINE.exec(l);
      if (!m) throw new ProtocolError(`not an SMTP reply: "${l.slice(0, 80)}"`);
      if (code !== undefined && m[1] !== code) throw new ProtocolError(`the reply changes its code in the middle (${code} then ${m[1]})`);
      code = m[1];
      return m[2] !== '-';
    },
    ms,
  );
  return { code: Number(code), lines };
}

function smtp(ehloName: string): Dialogue {
  return {
    async greeting(c, ms) {
      const r = await smtpReply(c, 'greeting', ms);
      return { ok: r.code === 220, busy: r.code === 421, lines: r.lines };
    },
    async capabilities(c) {
      c.send(`EHLO ${ehloName}`);
      const r = await smtpReply(c, 'EHLO');
      if (r.code === 250) {
        return { starttls: r.lines.slice(1).some((l) => /^250[ -]STARTTLS\s*$/i.test(l)), known: true, lines: r.lines };
      }
      c.send(`HELO ${ehloName}`);
      const h = await smtpReply(c, 'HELO');
      return { starttls: false, known: h.code === 250, refused: h.code !== 250, lines: [...r.lines, ...h.lines] };
    },
    async startTls(c) {
      c.send('STARTTLS');
      const r = await smtpReply(c, 'STARTTLS');
      return { ok: r.code === 220, lines: r.lines };
    },
    async goodbye(c) {
      await politely(c, 'QUIT', () => smtpReply(c, 'QUIT', Math.min(c.timeoutMs, 2000)));
    },
  };
}

function imap(): Dialogue {
  let n = 0;
  const tagged = async (c: Conn, command: string, ms?: number) => {
    const tag = `a${++n}`;
    c.send(`${tag} ${command}`);
    const lines = await c.lines(command, (l) => l.startsWith(`${tag} `), ms);
    const status = lines[lines.length - 1]
      .slice(tag.length + 1)
      .split(' ')[0]
      .toUpperCase();
    return { ok: status === 'OK', lines };
  };
  return {
    async greeting(c, ms) {
      const l = await c.line('greeting', ms);
      if (!/^\* (OK|PREAUTH|BYE)\b/i.test(l)) throw new ProtocolError(`not an IMAP greeting: "${l.slice(0, 80)}"`);
      const bye = /^\* BYE\b/i.test(l);
      const codeCaps = /^\* OK \[CAPABILITY ([^\]]*)\]/i.exec(l)?.[1];
      const g: Greeting = { ok: !bye, busy: bye, lines: [l] };
      if (codeCaps !== undefined) g.offersStartTls = /(^|\s)STARTTLS(\s|$)/i.test(codeCaps);
      return g;
    },
    async capabilities(c) {
      const r = await tagged(c, 'CAPABILITY');
      const caps = r.lines.filter((l) => /^\* CAPABILITY /i.test(l)).join(' ');
      return { starttls: /\sSTARTTLS(\s|$)/i.test(caps), known: r.ok, lines: r.lines };
    },
    async startTls(c) {
      const r = await tagged(c, 'STARTTLS');
      return { ok: r.ok, lines: r.lines };
    },
    async goodbye(c) {
      // The untagged BYE is the answer that matters (RFC 3501 7.1.5). Servers that write BYE and the tagged OK
      // in two segments (Dovecot) would otherwise hold the OK behind our delayed ACK for about 40 ms.
      await politely(c, `a${++n} LOGOUT`, () => c.lines('LOGOUT', (l) => l.startsWith(`a${n} `) || /^\* BYE\b/i.test(l), Math.min(c.timeoutMs, 2000)));
    },
  };
}

function pop3(): Dialogue {
  const single = async (c: Conn, step: string, ms?: number) => {
    const l = await c.line(step, ms);
    // RFC 1939 status indicators are exactly "+OK" and "-ERR": a bare "+" or "-" is noise, not an answer.
    if (!/^(\+OK|-ERR)\b/i.test(l)) throw new ProtocolError(`not a POP3 reply: "${l.slice(0, 80)}"`);
    return { ok: /^\+OK/i.test(l), lines: [l] };
  };
  return {
    async greeting(c, ms) {
      const r = await single(c, 'greeting', ms);
      return { ok: r.ok, busy: false, lines: r.lines };
    },
    async capabilities(c) {
      c.send('CAPA');
      const first = await single(c, 'CAPA');
      if (!first.ok) return { starttls: false, known: false, lines: first.lines };
      const rest = await c.lines('CAPA', (l) => l === '.');
      return { starttls: rest.some((l) => /^STLS\s*$/i.test(l)), known: true, lines: [...first.lines, ...rest] };
    },
    async startTls(c) {
      c.send('STLS');
      return single(c, 'STLS');
    },
    async goodbye(c) {
      await politely(c, 'QUIT', () => single(c, 'QUIT', Math.min(c.timeoutMs, 2000)));
    },
  };
}

async function politely(c: Conn, command: string, read: () => Promise<unknown>): Promise<void> {
  if (c.reader.isClosed || c.socket.destroyed) return;
  try {
    c.send(command);
    await read();
  } catch {
    // The server may hang up first; a goodbye never turns into a finding.
  } finally {
    c.socket.end();
  }
}

/** One dialogue per protocol of the protocol table (src/core/protocols.ts). */
const DIALOGUES: Record<Protocol, (ehloName: string) => Dialogue> = { smtp, imap, pop3 };

export function dialogueFor(protocol: Protocol, ehloName: string): Dialogue {
  return DIALOGUES[protocol](ehloName);
}

/** What a server's first bytes look like when it speaks a plaintext mail protocol (the table's greetings). */
export function looksLikePlaintextGreeting(text: string): boolean {
  return protocolOfGreeting(text) !== undefined;
}
