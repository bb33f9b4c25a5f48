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

const GROUPS: ReadonlyArray<[RegExp, string]> = [
  [/^(eNULL|NULL)$/i, 'suites without encryption'],
  [/^(aNULL|ADH|AECDH|COMPLEMENTOFALL)$/i, 'anonymous suites: the server is not authenticated, anyone in the middle can read along'],
  [/^(EXP|EXPORT|EXPORT40|EXPORT56)$/i, 'EXPORT suites of 40 or 56 bits'],
  [/^LOW$/i, 'LOW suites (single DES, 64-bit)'],
  [/^RC4$/i, 'RC4, forbidden by RFC 7465'],
  [/^(DES|3DES)$/i, 'DES and 3DES (Sweet32)'],
  [/^MD5$/i, 'suites with an MD5 MAC'],
  [/^@SECLEVEL=0$/i, "OpenSSL security level 0, which re-enables everything OpenSSL's defaults refuse"],
];

/** The weak words a cipher string adds, with why; pure. */
export function weakCipherWords(list: string): Array<{ word: string; why: string }> {
  const out: Array<{ word: string; why: string }> = [];
  for (const raw of list.split(/[\s:,]+/)) {
    if (raw === '' || raw.startsWith('!') || raw.startsWith('-')) continue;
    // `+WORD` moves suites already in the list (adds none); `A+B` is an intersection: judged by its parts.
    if (raw.startsWith('+')) continue;
    const parts = raw.split('+');
    for (const part of parts) {
      const word = part.replace(/@STRENGTH$/i, '');
      const group = GROUPS.find(([re]) => re.test(word) || re.test(part));
      if (group) {
        out.push({ word: raw, why: group[1] });
        break;
      }
      if (parts.length === 1 && /-/.test(word)) {
        const why = weakCipherReason(word, 'TLSv1.3');
        if (why) out.push({ word: raw, why });
      }
    }
  }
  return out;
}

export function checkCipherList(ctx: DovecotContext): void {
  for (const s of ctx.conf.settings) {
    if (s.name !== 'ssl_cipher_list') continue;
    const weak = weakCipherWords(s.value);
    if (weak.length === 0) continue;
    const bad = new Set(weak.map((w) => w.word));
    const kept = s.value
      .split(':')
      .filter((w) => !bad.has(w.trim()))
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
