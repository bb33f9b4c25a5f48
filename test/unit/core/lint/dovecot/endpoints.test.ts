import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { endpointLabel } from '../../../../../src/core/endpoint';
import { lintDovecot } from '../../../../support/dovecotLint';

const MASTER = `service imap-login {
  inet_listener imap {
    #port = 143
  }
  inet_listener imaps {
    #port = 993
    #ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 1995
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    port = 24
  }
}
`;

const labels = (file: string, text: string, files: Record<string, string> = {}) =>
  lintDovecot(file, text, files).endpoints.map((e) => endpointLabel(e.endpoint));

describe('dovecot endpoints', () => {
  it("the live config's listeners, defaults by name (imaps: implicit TLS), port = 0 off, LMTP left out, on this machine", () => {
    const r = lintDovecot('/etc/dovecot/conf.d/10-master.conf', MASTER, {}, { workspaceRoot: undefined });
    assert.deepEqual(
      r.endpoints.map((e) => endpointLabel(e.endpoint)),
      ['IMAP 127.0.0.1:143 (STARTTLS)', 'IMAP 127.0.0.1:993 (implicit TLS)', 'POP3 127.0.0.1:1995 (implicit TLS)'],
    );
    assert.deepEqual(r.endpoints[1].range, { start: { line: 4, character: 2 }, end: { line: 4, character: 21 } });
    assert.equal(r.endpoints[1].source, 'inet_listener imaps of service imap-login in 10-master.conf');
  });

  it('a copy: listen addresses and hostname name the server; wildcards without hostname give nothing', () => {
    const file = '/ws/dovecot/conf.d/10-master.conf';
    assert.deepEqual(labels(file, MASTER), []);
    const main = { '/ws/dovecot/dovecot.conf': 'listen = 192.0.2.10, 2001:db8::10\n' };
    assert.deepEqual(labels(file, MASTER, main).slice(0, 2), ['IMAP 192.0.2.10:143 (STARTTLS)', 'IMAP [2001:db8::10]:143 (STARTTLS)']);
    const named = { '/ws/dovecot/dovecot.conf': 'hostname = mail.example.test\n' };
    assert.deepEqual(labels(file, MASTER, named), [
      'IMAP mail.example.test:143 (STARTTLS)',
      'IMAP mail.example.test:993 (implicit TLS)',
      'POP3 mail.example.test:1995 (implicit TLS)',
    ]);
    // A listener's own address wins; an ssl = no listener on 993 is probed as it is configured (plain first).
    const own = 'service imap-login {\n  inet_listener imaps {\n    address = 198.51.100.7\n    ssl = no\n  }\n}\n';
    assert.deepEqual(labels(file, own), ['IMAP 198.51.100.7:993 (STARTTLS)']);
  });

  it('a HAProxy listener (haproxy = yes, as mailcow has) is not offered: it expects the PROXY header first', () => {
    const text =
      'service imap-login {\n  inet_listener imaps_haproxy {\n    port = 10993\n    ssl = yes\n    haproxy = yes\n  }\n  inet_listener imaps {\n  }\n}\n';
    assert.deepEqual(labels('/ws/dovecot/conf.d/10-master.conf', text, { '/ws/dovecot/dovecot.conf': 'hostname = mail.example.test\n' }), [
      'IMAP mail.example.test:993 (implicit TLS)',
    ]);
  });

  it('protocols without pop3 leave the POP3 listeners out', () => {
    const main = { '/ws/dovecot/dovecot.conf': 'protocols = imap lmtp\nhostname = mail.example.test\n' };
    assert.deepEqual(labels('/ws/dovecot/conf.d/10-master.conf', MASTER, main), [
      'IMAP mail.example.test:143 (STARTTLS)',
      'IMAP mail.example.test:993 (implicit TLS)',
    ]);
  });
});

describe('dovecot submission listeners (SMTP for mail clients)', () => {
  const SUBMISSION = `service submission-login {
  inet_listener submission {
    #port = 587
  }
  inet_listener submissions {
    port = 465
    ssl = yes
  }
}
`;
  const file = '/ws/dovecot/conf.d/10-master.conf';
  const withMain = (main: string) => ({ '/ws/dovecot/dovecot.conf': `hostname = mail.example.test\n${main}` });

  it('offered as SMTP when protocols names submission: 587 with STARTTLS by default, 465 with implicit TLS', () => {
    const r = lintDovecot(file, SUBMISSION, withMain('protocols = imap submission\n'));
    assert.deepEqual(
      r.endpoints.map((e) => endpointLabel(e.endpoint)),
      ['SMTP mail.example.test:587 (STARTTLS)', 'SMTP mail.example.test:465 (implicit TLS)'],
    );
    assert.equal(r.endpoints[1].source, 'inet_listener submissions of service submission-login in 10-master.conf');
    assert.equal(r.endpoints[0].endpoint.protocol, 'smtp');
  });

  it("not when protocols leaves it out or is unset (Dovecot's default, imap pop3 lmtp, has no submission)", () => {
    assert.deepEqual(labels(file, SUBMISSION, withMain('protocols = imap lmtp\n')), []);
    assert.deepEqual(labels(file, SUBMISSION, withMain('')), []);
  });

  it('submissions has no built-in port (doveconf 2.3.19: port 0, ssl = no); its own port without ssl is probed as configured', () => {
    const bare = 'service submission-login {\n  inet_listener submissions {\n  }\n}\n';
    assert.deepEqual(labels(file, bare, withMain('protocols = submission\n')), []);
    const noSsl = 'service submission-login {\n  inet_listener submissions {\n    port = 465\n  }\n}\n';
    assert.deepEqual(labels(file, noSsl, withMain('protocols = submission\n')), ['SMTP mail.example.test:465 (STARTTLS)']);
  });

  it("Debian's protocols.d: each installed daemon adds itself with `protocols = $protocols NAME`", () => {
    const main = '/etc/dovecot/dovecot.conf';
    const files = (daemons: string[]) => ({
      [main]: '!include_try /usr/share/dovecot/protocols.d/*.protocol\n!include conf.d/*.conf\n',
      ...Object.fromEntries(daemons.map((d) => [`/usr/share/dovecot/protocols.d/${d}d.protocol`, `protocols = $protocols ${d}\n`])),
    });
    const live = (daemons: string[]) =>
      lintDovecot('/etc/dovecot/conf.d/10-master.conf', SUBMISSION, files(daemons), { workspaceRoot: undefined }).endpoints.map((e) =>
        endpointLabel(e.endpoint),
      );
    // Without dovecot-submissiond no submission service runs: its 587 is Postfix's, not to be probed as Dovecot's.
    assert.deepEqual(live(['imap', 'pop3']), []);
    assert.deepEqual(live(['imap', 'submission']), ['SMTP 127.0.0.1:587 (STARTTLS)', 'SMTP 127.0.0.1:465 (implicit TLS)']);
  });
});

describe('dovecot endpoints of the stock Debian config as live', () => {
  it("10-master.conf's four listeners, on this machine", () => {
    const text = fs.readFileSync(path.resolve(__dirname, '../../../../fixtures/dovecot/debian-2.3.19/etc/dovecot/conf.d/10-master.conf'), 'utf8');
    const r = lintDovecot('/etc/dovecot/conf.d/10-master.conf', text, {}, { workspaceRoot: undefined });
    assert.deepEqual(
      r.endpoints.map((e) => endpointLabel(e.endpoint)),
      ['IMAP 127.0.0.1:143 (STARTTLS)', 'IMAP 127.0.0.1:993 (implicit TLS)', 'POP3 127.0.0.1:110 (STARTTLS)', 'POP3 127.0.0.1:995 (implicit TLS)'],
    );
  });
});
