import * as assert from 'node:assert/strict';
import { explainError, evidenceLine, matchToFinding } from '../../../../src/core/explain';
import { CATALOG } from '../../../../src/core/explain/catalog';

const idsOf = (t: string): string[] => explainError(t).matches.map((m) => m.id);

describe('explainError', () => {
  // Postfix lines as Postfix 3.7 logs them; nodemailer texts as nodemailer 10 throws them (see the integration test).
  const cases: Array<[string, string]> = [
    ['Nov 28 04:00:03 mx1 postfix/smtp[2103]: SSL_connect error to legacy.example.org[192.0.2.44]:25: lost connection', 'explain.postfix-ssl-connect-lost'],
    ['Nov 28 04:00:04 mx1 postfix/smtp[2103]: 4A1B2C3D4E: Cannot start TLS: handshake failure', 'explain.postfix-cannot-start-tls'],
    [
      'postfix/smtp[2306]: certificate verification failed for smtp.partner.test[203.0.113.50]:25: untrusted issuer /CN=Partner CA',
      'explain.postfix-cert-verification-failed',
    ],
    [
      'postfix/smtp[2304]: Untrusted TLS connection established to mx.example.net[198.51.100.9]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384',
      'explain.postfix-untrusted-tls',
    ],
    [
      'postfix/smtp[2102]: warning: TLS library problem: error:0A00010B:SSL routines::wrong version number:../ssl/record/ssl3_record.c:354:',
      'explain.wrong-version-number',
    ],
    ['postfix/smtpd[1]: warning: TLS library problem: error:0A000438:SSL routines::tlsv1 alert internal error', 'explain.tls-library-problem'],
    ['Error: 80E8A2C2C67F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', 'explain.wrong-version-number'],
    // OpenSSL 1.0's words for the same mismatch (old Node, Postfix on old distributions).
    ['Error: 139901:error:140770FC:SSL routines:SSL23_GET_SERVER_HELLO:unknown protocol:s23_clnt.c:769:', 'explain.wrong-version-number'],
    [
      'postfix/smtp[811]: warning: TLS library problem: error:140770FC:SSL routines:ssl23_get_server_hello:unknown protocol:s23_clnt.c:769:',
      'explain.wrong-version-number',
    ],
    ['ETIMEDOUT Greeting never received', 'explain.greeting-never-received'],
    ['Error: connect ETIMEDOUT 192.0.2.10:25', 'explain.connection-timeout'],
    ['ESOCKET read ECONNRESET', 'explain.connection-reset'],
    ['Error: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)', 'explain.self-signed-in-chain'],
    ['code: DEPTH_ZERO_SELF_SIGNED_CERT', 'explain.self-signed-leaf'],
    ['Error: self signed certificate', 'explain.self-signed-leaf'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'explain.incomplete-chain'],
    ['Error: certificate has expired (CERT_HAS_EXPIRED)', 'explain.cert-expired'],
    [
      "ERR_TLS_CERT_ALTNAME_INVALID Hostname/IP does not match certificate's altnames: Host: smtp.example.com. is not in the cert's altnames: DNS:mail.example.com",
      'explain.hostname-mismatch',
    ],
    ['ESOCKET', 'explain.socket-error'],
    ['ssl3_read_bytes:tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1586:SSL alert number 70', 'explain.tls-version-rejected'],
    ['ETLS Error upgrading connection with STARTTLS: 502 5.5.1 Error: command not implemented', 'explain.starttls-unavailable'],
    ['530 5.7.0 Must issue a STARTTLS command first', 'explain.auth-needs-tls'],
    [
      'postfix/smtp[5]: 3F2A: to=<a@b.test>, relay=mx.b.test[192.0.2.8]:25, status=deferred (TLS is required, but was not offered by host mx.b.test[192.0.2.8])',
      'explain.postfix-tls-required-not-offered',
    ],
    [
      'postfix/smtp[5]: 3F2A: to=<a@b.test>, relay=mx.b.test[192.0.2.8]:25, status=deferred (Server certificate not verified)',
      'explain.postfix-cert-verification-failed',
    ],
    ['getaddrinfo ENOTFOUND smtp.exmaple.com', 'explain.dns-failure'],
    ['getaddrinfo EAI_AGAIN smtp.example.com', 'explain.dns-temporary'],
  ];
  for (const [text, id] of cases) {
    it(`${id}: ${text.slice(0, 70)}`, () => assert.ok(idsOf(text).includes(id), JSON.stringify(idsOf(text))));
  }

  it("a Dovecot server's line gets the server's causes and fix, not nodemailer's or Postfix's", () => {
    const line = (reason: string) =>
      `Nov 30 10:00:00 mx dovecot: imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=203.0.113.5, lip=192.0.2.1, TLS handshaking: SSL_accept() failed: ${reason}, session=<x>`;
    const [wrong] = explainError(line('error:0A00010B:SSL routines::wrong version number')).matches;
    assert.equal(wrong.id, 'explain.wrong-version-number');
    assert.match(wrong.title, /client spoke plain text to a port of this server/);
    assert.match(wrong.fix, /993 \(IMAP\) or 995 \(POP3\) with SSL\/TLS/);
    assert.doesNotMatch(wrong.fix + wrong.causes.map((c) => c.cause).join(' '), /secure: |requireTLS|wrappermode/);
    const [cipher] = explainError(line('error:0A0000C1:SSL routines::no shared cipher')).matches;
    assert.equal(cipher.id, 'explain.no-shared-cipher');
    assert.doesNotMatch(cipher.fix, /smtpd_tls/);
    assert.match(cipher.fix, /ssl_cipher_list/);
    // A Node client's error and a Postfix line keep their own advice, also pasted beside a Dovecot line.
    const node = explainError('Error: 1408F10B:SSL routines:ssl3_get_record:wrong version number').matches[0];
    assert.match(node.fix, /secure: false/);
    const mixed = explainError(`${line('x')}\nNov 30 10:00:01 mx postfix/smtp[12]: SSL_connect error to a.example[192.0.2.9]:25: wrong version number`);
    assert.match(mixed.matches.find((m) => m.id === 'explain.wrong-version-number')?.fix ?? '', /wrappermode/);
  });

  it('a temporary resolver failure is not read as a name that does not resolve', () => {
    assert.deepEqual(idsOf('Error: getaddrinfo EAI_AGAIN smtp.example.com'), ['explain.dns-temporary']);
    assert.deepEqual(idsOf('getaddrinfo EAI_FAIL smtp.example.com'), ['explain.dns-temporary']);
    assert.deepEqual(idsOf('ping: smtp.example.com: Temporary failure in name resolution'), ['explain.dns-temporary']);
    assert.deepEqual(idsOf('getaddrinfo ENOTFOUND smtp.example.com'), ['explain.dns-failure']);
  });

  it('"no protocols available" is this side\'s own version settings, never a server that only speaks old TLS', () => {
    // OpenSSL raises it before any ClientHello leaves (Node 20 with minVersion above maxVersion; Postfix on an old
    // OpenSSL with a protocol list that leaves nothing), so the peer was never asked.
    const node =
      'Error: 80ECA91F877F0000:error:0A0000BF:SSL routines:tls_setup_handshake:no protocols available:../deps/openssl/openssl/ssl/statem/statem_lib.c:102:';
    const postfix =
      'Jun  6 00:22:01 relay postfix/smtp[3682]: warning: TLS library problem: 3682:error:140740BF:SSL routines:SSL23_CLIENT_HELLO:no protocols available:s23_clnt.c:381:';
    for (const text of [node, postfix, 'code: ERR_SSL_NO_PROTOCOLS_AVAILABLE']) {
      assert.deepEqual(idsOf(text), ['explain.no-protocols-available'], text);
      const [m] = explainError(text).matches;
      assert.doesNotMatch(`${m.causes.map((c) => c.cause).join(' ')} ${m.fix}`, /server only offers|Enable TLS 1\.2 and 1\.3 on the server/);
    }
    assert.match(explainError(postfix).matches[0].fix, /smtp_tls_mandatory_protocols/);
    assert.match(explainError(node).matches[0].fix, /minVersion/);
  });

  it('a version refused on the server side (smtpd, OpenSSL\'s server code) is a client too old for this server, not "enable TLS 1.2 on the server"', () => {
    const inbound = [
      'Jan  2 10:00:00 mx postfix/smtpd[1920]: warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_srvr.c:1657:',
      // The part after the syslog tag, as the mail-log linter classifies it, and OpenSSL 1.1's function names.
      'warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_srvr.c:1657:',
      'warning: TLS library problem: error:1417118C:SSL routines:tls_process_client_hello:version too low:../ssl/statem/statem_srvr.c:1654:',
      'warning: TLS library problem: error:1425F102:SSL routines:ssl_choose_server_version:unsupported protocol:../ssl/statem/statem_lib.c:1942:',
      // Dovecot's login processes name the server side in their own words, without OpenSSL's file.
      'Nov 30 10:00:00 mx dovecot: imap-login: Disconnected: Connection closed: SSL_accept() failed: error:0A000102:SSL routines::unsupported protocol (no auth attempts in 0 secs): user=<>, rip=192.0.2.9, lip=192.0.2.1, TLS handshaking: SSL_accept() failed',
    ];
    for (const text of inbound) {
      assert.deepEqual(idsOf(text), ['explain.inbound-version-refused'], text);
      const [m] = explainError(text).matches;
      assert.doesNotMatch(`${m.causes.map((c) => c.cause).join(' ')} ${m.fix}`, /Enable TLS 1\.2 and 1\.3 on the server|The server only offers/);
      assert.match(m.fix, /smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1\.1/);
    }
    // The client's side of the same refusal keeps its entry.
    assert.deepEqual(
      idsOf('postfix/smtp[7]: warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_clnt.c:1035:'),
      ['explain.tls-version-rejected'],
    );
    assert.deepEqual(idsOf('Error: 4C0A0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version'), ['explain.tls-version-rejected']);
  });

  it('a certificate refused by the peer\'s alert (unknown ca, bad certificate, certificate unknown) is named, not only "TLS library problem"', () => {
    for (const text of [
      'postfix/smtpd[481]: warning: TLS library problem: error:0A000418:SSL routines::tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:1605:SSL alert number 48:',
      'postfix/submission/smtpd[9]: warning: TLS library problem: error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:../ssl/record/rec_layer_s3.c:1543:SSL alert number 46:',
      'warning: TLS library problem: error:0A000412:SSL routines::sslv3 alert bad certificate:../ssl/record/rec_layer_s3.c:1584:SSL alert number 42:',
    ]) {
      assert.deepEqual(idsOf(text), ['explain.peer-alert-certificate-rejected'], text);
      assert.match(explainError(text).matches[0].fix, /full chain/);
    }
    // On the smtp client side the remote refused this server's client certificate; in a nodemailer error, the client's.
    assert.match(
      explainError('postfix/smtp[7]: warning: TLS library problem: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48:').matches[0].fix,
      /outbound line the refused certificate is smtp_tls_cert_file/,
    );
    const node = explainError('Error: 40C8:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:SSL alert number 48 code: ESOCKET').matches[0];
    assert.equal(node.id, 'explain.peer-alert-certificate-rejected');
    assert.match(node.fix, /tls\.cert/);
    assert.doesNotMatch(`${node.fix} ${node.detail}`, /smtpd_tls_chain_files|postfix reload/);
    // A Dovecot server's line keeps the server's fix (full chain), without Postfix's parameters.
    const dovecot = explainError(
      'imap-login: Disconnected: Connection closed (SSL_accept() failed: error:0A000418:SSL routines::tlsv1 alert unknown ca: SSL alert number 48): user=<>',
    ).matches[0];
    assert.equal(dovecot.id, 'explain.peer-alert-certificate-rejected');
    assert.match(dovecot.fix, /full chain/);
    assert.doesNotMatch(dovecot.fix, /smtpd_tls_chain_files/);
    // Alert 45 keeps its own, more precise entry.
    assert.deepEqual(idsOf('ssl3_read_bytes:sslv3 alert certificate expired:SSL alert number 45:'), ['explain.peer-alert-certificate-expired']);
  });

  it('"disconnected before secure TLS connection" names the legacy-only server a Node 17+ client meets, and never advises lowering the client', () => {
    const [m] = explainError('Error: Client network socket disconnected before secure TLS connection was established').matches;
    assert.equal(m.id, 'explain.disconnected-before-tls');
    assert.match(m.causes[0].cause, /TLS 1\.0\/1\.1 .*Node 17/);
    assert.match(m.fix, /must be upgraded/);
    assert.doesNotMatch(m.fix, /SECLEVEL=0|minVersion: 'TLSv1'|rejectUnauthorized/);
  });

  it('a fix that names the Debian CA bundle also names the RHEL one (Postfix has no default bundle)', () => {
    const fixes = CATALOG.flatMap((e) => [e.fix, e.postfix?.fix ?? '']);
    const naming = fixes.filter((f) => f.includes('/etc/ssl/certs/ca-certificates.crt'));
    assert.ok(naming.length >= 4);
    for (const f of naming) assert.match(f, /RHEL: \/etc\/pki\/tls\/certs\/ca-bundle\.crt/, f);
  });

  it('the title quotes the words of the error it explains, in either OpenSSL wording', () => {
    for (const [text, words] of [
      ['Error: 4412364224:error:140770FC:SSL routines:SSL23_GET_SERVER_HELLO:unknown protocol:s23_clnt.c:827:', 'unknown protocol'],
      ['Error: 80E8A2C2C67F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', 'wrong version number'],
    ]) {
      assert.ok(explainError(text).matches[0].title.includes(`"${words}"`), text);
    }
  });

  it('a "certificate verification failed" line says when it appears at level may too (Postfix 2.8 and older), where the mail is sent', () => {
    const [m] = explainError('postfix/smtp[63116]: certificate verification failed for mail.example.net[192.0.2.5]:25: self-signed certificate.').matches;
    assert.equal(m.id, 'explain.postfix-verify-self-signed');
    assert.match(m.detail, /Postfix 2\.8 and older at every level/);
  });

  it('an inbound handshake the client reset is the client hanging up, never "the server reset the connection"', () => {
    for (const end of ['Connection reset by peer', 'lost connection', 'Connection timed out']) {
      assert.deepEqual(idsOf(`postfix/smtpd[3]: SSL_accept error from unknown[192.0.2.1]: ${end}`), ['explain.postfix-ssl-accept-lost'], end);
    }
    // Outbound, the peer is the server: the reset keeps its entry.
    assert.ok(idsOf('postfix/smtp[2]: SSL_connect error to mx.example.org[192.0.2.3]:25: Connection reset by peer').includes('explain.connection-reset'));
  });

  it('"unexpected eof while reading" is a close without close_notify (noise on its own), not a bare "TLS library problem"', () => {
    const text =
      'Mar 15 09:57:00 mail postfix/smtps/smtpd[7282]: warning: TLS library problem: error:0A000126:SSL routines::unexpected eof while reading:../ssl/record/rec_layer_s3.c:317:';
    assert.deepEqual(idsOf(text), ['explain.tls-unexpected-eof']);
    assert.equal(explainError(text).matches[0].severity, 'info');
    // Dovecot's login process logs it too.
    const dovecot =
      'Nov 30 10:00:00 mail dovecot: imap-login: Disconnected: Connection closed (SSL_accept() failed: error:0A000126:SSL routines::unexpected eof while reading): user=<>';
    assert.deepEqual(idsOf(dovecot), ['explain.tls-unexpected-eof']);
    // A client's failed send with the same reason is no noise: not "nothing to fix".
    const node =
      'Error: C0B7E6F4B27F0000:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:322: code: ESOCKET';
    assert.deepEqual(idsOf(node), ['explain.socket-error']);
  });

  it('stays linear on a pasted log whose lines repeat the words an entry looks for (hostile input, 20 MB bound)', function () {
    // "a[1]:" and "smtpd[1]:" are where two entries' patterns began; retried from every position of a 4 KB line, such
    // a paste took about 11 s. Anchored, the reason looked for first, it takes well under one.
    this.timeout(3000);
    for (const unit of ['a[1]:', 'smtpd[1]: ']) {
      const line = unit.repeat(Math.floor(4000 / unit.length));
      assert.deepEqual(explainError(Array(5000).fill(line).join('\n')).matches, []);
    }
  });

  it('a specific reason silences the generic code on the same line', () => {
    assert.deepEqual(idsOf('ETIMEDOUT Greeting never received'), ['explain.greeting-never-received']);
    assert.deepEqual(idsOf('ESOCKET 8000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), ['explain.wrong-version-number']);
  });

  it('gives the endpoint to probe, with the mode from the port', () => {
    const [m] = explainError('postfix/smtp[9]: SSL_connect error to smtp.example.com[203.0.113.5]:465: lost connection').matches;
    assert.deepEqual(m.endpoint, { host: 'smtp.example.com', port: 465, protocol: 'smtp', mode: 'implicit' });
    const [n] = explainError('connect ECONNREFUSED 127.0.0.1:587').matches;
    assert.deepEqual(n.endpoint, { host: '127.0.0.1', port: 587, protocol: 'smtp', mode: 'starttls' });
    const [u] = explainError('SSL_connect error to unknown[192.0.2.1]:25: lost connection').matches;
    assert.equal(u.endpoint?.host, '192.0.2.1');
  });

  it('a client named with "from" is not a server to probe', () => {
    const m = explainError(
      'postfix/smtpd[3001]: SSL_accept error from unknown[192.0.2.200]: lost connection\npostfix/smtpd[3001]: warning: TLS library problem: error:0A0000C1:SSL routines::no shared cipher',
    ).matches;
    assert.ok(m.some((x) => x.id === 'explain.no-shared-cipher'));
    assert.ok(m.some((x) => x.id === 'explain.postfix-ssl-accept-lost'));
    assert.ok(m.every((x) => x.endpoint === undefined));
  });

  it('in a paste naming one server, the OpenSSL reason line gets that server too', () => {
    const text =
      'postfix/smtp[2102]: warning: TLS library problem: error:0A00010B:SSL routines::wrong version number:\npostfix/smtp[2102]: SSL_connect error to relay.example.test[198.51.100.20]:587: -1';
    const m = explainError(text).matches.find((x) => x.id === 'explain.wrong-version-number');
    assert.equal(m?.endpoint?.host, 'relay.example.test');
    assert.ok(m?.causes[0].cause.includes('smtp_tls_wrappermode'), 'Postfix causes for Postfix logs');
  });

  it('ranks likely causes first and converts to a Finding', () => {
    for (const m of explainError('self-signed certificate in certificate chain\nCERT_HAS_EXPIRED\nGreeting never received').matches) {
      const firstPossible = m.causes.findIndex((c) => c.likelihood === 'possible');
      assert.ok(firstPossible === -1 || m.causes.slice(firstPossible).every((c) => c.likelihood === 'possible'));
      const f = matchToFinding(m);
      assert.ok(f.id && f.title && f.fix && f.detail);
    }
  });

  it('masks credentials in evidence', () => {
    assert.equal(
      evidenceLine('url smtps://bob:pw123@smtp.x.test:465 password=hunter2 AUTH PLAIN AGJvYgBwdzEyMw=='),
      'url smtps://(hidden)@smtp.x.test:465 password=(hidden) AUTH PLAIN (hidden)',
    );
    // A refused login's reply may echo what the client sent: its text is hidden after the code; other numbers are not replies.
    assert.equal(
      evidenceLine('status=deferred (SASL authentication failed; server r.test[192.0.2.1] said: 535 5.7.8 Invalid base64 "cGFzc3dvcmQ=") x'),
      'status=deferred (SASL authentication failed; server r.test[192.0.2.1] said: 535 5.7.8 (reply text hidden)) x',
    );
    assert.equal(evidenceLine('Error: Invalid login: 535 Authentication failed for bob'), 'Error: Invalid login: 535 (reply text hidden)');
    assert.equal(evidenceLine('relay=mx.test[192.0.2.1]:25, delay=535, size=535 ok'), 'relay=mx.test[192.0.2.1]:25, delay=535, size=535 ok');
  });

  it('unknown text explains nothing; any input is safe and bounded', () => {
    assert.deepEqual(explainError('all good here').matches, []);
    assert.deepEqual(explainError('').matches, []);
    assert.deepEqual(explainError(undefined as unknown as string).matches, []);
    const big = 'x'.repeat(5_000_000) + '\nwrong version number';
    assert.ok(Array.isArray(explainError(big).matches));
    const bytes = Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.ok(Array.isArray(explainError(bytes).matches));
  });
});

describe('explainError: texts that used to go unexplained or half-explained', () => {
  it('"dh key too small" names the server\'s DH group, not a generic handshake failure, and never lowers the security level', () => {
    for (const text of [
      'Error: 80EC6C73227F0000:error:0A00018A:SSL routines:tls_process_ske_dhe:dh key too small:../deps/openssl/openssl/ssl/statem/statem_clnt.c:2092:',
      'ERR_SSL_DH_KEY_TOO_SMALL',
      'postfix/smtp[25291]: warning: TLS library problem: error:0A00018A:SSL routines:tls_process_ske_dhe:dh key too small',
    ]) {
      const m = explainError(text).matches;
      assert.deepEqual(
        m.map((x) => x.id),
        ['explain.dh-key-too-small'],
      );
      assert.match(m[0].fix, /kEDH/);
      assert.doesNotMatch(`${m[0].fix} ${m[0].causes.map((c) => c.cause).join(' ')}`, /SECLEVEL=[01]|rejectUnauthorized/);
    }
    const postfix = explainError(
      'postfix/smtp[1]: warning: TLS library problem: error:14082174:SSL routines:SSL3_CHECK_CERT_AND_ALGORITHM:dh key too small:s3_clnt.c:3347:',
    ).matches[0];
    assert.match(postfix.fix, /exclude=kEDH/);
    assert.match(postfix.detail, /plain text/);
  });

  it('a refused login is named as a credentials problem, on the client side only', () => {
    for (const text of [
      'Error: Invalid login: 535-5.7.8 Username and Password not accepted. Learn more at',
      'EAUTH Missing credentials for "PLAIN"',
      'postfix/smtp[77]: 4F2: to=<a@b.test>, relay=smtp.gmail.com[192.0.2.9]:587, status=deferred (SASL authentication failed; server smtp.gmail.com[192.0.2.9] said: 535-5.7.8 Username and Password not accepted.)',
      'postfix/smtp[77]: 4F3: to=<a@b.test>, relay=smtp.gmail.com[192.0.2.9]:587, status=deferred (SASL [CACHED] authentication failed; server smtp.gmail.com[192.0.2.9] said: 535 5.7.8 Error)',
    ]) {
      assert.deepEqual(idsOf(text), ['explain.auth-rejected'], text);
    }
    // smtpd's own log of a client guessing passwords is not our user's login.
    assert.deepEqual(idsOf('postfix/smtpd[9]: warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6'), []);
    const pf = explainError('postfix/smtp[77]: SASL authentication failed; server mx.test[192.0.2.9] said: 535 5.7.8 no').matches[0];
    assert.match(pf.fix, /postmap/);
  });

  it('OpenSSL 3 refusals name their cause: weak certificate signature or key, legacy renegotiation; the bare verify failure is generic', () => {
    const cases: Array<[string, string]> = [
      ['Error: CA signature digest algorithm too weak', 'explain.weak-certificate-signature'],
      [
        'postfix/smtp[9]: certificate verification failed for mx.test[192.0.2.1]:25: num=68:CA signature digest algorithm too weak',
        'explain.weak-certificate-signature',
      ],
      ['Error: EE certificate key too weak', 'explain.weak-certificate-key'],
      ['error:0A000152:SSL routines:final_renegotiate:unsafe legacy renegotiation disabled', 'explain.unsafe-legacy-renegotiation'],
      [
        'stream_socket_enable_crypto(): SSL operation failed with code 1. OpenSSL Error messages: error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed',
        'explain.certificate-verify-failed',
      ],
      // A specific reason on the same line wins over the bare one.
      [
        'ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)',
        'explain.self-signed-leaf',
      ],
      ['Error: Connection closed unexpectedly', 'explain.connection-closed'],
      ['ETLS Connection closed unexpectedly', 'explain.connection-closed'],
    ];
    for (const [text, id] of cases) assert.deepEqual(idsOf(text), [id], text);
    for (const id of ['explain.weak-certificate-signature', 'explain.weak-certificate-key', 'explain.unsafe-legacy-renegotiation']) {
      const m = explainError(
        id === 'explain.unsafe-legacy-renegotiation'
          ? 'unsafe legacy renegotiation disabled'
          : id === 'explain.weak-certificate-key'
            ? 'EE certificate key too weak'
            : 'ca md too weak',
      ).matches[0];
      // None of them is "fixed" by turning checks off or lowering the security level.
      assert.doesNotMatch(m.fix, /SECLEVEL=[01]|rejectUnauthorized: false/, id);
    }
  });

  it('"lost connection after CONNECT" is explained on an implicit-TLS service only', () => {
    assert.deepEqual(idsOf('Mar 15 09:57:00 mail postfix/smtps/smtpd[7282]: lost connection after CONNECT from mail.example.net[192.0.2.3]'), [
      'explain.postfix-lost-after-connect-tls',
    ]);
    assert.deepEqual(idsOf('postfix/submissions/smtpd[12]: lost connection after CONNECT from unknown[192.0.2.4]'), ['explain.postfix-lost-after-connect-tls']);
    // On port 25 it is a client that left before EHLO: not a TLS matter.
    assert.deepEqual(idsOf('postfix/smtpd[5982]: lost connection after CONNECT from unknown[192.0.2.5]'), []);
  });
});
