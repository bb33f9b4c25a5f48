import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintersFor, lintText } from '../../../../../src/core/lint';
import { candidateGlob } from '../../../../../src/core/lint/fileKinds';
import { parsePolicyMap, policyKeyKind } from '../../../../../src/core/lint/postfix/policyMapParser';
import { findReferencingMainCf, postfixPolicyMapLinter } from '../../../../../src/core/lint/postfix/policyMapLinter';
import type { LintHost, LintResult } from '../../../../../src/core/lint/types';
import { applyEdits } from '../../../../support/applyEdits';
import { lint as lintMain, memoryHost, slice } from '../../../../support/postfixLint';

const MAP = '/ws/etc/postfix/tls_policy';
const MAIN = '/ws/etc/postfix/main.cf';
const USES_MAP = 'smtp_tls_policy_maps = hash:/etc/postfix/tls_policy\n';
const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'fixtures', 'postfix');

function lintMap(text: string, mainCf?: string, extra: Partial<LintHost> = {}, mapPath = MAP): LintResult {
  const files: Record<string, string> = { [mapPath]: text };
  if (mainCf !== undefined) files[MAIN] = mainCf;
  return lintText(mapPath, text, memoryHost(files, extra));
}
const ids = (r: LintResult): string[] => r.findings.map((f) => f.id);
function only(r: LintResult, id: string) {
  const fs = r.findings.filter((f) => f.id === id);
  assert.equal(fs.length, 1, `expected one ${id}, got ${JSON.stringify(r.findings.map((f) => [f.id, f.title]))}`);
  return fs[0];
}
/** Applies the finding's edits and checks the same finding is gone; returns the new text. */
function fixes(text: string, id: string, mainCf?: string, extra: Partial<LintHost> = {}): string {
  const f = only(lintMap(text, mainCf, extra), id);
  assert.ok(f.edits?.length && f.editTitle, `${id} has no edit`);
  const fixed = applyEdits(text, f.edits);
  assert.ok(!ids(lintMap(fixed, mainCf, extra)).includes(id), `${id} still reported after its edit:\n${fixed}`);
  return fixed;
}

describe('postfix TLS policy table: parser', () => {
  it('reads entries the way postmap does: continuation lines, comments inside an entry, first duplicate wins, keys without value ignored', () => {
    const text =
      '# head\nExample.COM   secure match=.example.com\n   protocols=!SSLv2:!SSLv3\n# inside\n  ciphers=high\n\nlonely\n[mail.example.org]:587 encrypt\nexample.com may\n';
    const m = parsePolicyMap(text);
    assert.deepEqual(
      m.entries.map((e) => [e.key, e.level?.text, e.attributes.map((a) => `${a.name}=${a.value}`)]),
      [
        ['Example.COM', 'secure', ['match=.example.com', 'protocols=!SSLv2:!SSLv3', 'ciphers=high']],
        ['[mail.example.org]:587', 'encrypt', []],
      ],
    );
    assert.deepEqual(
      m.problems.map((p) => [p.kind, p.firstLine]),
      [
        ['no-value', 6],
        ['duplicate-key', 8],
      ],
    );
    // Ranges land on the physical lines, across continuations.
    const e = m.entries[0];
    assert.equal(slice(text, e.keyRange), 'Example.COM');
    assert.equal(slice(text, e.attributes[1].range), 'protocols=!SSLv2:!SSLv3');
    assert.equal(slice(text, e.attributes[2].valueRange), 'high');
    assert.equal(e.attributes[2].range.start.line, 4);
  });

  it('splits the value at blanks and commas, keeps { name = value } together, and names malformed attributes', () => {
    const m = parsePolicyMap('a.example secure,match=nexthop, { match = dot-nexthop } ciphers\nb.example encrypt =x {match=y\n');
    const a = m.entries[0].attributes;
    assert.deepEqual(
      a.map((x) => [x.name, x.value, x.malformed]),
      [
        ['match', 'nexthop', undefined],
        ['match', 'dot-nexthop', undefined],
        ['ciphers', '', 'missing "=" after attribute name'],
      ],
    );
    assert.deepEqual(
      m.entries[1].attributes.map((x) => x.malformed),
      ['missing attribute name', 'missing "}"'],
    );
  });

  it('an indented first line continues nothing', () => {
    const m = parsePolicyMap('  example.com secure\nexample.net may\n');
    assert.deepEqual(
      m.problems.map((p) => p.kind),
      ['orphan-continuation'],
    );
    assert.deepEqual(
      m.entries.map((e) => e.key),
      ['example.net'],
    );
  });

  it('tells domains, parent-domain keys and next-hops apart', () => {
    assert.equal(policyKeyKind('example.com'), 'domain');
    assert.equal(policyKeyKind('.example.com'), 'subdomains');
    assert.equal(policyKeyKind('[mx.example.com]'), 'nexthop');
    assert.equal(policyKeyKind('[mx.example.com]:587'), 'nexthop');
    assert.equal(policyKeyKind('relay.example.com:submission'), 'nexthop');
  });
});

describe('postfix TLS policy table: which files', () => {
  it('claims the conventional names when the text reads as a policy table, never a lookup-client .cf or other files', () => {
    const table = 'example.com secure\n';
    for (const n of ['tls_policy', 'tls_policy_map', 'tls_policy_maps', 'tls-policy', 'smtp_tls_policy']) {
      assert.deepEqual(
        lintersFor(`/ws/etc/postfix/${n}`, table).map((l) => l.format),
        ['postfix-policy-map'],
        n,
      );
    }
    for (const n of ['mysql_tls_policy.cf', 'tls_policy.db', 'tls_policy.lmdb', 'transport', 'tls_policy.pcre', 'policy']) {
      assert.ok(!lintersFor(`/ws/etc/postfix/${n}`, table).some((l) => l.format === 'postfix-policy-map'), n);
    }
    // A file with a policy-table name that is not one: `name = value` lines, or no level anywhere.
    assert.equal(postfixPolicyMapLinter.matches(MAP, "hosts = 127.0.0.1\nquery = SELECT policy FROM tls WHERE domain='%s'\n"), false);
    assert.equal(postfixPolicyMapLinter.matches(MAP, 'hosts=127.0.0.1\nuser=postfix\n'), false);
    assert.equal(postfixPolicyMapLinter.matches(MAP, 'just some words\nin a file\n'), false);
    assert.equal(postfixPolicyMapLinter.matches(MAP, '# only comments\n'), true);
    // A table whose only level is misspelt is still one: its error (mail deferred) must not go unreported.
    assert.equal(postfixPolicyMapLinter.matches(MAP, '# per-destination TLS\nexample.org dane_only\n'), true);
    assert.deepEqual(ids(lintMap('example.org DANE_ONLY\n', USES_MAP)), ['postfix.policy-map-level']);
    assert.equal(fixes('example.org dane_only\n', 'postfix.policy-map-level', USES_MAP), 'example.org dane-only\n');
    assert.equal(postfixPolicyMapLinter.matches(MAP, 'example.org maybe\n'), false, 'a word that is not a spelling of a level');
    assert.ok(candidateGlob().includes('tls_policy'));
  });

  it('finds the main.cf that references it: beside it, under the workspace mirror, through $config_directory and proxy:', () => {
    const host = (files: Record<string, string>) => memoryHost(files);
    assert.equal(findReferencingMainCf(MAP, host({ [MAIN]: USES_MAP }))?.path, MAIN);
    assert.equal(
      findReferencingMainCf(MAP, host({ [MAIN]: 'smtp_tls_policy_maps = proxy:lmdb:$config_directory/tls_policy\n' }))?.table,
      'proxy:lmdb:/etc/postfix/tls_policy',
    );
    // A map in the workspace root's etc/postfix, main.cf in the workspace root's etc/postfix too, but the map elsewhere.
    assert.equal(findReferencingMainCf('/ws/other/tls_policy', host({ [MAIN]: USES_MAP })), undefined);
    assert.equal(findReferencingMainCf(MAP, host({ [MAIN]: 'smtp_tls_policy_maps = hash:/etc/postfix/other_policy\n' })), undefined);
    assert.equal(findReferencingMainCf(MAP, host({ [MAIN]: 'smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix\n' })), undefined);
    // Two maps in one parameter; the second is ours.
    assert.ok(findReferencingMainCf(MAP, host({ [MAIN]: 'smtp_tls_policy_maps = texthash:/etc/postfix/a, hash:/etc/postfix/tls_policy\n' })));
  });
});

describe('postfix TLS policy table: rules', () => {
  it('postfix.policy-map-level: an unknown level is an error (mail deferred); a spelling fix only when unambiguous', () => {
    const text = 'a.example may\nexample.com dane_only\n';
    const f = only(lintMap(text), 'postfix.policy-map-level');
    assert.equal(f.severity, 'error');
    assert.equal(slice(text, f.range!), 'dane_only');
    assert.match(f.detail, /4\.7\.5 client TLS configuration problem/);
    assert.equal(fixes(text, 'postfix.policy-map-level'), 'a.example may\nexample.com dane-only\n');
    const must = only(lintMap('a.example may\nexample.com MUST\n'), 'postfix.policy-map-level');
    assert.equal(must.edits, undefined);
    // Levels are read without regard to case.
    assert.deepEqual(ids(lintMap('example.com SECURE\n', `${USES_MAP}smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\n`)), []);
  });

  it('postfix.policy-map-level: dane on a Postfix known to be older than 2.11', () => {
    const f = only(lintMap('example.com dane\n', undefined, { postfixVersion: '2.10' }), 'postfix.policy-map-level');
    assert.match(f.title, /2\.11/);
    assert.ok(!ids(lintMap('example.com dane\n', undefined, { postfixVersion: '3.5' })).includes('postfix.policy-map-level'));
  });

  it('postfix.policy-map-attribute: match and tafile at levels that reject them, unknown names, repeats, empty values, bad yes/no', () => {
    const cases: Array<[string, RegExp]> = [
      ['a.example encrypt match=nexthop\n', /not allowed at level encrypt/],
      ['a.example may match=nexthop\n', /not allowed at level may/],
      ['a.example dane-only match=nexthop\n', /not allowed at level dane-only/],
      ['a.example encrypt tafile=/etc/postfix/ta.pem\n', /tafile= is not allowed/],
      ['a.example encrypt cipher=high\n', /not a TLS policy attribute/],
      ['a.example encrypt protocols=>=TLSv1.2 protocols=>=TLSv1.3\n', /given twice/],
      ['a.example secure match=\n', /empty value/],
      ['a.example encrypt connection_reuse=maybe\n', /yes or no/],
      ['a.example encrypt match\n', /not of the form name=value/],
    ];
    for (const [text, title] of cases) {
      const f = only(lintMap(text), 'postfix.policy-map-attribute');
      assert.equal(f.severity, 'error', text);
      assert.match(f.title, title, text);
      assert.match(f.detail, /defers every message/);
      assert.equal(f.edits, undefined, `${text}: no edit (every choice changes what is checked)`);
    }
    // Valid: several match attributes at secure, fingerprint digests, tafile at secure.
    const ok = 'a.example secure match=nexthop match=dot-nexthop tafile=/etc/postfix/ta.pem\n[b.example] fingerprint match=AA:BB|CC:DD\n';
    assert.deepEqual(ids(lintMap(ok)), []);
  });

  it('postfix.policy-map-attribute: attributes newer than the declared Postfix, and attributes ignored at level none', () => {
    const f = only(lintMap('a.example encrypt servername=hostname\n', undefined, { postfixVersion: '3.3' }), 'postfix.policy-map-attribute');
    assert.match(f.title, /3\.4/);
    assert.deepEqual(ids(lintMap('a.example encrypt servername=hostname\n', undefined, { postfixVersion: '3.4' })), []);
    const none = only(lintMap('a.example none ciphers=high\n'), 'postfix.policy-map-attribute');
    assert.equal(none.severity, 'info');
  });

  it('postfix.policy-map-attribute: { name = value } is an error on Postfix 3.7 (seen live), a warning when the version is unknown', () => {
    const text = 'a.example secure { match = nexthop:dot-nexthop }\n';
    const old = only(lintMap(text, undefined, { postfixVersion: '3.7' }), 'postfix.policy-map-attribute');
    assert.equal(old.severity, 'error');
    assert.equal(only(lintMap(text), 'postfix.policy-map-attribute').severity, 'warning');
    assert.equal(fixes(text, 'postfix.policy-map-attribute', undefined, { postfixVersion: '3.7' }), 'a.example secure match=nexthop:dot-nexthop\n');
    // A value with blanks has no brace-free form: no edit.
    assert.equal(only(lintMap('a.example secure { match = a b }\n'), 'postfix.policy-map-attribute').edits, undefined);
  });

  it('a comment after an entry: one error for the whole comment; the edit moves it above the entry, in the level place no edit', () => {
    const text = 'example.com secure match=nexthop:dot-nexthop # our relay, see ticket 12\r\nexample.net may\r\n';
    const f = only(lintMap(text), 'postfix.policy-map-attribute');
    assert.match(f.title, /^"# our relay, see ticket 12" is read as attributes of example\.com: a policy table has no comments after an entry\.$/);
    assert.deepEqual(f.range, { start: { line: 0, character: 45 }, end: { line: 0, character: 71 } });
    const fixed = fixes(text, 'postfix.policy-map-attribute');
    assert.equal(fixed, '# our relay, see ticket 12\r\nexample.com secure match=nexthop:dot-nexthop\r\nexample.net may\r\n');
    assert.deepEqual(ids(lintMap(fixed)), []);
    // On a continuation line: the attributes after it (next line) are still read and judged.
    const cont = lintMap('example.com encrypt # relay\n  protocols=!SSLv2:!SSLv3 bogus=1\n');
    assert.deepEqual(ids(cont).sort(), ['postfix.policy-map-attribute', 'postfix.policy-map-attribute']);
    const level = only(lintMap('example.org # TODO secure\nexample.net may\n'), 'postfix.policy-map-level');
    assert.match(level.title, /^"# TODO secure" is read as the security level of example\.org/);
    assert.equal(level.edits, undefined);
  });

  it('postfix.policy-map-syntax: key without level, orphan line, duplicate key (warnings, no edits)', () => {
    const r = lintMap('  x.example secure\nlonely\nexample.com may\nEXAMPLE.com encrypt\n');
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.severity, f.range!.start.line]),
      [
        ['postfix.policy-map-syntax', 'warning', 0],
        ['postfix.policy-map-syntax', 'warning', 1],
        ['postfix.policy-map-syntax', 'warning', 3],
      ],
    );
  });

  it('postfix.legacy-protocols in an entry: warning with a colon-separated edit at mandatory levels, info without edit at may', () => {
    const text = 'relay.example encrypt protocols=!SSLv2:!SSLv3\n';
    const f = only(lintMap(text), 'postfix.legacy-protocols');
    assert.equal(f.severity, 'warning');
    assert.equal(slice(text, f.range!), '!SSLv2:!SSLv3');
    assert.equal(fixes(text, 'postfix.legacy-protocols'), 'relay.example encrypt protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1\n');
    const may = only(lintMap('peer.example may protocols=!SSLv2:!SSLv3\n'), 'postfix.legacy-protocols');
    assert.equal(may.severity, 'info');
    assert.equal(may.edits, undefined);
  });

  it('protocol edits follow the Postfix version the main.cf rules use: >=TLSv1.2 only when 3.6+ is known', () => {
    const text = 'relay.example encrypt protocols=TLSv1:TLSv1.1:TLSv1.2:TLSv1.3\n';
    assert.equal(fixes(text, 'postfix.legacy-protocols', undefined, { postfixVersion: '3.7' }), 'relay.example encrypt protocols=>=TLSv1.2\n');
    assert.equal(
      fixes(text, 'postfix.legacy-protocols', undefined, { postfixVersion: '3.5' }),
      'relay.example encrypt protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1\n',
    );
    // main.cf's compatibility_level counts as evidence, as it does for main.cf's own lists.
    assert.equal(fixes(text, 'postfix.legacy-protocols', `${USES_MAP}compatibility_level = 3.6\n`), 'relay.example encrypt protocols=>=TLSv1.2\n');
  });

  it('postfix.protocols-syntax: a bound on a Postfix older than 3.6, and an unknown name; postfix.protocols-gap: a hole', () => {
    const bound = 'relay.example encrypt protocols=>=TLSv1.2\n';
    const f = only(lintMap(bound, undefined, { postfixVersion: '3.5' }), 'postfix.protocols-syntax');
    assert.equal(
      fixes(bound, 'postfix.protocols-syntax', undefined, { postfixVersion: '3.5' }),
      'relay.example encrypt protocols=!SSLv2:!SSLv3:!TLSv1:!TLSv1.1\n',
    );
    assert.match(f.title, /3\.5/);
    assert.deepEqual(ids(lintMap(bound, undefined, { postfixVersion: '3.6' })), []);
    assert.deepEqual(ids(lintMap(bound)), [], 'version unknown: no claim');
    assert.equal(only(lintMap('r.example encrypt protocols=TLSv1.4\n'), 'postfix.protocols-syntax').severity, 'error');
    const gap = only(lintMap('r.example encrypt protocols=!SSLv2:!SSLv3:!TLSv1.1\n'), 'postfix.protocols-gap');
    assert.equal(gap.severity, 'error');
    assert.match(gap.title, /only TLSv1/);
  });

  it('postfix.obsolete-cipher-grade: ciphers=low/export/null lower the grade main.cf would use for the destination', () => {
    for (const g of ['low', 'EXPORT']) {
      const f = only(lintMap(`relay.example encrypt ciphers=${g}\n`), 'postfix.obsolete-cipher-grade');
      assert.equal(f.severity, 'warning', g);
      assert.match(f.detail, /replaces main\.cf's smtp_tls_mandatory_ciphers/);
      assert.match(f.detail, /SHOULD NOT be used/);
      assert.equal(fixes(`relay.example encrypt ciphers=${g}\n`, 'postfix.obsolete-cipher-grade'), 'relay.example encrypt ciphers=medium\n');
    }
    assert.match(only(lintMap('relay.example may ciphers=low\n'), 'postfix.obsolete-cipher-grade').detail, /replaces main\.cf's smtp_tls_ciphers /);
    // null: no TLS at all with OpenSSL 3; deferred where TLS is mandatory, plain text where it is opportunistic.
    const nul = only(lintMap('relay.example secure ciphers=null\n'), 'postfix.obsolete-cipher-grade');
    assert.equal(nul.severity, 'error');
    assert.match(nul.detail, /error setting cipher grade/);
    assert.match(nul.detail, /deferred/);
    const mayNull = only(lintMap('relay.example may ciphers=null\n'), 'postfix.obsolete-cipher-grade');
    assert.equal(mayNull.severity, 'warning');
    assert.match(mayNull.detail, /plain text/);
    // A tls_null_cipherlist of the admin's own makes "null" theirs to judge; medium and high are fine; none ignores it.
    assert.deepEqual(ids(lintMap('relay.example encrypt ciphers=null\n', `${USES_MAP}tls_null_cipherlist = eNULL:@SECLEVEL=0\n`)), []);
    assert.deepEqual(ids(lintMap('a.example encrypt ciphers=medium\nb.example verify ciphers=high\n')), []);
    assert.ok(!ids(lintMap('relay.example none ciphers=low\n')).includes('postfix.obsolete-cipher-grade'));
  });

  it('postfix.invalid-cipher-grade: ciphers=bogus gives no TLS session (posttls-finger -g bogus), judged as main.cf judges it', () => {
    const f = only(lintMap('relay.example encrypt ciphers=bogus\n'), 'postfix.invalid-cipher-grade');
    assert.equal(f.severity, 'error');
    assert.match(f.title, /^ciphers=bogus is not a cipher grade: Postfix makes no TLS connection to relay\.example \(level encrypt\)\.$/);
    assert.match(f.detail, /replaces main\.cf's smtp_tls_mandatory_ciphers/);
    assert.match(f.detail, /"bogus" is not a cipher grade/);
    assert.match(f.detail, /deferred/);
    assert.equal(fixes('relay.example encrypt ciphers=bogus\n', 'postfix.invalid-cipher-grade'), 'relay.example encrypt ciphers=medium\n');
    const may = only(lintMap('relay.example may ciphers=Bogus\n'), 'postfix.invalid-cipher-grade');
    assert.equal(may.severity, 'warning');
    assert.match(may.detail, /plain text/);
    // The same judgement as main.cf's grade parameter (one function): same severity and the same reason.
    const main = only(lintMain('main.cf', 'myhostname = mail.example.com\nsmtp_tls_mandatory_ciphers = bogus\n'), 'postfix.invalid-cipher-grade');
    assert.equal(main.severity, f.severity);
    assert.ok(f.detail.endsWith(main.detail), 'the policy entry says what main.cf says, after what it replaces');
    // Grade names in any case are grades; none ignores ciphers=.
    assert.deepEqual(ids(lintMap('a.example encrypt ciphers=HIGH\nb.example verify ciphers=Medium\n')), []);
    assert.ok(!ids(lintMap('relay.example none ciphers=bogus\n')).includes('postfix.invalid-cipher-grade'));
  });

  it('postfix.policy-map-syntax: a next-hop key with text after "]" that is not ":port" is never looked up', () => {
    const text = '[relay.example](http://evil.example/x) secure\n[relay.example]:587 secure\n';
    const f = only(lintMap(text), 'postfix.policy-map-syntax');
    assert.equal(f.severity, 'warning');
    assert.equal(f.range?.start.line, 0);
    assert.match(f.title, /^The key "\[relay\.example\]\.\.\." has text after "\]"/);
    assert.doesNotMatch(f.title, /http|evil/);
    assert.match(f.detail, /garbage after "\]"/);
  });

  it('postfix.protocols-gap: protocols=TLSv1 says that TLSv1.1, TLSv1.2 and TLSv1.3 are off, and what remains', () => {
    const f = only(lintMap('r.example encrypt protocols=TLSv1\n'), 'postfix.protocols-gap');
    assert.equal(f.severity, 'error');
    assert.match(f.title, /leaves only TLSv1: TLSv1\.1, TLSv1\.2, TLSv1\.3 are disabled too\.$/);
    assert.match(f.detail, /here TLSv1\.1, TLSv1\.2, TLSv1\.3\)\. What remains: TLSv1\./);
    assert.match(only(lintMap('r.example may protocols=TLSv1:TLSv1.1:TLSv1.2\n'), 'postfix.protocols-gap').title, /: TLSv1\.3 is disabled too/);
  });

  it('postfix.dane-without-dnssec: a dane entry in a map whose main.cf has no smtp_dns_support_level = dnssec', () => {
    for (const level of ['dane', 'dane-only']) {
      const text = `example.org ${level}\n`;
      const f = only(lintMap(text, USES_MAP), 'postfix.dane-without-dnssec');
      assert.equal(slice(text, f.range!), level);
      assert.ok(f.evidence!.some((e) => e.includes(MAIN)));
      // Postfix warns ("... configured with dnssec lookups disabled", smtp_tls_policy.c): the text must not call the log silent.
      assert.match(f.detail, /configured with dnssec lookups disabled/);
      assert.ok(!ids(lintMap(text, `${USES_MAP}smtp_dns_support_level = dnssec\n`)).includes('postfix.dane-without-dnssec'));
      // Without the main.cf that uses the table, nothing is known about DNSSEC.
      assert.ok(!ids(lintMap(text)).includes('postfix.dane-without-dnssec'));
      assert.ok(!ids(lintMap(text, 'smtp_tls_policy_maps = hash:/etc/postfix/elsewhere\n')).includes('postfix.dane-without-dnssec'));
    }
  });

  it('postfix.verify-without-ca: verify/secure entries with no CA in main.cf; tafile= or a trust anchor file is trust enough', () => {
    const text = 'example.com secure match=nexthop\n.example.com verify\n';
    const r = lintMap(text, USES_MAP);
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.severity, f.range!.start.line]),
      [
        ['postfix.verify-without-ca', 'error', 0],
        ['postfix.verify-without-ca', 'error', 1],
      ],
    );
    // tls_append_default_CA adds the system CAs only to a CAfile/CApath that is set (tls_certkey.c): no trust alone.
    assert.equal(lintMap(text, `${USES_MAP}tls_append_default_CA = yes\n`).findings.length, 2);
    for (const fix of [
      'smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt',
      'smtp_tls_CApath = /etc/ssl/certs',
      'smtp_tls_trust_anchor_file = /etc/postfix/ta.pem',
    ]) {
      assert.deepEqual(ids(lintMap(text, `${USES_MAP}${fix}\n`)), [], fix);
    }
    assert.deepEqual(ids(lintMap('example.com secure tafile=/etc/postfix/ta.pem\n', USES_MAP)), []);
  });

  it('offers the recipient domains named by their own entries, with their ranges, for the domain check', () => {
    const text = 'Example.ORG dane-only\n.example.net secure\n[relay.example.com]:587 encrypt\nlocalhost none\n192.0.2.1 may\nmail.example.com. verify\n';
    const r = lintMap(text);
    assert.deepEqual(
      r.domains!.map((d) => [d.domain, slice(text, d.range), d.source]),
      [
        ['example.org', 'Example.ORG', 'smtp_tls_policy_maps entry (dane-only)'],
        ['mail.example.com', 'mail.example.com.', 'smtp_tls_policy_maps entry (verify)'],
      ],
    );
  });

  it('the fixtures: every problem of policy-map/ found, policy-map-good/ clean', () => {
    const load = (d: string) => {
      const files: Record<string, string> = {};
      for (const f of fs.readdirSync(path.join(FIXTURES, d))) files[`/ws/etc/postfix/${f}`] = fs.readFileSync(path.join(FIXTURES, d, f), 'utf8');
      return lintText(MAP, files[MAP], memoryHost(files));
    };
    const bad = load('policy-map');
    assert.deepEqual([...new Set(ids(bad))].sort(), [
      'postfix.dane-without-dnssec',
      'postfix.legacy-protocols',
      'postfix.policy-map-attribute',
      'postfix.policy-map-level',
      'postfix.policy-map-syntax',
      'postfix.protocols-gap',
      'postfix.verify-without-ca',
    ]);
    const good = load('policy-map-good');
    assert.deepEqual(
      good.findings.map((f) => [f.id, f.title]),
      [],
    );
    assert.equal(good.domains!.length, 4);
  });
});

describe('postfix transport table: domains delivered by MX lookup, offered from the main.cf that uses the table', () => {
  it('offers the key for `smtp:` entries and the next-hop for `smtp:name`; never bracketed, local, error or parent-domain entries', () => {
    const transport = [
      'example.com      smtp:',
      'Example.ORG      relay:mx-pool.example.net',
      'bracket.example  smtp:[10.0.0.1]:25',
      'sub.example      smtp:[relay.example.net]',
      '.example.com     smtp:',
      'user@example.io  smtp:',
      'local.example    local:',
      'dead.example     error:mail for dead.example is not accepted',
      'port.example     smtp:other.example:587',
      '',
    ].join('\n');
    const main = 'transport_maps = hash:/etc/postfix/transport\n';
    const r = lintText(MAIN, main, memoryHost({ [MAIN]: main, '/ws/etc/postfix/transport': transport }));
    assert.deepEqual(
      r.domains.map((d) => [d.domain, d.file, slice(transport, d.range)]),
      [
        ['example.com', '/ws/etc/postfix/transport', 'example.com'],
        ['mx-pool.example.net', '/ws/etc/postfix/transport', 'Example.ORG'],
      ],
    );
    assert.match(r.domains[1].source, /for example\.org/);
    // A main.cf without transport_maps, or whose table is not in the workspace, offers none.
    assert.deepEqual(lintText(MAIN, 'myhostname = a.example\n', memoryHost({})).domains, []);
    assert.deepEqual(lintText(MAIN, main, memoryHost({ [MAIN]: main })).domains, []);
  });
});
