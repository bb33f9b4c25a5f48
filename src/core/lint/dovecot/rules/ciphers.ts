/**
 * ssl_cipher_list is an OpenSSL cipher string (TLS 1.2 and below), not one of Postfix's grade names, so the
 * Postfix grade judgement (postfix/rules/cipherGrade.ts) does not apply. What is judged: words that add suites
 * giving no real protection, named without `!`/`-` (which remove them), and `@SECLEVEL=0`. Suite names go
 * through the probe's weak-cipher rule (probe/tlsRules.ts), without its forward-secrecy test (a list that names
 * a static-RSA suite is a preference, not a weakness of the same weight). Dovecot's default
 * (ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH) passes.
 */
import { printable } from '../../../endpoint';
import { weakCipherReason } from '../../../probe/tlsRules';
import { lineEvidence, replaceValue, report, type DovecotContext } from '../context';
import { isOpaque } from '../template';

/**
 * A kind of weak suite: the keyword that adds it, the suite names that belong to it, and the keywords whose `!X`
 * (anywhere: OpenSSL deletes those suites for good) or `-X` (after it: removed, until something adds them again)
 * takes it out again. `EECDH+aRSA+RC4:...:!RC4` therefore adds no RC4 suite.
 */
interface WeakGroup {
  word: RegExp;
  suite?: RegExp;
  kills: readonly string[];
  why: string;
}

const GROUPS: readonly WeakGroup[] = [
  { word: /^(eNULL|NULL)$/i, suite: /NULL/i, kills: ['enull', 'null'], why: 'suites without encryption' },
  {
    word: /^(aNULL|ADH|AECDH|COMPLEMENTOFALL)$/i,
    suite: /^(ADH|AECDH)|ANON/i,
    kills: ['anull'],
    why: 'anonymous suites: the server is not authenticated, anyone in the middle can read along',
  },
  { word: /^(EXP|EXPORT|EXPORT40|EXPORT56)$/i, suite: /^EXP/i, kills: ['exp', 'export'], why: 'EXPORT suites of 40 or 56 bits' },
  { word: /^LOW$/i, kills: ['low'], why: 'LOW suites (single DES, 64-bit)' },
  { word: /^RC4$/i, suite: /RC4/i, kills: ['rc4'], why: 'RC4, forbidden by RFC 7465' },
  { word: /^3DES$/i, suite: /DES-CBC3|3DES|DES_EDE/i, kills: ['3des'], why: '3DES (Sweet32)' },
  { word: /^DES$/i, suite: /DES/i, kills: ['des', 'low'], why: 'single DES' },
  { word: /^MD5$/i, suite: /MD5$/i, kills: ['md5'], why: 'suites with an MD5 MAC' },
  { word: /^@SECLEVEL=0$/i, kills: [], why: "OpenSSL security level 0, which re-enables everything OpenSSL's defaults refuse" },
];

/** The weak words a cipher string adds (and does not take out again), with why; pure. */
export function weakCipherWords(list: string): Array<{ word: string; why: string }> {
  const out: Array<{ word: string; why: string }> = [];
  const tokens = list.split(/[\s:,]+/).filter((t) => t !== '');
  const deleted = new Set(tokens.filter((t) => t.startsWith('!')).map((t) => t.slice(1).toLowerCase()));
  const removedAfter = (i: number, keys: readonly string[]) => tokens.slice(i + 1).some((t) => t.startsWith('-') && keys.includes(t.slice(1).toLowerCase()));
  tokens.forEach((raw, i) => {
    // `!X`/`-X` take suites out; `+X` moves suites already in the list (adds none).
    if (raw.startsWith('!') || raw.startsWith('-') || raw.startsWith('+')) return;
    // `A+B` is an intersection: weak when one of its parts is.
    const parts = raw.split('+');
    for (const part of parts) {
      const word = part.replace(/@STRENGTH$/i, '');
      let group = GROUPS.find((g) => g.word.test(word) || g.word.test(part));
      let why = group?.why;
      if (!group && parts.length === 1 && word.includes('-')) {
        why = weakCipherReason(word, 'TLSv1.3');
        group = why ? GROUPS.find((g) => g.suite?.test(word)) : undefined;
      }
      if (!why) continue;
      const keys = [word.toLowerCase(), ...(group?.kills ?? [])];
      if (keys.some((k) => deleted.has(k)) || removedAfter(i, keys)) continue;
      out.push({ word: raw, why });
      break;
    }
  });
  return out;
}

export function checkCipherList(ctx: DovecotContext): void {
  for (const s of ctx.conf.settings) {
    // A templated list (`{{ dovecot_ciphers | default('...') }}`) is decided when the file is rendered.
    if (s.name !== 'ssl_cipher_list' || isOpaque(s.value)) continue;
    const weak = weakCipherWords(s.value);
    if (weak.length === 0) continue;
    const bad = new Set(weak.map((w) => w.word));
    // OpenSSL also separates by spaces and commas (as weakCipherWords reads the list): split the same way, so the
    // edit really drops the words it names; the rest is rejoined with ':'.
    const kept = s.value
      .split(/[\s:,]+/)
      .filter((w) => w !== '' && !bad.has(w))
      .join(':');
    const keptHasSuites = kept.split(/[\s:,]+/).some((w) => w !== '' && !w.startsWith('!') && !w.startsWith('-') && !w.startsWith('@'));
    report(ctx, 'dovecot.weak-ciphers', {
      severity: 'warning',
      title: `ssl_cipher_list enables weak ciphers: ${weak.map((w) => printable(w.word, 30)).join(', ')}.`,
      detail:
        `${weak.map((w) => `${printable(w.word, 30)}: ${w.why}`).join('; ')}. A client that offers them (or an attacker ` +
        "who downgrades one) gets a connection that does not protect the password or the mail. Dovecot's default list " +
        'already leaves all of these out. The list applies to TLS 1.2 and below (ssl_cipher_suites is for TLS 1.3).',
      fix: `Remove ${weak.length > 1 ? 'them' : 'it'} from ssl_cipher_list, or remove the ssl_cipher_list line to use Dovecot's default; then \`doveadm reload\`.`,
      range: s.valueRange,
      evidence: [lineEvidence(ctx, s)],
      // Only when suites remain (an emptied list would not be Dovecot's default, it would be an error).
      edits: s.valueLiteral && keptHasSuites ? [replaceValue(s, kept)] : undefined,
      editTitle: 'Remove the weak ciphers',
    });
  }
}
