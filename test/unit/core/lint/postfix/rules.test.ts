import * as assert from 'node:assert/strict';
import { assertFixes, ids, lint, only, range, slice } from '../../../../support/postfixLint';
import { renderMarkdownReport } from '../../../../../src/core/report/markdown';

const HOST = 'myhostname = mail.example.com\n';

describe('postfix main.cf rules', () => {
  describe('postfix.legacy-protocols', () => {
    it('flags both syntaxes, with the value range and a fix in the syntax every Postfix reads', () => {
      const text = `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3\n`;
      const f = only(lint('main.cf', text), 'postfix.legacy-protocols');
      assert.equal(f.severity, 'warning');
      assert.deepEqual(f.range, range(1, 32, 1, 46));
      assert.equal(slice(text, f.range!), '!SSLv2, !SSLv3');
      assert.match(f.title, /TLSv1, TLSv1.1/);
      // Version unknown and the file uses "!": the edit must work on Postfix 3.5 (RHEL 8/9, Debian 11).
      assert.equal(assertFixes('main.cf', text, 'postfix.legacy-protocols'), `${HOST}smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`);
      assert.match(f.fix, /!SSLv2, !SSLv3, !TLSv1, !TLSv1\.1 \(works on every Postfix version\) or .*>=TLSv1\.2 \(Postfix 3\.6 and later only/);
      assert.equal(only(lint('main.cf', `${HOST}smtp_tls_mandatory_protocols = >=TLSv1\n`), 'postfix.legacy-protocols').severity, 'warning');
      // The file already uses bounds: Postfix 3.6+ (or broken already), so the edit keeps that syntax.
      assert.equal(
        assertFixes('main.cf', `${HOST}smtp_tls_mandatory_protocols = >=TLSv1\n`, 'postfix.legacy-protocols'),
        `${HOST}smtp_tls_mandatory_protocols = >=TLSv1.2\n`,
      );
    });
    it('is info for opportunistic TLS on the public MX, warning for a relay client', () => {
      const opp = only(lint('main.cf', `${HOST}smtpd_tls_protocols = >=TLSv1\n`), 'postfix.legacy-protocols');
      assert.equal(opp.severity, 'info');
      // No tightening of opportunistic TLS: no edit, and the text says why and points at the mandatory list.
      assert.equal(opp.edits, undefined);
      assert.match(opp.detail, /plain text/);
      assert.match(opp.fix, /Leave this list.*smtpd_tls_mandatory_protocols/);
      assert.equal(only(lint('main.cf', `${HOST}smtp_tls_protocols = >=TLSv1.1\n`), 'postfix.legacy-protocols').severity, 'info');
      const relay = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_tls_security_level = encrypt\nsmtp_tls_protocols = >=TLSv1.1\n`;
      assert.equal(only(lint('main.cf', relay), 'postfix.legacy-protocols').severity, 'warning');
    });
    it('does not take a templated relayhost for a relay: it may render empty (MX delivery, opportunistic TLS)', () => {
      // Mailu's main.cf: `relayhost = {{ RELAYHOST }}`, empty unless the admin sets one.
      for (const relayhost of ['{{ RELAYHOST }}', '${RELAY_HOST}', '$relay_from_template']) {
        const text = `${HOST}relay_from_template = {{ relay }}\nrelayhost = ${relayhost}\nsmtp_tls_protocols = !SSLv2,!SSLv3\n`;
        const f = only(lint('main.cf', text), 'postfix.legacy-protocols');
        assert.equal(f.severity, 'info', relayhost);
        assert.equal(f.edits, undefined, relayhost);
      }
    });
    it('does not flag TLS 1.2+ in any syntax, nor an unset parameter', () => {
      for (const v of ['>=TLSv1.2', '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1', '>=0x0303', '>=TLSv1.2, <=TLSv1.3', 'TLSv1.2 TLSv1.3']) {
        const r = lint('main.cf', `${HOST}smtpd_tls_protocols = ${v}\n`);
        assert.deepEqual(ids(r), [], v);
      }
      assert.deepEqual(ids(lint('main.cf', HOST)), []);
    });
    it('follows $name references to what they expand to', () => {
      const text = `${HOST}my_protocols = !SSLv2, !SSLv3\nsmtpd_tls_mandatory_protocols = $my_protocols\n`;
      const f = only(lint('main.cf', text), 'postfix.legacy-protocols');
      assert.equal(slice(text, f.range!), '$my_protocols');
    });
  });

  describe('postfix.protocols-gap', () => {
    it('reports the hole that leaves only TLSv1 in a client list, closing it without moving the floor', () => {
      const text = `${HOST}smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1.1\n`;
      const f = only(lint('main.cf', text), 'postfix.protocols-gap');
      assert.equal(f.severity, 'error');
      assert.match(f.title, /leaves only TLSv1: TLSv1.2, TLSv1.3 are disabled too/);
      // Opportunistic client list: the gap closes, TLS 1.0 stays (tightening opportunistic TLS is not advised).
      assert.equal(assertFixes('main.cf', text, 'postfix.protocols-gap'), `${HOST}smtp_tls_protocols = !SSLv2, !SSLv3\n`);
    });
    it('is no hole on the server side: an OpenSSL server skips the excluded version', () => {
      // A live Postfix 3.7 smtpd with this list negotiates TLS 1.3, 1.2 and 1.0: only TLS 1.0 is worth a word.
      const r = lint('main.cf', `${HOST}smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1.1\n`);
      assert.deepEqual(ids(r), ['postfix.legacy-protocols']);
      assert.match(only(r, 'postfix.legacy-protocols').title, /permits TLSv1\.$/);
    });
    it('reports an include list that forgets TLSv1.3, not an explicit cap', () => {
      assert.ok(ids(lint('main.cf', `${HOST}smtpd_tls_protocols = TLSv1.2\n`)).includes('postfix.protocols-gap'));
      assert.ok(!ids(lint('main.cf', `${HOST}smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2\n`)).includes('postfix.protocols-gap'));
      assert.ok(!ids(lint('main.cf', `${HOST}smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1, !TLSv1.3\n`)).includes('postfix.protocols-gap'));
    });
    it('an include list of one old version names every newer version it turns off, not only TLSv1.3', () => {
      for (const name of ['smtp_tls_protocols', 'smtpd_tls_mandatory_protocols']) {
        const f = only(lint('main.cf', `${HOST}${name} = TLSv1\n`), 'postfix.protocols-gap');
        assert.equal(f.severity, 'error', name);
        assert.match(f.title, /leaves only TLSv1: TLSv1\.1, TLSv1\.2, TLSv1\.3 are disabled too\.$/, name);
        assert.match(f.detail, /so TLSv1\.1, TLSv1\.2, TLSv1\.3 are off and only TLSv1 remains/, name);
      }
      // Two old versions: what remains is both, what is lost is what follows them.
      assert.match(
        only(lint('main.cf', `${HOST}smtpd_tls_protocols = TLSv1 TLSv1.1\n`), 'postfix.protocols-gap').title,
        /only TLSv1, TLSv1\.1: TLSv1\.2, TLSv1\.3 are/,
      );
      assert.match(only(lint('main.cf', `${HOST}smtpd_tls_protocols = TLSv1.2\n`), 'postfix.protocols-gap').title, /only TLSv1\.2: TLSv1\.3 is disabled too/);
    });
  });

  describe('postfix.protocols-syntax', () => {
    it('flags white space after >= with an exact range; the edit depends on the Postfix version', () => {
      const text = `${HOST}smtp_tls_mandatory_protocols = >= TLSv1.2\n`;
      const f = only(lint('main.cf', text), 'postfix.protocols-syntax');
      assert.equal(f.severity, 'error');
      assert.equal(slice(text, f.range!), '>= TLSv1.2');
      // On 3.6+ ">=" alone is no bound and TLSv1.2 an include list: TLS 1.2 only. Older Postfix rejects the list.
      assert.match(f.detail, /TLS 1\.2 only, TLS 1\.3 off/);
      assert.match(f.detail, /before 3\.6 .* rejects the whole list/);
      // Version unknown: the exclusion form of what was meant, which every Postfix reads.
      assert.equal(assertFixes('main.cf', text, 'postfix.protocols-syntax'), `${HOST}smtp_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\n`);
      // Declared 3.6+: a warning (TLS works, 1.3 is off) and the joining edit.
      const v38 = only(lint('main.cf', text, {}, { postfixVersion: '3.8.4' }), 'postfix.protocols-syntax');
      assert.equal(v38.severity, 'warning');
      assert.equal(
        assertFixes('main.cf', text, 'postfix.protocols-syntax', {}, { postfixVersion: '3.8.4' }),
        `${HOST}smtp_tls_mandatory_protocols = >=TLSv1.2\n`,
      );
    });
    it('flags unknown tokens but accepts hex bounds and any case', () => {
      const text = `${HOST}smtpd_tls_protocols = !SSLv2, TLS1.2\n`;
      assert.equal(slice(text, only(lint('main.cf', text), 'postfix.protocols-syntax').range!), 'TLS1.2');
      assertFixes('main.cf', text, 'postfix.protocols-syntax');
      assert.deepEqual(ids(lint('main.cf', `${HOST}smtpd_tls_protocols = >=0x303\n`)), []);
    });
  });

  describe('postfix.deprecated-parameter', () => {
    it('names the successor and rewrites smtp_use_tls = yes in place', () => {
      const text = `${HOST}smtp_use_tls = yes\n`;
      const f = only(lint('main.cf', text), 'postfix.deprecated-parameter');
      assert.match(f.title, /smtp_tls_security_level = may/);
      assert.deepEqual(f.range, range(1, 0, 1, 12));
      assert.equal(assertFixes('main.cf', text, 'postfix.deprecated-parameter'), `${HOST}smtp_tls_security_level = may\n`);
    });
    it('names only the switches the file sets: a default smtpd_enforce_tls is nothing to remove', () => {
      const alone = only(lint('main.cf', `${HOST}smtpd_use_tls = yes\n`), 'postfix.deprecated-parameter');
      assert.match(alone.fix, /^Remove smtpd_use_tls and set smtpd_tls_security_level = may,/);
      assert.doesNotMatch(`${alone.detail} ${alone.evidence!.join(' ')}`, /with smtpd_enforce_tls|smtpd_enforce_tls = no|Together/);
      const both = lint('main.cf', `${HOST}smtpd_use_tls = yes\nsmtpd_enforce_tls = yes\n`).findings.find(
        (f) => f.id === 'postfix.deprecated-parameter' && f.range?.start.line === 1,
      );
      assert.match(both!.fix, /^Remove smtpd_use_tls, smtpd_enforce_tls and set smtpd_tls_security_level = encrypt,/);
    });
    it('a switch the set successor overrides is called ignored, not the successor of that level', () => {
      const f = only(lint('main.cf', `${HOST}smtpd_use_tls = yes\nsmtpd_tls_security_level = encrypt\n`), 'postfix.deprecated-parameter');
      assert.equal(f.title, 'smtpd_use_tls is obsolete and ignored here: smtpd_tls_security_level = encrypt decides.');
      assert.match(f.fix, /^Remove smtpd_use_tls; smtpd_tls_security_level already decides/);
    });
    it('texts end where their sentence ends: no trailing white space in any branch', () => {
      for (const text of [
        `${HOST}smtpd_use_tls = yes\n`,
        `${HOST}smtpd_use_tls = yes\nsmtpd_tls_security_level = encrypt\n`,
        `${HOST}smtpd_use_tls = maybe\n`,
      ]) {
        for (const f of lint('main.cf', text).findings.filter((x) => x.id === 'postfix.deprecated-parameter')) {
          for (const t of [f.title, f.detail, f.fix]) assert.equal(t, t.trim(), text);
        }
      }
    });
    it('maps smtp_enforce_tls to verify (the old default also checked the peer name)', () => {
      assert.match(only(lint('main.cf', `${HOST}smtp_enforce_tls = yes\n`), 'postfix.deprecated-parameter').title, /= verify/);
    });
    it('offers removal when the successor is already set, and knows the ignored curve knobs', () => {
      assertFixes('main.cf', `${HOST}smtpd_use_tls = yes\nsmtpd_tls_security_level = may\n`, 'postfix.deprecated-parameter');
      for (const n of [
        'smtpd_tls_eecdh_grade = strong',
        'tls_eecdh_ultra_curve = secp384r1',
        'smtpd_tls_cipherlist = HIGH',
        'smtpd_tls_dh512_param_file = /x',
      ]) {
        assertFixes('main.cf', `${HOST}${n}\n`, 'postfix.deprecated-parameter');
      }
      for (const n of ['smtp_tls_per_site = hash:/etc/postfix/tls_per_site', 'smtpd_tls_dcert_file = /etc/postfix/dsa.pem']) {
        assert.ok(ids(lint('main.cf', `${HOST}${n}\n`)).includes('postfix.deprecated-parameter'), n);
      }
      // Not obsolete: postconf(5) 3.7 documents it as current (a 2048-bit file is fine; 3.7+ with OpenSSL 3 prefers the default).
      assert.deepEqual(ids(lint('main.cf', `${HOST}smtpd_tls_dh1024_param_file = /etc/postfix/dh2048.pem\n`)), []);
    });
    it('leaves the successors alone', () => {
      assert.deepEqual(ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\ntls_eecdh_auto_curves = X25519 prime256v1\n`)), []);
    });
  });

  describe('relayhost and wrapper mode', () => {
    it('postfix.relayhost-needs-wrappermode: port 465 without wrapper mode, fixed with wrapper + encrypt', () => {
      const text = `${HOST}relayhost = [smtp.gmail.com]:465\n`;
      const f = only(lint('main.cf', text), 'postfix.relayhost-needs-wrappermode');
      assert.equal(f.severity, 'error');
      assert.equal(slice(text, f.range!), '465');
      const fixed = assertFixes('main.cf', text, 'postfix.relayhost-needs-wrappermode');
      assert.deepEqual(ids(lint('main.cf', fixed)), []);
      assert.match(fixed, /smtp_tls_wrappermode = yes\nsmtp_tls_security_level = encrypt\n/);
      assert.ok(ids(lint('main.cf', `${HOST}relayhost = [smtp.example.net]:submissions\n`)).includes('postfix.relayhost-needs-wrappermode'));
      assert.ok(!ids(lint('main.cf', `${HOST}relayhost = [smtp.gmail.com]:587\n`)).includes('postfix.relayhost-needs-wrappermode'));
    });
    it('postfix.wrappermode-on-starttls-port: wrapper mode with a relay on 587 or submission', () => {
      const text = `${HOST}relayhost = [smtp.gmail.com]:submission\nsmtp_tls_wrappermode = yes\nsmtp_tls_security_level = encrypt\n`;
      const f = only(lint('main.cf', text), 'postfix.wrappermode-on-starttls-port');
      assert.equal(slice(text, f.range!), 'yes');
      assertFixes('main.cf', text, 'postfix.wrappermode-on-starttls-port');
      assert.ok(!ids(lint('main.cf', text.replace(':submission', ':465'))).includes('postfix.wrappermode-on-starttls-port'));
    });
    it('postfix.wrappermode-needs-encrypt: wrapper mode below encrypt', () => {
      const text = `${HOST}relayhost = [smtp.example.net]:465\nsmtp_tls_wrappermode = yes\nsmtp_tls_security_level = may\n`;
      const f = only(lint('main.cf', text), 'postfix.wrappermode-needs-encrypt');
      assert.equal(slice(text, f.range!), 'may');
      assertFixes('main.cf', text, 'postfix.wrappermode-needs-encrypt');
      assert.ok(!ids(lint('main.cf', text.replace('= may', '= verify\nsmtp_tls_CApath = /etc/ssl/certs'))).includes('postfix.wrappermode-needs-encrypt'));
    });
    it('postfix.relayhost-mx-lookup: no brackets, fixed by adding them', () => {
      const text = `${HOST}relayhost = smtp.gmail.com:587\n`;
      const f = only(lint('main.cf', text), 'postfix.relayhost-mx-lookup');
      assert.equal(slice(text, f.range!), 'smtp.gmail.com');
      assert.equal(assertFixes('main.cf', text, 'postfix.relayhost-mx-lookup'), `${HOST}relayhost = [smtp.gmail.com]:587\n`);
    });
    it('postfix.relay-credentials-in-clear: SASL with level none (error) or may (warning)', () => {
      const base = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_security_options = noanonymous\n`;
      assert.equal(only(lint('main.cf', base), 'postfix.relay-credentials-in-clear').severity, 'error');
      const may = `${base}smtp_tls_security_level = may\n`;
      const f = only(lint('main.cf', may), 'postfix.relay-credentials-in-clear');
      assert.equal(f.severity, 'warning');
      assert.equal(slice(may, f.range!), 'may');
      assertFixes('main.cf', may, 'postfix.relay-credentials-in-clear');
      assertFixes('main.cf', base, 'postfix.relay-credentials-in-clear');
      assert.ok(!ids(lint('main.cf', `${base}smtp_tls_security_level = encrypt\n`)).includes('postfix.relay-credentials-in-clear'));
    });
    it('postfix.verify-without-ca: verify with no CA file or path', () => {
      const text = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_tls_security_level = verify\n`;
      assertFixes('main.cf', text, 'postfix.verify-without-ca');
      assert.ok(!ids(lint('main.cf', `${text}smtp_tls_CApath = /etc/ssl/certs\n`)).includes('postfix.verify-without-ca'));
      // tls_append_default_CA appends the system CAs to a CAfile/CApath that is set, and does nothing without one
      // (Postfix tls_certkey.c, tls_set_ca_certificate_info): still no trust.
      assert.ok(ids(lint('main.cf', `${text}tls_append_default_CA = yes\n`)).includes('postfix.verify-without-ca'));
      assert.ok(
        !ids(lint('main.cf', `${text}smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt\ntls_append_default_CA = yes\n`)).includes(
          'postfix.verify-without-ca',
        ),
      );
    });
    it('reports relayhost destinations as endpoints, with ports and wrapper mode resolved', () => {
      const text = `${HOST}relayhost = [smtp.example.net]:465\nsmtp_tls_wrappermode = yes\nsmtp_tls_security_level = encrypt\n`;
      const r = lint('main.cf', text);
      assert.deepEqual(
        r.endpoints.map((e) => e.endpoint),
        [{ host: 'smtp.example.net', port: 465, protocol: 'smtp', mode: 'implicit' }],
      );
      assert.equal(slice(text, r.endpoints[0].range), '[smtp.example.net]:465');
      const two = lint('main.cf', `relayhost = smtp.gmail.com:587, [192.0.2.7]:submission [relay.example]\n`).endpoints.map((e) => e.endpoint);
      assert.deepEqual(
        two.map((e) => `${e.host} ${e.port} ${e.mode}`),
        ['smtp.gmail.com 587 starttls', '192.0.2.7 587 starttls', 'relay.example 25 starttls'],
      );
    });
    it('reports a relayhost that is no valid host', () => {
      assert.ok(ids(lint('main.cf', 'relayhost = [smtp.exa mple]:587\n')).includes('postfix.relayhost-invalid'));
      assert.ok(ids(lint('main.cf', 'relayhost = [smtp.example.net]:smtpx\n')).includes('postfix.relayhost-invalid'));
    });
    it('postfix.relayhost-invalid: text after "]" that is not ":port" (a pasted Markdown link) is malformed, never an endpoint or a link', () => {
      const text = `${HOST}relayhost = [smtp.example.net](http://evil.example/x)\nsmtp_fallback_relay = [b.example]x, [c.example]:587\n`;
      const r = lint('main.cf', text);
      const fs = r.findings.filter((f) => f.id === 'postfix.relayhost-invalid');
      assert.deepEqual(
        fs.map((f) => slice(text, f.range!)),
        ['[smtp.example.net](http://evil.example/x)', '[b.example]x'],
      );
      assert.equal(fs[0].severity, 'error');
      assert.match(fs[0].title, /^relayhost "\[smtp\.example\.net\]" is malformed: text follows "\]" that is not ":port"/);
      assert.doesNotMatch(fs[0].title, /http|evil/);
      assert.match(fs[0].detail, /garbage after "\]" in server description/);
      assert.match(fs[0].detail, /Markdown link/);
      assert.match(fs[1].title, /^smtp_fallback_relay /);
      // The garbage made no endpoint (it used to become smtp.example.net:25).
      assert.deepEqual(r.endpoints, []);
      // Rendered as Markdown (the report, hovers) with linkify on: no link, the text still readable.
      const MarkdownIt = require('markdown-it');
      const md = new MarkdownIt({ html: true, linkify: true });
      md.linkify.set({ fuzzyLink: false });
      const html = md.render(renderMarkdownReport({ generatedAt: new Date(0), entries: [], lintFindings: [{ file: 'main.cf', findings: fs }] })) as string;
      assert.doesNotMatch(html, /<a /);
      assert.match(html, /evil\.example/);
      // A port after "]" stays fine, and so does the same host without the garbage.
      assert.deepEqual(
        lint('main.cf', `${HOST}relayhost = [smtp.example.net]:587\n`).endpoints.map((e) => `${e.endpoint.host}:${e.endpoint.port}`),
        ['smtp.example.net:587'],
      );
    });
  });

  describe('server rules', () => {
    it('postfix.encrypt-on-public-mx: encrypt in main.cf, unless master.cf gives port 25 its own level', () => {
      const text = `${HOST}smtpd_tls_security_level = encrypt\n`;
      // Without master.cf nobody knows whether submission inherits encrypt: no edit.
      assert.equal(only(lint('main.cf', text), 'postfix.encrypt-on-public-mx').edits, undefined);
      // master.cf without other smtpd services: the main.cf edit is safe.
      assertFixes('main.cf', text, 'postfix.encrypt-on-public-mx', { 'master.cf': 'smtp inet n - y - - smtpd\n' });
      const master = 'smtp inet n - y - - smtpd\n  -o smtpd_tls_security_level=may\nsubmission inet n - y - - smtpd\n';
      assert.ok(!ids(lint('main.cf', text, { 'master.cf': master })).includes('postfix.encrypt-on-public-mx'));
      assert.ok(!ids(lint('main.cf', `${HOST}smtpd_tls_security_level = may\n`)).includes('postfix.encrypt-on-public-mx'));
    });
    it('postfix.obsolete-cipher-grade: export and low', () => {
      const text = `${HOST}smtpd_tls_mandatory_ciphers = low\n`;
      assert.equal(assertFixes('main.cf', text, 'postfix.obsolete-cipher-grade'), `${HOST}smtpd_tls_mandatory_ciphers = medium\n`);
      assert.deepEqual(ids(lint('main.cf', `${HOST}smtpd_tls_ciphers = high\n`)), []);
    });
    it('postfix.obsolete-cipher-grade: null, which leaves no cipher at all with OpenSSL 3', () => {
      const f = only(lint('main.cf', `${HOST}smtp_tls_mandatory_ciphers = null\n`), 'postfix.obsolete-cipher-grade');
      assert.equal(f.severity, 'error');
      assert.match(f.title, /= null allows no encrypting cipher/);
      assert.equal(only(lint('main.cf', `${HOST}smtp_tls_ciphers = null\n`), 'postfix.obsolete-cipher-grade').severity, 'warning');
      assert.deepEqual(ids(lint('main.cf', `${HOST}lmtp_tls_mandatory_ciphers = null\ntls_null_cipherlist = eNULL:@SECLEVEL=0\n`)), []);
    });
    it('postfix.invalid-cipher-grade: a value that is no grade (Postfix makes no TLS session with it)', () => {
      const text = `${HOST}smtp_tls_mandatory_ciphers = bogus\n`;
      const f = only(lint('main.cf', text), 'postfix.invalid-cipher-grade');
      assert.equal(f.severity, 'error');
      assert.equal(f.title, 'smtp_tls_mandatory_ciphers = bogus is not a cipher grade: Postfix makes no TLS connection with it.');
      assert.match(f.detail, /invalid cipher grade/);
      assert.match(f.detail, /deferred/);
      assert.equal(assertFixes('main.cf', text, 'postfix.invalid-cipher-grade'), `${HOST}smtp_tls_mandatory_ciphers = medium\n`);
      // Opportunistic (smtpd_tls_ciphers, server side): a warning; through a $name it is judged by its value.
      const opp = only(lint('main.cf', `${HOST}my_grade = Bogus\nsmtpd_tls_ciphers = $my_grade\n`), 'postfix.invalid-cipher-grade');
      assert.equal(opp.severity, 'warning');
      assert.match(opp.detail, /retry without TLS/);
      // master.cf -o overrides are grade parameters too.
      const master = only(lint('master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_tls_mandatory_ciphers=hgih\n'), 'postfix.invalid-cipher-grade');
      assert.equal(master.severity, 'error');
      // Grade names in any case are grades; a value decided elsewhere (template, ${VAR}) is not judged.
      assert.deepEqual(ids(lint('main.cf', `${HOST}smtpd_tls_ciphers = HIGH\nsmtp_tls_ciphers = Medium\n`)), []);
      assert.deepEqual(
        ids(lint('main.cf', `${HOST}smtpd_tls_ciphers = {{ grade }}\nsmtp_tls_ciphers = \${GRADE}\n`)).filter((i) => i.includes('cipher-grade')),
        [],
      );
    });
  });

  describe('parsing findings', () => {
    it('postfix.unknown-parameter: a typo with "did you mean", not the admin\'s own variables', () => {
      const text = `${HOST}smtpd_tls_protocol = >=TLSv1.2\n`;
      const f = only(lint('main.cf', text), 'postfix.unknown-parameter');
      assert.match(f.title, /did you mean smtpd_tls_protocols\?/);
      assertFixes('main.cf', text, 'postfix.unknown-parameter');
      assert.deepEqual(ids(lint('main.cf', `${HOST}smtpd_tls_protocol = x\nsmtpd_banner = $smtpd_tls_protocol\n`)), []);
      assert.deepEqual(ids(lint('main.cf', `${HOST}relay_destination_concurrency_limit = 2\ntls_ffdhe_auto_groups = x25519\n`)), []);
    });
    it('postfix.duplicate-parameter: the last one wins, the earlier line is reported and removable', () => {
      const text = `${HOST}relayhost = [a.example]:587\n  [b.example]:587\nrelayhost = [c.example]:587\n`;
      const f = only(lint('main.cf', text), 'postfix.duplicate-parameter');
      assert.deepEqual(f.range, range(1, 0, 1, 9));
      assert.match(f.title, /line 4/);
      assert.equal(assertFixes('main.cf', text, 'postfix.duplicate-parameter'), `${HOST}relayhost = [c.example]:587\n`);
    });
    it('postfix.syntax-error: a line without "=" and an orphan continuation', () => {
      assert.equal(only(lint('main.cf', 'bad line\n'), 'postfix.syntax-error').severity, 'error');
      assertFixes('main.cf', '  myhostname = mail.example.com\n', 'postfix.syntax-error');
    });
  });

  describe('ranges across continuation lines and CRLF', () => {
    it('keeps value ranges exact on continuation lines with a comment in between', () => {
      const text = 'myhostname = mail.example.com\r\nsmtp_tls_mandatory_protocols = !SSLv2,\r\n\t!SSLv3,\r\n# note\r\n    !TLSv1.1\r\n';
      const f = only(lint('main.cf', text), 'postfix.protocols-gap');
      assert.deepEqual(f.range, range(1, 31, 4, 12));
      const fixed = assertFixes('main.cf', text, 'postfix.protocols-gap');
      assert.equal(fixed, 'myhostname = mail.example.com\r\nsmtp_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1\r\n');
    });
    it('counts a lone CR as a line break, as the editor does', () => {
      const text =
        'myhostname = mail.example.com\rsmtp_tls_mandatory_protocols = !SSLv2,\r\t!SSLv3,\r# note\r\n    !TLSv1.1\rsmtp_tls_protocols = !SSLv2,\n  >= TLSv1.2\r';
      const r = lint('main.cf', text);
      const gap = only(r, 'postfix.protocols-gap');
      assert.deepEqual(gap.range, range(1, 31, 4, 12));
      assert.deepEqual(only(r, 'postfix.protocols-syntax').range, range(6, 2, 6, 12));
      assert.equal(slice(text, only(r, 'postfix.protocols-syntax').range!), '>= TLSv1.2');
      assertFixes('main.cf', text, 'postfix.protocols-gap');
      const dup = 'relayhost = [a.example]:587\rrelayhost = [c.example]:587\r';
      const f = only(lint('main.cf', dup), 'postfix.duplicate-parameter');
      assert.deepEqual(f.range, range(0, 0, 0, 9));
      assert.match(f.title, /line 2/);
      assert.equal(assertFixes('main.cf', dup, 'postfix.duplicate-parameter'), 'relayhost = [c.example]:587\r');
    });
    it('places a token range on the continuation line that holds it', () => {
      const text = `${HOST}smtp_tls_protocols = !SSLv2,\n  >= TLSv1.2\n`;
      const f = only(lint('main.cf', text), 'postfix.protocols-syntax');
      assert.deepEqual(f.range, range(2, 2, 2, 12));
    });
  });

  it('never shows secrets from in-line maps in evidence', () => {
    const text = `${HOST}relayhost = [smtp.example.net]:587\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = static:me@example.net:Hunter2Secret\nsmtp_sasl_password_maps = inline:{ [smtp.example.net]:587 = me:Hunter2Secret }\n`;
    const out = JSON.stringify(lint('main.cf', text));
    assert.ok(!out.includes('Hunter2Secret'), out);
  });
});

describe('postfix master.cf rules', () => {
  const MAIN = { 'main.cf': 'myhostname = mail.example.com\n' };
  // A server certificate: without one, encrypt on submission refuses every mail, and no edit sets it alone.
  const MAIN_TLS = { 'main.cf': 'myhostname = mail.example.com\nsmtpd_tls_chain_files = /etc/ssl/private/mail.pem\n' };
  it('wrapper mode: level none is ignored (info, edit to encrypt); no server certificate at all is an error', () => {
    const withCert = { 'main.cf': 'myhostname = mail.example.com\nsmtpd_tls_cert_file = /etc/ssl/mail.pem\nsmtpd_tls_key_file = /etc/ssl/mail.key\n' };
    const none = 'smtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_security_level=none\n';
    const r = lint('master.cf', none, withCert);
    const f = only(r, 'postfix.wrappermode-level-ignored');
    assert.equal(f.severity, 'info');
    assert.equal(slice(none, f.range!), 'none');
    assert.match(f.detail, /ignored with smtpd_tls_wrappermode = yes/);
    assert.equal(
      assertFixes('master.cf', none, 'postfix.wrappermode-level-ignored', withCert),
      'smtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_security_level=encrypt\n',
    );
    assert.ok(!r.findings.some((x) => x.severity === 'error'), JSON.stringify(r.findings.map((x) => x.title)));
    // main.cf's level none (or empty) with a certificate: a working SMTPS service, nothing to say.
    const wrap = 'smtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n';
    const inherits = { 'main.cf': `${withCert['main.cf']}smtpd_tls_security_level = none\n` };
    assert.deepEqual(
      ids(lint('master.cf', wrap, inherits)).filter((i) => i.startsWith('postfix.wrappermode') || i.startsWith('postfix.smtps')),
      [],
    );
    // No certificate anywhere: Postfix drops every connection.
    const nc = only(lint('master.cf', wrap, MAIN), 'postfix.smtps-without-certificate');
    assert.equal(nc.severity, 'error');
    assert.match(nc.detail, /Wrapper-mode request dropped/);
    assert.ok(ids(lint('master.cf', `${wrap}  -o smtpd_tls_cert_file=\n`, withCert)).includes('postfix.smtps-without-certificate'));
    assert.ok(!ids(lint('master.cf', `${wrap}  -o smtpd_tls_chain_files=/etc/ssl/mail-chain.pem\n`, MAIN)).includes('postfix.smtps-without-certificate'));
    // Without main.cf the inherited certificate is unknown: no claim.
    assert.ok(!ids(lint('master.cf', wrap)).includes('postfix.smtps-without-certificate'));
  });
  it('postfix.smtps-without-wrappermode: 465/smtps/submissions without wrapper mode', () => {
    const text = 'smtps inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n';
    const f = only(lint('master.cf', text, MAIN), 'postfix.smtps-without-wrappermode');
    assert.deepEqual(f.range, range(0, 0, 0, 5));
    const fixed = assertFixes('master.cf', text, 'postfix.smtps-without-wrappermode', MAIN);
    assert.equal(fixed, 'smtps inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_tls_wrappermode=yes\n');
    for (const name of ['submissions', '465', '0.0.0.0:465']) {
      assert.ok(ids(lint('master.cf', `${name} inet n - y - - smtpd\n`, MAIN)).includes('postfix.smtps-without-wrappermode'), name);
    }
    assert.ok(
      !ids(lint('master.cf', 'submissions inet n - y - - smtpd\n  -o { smtpd_tls_wrappermode = yes }\n', MAIN)).includes('postfix.smtps-without-wrappermode'),
    );
  });
  it('postfix.submission-without-encrypt: submission without -o smtpd_tls_security_level=encrypt', () => {
    const text = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=may\n';
    const f = only(lint('master.cf', text, MAIN_TLS), 'postfix.submission-without-encrypt');
    assert.equal(slice(text, f.range!), 'may');
    assertFixes('master.cf', text, 'postfix.submission-without-encrypt', MAIN_TLS);
    assertFixes('master.cf', 'submission inet n - y - - smtpd\n', 'postfix.submission-without-encrypt', MAIN_TLS);
    // The quick fix's title and the fix say what the edit does: change the service's -o, or add one.
    assert.equal(f.editTitle, 'Change -o smtpd_tls_security_level=may to encrypt');
    assert.match(f.fix, /^Change "-o smtpd_tls_security_level=may" under the submission service to encrypt/);
    const added = only(lint('master.cf', 'submission inet n - y - - smtpd\n', MAIN_TLS), 'postfix.submission-without-encrypt');
    assert.equal(added.editTitle, 'Add -o smtpd_tls_security_level=encrypt');
    assert.ok(
      !ids(lint('master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n', MAIN_TLS)).includes(
        'postfix.submission-without-encrypt',
      ),
    );
  });
  it('postfix.submission-without-encrypt on a server without any certificate: the certificate first, no edit to encrypt alone', () => {
    // A real RHEL relay: master.cf opens 587 with no overrides, main.cf configures no TLS at all. encrypt alone would
    // make the port refuse every mail (Postfix 3.7.11: MAIL gets 530, STARTTLS 454), so no edit sets it.
    const f = only(lint('master.cf', 'submission inet n - y - - smtpd\n', MAIN), 'postfix.submission-without-encrypt');
    assert.equal(f.edits, undefined, JSON.stringify(f.edits));
    assert.match(f.fix, /^First give smtpd a certificate .*; then add "-o smtpd_tls_security_level=encrypt"/);
    assert.match(f.detail, /no server certificate.*454 4\.7\.0 TLS not available/);
    // Nobody logs in there (no SASL): no claim about passwords.
    assert.doesNotMatch(f.detail, /password/);
    const sasl = only(lint('master.cf', 'submission inet n - y - - smtpd\n  -o smtpd_sasl_auth_enable=yes\n', MAIN_TLS), 'postfix.submission-without-encrypt');
    assert.match(sasl.detail, /Your users log in on port 587/);
    // Without main.cf in view the certificate is unknown: the edit stays.
    assert.ok(only(lint('master.cf', 'submission inet n - y - - smtpd\n'), 'postfix.submission-without-encrypt').edits);
  });
  it('checks -o overrides with the main.cf rules and service-aware severity', () => {
    const text =
      // The mandatory list: at encrypt the service never reads smtpd_tls_protocols (postfix.opportunistic-override-ignored).
      'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o { smtpd_tls_mandatory_protocols = >=TLSv1 }\nsmtp inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n';
    const r = lint('master.cf', text, MAIN);
    const legacy = only(r, 'postfix.legacy-protocols');
    assert.equal(legacy.severity, 'warning');
    assert.equal(slice(text, legacy.range!), '>=TLSv1');
    assert.equal(slice(text, only(r, 'postfix.encrypt-on-public-mx').range!), 'encrypt');
    assertFixes('master.cf', text, 'postfix.legacy-protocols', MAIN);
  });
  it('discovers the SMTP services on myhostname', () => {
    const text =
      'smtp inet n - y - - postscreen\nsubmission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\nsmtps inet n - y - - smtpd\n  -o smtpd_tls_wrappermode=yes\n127.0.0.1:10025 inet n - n - - smtpd\n';
    const eps = lint('master.cf', text, MAIN).endpoints.map((e) => `${e.endpoint.host}:${e.endpoint.port} ${e.endpoint.mode} ${e.source}`);
    assert.deepEqual(eps, [
      'mail.example.com:25 starttls smtp service in master.cf',
      'mail.example.com:587 starttls submission service in master.cf',
      'mail.example.com:465 implicit smtps service in master.cf',
    ]);
  });
  it('reports broken entries', () => {
    assert.ok(ids(lint('master.cf', 'smtp inet n -\n')).includes('postfix.master-syntax-error'));
    assert.ok(ids(lint('master.cf', 'smtp inet n - y - - smtpd -o\n')).includes('postfix.master-syntax-error'));
  });
  it("postfix.relayhost-invalid: a service's own -o relayhost= with a name that is no host, secrets hidden", () => {
    const text =
      'relay unix - - n - - smtp\n  -o relayhost=[smtp.exa\u0007mple.net]:587\nout unix - - n - - smtp\n  -o relayhost=[me:Hunter2Secret@bad_host!]:587\n';
    const r = lint('master.cf', text, MAIN);
    const fs = r.findings.filter((f) => f.id === 'postfix.relayhost-invalid');
    assert.deepEqual(
      fs.map((f) => f.range?.start.line),
      [1, 3],
    );
    assert.equal(slice(text, fs[0].range!), '[smtp.exa\u0007mple.net]:587');
    assert.match(fs[0].title, /relay service/);
    assert.match(fs[0].detail, /control character 0x07/);
    assert.doesNotMatch(JSON.stringify(r), /Hunter2Secret|\u0007/);
    assert.deepEqual(r.endpoints, []);
    const good = lint('master.cf', 'relay unix - - n - - smtp\n  -o relayhost=[smtp.example.net]:587\n', MAIN);
    assert.ok(!ids(good).includes('postfix.relayhost-invalid'));
  });
  it('offers no added -o line to an entry with a syntax error (it would land after the damage)', () => {
    // A dangling -o: "-o smtpd_tls_security_level=encrypt" added below it becomes the dangling -o's argument list.
    const text = 'submission inet n - y - - smtpd\n  -o syslog_name=postfix/submission -o\n';
    const r = lint('master.cf', text, MAIN_TLS);
    const f = only(r, 'postfix.submission-without-encrypt');
    assert.equal(f.edits, undefined, JSON.stringify(f.edits));
    assert.ok(ids(r).includes('postfix.master-syntax-error'));
    // An open brace swallows what follows it, the added line included.
    assert.equal(only(lint('master.cf', 'smtps inet n - y - - smtpd\n  -o { syslog_name=x\n', MAIN_TLS), 'postfix.smtps-without-wrappermode').edits, undefined);
    // Replacing a value the entry does set still works next to the damage.
    const own = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=may -o\n';
    assert.equal(slice(own, only(lint('master.cf', own, MAIN_TLS), 'postfix.submission-without-encrypt').edits![0].range), 'may');
    assertFixes('master.cf', own, 'postfix.submission-without-encrypt', MAIN_TLS);
  });
  it('ranges land on the line the editor shows in files with lone CR line breaks', () => {
    const text = 'submission inet n - y - - smtpd\r  -o smtpd_tls_security_level=may\r  -o { smtpd_tls_protocols = >=TLSv1 }\r';
    const r = lint('master.cf', text, MAIN_TLS);
    const legacy = only(r, 'postfix.legacy-protocols');
    assert.deepEqual(legacy.range, range(2, 29, 2, 36));
    assert.equal(slice(text, legacy.range!), '>=TLSv1');
    assert.equal(slice(text, only(r, 'postfix.submission-without-encrypt').range!), 'may');
    assertFixes('master.cf', text, 'postfix.legacy-protocols', MAIN_TLS);
    const added = assertFixes('master.cf', 'submission inet n - y - - smtpd\r', 'postfix.submission-without-encrypt', MAIN_TLS);
    assert.equal(added, 'submission inet n - y - - smtpd\r  -o smtpd_tls_security_level=encrypt\r');
  });
});
