/** Small readings of Dovecot values shared by the rules. */
import type { DovecotContext } from '../context';
import { globalValue } from '../context';
import type { DovecotSetting } from '../parser';
import { isOpaque } from '../template';

/** Dovecot's booleans (settings-parser.c): yes/y/1 and no/n/0, any case; undefined for anything else. */
export function bool(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'yes' || t === 'y' || t === '1') return true;
  if (t === 'no' || t === 'n' || t === '0') return false;
  return undefined;
}

/** The protocol a setting is narrowed to by a `protocol NAME { }` filter, if any. */
export function protocolOf(s: DovecotSetting): string | undefined {
  for (let i = s.sections.length - 1; i >= 0; i--) if (s.sections[i].name === 'protocol') return s.sections[i].arg.toLowerCase();
  return undefined;
}

/** Whether IMAP or POP3 may be served: `protocols` names one (or cannot be read, templated: Dovecot's default has both). */
export function servesMailboxes(ctx: DovecotContext): boolean {
  return serves(ctx, 'imap') || serves(ctx, 'pop3');
}

/** Dovecot's built-in `protocols` (upstream; Debian builds it empty and adds each installed one in protocols.d). */
const DEFAULT_PROTOCOLS = new Set(['imap', 'pop3', 'lmtp']);

/**
 * Whether `protocols` may include `name`: what Dovecot ends up with after every global `protocols` line, each
 * `$protocols` standing for the value before (Debian's protocols.d: `protocols = $protocols imap`), the built-in
 * default where nothing came before. Unreadable (another `$name`, a template): it may.
 */
export function serves(ctx: DovecotContext, name: string): boolean {
  let words: Set<string> | undefined;
  let withDefault = true;
  for (const s of ctx.all) {
    if (s.name !== 'protocols' || s.sections.length > 0) continue;
    if (isOpaque(s.value) || /\$(?!protocols\b)/.test(s.value)) return true;
    const next = new Set<string>();
    let keepsDefault = false;
    for (const w of s.value.toLowerCase().split(/[\s,]+/)) {
      if (w === '$protocols') {
        for (const x of words ?? []) next.add(x);
        keepsDefault ||= withDefault;
      } else if (w !== '') next.add(w);
    }
    words = next;
    withDefault = keepsDefault;
  }
  if (words?.has(name)) return true;
  return withDefault && DEFAULT_PROTOCOLS.has(name);
}

/** `listen` names only loopback addresses (the default, `*, ::`, is every interface). */
export function listensOnLoopbackOnly(ctx: DovecotContext): boolean {
  const l = globalValue(ctx, 'listen');
  if (l === undefined) return false;
  const addrs = l.split(/[\s,]+/).filter(Boolean);
  return addrs.length > 0 && addrs.every((a) => /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i.test(a));
}

/** In the version's syntax, or both when the version is unknown. */
export function inVersion(ctx: DovecotContext, v23: string, v24: string): string {
  if (ctx.version.version === '2.3') return v23;
  if (ctx.version.version === '2.4') return v24;
  return `Dovecot 2.3: ${v23}; Dovecot 2.4: ${v24}`;
}
