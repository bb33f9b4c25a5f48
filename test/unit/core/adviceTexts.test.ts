/**
 * Advice texts of the probe and of `explain` that a review against postconf(5), posttls-finger(1) and the
 * Postfix/OpenSSL behaviour found wrong: each corrected claim is pinned here.
 */
import * as assert from 'node:assert/strict';
import { makeEndpoint } from '../../../src/core/endpoint';
import { explainError } from '../../../src/core/explain';
import { CATALOG } from '../../../src/core/explain/catalog';
import { probeFindings as F } from '../../../src/core/probe/findings';
import { CHAIN_FIX_DOVECOT } from '../../../src/core/cert/wording';
import type { Finding } from '../../../src/core/finding';
import * as fsm from 'node:fs';
import * as os from 'node:os';
import * as pathm from 'node:path';
import { main } from '../../../src/cli/main';
import { lintText } from '../../../src/core/lint';
import { readSettings } from '../../../src/extension/settings';
import { captureIO } from '../../support/cli';

const mx = makeEndpoint('mx.example.com', 25, { protocol: 'smtp' });
const sub = makeEndpoint('mail.example.com', 587, { protocol: 'smtp' });

function allProbeTexts(): Finding[] {
  return [
    F.legacyVersionAccepted(mx, ['TLSv1']),
    F.legacyVersionAccepted(sub, ['TLSv1', 'TLSv1.1']),
    F.modernVersionMissing(sub, []),
    F.noTls13(sub),
    F.handshakeFailed(sub, 'x', 'protocol version', []),
    F.handshakeFailed(sub, 'x', 'handshake failure', []),
    F.weakCipher(sub, 'DES-CBC3-SHA', 'TLSv1.2', '3DES'),
    F.weakKeyExchange(sub, 1024, 'DHE-RSA-AES128-GCM-SHA256'),
    F.starttlsRefused(sub, []),
  ];
}

describe('advice texts: Dovecot certificate settings', () => {
  // Dovecot 2.3 takes the file only as `ssl_cert = </path` (without `<` the value is read as PEM text and fails);
  // Dovecot 2.4 renamed the settings to ssl_server_cert_file / ssl_server_key_file, which take a path.
  const dovecotTexts = (): [string, string][] => {
    const imap = makeEndpoint('mail.example.com', 143, { protocol: 'imap' });
    const pop3 = makeEndpoint('mail.example.com', 110, { protocol: 'pop3' });
    return [
      ['imap starttls.not-offered', F.starttlsNotOffered(imap, []).fix],
      ['pop3 starttls.not-offered', F.starttlsNotOffered(pop3, []).fix],
      ['chain fix', CHAIN_FIX_DOVECOT],
    ];
  };
  it('give the 2.3 form with its "<" and the 2.4 names, never a bare ssl_cert', () => {
    for (const [what, fix] of dovecotTexts()) {
      assert.match(fix, /`ssl_cert = <\/[^`]+` and `ssl_key = <\/[^`]+`/, what);
      assert.match(fix, /`ssl_server_cert_file = \/[^`<]+` and `ssl_server_key_file = \/[^`<]+`/, what);
      assert.doesNotMatch(fix, /`ssl_cert` and `ssl_key`/, what);
    }
  });
});

describe('advice texts: probe findings', () => {
  it('never offer ">=TLSv1.2" without the form every Postfix reads and the version it needs', () => {
    for (const f of allProbeTexts()) {
      if (!/>=TLSv1\.2/.test(f.fix)) continue;
      assert.match(f.fix, /!SSLv2, !SSLv3, !TLSv1, !TLSv1\.1/, f.id);
      assert.match(f.fix, /3\.6/, f.id);
    }
  });
  it('port 25: legacy versions are info, and opportunistic TLS is not tightened', () => {
    const f = F.legacyVersionAccepted(mx, ['TLSv1']);
    assert.equal(f.severity, 'info');
    assert.match(f.fix, /Leave the opportunistic list/);
    assert.match(f.detail, /plain text/);
    assert.equal(F.legacyVersionAccepted(sub, ['TLSv1']).severity, 'warning');
    // The >=TLSv1 default is upstream Postfix 3.6+, not a Debian choice.
    for (const x of [f, F.legacyVersionAccepted(sub, ['TLSv1'])]) assert.doesNotMatch(x.fix, /Debian/);
  });
  it('Gmail is not said to refuse TLS 1.0/1.1 (Google documents TLS 1.0-1.3)', () => {
    for (const f of allProbeTexts()) assert.doesNotMatch(`${f.detail} ${f.fix}`, /Gmail[^.]*refuse|refuse[^.]*Gmail/, f.id);
  });
  it("weak DH: 1024-bit DH is refused at security level 2, and the advice is Postfix's own (leave the default)", () => {
    const f = F.weakKeyExchange(sub, 1024, 'DHE-RSA-AES128-GCM-SHA256');
    assert.match(f.detail, /security level 2/);
    assert.match(f.detail, /Node 20 still accept/);
    assert.match(f.fix, /remove `smtpd_tls_dh1024_param_file`/);
  });
  it('weak cipher: no "*_mandatory_ciphers = high" or cipher exclusions as the fix', () => {
    const f = F.weakCipher(sub, 'DES-CBC3-SHA', 'TLSv1.2', '3DES');
    assert.doesNotMatch(f.fix, /mandatory_ciphers = high`,/);
    assert.doesNotMatch(f.fix, /exclude_ciphers = aNULL/);
    assert.match(f.fix, /postconf\(5\) advises against/);
  });
  it('the key-match command works for ECDSA keys too (no -modulus)', () => {
    assert.doesNotMatch(F.starttlsRefused(sub, []).fix, /-modulus`? vs/);
    assert.match(F.starttlsRefused(sub, []).fix, /openssl pkey -in key\.pem -pubout/);
  });
});

describe('advice texts: explain', () => {
  it('no catalog entry offers ">=TLSv1.2" without the form every Postfix reads and the version it needs', () => {
    for (const e of CATALOG) {
      for (const t of [e.fix, e.postfix?.fix ?? '', ...e.causes.map((c) => c.cause), ...(e.postfix?.causes ?? []).map((c) => c.cause)]) {
        if (!/>=\s*TLSv1\.2/.test(t)) continue;
        assert.match(t, /!SSLv2, !SSLv3, !TLSv1, !TLSv1\.1/, e.id);
        assert.match(t, /3\.6/, e.id);
      }
    }
  });
  it('posttls-finger is given -L (log options), never "-l verbose" (an invalid security level)', () => {
    for (const e of CATALOG) {
      for (const text of [e.fix, e.postfix?.fix ?? '']) {
        assert.doesNotMatch(text, /posttls-finger[^"]*-l verbose/, e.id);
      }
    }
    assert.ok(CATALOG.some((e) => /posttls-finger -c -L verbose/.test(e.postfix?.fix ?? e.fix)));
  });
  it('a Postfix MX delivery timeout is answered with a relayhost, not "use port 587"', () => {
    const m = explainError('Nov 29 10:00:00 host postfix/smtp[123]: connect to mx.example.com[192.0.2.1]:25: Connection timed out').matches;
    const t = m.find((x) => x.id === 'explain.connection-timeout');
    assert.ok(t, JSON.stringify(m.map((x) => x.id)));
    assert.match(t.fix, /relayhost = \[smtp\.provider\.example\]:587/);
    assert.doesNotMatch(t.fix, /^Try port 587/);
  });
  it('"TLS is required, but was not offered" from Postfix names the local encrypt level, not nodemailer', () => {
    const m = explainError('postfix/smtp[9]: 4F2: TLS is required, but was not offered by host mx.example.com[192.0.2.1]').matches;
    const t = m.find((x) => x.id === 'explain.starttls-unavailable' || x.id === 'explain.postfix-tls-required-not-offered');
    assert.ok(t, JSON.stringify(m.map((x) => x.id)));
    assert.ok(
      t.causes.some((c) => c.likelihood === 'likely' && /smtp_tls_security_level = encrypt/.test(c.cause)),
      JSON.stringify(t.causes),
    );
    assert.doesNotMatch(`${t.title} ${t.detail} ${t.fix}`, /requireTLS/);
  });
  it('a Postfix log line is not told about "Node\'s trust store" alone, and a missing certificate is not "no shared cipher"', () => {
    const e = CATALOG.find((x) => x.id === 'explain.self-signed-in-chain')!;
    assert.match(e.detail, /smtp_tls_CAfile/);
    const h = CATALOG.find((x) => x.id === 'explain.handshake-failure')!;
    assert.doesNotMatch(h.causes.map((c) => c.cause).join(' '), /no shared cipher" when smtpd_tls_cert_file is missing/);
    assert.match(h.detail, /454/);
  });
});

describe('advice texts: imprecise claims made precise', () => {
  it('Dovecot: mail_max_userip_connections is not offered as the pre-login limit', () => {
    const f = F.greetingRejected(sub, ['* BYE too many connections'], true);
    assert.match(f.fix, /counts only logged-in sessions/);
  });
});

describe('advice: where the Postfix version comes from (setting, CLI flag)', () => {
  it('the setting is validated: a version is kept, anything else is unknown with a problem', () => {
    assert.equal(readSettings((k) => (k === 'postfix.version' ? ' 3.5 ' : undefined)).settings.postfixVersion, '3.5');
    const bad = readSettings((k) => (k === 'postfix.version' ? 'latest' : undefined));
    assert.equal(bad.settings.postfixVersion, '');
    assert.match(bad.problems.join('\n'), /postfix\.version/);
  });
  it('lint --postfix-version picks the edit syntax; a bad value is a usage error', async () => {
    const dir = fsm.mkdtempSync(pathm.join(os.tmpdir(), 'mtd-advice-cli-'));
    try {
      const file = pathm.join(dir, 'main.cf');
      fsm.writeFileSync(file, 'myhostname = mail.example.com\nsmtpd_tls_mandatory_protocols = SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3\n');
      const edit = async (extra: string[]) => {
        const io = captureIO();
        await main(['lint', file, '--format', 'json', ...extra], io);
        const out = JSON.parse(io.stdout);
        const f = out.files[0].findings.find((x: { id: string }) => x.id === 'postfix.legacy-protocols');
        return f.edits[0].newText as string;
      };
      assert.equal(await edit([]), '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1');
      assert.equal(await edit(['--postfix-version', '3.8']), '>=TLSv1.2');
      assert.equal(await edit(['--postfix-version=3.5.27']), '!SSLv2, !SSLv3, !TLSv1, !TLSv1.1');
      const io = captureIO();
      assert.equal(await main(['lint', file, '--postfix-version', 'newest'], io), 2);
    } finally {
      fsm.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('.env SECURE=false says when it does nothing (nodemailer takes the string "false" for true)', async () => {
    const r = lintText('/ws/.env', 'SMTP_HOST=smtp.example.com\nSMTP_PORT=587\nSMTP_SECURE=true\n', { readFile: () => undefined, workspaceRoot: '/ws' });
    const f = r.findings.find((x) => x.id === 'dotenv.secure-on-starttls-port');
    assert.ok(f, JSON.stringify(r.findings.map((x) => x.id)));
    assert.match(f.fix, /takes the non-empty string "false" for true/);
  });
});

describe('advice: a refused connection names the server software of the protocol', () => {
  it("IMAP and POP3 point at Dovecot's listeners, SMTP at the Postfix service of that port", () => {
    const fix = (host: string, port: number, protocol: 'smtp' | 'imap' | 'pop3') =>
      F.tcpRefused(makeEndpoint(host, port, { protocol }), '192.0.2.1', 'ECONNREFUSED').fix;
    for (const [port, protocol] of [
      [993, 'imap'],
      [110, 'pop3'],
    ] as const) {
      assert.match(fix('mail.example.com', port, protocol), new RegExp(`Dovecot.*service ${protocol}-login.*inet_listener.*port ${port}`));
      assert.doesNotMatch(fix('mail.example.com', port, protocol), /Postfix|master\.cf/);
    }
    assert.match(fix('mx.example.com', 25, 'smtp'), /master\.cf enables the smtp inet service/);
    assert.match(fix('mail.example.com', 465, 'smtp'), /submissions service/);
    assert.match(fix('mail.example.com', 587, 'smtp'), /the submission service/);
    assert.match(fix('mail.example.com', 2525, 'smtp'), /`2525 inet n - y - - smtpd`/);
    assert.doesNotMatch(fix('mail.example.com', 2525, 'smtp'), /Dovecot/);
  });
});

describe('advice: a server without secure renegotiation', () => {
  it("names RFC 5746 and the server's TLS stack, not the protocol list", () => {
    const f = F.handshakeFailed(sub, 'final_renegotiate:unsafe legacy renegotiation disabled', undefined, []);
    assert.match(f.title, /RFC 5746/);
    assert.match(f.fix, /Update the TLS stack/);
    assert.doesNotMatch(f.fix, /smtpd_tls_protocols|ssl_min_protocol/);
  });
});
