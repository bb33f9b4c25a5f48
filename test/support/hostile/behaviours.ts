/**
 * The hostile behaviours. Each replaces one step of an otherwise ordinary mail dialogue, so every one of them
 * works over SMTP, IMAP and POP3, with STARTTLS or implicit TLS (where the step exists in that mode).
 */
import { randomBytes } from 'node:crypto';
import { healthyTls, longChainTls } from './certs';
import { serveMalformedCertificate, type MalformedCertKind } from './rawTls';
import { defaultCapability, type Behaviour, type Conn } from './server';

/** A server that answers like a real one: the baseline, and the target of the limits tests. */
export const healthy = (): Behaviour => ({ name: 'healthy' });

/** Accepts, then says nothing at all. */
export const silent = (): Behaviour => ({ name: 'silent', greet: () => {} });

/** The greeting, one byte at a time (one per second by default): never a whole line within any sane timeout. */
export const drip = (intervalMs = 1000): Behaviour => ({
  name: 'drip',
  greet(c) {
    const text = c.phrases.greeting;
    let i = 0;
    const next = () => {
      c.write(text[i++ % text.length]);
      c.later(intervalMs, next);
    };
    next();
  },
});

/** Answers EHLO / CAPABILITY / CAPA with a multi-line reply that never ends. */
export const endlessCapabilities = (): Behaviour => ({
  name: 'endless-capabilities',
  capability(c, tag) {
    c.write(c.phrases.multiLineStart(tag));
    c.flood((i) => c.phrases.multiLineItem(i));
  },
});

/** A greeting that is one line of `megabytes` MB with no newline (then silence). */
export const hugeLine = (megabytes = 8): Behaviour => ({
  name: 'huge-line',
  greet(c) {
    const chunk = Buffer.alloc(64 * 1024, 'A');
    const chunks = Math.ceil((megabytes * 1024 * 1024) / chunk.length);
    c.write(c.phrases.greeting.slice(0, 4));
    c.flood((i) => (i < chunks ? chunk : null));
  },
});

/** Random bytes instead of a greeting (NULs, high bytes, stray CR/LF and all). */
export const garbage = (kilobytes = 256): Behaviour => ({
  name: 'garbage',
  greet(c) {
    const chunks = Math.ceil(kilobytes / 16);
    c.flood((i) => (i < chunks ? randomBytes(16 * 1024) : null));
  },
});

/** One fixed line of noise instead of a greeting, e.g. one that starts like a status but is not one. */
export const noiseLine = (line: string): Behaviour => ({
  name: 'noise-line',
  greet(c) {
    c.write(`${line}\r\n`);
  },
});

/** Says yes to STARTTLS, then keeps talking plaintext. In implicit mode: plaintext where TLS is due. */
export const startTlsPlaintext = (): Behaviour => {
  const plaintext = (c: Conn) => {
    c.write(c.phrases.greeting);
    c.write(c.phrases.capabilities('*', false));
  };
  return {
    name: 'starttls-plaintext',
    handshake: plaintext,
    startTls(c, tag) {
      c.write(c.phrases.startTlsAck(tag));
      c.later(5, () => plaintext(c));
    },
  };
};

/** A real TLS server that sends a chain of 50 certificates. */
export const longChain = (): Behaviour => ({ name: 'long-chain', tls: longChainTls });

/** A hand-written TLS handshake whose certificate is broken (see rawTls.ts). */
export const malformedCertificate = (kind: MalformedCertKind = 'garbage'): Behaviour => ({
  name: `malformed-cert-${kind}`,
  handshake(c) {
    c.stopListening();
    serveMalformedCertificate(c.raw, kind, healthyTls().leafDer);
  },
});

/** Starts the capability reply, then resets the connection (RST, not FIN) in the middle of a line. */
export const resetMidReply = (): Behaviour => ({
  name: 'reset-mid-reply',
  capability(c, tag) {
    const full = c.phrases.capabilities(tag, c.secure);
    c.write(full.slice(0, Math.max(4, full.length >> 1)));
    c.later(10, () => c.raw.resetAndDestroy());
  },
});

/**
 * Healthy until TLS is up, then fails the first command over TLS (EHLO / CAPABILITY / CAPA): a reset, a plain
 * close, or garbage. What a server looks like when its TLS layer works but the service behind it does not.
 */
export const failAfterTls = (how: 'reset' | 'close' | 'garbage'): Behaviour => ({
  name: `fail-after-tls-${how}`,
  capability(c, tag) {
    if (!c.secure) return defaultCapability(c, tag);
    if (how === 'garbage') return c.write('\u0000\u00ff HTTP/1.1 400 Bad Request\r\n\r\n');
    if (how === 'close') return c.sock.end();
    c.raw.resetAndDestroy();
  },
});

/** Plays along, answers QUIT / LOGOUT, but never closes: not after QUIT, not after the client closes its side. */
export const neverClose = (): Behaviour => ({
  name: 'never-close',
  neverClose: true,
  quit(c, tag) {
    c.write(c.phrases.quitReply(tag));
  },
});

/** Greets with "too many connections" (SMTP 421) and hangs up: the signal to back off. */
export const busy = (): Behaviour => ({
  name: 'busy',
  greet(c) {
    c.write(c.phrases.busy);
    c.later(5, () => c.sock.end());
  },
});

/**
 * Like Postfix's anvil: healthy for up to `limit` simultaneous connections, "421 too many connections" beyond.
 * `busyAt` records when each 421 went out (performance.now()).
 */
export const busyBeyond = (limit: number, holdMs = 100): Behaviour & { busyAt: number[] } => {
  let open = 0;
  const busyAt: number[] = [];
  return {
    name: 'busy-beyond',
    busyAt,
    greet(c) {
      open++;
      c.raw.once('close', () => open--);
      if (open > limit) {
        busyAt.push(performance.now());
        c.write(c.phrases.busy);
        c.later(5, () => c.sock.end());
      } else {
        c.later(holdMs, () => c.write(c.phrases.greeting));
      }
    },
  };
};

/** Healthy, but answers the capability request only after `ms`: keeps connections open so caps show. */
export const slowCapabilities = (ms: number): Behaviour => ({
  name: 'slow-capabilities',
  capability(c, tag) {
    c.later(ms, () => defaultCapability(c, tag));
  },
});

/** Every hostile behaviour of the issue, by name, with the defaults the tests use. */
export const HOSTILE: ReadonlyArray<() => Behaviour> = [
  silent,
  () => drip(),
  endlessCapabilities,
  () => hugeLine(),
  () => garbage(),
  startTlsPlaintext,
  longChain,
  () => malformedCertificate('garbage'),
  () => malformedCertificate('truncated'),
  () => malformedCertificate('bad-framing'),
  resetMidReply,
  neverClose,
];
