/**
 * Rules for a TLS policy table (smtp_tls_policy_maps), following Postfix's reader (smtp_tls_policy.c,
 * tls_policy_lookup_one): an entry Postfix cannot read makes the destination's level "invalid", and every
 * delivery to it is deferred with "4.7.5 client TLS configuration problem" (it never falls back to main.cf's
 * level). Protocol lists are judged by the same analysis and version knowledge as main.cf's (protocols.ts,
 * version.ts); only the wording and the list separator (colons) are the table's.
 */
import type { Range, Severity } from '../../../finding';
import { printable } from '../../../endpoint';
import { report, RuleContext, shown } from '../context';
import type { ReferencingMainCf } from '../policyMapLinter';
import type { PolicyAttribute, PolicyEntry, PolicyMap } from '../policyMapParser';
import { analyzeProtocols } from '../protocols';
import { parseDestinations } from '../destinations';
import { exclusionList } from './protocols';
import { judgeGrade } from './cipherGrade';
import { describeKnowledge, knownVersion, knowsBounds, tls12Value, versionAtLeast } from '../version';

/** tls_level.c: the names Postfix reads as a security level (case-insensitive). */
const LEVELS = ['none', 'may', 'encrypt', 'dane', 'dane-only', 'fingerprint', 'verify', 'secure'] as const;
type Level = (typeof LEVELS)[number];

export function isPolicyLevel(text: string): boolean {
  return (LEVELS as readonly string[]).includes(text.toLowerCase());
}

/** The level a misspelt level word means when only its case, `-` or `_` differ (`dane_only`, `DaneOnly`): unambiguous. */
export function respelledLevel(text: string): Level | undefined {
  const t = text.toLowerCase().replace(/[-_]/g, '');
  return LEVELS.find((l) => l.replace('-', '') === t);
}

/** Attributes Postfix reads, the release that added each, and whether it may be given more than once. */
const ATTRIBUTES: Record<string, { since: [number, number]; multiple: boolean }> = {
  ciphers: { since: [2, 6], multiple: false },
  protocols: { since: [2, 6], multiple: false },
  exclude: { since: [2, 6], multiple: false },
  match: { since: [2, 3], multiple: true },
  tafile: { since: [2, 11], multiple: true },
  connection_reuse: { since: [3, 4], multiple: true },
  servername: { since: [3, 4], multiple: false },
  enable_rpk: { since: [3, 9], multiple: true },
  // TLSRPT attributes an external policy source (an MTA-STS resolver) returns; Postfix 3.10.
  policy_type: { since: [3, 10], multiple: false },
  policy_domain: { since: [3, 10], multiple: false },
  policy_string: { since: [3, 10], multiple: true },
  mx_host_pattern: { since: [3, 10], multiple: true },
  policy_ttl: { since: [3, 10], multiple: false },
  policy_failure: { since: [3, 10], multiple: false },
};

const DEFERRED =
  'Postfix marks the destination\'s policy invalid and defers every message to it ("4.7.5 client TLS configuration ' +
  'problem" in the mail log, after a warning naming this entry); main.cf\'s level is not used instead.';

export function checkPolicyMap(ctx: RuleContext, map: PolicyMap, main: ReferencingMainCf | undefined): void {
  checkProblems(ctx, map);
  for (const e of map.entries) {
    checkKey(ctx, e);
    const level = checkLevel(ctx, e);
    if (!level) continue;
    if (level === 'none') {
      for (const a of e.attributes) {
        report(ctx, 'postfix.policy-map-attribute', {
          severity: 'info',
          title: `"${printable(tokenText(a), 60)}" has no effect: the level of ${printable(e.key, 80)} is none.`,
          detail: 'At level none Postfix ignores every attribute and logs "ignoring attribute ... with TLS disabled".',
          fix: 'Remove the attribute, or choose the level the attribute was meant for.',
          range: a.range,
          evidence: [entryText(e)],
        });
      }
      continue;
    }
    if (!checkAttributes(ctx, e, level)) continue;
    checkEntryProtocols(ctx, e, level);
    checkEntryCiphers(ctx, e, level, main);
    if (main) checkAgainstMainCf(ctx, e, level, main);
  }
}

function checkProblems(ctx: RuleContext, map: PolicyMap): void {
  for (const p of map.problems) {
    const line = `line ${p.firstLine + 1}: ${printable(p.excerpt, 120)}`;
    if (p.kind === 'duplicate-key') {
      report(ctx, 'postfix.policy-map-syntax', {
        severity: 'warning',
        title: `A second entry for the same key: postmap keeps the first one (line ${(p.winnerLine ?? 0) + 1}) and ignores this one.`,
        detail: 'postmap warns "duplicate entry" and the lookup table holds only the first value (keys are compared without case).',
        fix: 'Merge the two entries into one, or delete the one you do not want.',
        range: p.range,
        evidence: [line],
      });
    } else if (p.kind === 'no-value') {
      report(ctx, 'postfix.policy-map-syntax', {
        severity: 'warning',
        title: 'This entry has a key but no security level, so postmap ignores it.',
        detail:
          'postmap warns "expected format: key whitespace value -- ignoring this line": the destination gets ' + "main.cf's smtp_tls_security_level instead.",
        fix: 'Write the entry as "destination level [attributes]" on one line (continuation lines start with white space).',
        range: p.range,
        evidence: [line],
      });
    } else {
      report(ctx, 'postfix.policy-map-syntax', {
        severity: 'warning',
        title: 'This line starts with white space but continues no entry, so it is ignored.',
        detail:
          'A line that starts with white space continues the entry above it; at the start of the file (or after only ' +
          'comments) there is none, and the line is not an entry of its own.',
        fix: 'Remove the leading white space.',
        range: p.range,
        evidence: [line],
      });
    }
  }
}

/**
 * A next-hop key with text after "]" that is not ":port" (`[relay.example](http://...)`, a pasted Markdown link) is
 * read by the same parser as relayhost (destinations.ts): no delivery ever looks it up, since Postfix's SMTP client
 * stops on such a next-hop ("garbage after "]"") before any policy lookup, and a well-formed next-hop never equals it.
 */
function checkKey(ctx: RuleContext, e: PolicyEntry): void {
  if (!e.key.startsWith('[')) return;
  const d = parseDestinations(e.key)[0];
  if (!d?.garbage) return;
  report(ctx, 'postfix.policy-map-syntax', {
    severity: 'warning',
    title: `The key "${printable(e.key.slice(0, d.garbage.start), 80)}..." has text after "]" that is not ":port": no delivery ever uses this entry.`,
    detail:
      'The table is looked up with the next-hop exactly as written in relayhost or the transport table ([host] or [host]:port). ' +
      `Here "${printable(d.garbage.text, 80)}" follows "]": a next-hop written like that stops Postfix's SMTP client ("garbage after "]" ` +
      'in server description") before any policy lookup, and a well-formed next-hop never equals this key, so the policy meant for ' +
      'the host is not applied.',
    fix: 'Delete the text after "]" (keep [host] or [host]:port, as the next-hop is written), then run postmap on the table.',
    range: e.keyRange,
    evidence: [entryText(e)],
  });
}

function checkLevel(ctx: RuleContext, e: PolicyEntry): Level | undefined {
  if (!e.level) return undefined;
  const t = e.level.text.toLowerCase();
  if (t.startsWith('#')) {
    commentAfterEntry(ctx, e, e.level.range, 'postfix.policy-map-level');
    return undefined;
  }
  if (isPolicyLevel(t)) {
    const know = knownVersion(ctx);
    const since: [number, number] | undefined = t === 'dane' || t === 'dane-only' ? [2, 11] : t === 'fingerprint' ? [2, 5] : undefined;
    if (since && know.version && !know.atLeast && !versionAtLeast(know.version, since[0], since[1])) {
      report(ctx, 'postfix.policy-map-level', {
        severity: 'error',
        title: `Level ${t} needs Postfix ${since[0]}.${since[1]} or later; ${describeKnowledge(know)} does not know it.`,
        detail: `Postfix logs "invalid security level" for this entry. ${DEFERRED}`,
        fix: 'Use a level this Postfix knows (verify or secure with smtp_tls_CAfile, or encrypt), or upgrade Postfix.',
        range: e.level.range,
        evidence: [entryText(e), describeKnowledge(know)],
      });
      return undefined;
    }
    return t as Level;
  }
  const near = respelledLevel(t) ?? suggestion(t);
  report(ctx, 'postfix.policy-map-level', {
    severity: 'error',
    title: `"${printable(e.level.text, 60)}" is not a TLS security level${near ? ` (did you mean ${near}?)` : ''}.`,
    detail: `Postfix logs "invalid security level" for ${printable(e.key, 80)}. ${DEFERRED} The levels are ${LEVELS.join(', ')}.`,
    fix: near ? `Write ${near}.` : `Write one of ${LEVELS.join(', ')}.`,
    range: e.level.range,
    evidence: [entryText(e)],
    // Only an unambiguous spelling fix: the level the author meant, not a different one.
    edits: near && near.replace('-', '') === t.replace(/[-_]/g, '') ? [{ range: e.level.range, newText: near }] : undefined,
    editTitle: near ? `Write ${near}` : undefined,
  });
  return undefined;
}

function suggestion(t: string): Level | undefined {
  if (t === 'must') return undefined; // the old smtp_tls_per_site keyword: verify, but the user must choose
  return LEVELS.find((l) => l.length > 3 && (t.startsWith(l) || l.startsWith(t)) && Math.abs(l.length - t.length) <= 2);
}

/** Returns false when an attribute makes the entry invalid (later rules would judge a policy Postfix never uses). */
function checkAttributes(ctx: RuleContext, e: PolicyEntry, level: Level): boolean {
  const know = knownVersion(ctx);
  const seen = new Map<string, PolicyAttribute>();
  let valid = true;
  const bad = (a: PolicyAttribute, title: string, why: string, fix: string) => {
    valid = false;
    report(ctx, 'postfix.policy-map-attribute', {
      severity: 'error',
      title,
      detail: `${why} ${DEFERRED}`,
      fix,
      range: a.range,
      evidence: [entryText(e)],
    });
  };
  let commentLine = -1;
  for (const a of e.attributes) {
    // The words of a comment after the entry: one finding for all of them (below), not one per word.
    if (a.range.start.line === commentLine) continue;
    if (a.name.startsWith('#')) {
      valid = false;
      commentLine = a.range.start.line;
      commentAfterEntry(ctx, e, a.range, 'postfix.policy-map-attribute');
      continue;
    }
    const token = printable(tokenText(a), 80);
    if (a.malformed) {
      bad(
        a,
        `"${token}" is not of the form name=value (${a.malformed}).`,
        'Postfix logs "malformed attribute/value pair".',
        'Attributes are name=value with no blank around "="; separate several values of one attribute with colons ' +
          '(":"; "|" between fingerprints), never with blanks or commas.',
      );
      continue;
    }
    if (a.braced) {
      // Postfix 3.7 (seen live, test/integration/postfixPolicyMapLive.test.ts) splits the value at blanks and
      // rejects "{" ("malformed attribute/value pair"); the current source reads { name = value } as one attribute.
      const old = know.version !== undefined && !know.atLeast && !versionAtLeast(know.version, 3, 8);
      report(ctx, 'postfix.policy-map-attribute', {
        severity: old ? 'error' : 'warning',
        title: `"{ ${printable(a.name, 40)} = ... }": Postfix 3.7 and older do not read braces in a TLS policy entry${old ? '' : ' (is this Postfix newer?)'}.`,
        detail:
          'Postfix 3.7 splits the entry at white space, reads "{" as an attribute without "=" and logs "malformed attribute/value ' +
          `pair"; only recent Postfix releases read { name = value } here. ${DEFERRED}` +
          (know.version ? ` Version: ${describeKnowledge(know)}.` : ''),
        fix: `Write ${printable(a.name, 40)}=value without blanks (several values joined by colons).`,
        range: a.range,
        evidence: [entryText(e)],
        edits: !/\s/.test(a.value) && a.value !== '' ? [{ range: a.range, newText: `${a.name}=${a.value}` }] : undefined,
        editTitle: `Write ${a.name}=${a.value}`,
      });
      if (old) {
        valid = false;
        continue;
      }
    }
    const name = a.name.toLowerCase();
    const spec = ATTRIBUTES[name];
    if (!spec) {
      bad(
        a,
        `"${printable(a.name, 40)}" is not a TLS policy attribute.`,
        'Postfix logs "invalid attribute name".',
        `Use ${Object.keys(ATTRIBUTES).slice(0, 8).join(', ')} (see postconf(5), smtp_tls_policy_maps).`,
      );
      continue;
    }
    if (know.version && !know.atLeast && !versionAtLeast(know.version, spec.since[0], spec.since[1])) {
      bad(
        a,
        `"${name}" needs Postfix ${spec.since[0]}.${spec.since[1]} or later; ${describeKnowledge(know)} does not know it.`,
        'Postfix logs "invalid attribute name".',
        `Remove it, or upgrade Postfix to ${spec.since[0]}.${spec.since[1]} or later.`,
      );
      continue;
    }
    if (!spec.multiple && seen.has(name)) {
      bad(
        a,
        `"${name}" is given twice in this entry.`,
        'Postfix logs "attribute ... is specified multiple times".',
        name === 'protocols' || name === 'ciphers' || name === 'exclude' ? `Give ${name} once, with its values joined by colons.` : `Give ${name} once.`,
      );
      continue;
    }
    seen.set(name, a);
    if (a.value === '' && (name === 'ciphers' || name === 'match' || name === 'tafile')) {
      bad(a, `"${name}" has an empty value.`, 'Postfix logs "attribute ... has empty value".', `Give ${name} a value, or remove it.`);
      continue;
    }
    if (name === 'match' && level !== 'fingerprint' && level !== 'verify' && level !== 'secure') {
      bad(
        a,
        `match= is not allowed at level ${level}: Postfix rejects the whole entry.`,
        `match applies only to the fingerprint, verify and secure levels; Postfix logs "attribute \\"match\\" invalid at security level \\"${level}\\"".`,
        level === 'dane' || level === 'dane-only'
          ? 'Remove match= (DANE matches the TLSA records, not names).'
          : 'Remove match=, or use level secure (names) or fingerprint (digests) if the certificate must be checked; secure needs smtp_tls_CAfile.',
      );
      continue;
    }
    if (name === 'tafile' && level !== 'verify' && level !== 'secure') {
      bad(
        a,
        `tafile= is not allowed at level ${level}: Postfix rejects the whole entry.`,
        `tafile applies only to the verify and secure levels; Postfix logs "attribute \\"tafile\\" invalid at security level \\"${level}\\"".`,
        'Remove tafile=, or use level secure with it.',
      );
      continue;
    }
    if ((name === 'connection_reuse' || name === 'enable_rpk') && !/^(yes|no)$/i.test(a.value)) {
      bad(
        a,
        `${name}=${printable(a.value, 40)}: the value must be yes or no.`,
        'Postfix logs "attribute ... has bad value".',
        `Write ${name}=yes or ${name}=no.`,
      );
      continue;
    }
  }
  return valid;
}

function checkEntryProtocols(ctx: RuleContext, e: PolicyEntry, level: Level): void {
  const a = e.attributes.find((x) => x.name.toLowerCase() === 'protocols');
  if (!a) return;
  const analysis = analyzeProtocols(a.value, 'client');
  const know = knownVersion(ctx);
  const bounds = knowsBounds(know);
  // may (and dane without TLSA records) is opportunistic: a failed handshake is retried in plain text.
  const opportunistic = level === 'may' || level === 'dane';
  const fixValue = tls12Value(ctx).replace(/,\s*/g, ':');
  const evidence = [entryText(e), ...(know.version ? [describeKnowledge(know)] : [])];
  const effect = opportunistic
    ? 'the SMTP client aborts TLS ("Invalid TLS protocol list") and, at an opportunistic level, retries in plain text'
    : `the SMTP client aborts TLS ("Invalid TLS protocol list") and the mandatory level defers the mail`;
  for (const issue of analysis.syntax) {
    report(ctx, 'postfix.protocols-syntax', {
      severity: 'error',
      title: `protocols=${printable(a.value, 60)} has "${printable(issue.token.text, 30)}", which Postfix does not accept.`,
      detail: `${issue.reason}. Postfix rejects the whole list: ${effect}.`,
      fix: `Write protocols=${fixValue} (versions separated by colons; ">=TLSv1.2" only on Postfix 3.6 and later).`,
      range: a.valueRange,
      evidence,
      edits: opportunistic ? undefined : [{ range: a.valueRange, newText: fixValue }],
      editTitle: `Write protocols=${fixValue}`,
    });
  }
  if (analysis.syntax.length > 0) return;
  const boundTok = analysis.tokens.find((t) => /^[<>]=/.test(t.text));
  if (boundTok && bounds === false) {
    const exclusions = exclusionList(analysis.allowed, true).replace(/,/g, ':');
    report(ctx, 'postfix.protocols-syntax', {
      severity: 'error',
      title: `protocols=${printable(a.value, 60)} uses "${printable(boundTok.text, 20)}", a bound that ${describeKnowledge(know)} does not understand.`,
      detail: `The ">=" and "<=" bounds exist since Postfix 3.6; older Postfix rejects the whole list: ${effect}.`,
      fix: `Write the list with exclusions: protocols=${exclusions}.`,
      range: a.valueRange,
      evidence,
      edits: exclusions ? [{ range: a.valueRange, newText: exclusions }] : undefined,
      editTitle: `Write protocols=${exclusions}`,
    });
    return;
  }
  if (analysis.effective.length === 0 || analysis.lostToHole.length > 0 || analysis.droppedByIncludeList.length > 0) {
    const lost = [...analysis.lostToHole, ...analysis.droppedByIncludeList];
    const noModern = analysis.effective.every((v) => v !== 'TLSv1.2' && v !== 'TLSv1.3');
    report(ctx, 'postfix.protocols-gap', {
      severity: noModern ? 'error' : 'warning',
      title:
        analysis.effective.length === 0
          ? `protocols=${printable(a.value, 60)} leaves no TLS version enabled.`
          : `protocols=${printable(a.value, 60)} leaves only ${analysis.effective.join(', ')}: ${lost.join(', ')} ${lost.length > 1 ? 'are' : 'is'} disabled too.`,
      detail:
        'An OpenSSL client offers one contiguous run of versions: excluding a middle version disables every newer one, ' +
        'and an include list turns off every version it does not name' +
        (analysis.droppedByIncludeList.length ? ` (here ${analysis.droppedByIncludeList.join(', ')})` : '') +
        `. What remains: ${analysis.effective.length ? analysis.effective.join(', ') : 'nothing'}.`,
      fix: `Write protocols=${fixValue}.`,
      range: a.valueRange,
      evidence: [...evidence, `OpenSSL enables: ${analysis.effective.length ? analysis.effective.join(', ') : 'nothing'}`],
      edits: noModern && opportunistic ? undefined : [{ range: a.valueRange, newText: fixValue }],
      editTitle: `Write protocols=${fixValue}`,
    });
    return;
  }
  if (analysis.legacy.length > 0) {
    const severity: Severity = opportunistic ? 'info' : 'warning';
    report(ctx, 'postfix.legacy-protocols', {
      severity,
      title: `protocols=${printable(a.value, 60)} permits ${analysis.legacy.join(', ')} for ${printable(e.key, 80)} (level ${level}).`,
      detail:
        (opportunistic
          ? `At level ${level} TLS is opportunistic: Postfix's TLS_README advises against restricting it, since a peer that cannot do ` +
            'TLS 1.2 would then get the mail in plain text. That is why no edit is offered here.'
          : `At level ${level} TLS is mandatory for this destination: there is no plain-text fallback to protect, so deprecated versions only keep the door open to downgrades.`) +
        ' TLS 1.0 and 1.1 are deprecated (RFC 8996); SSLv3 is broken (RFC 7568).',
      fix: opportunistic ? "Leave it, or drop the protocols attribute to use main.cf's smtp_tls_protocols." : `Write protocols=${fixValue}.`,
      range: a.valueRange,
      evidence,
      edits: opportunistic ? undefined : [{ range: a.valueRange, newText: fixValue }],
      editTitle: `Write protocols=${fixValue}`,
    });
  }
}

/**
 * `ciphers=` is the destination's cipher grade: at level may (and dane without usable TLSA records) it replaces
 * smtp_tls_ciphers, at the mandatory levels smtp_tls_mandatory_ciphers (postconf(5), smtp_tls_policy_maps). Judged
 * as main.cf's grade parameters are (cipherGrade.ts), with the level of this entry deciding which one it lowers.
 */
function checkEntryCiphers(ctx: RuleContext, e: PolicyEntry, level: Level, main: ReferencingMainCf | undefined): void {
  const a = e.attributes.find((x) => x.name.toLowerCase() === 'ciphers');
  if (!a) return;
  // dane is mandatory once TLSA records are found; its worst case decides.
  const mandatory = level !== 'may';
  const j = judgeGrade(a.value, mandatory, 'client', main?.scope.definedAt('tls_null_cipherlist') !== undefined);
  if (!j) return;
  const replaces = level === 'may' ? 'smtp_tls_ciphers' : level === 'dane' ? 'smtp_tls_ciphers or smtp_tls_mandatory_ciphers' : 'smtp_tls_mandatory_ciphers';
  report(ctx, j.id, {
    severity: j.severity,
    title:
      j.grade === 'null'
        ? `ciphers=${printable(a.value, 20)} allows no encrypting cipher for ${printable(e.key, 80)} (level ${level}).`
        : j.grade === 'invalid'
          ? `ciphers=${printable(a.value, 20)} is not a cipher grade: Postfix makes no TLS connection to ${printable(e.key, 80)} (level ${level}).`
          : `ciphers=${printable(a.value, 20)} lowers the cipher grade for ${printable(e.key, 80)} (level ${level}) to an obsolete one.`,
    detail:
      `For this destination the attribute replaces main.cf's ${replaces} (default "medium"). ${j.detail}` +
      (level === 'dane' ? ' At level dane TLS is mandatory once usable TLSA records are found, so the mandatory case is judged.' : ''),
    fix: "Write ciphers=medium, or remove the attribute to use main.cf's grade.",
    range: a.valueRange,
    evidence: [entryText(e)],
    edits: [{ range: a.valueRange, newText: 'medium' }],
    editTitle: 'Write ciphers=medium',
  });
}

function checkAgainstMainCf(ctx: RuleContext, e: PolicyEntry, level: Level, main: ReferencingMainCf): void {
  const scope = main.scope;
  const where = `${main.table} in ${main.path}`;
  if (
    (level === 'dane' || level === 'dane-only') &&
    scope.resolved('smtp_dns_support_level').complete &&
    scope.value('smtp_dns_support_level').toLowerCase() !== 'dnssec'
  ) {
    const dns = scope.setting('smtp_dns_support_level');
    report(ctx, 'postfix.dane-without-dnssec', {
      severity: 'warning',
      title: `${printable(e.key, 80)} is at level ${level}, but main.cf has no smtp_dns_support_level = dnssec: DANE is off.`,
      detail:
        'Postfix uses DANE only when its DNS lookups ask for DNSSEC validation (smtp_dns_support_level = dnssec, with a ' +
        'validating resolver on loopback in /etc/resolv.conf and "options trust-ad"). Without it this entry behaves like ' +
        (level === 'dane' ? 'may (opportunistic TLS, no authentication)' : 'an entry that defers every message') +
        '; the only trace is a warning per delivery ("NEXTHOP: ' +
        level +
        ' configured with dnssec lookups disabled", smtp_tls_policy.c).',
      fix:
        `Set smtp_dns_support_level = dnssec in the main.cf that uses this table (${main.path}), run a validating resolver on ` +
        'the host, then `postfix reload`.',
      range: e.level!.range,
      evidence: [entryText(e), `used by ${where}`, dns ? shown(dns) : 'smtp_dns_support_level = (unset: no DNSSEC)'],
    });
  }
  if (level === 'verify' || level === 'secure') {
    const names = ['smtp_tls_CAfile', 'smtp_tls_CApath', 'smtp_tls_trust_anchor_file'];
    if (!names.every((n) => scope.resolved(n).complete)) return;
    if (names.some((n) => scope.value(n) !== '')) return;
    if (e.attributes.some((a) => a.name.toLowerCase() === 'tafile')) return;
    report(ctx, 'postfix.verify-without-ca', {
      severity: 'error',
      title: `${printable(e.key, 80)} is at level ${level}, but main.cf sets no smtp_tls_CAfile or smtp_tls_CApath: its mail is deferred.`,
      detail:
        'With neither smtp_tls_CAfile nor smtp_tls_CApath Postfix loads no CA at all (tls_append_default_CA only adds the ' +
        'system CAs to a CAfile or CApath that is set), so no server certificate is trusted and every delivery to this ' +
        'destination is deferred with "Server certificate not trusted".',
      fix:
        `Set smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt (Debian/Ubuntu; RHEL: /etc/pki/tls/certs/ca-bundle.crt) in ${main.path}, ` +
        'or give this entry tafile=FILE with its trust anchors; then `postfix reload`.',
      range: e.level!.range,
      evidence: [entryText(e), `used by ${where}`, 'smtp_tls_CAfile, smtp_tls_CApath, smtp_tls_trust_anchor_file: (unset)'],
    });
  }
}

/**
 * `example.com secure # our relay`: a table line has no comment after its value (only a line whose first non-blank
 * character is `#` is one), so Postfix reads the words as the level or as attributes and rejects the entry. One
 * finding from the `#` to the end of its line. After the level, the edit moves the comment to a line of its own above
 * the entry, which leaves the entry as written; in place of the level none is offered (without it postmap would
 * ignore the entry, and main.cf's level would apply instead of a deferral nobody chose).
 */
function commentAfterEntry(ctx: RuleContext, e: PolicyEntry, at: Range, id: 'postfix.policy-map-level' | 'postfix.policy-map-attribute'): void {
  const line = ctx.doc.lines[at.start.line] ?? '';
  const end = line.trimEnd().length;
  const comment = line.slice(at.start.character, end);
  let cut = at.start.character;
  while (cut > 0 && (line[cut - 1] === ' ' || line[cut - 1] === '\t')) cut--;
  const asLevel = id === 'postfix.policy-map-level';
  const start = { line: e.keyRange.start.line, character: 0 };
  report(ctx, id, {
    severity: 'error',
    title: `"${printable(comment, 60)}" is read as ${asLevel ? 'the security level' : 'attributes'} of ${printable(e.key, 80)}: a policy table has no comments after an entry.`,
    detail:
      'Only a line whose first non-blank character is "#" is a comment; after the key, Postfix reads the words as the ' +
      `value (${asLevel ? '"invalid security level"' : '"malformed attribute/value pair"'}). ${DEFERRED}`,
    fix: asLevel
      ? 'Write the security level after the key, and put the comment on a line of its own above the entry.'
      : 'Put the comment on a line of its own above the entry.',
    range: { start: at.start, end: { line: at.start.line, character: Math.max(end, at.start.character) } },
    evidence: [entryText(e)],
    edits: asLevel
      ? undefined
      : [
          { range: { start, end: start }, newText: `${comment}${ctx.doc.eol}` },
          { range: { start: { line: at.start.line, character: cut }, end: { line: at.start.line, character: end } }, newText: '' },
        ],
    editTitle: 'Move the comment to its own line',
  });
}

function tokenText(a: PolicyAttribute): string {
  return a.malformed ? a.name || '(empty)' : `${a.name}=${a.value}`;
}

function entryText(e: PolicyEntry): string {
  return printable(`${e.key} ${e.value}`, 200);
}
