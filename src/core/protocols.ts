/**
 * THE PROTOCOL TABLE: everything that differs between the mail protocols the tool speaks, in one place.
 * Every protocol branch and list in the core, the CLI and the extension reads it, so adding a protocol is one
 * entry here (a missing field or protocol is a compile error), its dialogue in src/core/probe/dialogue.ts
 * (`DIALOGUES`, also a `Record<Protocol, ...>`), and its docs.
 */
export type Protocol = 'smtp' | 'imap' | 'pop3';
export type TlsMode = 'starttls' | 'implicit';

export interface ProtocolSpec {
  /** As shown to people: `SMTP`. */
  readonly label: string;
  /** Well-known ports per TLS mode; the first is the default for that mode. */
  readonly ports: Readonly<Record<TlsMode, readonly number[]>>;
  /** The command that asks for the capabilities (and, for SMTP, says hello). */
  readonly capabilityCommand: string;
  /** The command that starts TLS, and the capability that announces it. */
  readonly starttlsVerb: string;
  /** URL schemes that name a server of this protocol (`smtps://user@host:465`), lower case. */
  readonly urlSchemes: readonly string[];
  /** The first line of the server's plaintext greeting, ready or busy. */
  readonly greeting: RegExp;
  /** Wording for findings. */
  readonly words: {
    /** The ports as a list, e.g. `25, 587 or 465`. */
    readonly ports: string;
    /** The ports with their modes, e.g. `25, 587 (STARTTLS) or 465 (implicit TLS)`. */
    readonly portsWithModes: string;
    /** The server program that answers after TLS, e.g. `smtpd`. */
    readonly server: string;
    /** What client configuration selects each mode. */
    readonly clientSetting: Readonly<Record<TlsMode, string>>;
    /** Something in between that can mangle the dialogue, and how to stop it. */
    readonly middlebox: string;
    readonly inspection: string;
    /** How to enable STARTTLS on the server. */
    readonly enableStarttls: string;
  };
}

// Dovecot 2.3 reads the file only with the `<` (without it the value is taken as the PEM itself); 2.4 renamed both.
const DOVECOT_STARTTLS =
  'Dovecot: set `ssl = yes` with, in Dovecot 2.3, `ssl_cert = </etc/letsencrypt/live/NAME/fullchain.pem` and `ssl_key = </etc/letsencrypt/live/NAME/privkey.pem` ' +
  '(the `<` is required), or in Dovecot 2.4 `ssl_server_cert_file = /etc/letsencrypt/live/NAME/fullchain.pem` and `ssl_server_key_file = /etc/letsencrypt/live/NAME/privkey.pem`; ' +
  'then `doveadm reload`. Or use the implicit-TLS port.';
const genericMiddlebox = (label: string) => `a proxy, a load balancer or a firewall that inspects or filters ${label}`;
const genericInspection = (label: string) => `disable ${label} inspection or application-layer filtering on firewalls and proxies in between`;

export const PROTOCOLS: Readonly<Record<Protocol, ProtocolSpec>> = {
  smtp: {
    label: 'SMTP',
    ports: { starttls: [587, 25, 2525], implicit: [465] },
    capabilityCommand: 'EHLO',
    starttlsVerb: 'STARTTLS',
    urlSchemes: ['smtp', 'smtps', 'submission', 'submissions'],
    greeting: /^(220|421|554)[ -]/,
    words: {
      ports: '25, 587 or 465',
      portsWithModes: '25, 587 (STARTTLS) or 465 (implicit TLS)',
      server: 'smtpd',
      clientSetting: {
        // The client's settings (Postfix as the client is smtp_*, as `postfix/smtp` itself asks: "SMTPS wrappermode
        // (TCP port 465) requires setting smtp_tls_wrappermode = yes, and smtp_tls_security_level = encrypt").
        implicit:
          'nodemailer: `secure: true` (port 465); Postfix as the client (`relayhost = [HOST]:465`): `smtp_tls_wrappermode = yes` with `smtp_tls_security_level = encrypt`; Thunderbird/Outlook: "SSL/TLS"',
        starttls:
          'nodemailer: `secure: false` with `requireTLS: true` (port 587 or 25); Postfix as the client (`relayhost = [HOST]:587`): `smtp_tls_wrappermode = no` with `smtp_tls_security_level = encrypt`; Thunderbird/Outlook: "STARTTLS"',
      },
      // Firewalls with an application-layer "fixup" exist for SMTP (Cisco ASA/PIX "inspect esmtp").
      middlebox: 'a proxy, an "SMTP fixup" / "SMTP inspection" firewall',
      inspection: 'disable SMTP inspection ("fixup smtp", "inspect esmtp") on firewalls in between',
      enableStarttls:
        'Postfix: set `smtpd_tls_cert_file`, `smtpd_tls_key_file` and `smtpd_tls_security_level = may` (port 25) or `encrypt` (587), then `postfix reload`. Check that no firewall does SMTP inspection (it hides STARTTLS as "XXXXXXXA"). Or use the implicit-TLS port (465).',
    },
  },
  imap: {
    label: 'IMAP',
    ports: { starttls: [143], implicit: [993] },
    capabilityCommand: 'CAPABILITY',
    starttlsVerb: 'STARTTLS',
    urlSchemes: ['imap', 'imaps'],
    greeting: /^\* (OK|PREAUTH|BYE)\b/i,
    words: {
      ports: '143 or 993',
      portsWithModes: '143 (STARTTLS) or 993 (implicit TLS)',
      server: 'the IMAP service (Dovecot imap-login)',
      clientSetting: { implicit: 'implicit TLS ("SSL/TLS") on port 993', starttls: 'STARTTLS on port 143' },
      middlebox: genericMiddlebox('IMAP'),
      inspection: genericInspection('IMAP'),
      enableStarttls: DOVECOT_STARTTLS,
    },
  },
  pop3: {
    label: 'POP3',
    ports: { starttls: [110], implicit: [995] },
    capabilityCommand: 'CAPA',
    starttlsVerb: 'STLS',
    urlSchemes: ['pop3', 'pop3s'],
    greeting: /^(\+OK|-ERR)\b/i,
    words: {
      ports: '110 or 995',
      portsWithModes: '110 (STARTTLS) or 995 (implicit TLS)',
      server: 'the POP3 service (Dovecot pop3-login)',
      clientSetting: { implicit: 'implicit TLS ("SSL/TLS") on port 995', starttls: 'STARTTLS on port 110' },
      middlebox: genericMiddlebox('POP3'),
      inspection: genericInspection('POP3'),
      enableStarttls: DOVECOT_STARTTLS,
    },
  },
};

/** Every protocol, in table order. */
export const PROTOCOL_NAMES = Object.keys(PROTOCOLS) as Protocol[];
export const TLS_MODES: readonly TlsMode[] = ['starttls', 'implicit'];

export function isProtocol(s: string): s is Protocol {
  return Object.hasOwn(PROTOCOLS, s);
}

/** The usual port when only the protocol and mode are known. */
export function defaultPort(protocol: Protocol, mode: TlsMode): number {
  return PROTOCOLS[protocol].ports[mode][0];
}

/** Which protocol and mode each well-known port implies. */
export const PORT_DEFAULTS: Readonly<Record<number, { protocol: Protocol; mode: TlsMode }>> = Object.fromEntries(
  PROTOCOL_NAMES.flatMap((protocol) => TLS_MODES.flatMap((mode) => PROTOCOLS[protocol].ports[mode].map((port) => [port, { protocol, mode }]))),
);

/** Which protocol a plaintext greeting line is in, if any. */
export function protocolOfGreeting(line: string): Protocol | undefined {
  return PROTOCOL_NAMES.find((p) => PROTOCOLS[p].greeting.test(line));
}

/** The protocols joined for people: `smtp, imap or pop3`. */
export function protocolList(conj = 'or'): string {
  return PROTOCOL_NAMES.length < 2 ? PROTOCOL_NAMES.join('') : `${PROTOCOL_NAMES.slice(0, -1).join(', ')} ${conj} ${PROTOCOL_NAMES.at(-1)}`;
}
