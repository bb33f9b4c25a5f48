/**
 * The nodemailer rules: pure functions from a transport (its options as written, and what nodemailer will make
 * of them) to findings. A finding points at the option in the code and, through `related`, at the `.env` line
 * that fed it. Values are quoted only for host, port and TLS switches; never for `auth` or anything from a URL.
 */
import type { Finding, RelatedLocation, TextEdit } from '../../finding';
import { makeFinding } from '../../findings';
import { isShowableKey } from '../dotenv/parse';
import type { Effective } from './effective';
import type { WellKnownService } from './services';
import { printable } from '../../endpoint';
import { hideHostUserinfo } from '../../secrets';
import { hostProblem, isLoopbackHost } from '../hosts';
import { eolOf } from '../lines';
import type { LineIndex } from '../lines';
import { removalEdit } from './positions';
import type { EnvOrigin } from './resolve';
import { definitions, type OptionSite, type TransportSite } from './transports';

export interface TransportRuleContext {
  file: string;
  text: string;
  index: LineIndex;
  /** True when [start, end) holds or touches text the parser had to repair: structure there is a guess. */
  isDamaged(start: number, end: number): boolean;
}

/** Port 26 is a common alternative submission port (hosting providers), with STARTTLS like 587. */
const STARTTLS_PORTS = new Set([25, 26, 587, 2525]);
const SUBMISSION_STARTTLS_PORTS = new Set([26, 587, 2525]);
const LEGACY_VERSIONS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);
const LEGACY_METHOD = /^(SSLv2|SSLv3|TLSv1|TLSv1_1)_(client_|server_)?method$/;

type Rule = (site: TransportSite, eff: Effective, rc: TransportRuleContext) => Finding[];

export const RULES: Rule[] = [
  secureOnStarttlsPort,
  plaintextOnImplicitPort,
  legacyTlsVersion,
  sslv3Cipher,
  verificationDisabled,
  ignoreTls,
  starttlsNotRequired,
  serviceOverridden,
  unknownService,
  obsoleteOption,
  invalidNames,
];

export function runRules(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  return RULES.flatMap((rule) => rule(site, eff, rc));
}

function secureOnStarttlsPort(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  if (eff.secure !== true || eff.secureFrom !== 'option' || eff.port === undefined || !STARTTLS_PORTS.has(eff.port)) return [];
  const secure = site.options.get('secure');
  if (!secure) return [];
  const port = eff.service?.port !== undefined ? undefined : site.options.get('port');
  const truthyString = typeof secure.resolved.value === 'string';
  const edits: TextEdit[] = [];
  let editTitle: string | undefined;
  if (truthyString && secure.code && !secure.fromUrl && secure.resolved.env.length > 0) {
    const expr = rc.text.slice(secure.code.valueStart, secure.code.valueEnd);
    edits.push({ range: secure.code.valueRange, newText: `${/^[\w.$[\]'"]+$/.test(expr) ? expr : `(${expr})`} === 'true'` });
    editTitle = "Compare the variable with 'true'";
  } else if (secure.resolved.literal && secure.code && !secure.fromUrl) {
    edits.push({ range: secure.code.valueRange, newText: 'false' });
    editTitle = `Use STARTTLS on port ${eff.port} (secure: false)`;
  } else if (port?.resolved.literal && port.code && !port.fromUrl) {
    edits.push({ range: port.code.valueRange, newText: '465' });
    editTitle = 'Use port 465 (implicit TLS)';
  }
  return [
    makeFinding('nodemailer.secure-on-starttls-port', {
      severity: 'error',
      title: `secure: true on port ${eff.port}, which speaks plain SMTP first and upgrades with STARTTLS.`,
      detail:
        `With secure: true nodemailer opens TLS immediately, but port ${eff.port} answers with a plain-text greeting, so ` +
        `OpenSSL fails with "wrong version number" (ESOCKET) before anything is sent.` +
        (truthyString
          ? ` Here secure is the string ${shown(secure)} from the environment: nodemailer only checks truthiness, and every non-empty string, "false" included, is true.`
          : '') +
        ' secure: true is only for implicit-TLS ports (465).',
      fix: truthyString
        ? `Convert the variable to a boolean (secure: process.env.X === 'true'), and keep it false for port ${eff.port}; nodemailer then upgrades with STARTTLS (add requireTLS: true to refuse a server without it).`
        : `Either keep port ${eff.port} and set secure: false (nodemailer upgrades with STARTTLS; add requireTLS: true), or keep secure: true and use port 465.`,
      evidence: evidence(site, ['secure', 'port', 'service'], eff),
      ...at(secure, rc),
      related: related([secure, port]),
      ...(edits.length ? { edits, editTitle } : {}),
    }),
  ];
}

function plaintextOnImplicitPort(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  if (eff.secure !== false || eff.secureFrom !== 'option' || eff.port !== 465) return [];
  const secure = site.options.get('secure');
  if (!secure) return [];
  const port = eff.service?.port !== undefined ? undefined : site.options.get('port');
  const edits: TextEdit[] = [];
  let editTitle: string | undefined;
  if (secure.resolved.literal && secure.code && !secure.fromUrl) {
    edits.push({ range: secure.code.valueRange, newText: 'true' });
    editTitle = 'Use implicit TLS on port 465 (secure: true)';
  } else if (port?.resolved.literal && port.code && !port.fromUrl) {
    edits.push({ range: port.code.valueRange, newText: '587' });
    editTitle = 'Use port 587 (STARTTLS)';
  }
  return [
    makeFinding('nodemailer.plaintext-on-implicit-port', {
      severity: 'error',
      title: 'secure: false on port 465, which expects TLS from the first byte.',
      detail:
        'Port 465 is implicit TLS (SMTPS): the server waits for a TLS ClientHello and says nothing. With secure: false ' +
        'nodemailer waits for a plain SMTP greeting that never comes and fails with "Greeting never received" (ETIMEDOUT).',
      fix: 'Set secure: true for port 465 (or remove secure: nodemailer turns it on for 465 by itself), or use port 587 with secure: false and requireTLS: true.',
      evidence: evidence(site, ['secure', 'port', 'service'], eff),
      ...at(secure, rc),
      related: related([secure, port]),
      ...(edits.length ? { edits, editTitle } : {}),
    }),
  ];
}

function legacyTlsVersion(site: TransportSite, _eff: Effective, rc: TransportRuleContext): Finding[] {
  const out: Finding[] = [];
  const min = site.tls.get('minVersion');
  if (min?.resolved.known && LEGACY_VERSIONS.has(String(min.resolved.value))) {
    const literal = min.resolved.literal && min.code && !min.fromUrl;
    out.push(
      makeFinding('nodemailer.legacy-tls-version', {
        severity: 'warning',
        title: `tls.minVersion allows ${String(min.resolved.value)}, a protocol version broken and retired (RFC 8996).`,
        detail:
          'Allowing TLS 1.0/1.1 lets a downgrade go unnoticed. Node 20 with OpenSSL 3 cannot even negotiate them at the default security level, ' +
          'so the setting only adds risk; every current mail provider speaks TLS 1.2 or 1.3.',
        fix: "Set tls.minVersion to 'TLSv1.2' (or remove it: Node's default is TLS 1.2).",
        evidence: [`tls.minVersion: ${String(min.resolved.value)}`],
        ...at(min, rc),
        related: related([min]),
        ...(literal && min.code
          ? {
              edits: [{ range: min.code.valueRange, newText: quoteLike(rc.text, min, 'TLSv1.2') }],
              editTitle: "Require TLS 1.2 or later (minVersion: 'TLSv1.2')",
            }
          : {}),
      }),
    );
  }
  const max = site.tls.get('maxVersion');
  if (max?.resolved.known && LEGACY_VERSIONS.has(String(max.resolved.value))) {
    out.push(legacyPin(max, `tls.maxVersion: ${String(max.resolved.value)}`, rc));
  }
  const proto = site.tls.get('secureProtocol');
  if (proto?.resolved.known && LEGACY_METHOD.test(String(proto.resolved.value))) {
    out.push(legacyPin(proto, `tls.secureProtocol: ${String(proto.resolved.value)}`, rc));
  }
  return out;
}

function legacyPin(site: OptionSite, shown: string, rc: TransportRuleContext): Finding {
  const removable = site.resolved.literal && site.code && !site.fromUrl;
  return makeFinding('nodemailer.legacy-tls-version', {
    severity: 'error',
    title: `${shown} pins the connection below TLS 1.2.`,
    detail:
      'Many servers (Microsoft 365, OpenSSL 3 servers at security level 2, the Debian/Ubuntu default) refuse TLS 1.0/1.1, and Node 20 refuses them too ' +
      'unless the security level is lowered: the handshake fails with "unsupported protocol" or "tlsv1 alert protocol version".',
    fix: `Remove ${shown.split(':')[0]}: Node then negotiates the best version both sides support (TLS 1.2 or 1.3).`,
    evidence: [shown],
    ...at(site, rc),
    related: related([site]),
    ...(removable && site.code ? { edits: removeAll(site, rc), editTitle: `Remove ${shown.split(':')[0]}` } : {}),
  });
}

function sslv3Cipher(site: TransportSite, _eff: Effective, rc: TransportRuleContext): Finding[] {
  const ciphers = site.tls.get('ciphers');
  if (!ciphers?.resolved.known || typeof ciphers.resolved.value !== 'string') return [];
  const tokens = ciphers.resolved.value.split(':').map((s) => s.trim());
  if (!tokens.some((s) => s.toUpperCase() === 'SSLV3')) return [];
  const rest = tokens.filter((s) => s !== '' && s.toUpperCase() !== 'SSLV3');
  const editable = ciphers.resolved.literal && ciphers.code && !ciphers.fromUrl;
  let edits: TextEdit[] | undefined;
  if (editable && ciphers.code) {
    edits = rest.length === 0 ? removeAll(ciphers, rc) : [{ range: ciphers.code.valueRange, newText: quoteLike(rc.text, ciphers, rest.join(':')) }];
  }
  return [
    makeFinding('nodemailer.sslv3-cipher', {
      severity: 'warning',
      title: "tls.ciphers: 'SSLv3' does not mean what it says: SSLv3 is a protocol, not a cipher.",
      detail:
        "Copied from old answers, ciphers: 'SSLv3' does not enable SSLv3 (Node cannot); as an OpenSSL cipher string it keeps only the suites " +
        'defined back in SSLv3 (CBC with SHA-1), dropping every AES-GCM and ChaCha20 suite for TLS 1.2. Servers that only accept modern suites then ' +
        'fail the handshake ("no shared cipher", "handshake failure").',
      fix: rest.length === 0 ? "Remove tls.ciphers: Node's default list is the right one." : `Remove SSLv3 from tls.ciphers (keep ${rest.join(':')}).`,
      evidence: ['tls.ciphers contains SSLv3'],
      ...at(ciphers, rc),
      related: related([ciphers]),
      ...(edits ? { edits, editTitle: rest.length === 0 ? 'Remove tls.ciphers' : 'Remove SSLv3 from tls.ciphers' } : {}),
    }),
  ];
}

function verificationDisabled(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  const ru = site.tls.get('rejectUnauthorized');
  if (!ru?.resolved.known || ru.resolved.value !== false || overLoopback(site, eff)) return [];
  return [
    makeFinding('nodemailer.tls-verification-disabled', {
      severity: 'warning',
      title: 'tls.rejectUnauthorized: false accepts any certificate, so anyone on the path can read the mail and the password.',
      detail:
        'This usually silences "self signed certificate in certificate chain" or "unable to verify the first certificate". The connection is still ' +
        'encrypted, but to whoever answers: a man in the middle gets the SMTP credentials. The real cause is either a private CA your code does not know, ' +
        'a proxy that re-signs TLS, or a server that does not send its intermediate certificate.',
      fix:
        "Remove rejectUnauthorized: false and trust the right CA instead: tls: { ca: fs.readFileSync('company-ca.pem') } (or NODE_EXTRA_CA_CERTS), " +
        'or fix the server to send its full chain (Postfix: smtpd_tls_chain_files with the fullchain). Probe the server to see which it is.',
      evidence: ['tls.rejectUnauthorized: false'],
      ...at(ru, rc),
      related: related([ru]),
    }),
  ];
}

function ignoreTls(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  const ig = site.options.get('ignoreTLS');
  if (!ig || eff.ignoreTLS !== true || eff.requireTLS === true || eff.secure === true || overLoopback(site, eff)) return [];
  const hasAuth = site.options.has('auth');
  const removable = ig.resolved.literal && ig.code && !ig.fromUrl;
  return [
    makeFinding('nodemailer.ignore-tls', {
      severity: hasAuth ? 'error' : 'warning',
      title: hasAuth
        ? 'ignoreTLS: true with auth: the user name and password go over the network in clear text.'
        : 'ignoreTLS: true: mail goes over the network in clear text even when the server offers STARTTLS.',
      detail:
        'ignoreTLS makes nodemailer skip STARTTLS although the server advertises it. Every command, the AUTH exchange (base64, not encryption) and ' +
        'the message are readable by anyone on the path; many servers also refuse AUTH without TLS ("538 Encryption required").',
      fix: 'Remove ignoreTLS (and set requireTLS: true on port 587, or secure: true on port 465).',
      evidence: [hasAuth ? 'ignoreTLS: true, auth: (set)' : 'ignoreTLS: true'],
      ...at(ig, rc),
      related: related([ig]),
      ...(removable && ig.code ? { edits: removeAll(ig, rc), editTitle: 'Remove ignoreTLS' } : {}),
    }),
  ];
}

function starttlsNotRequired(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  if (eff.secure !== false || eff.port === undefined || !SUBMISSION_STARTTLS_PORTS.has(eff.port)) return [];
  // Only a port that is written or resolved (or a known service's) counts: nodemailer's 587 default is an assumption.
  if (!eff.smtp || (eff.portFrom !== 'option' && eff.portFrom !== 'service')) return [];
  if (eff.requireTLS !== false || eff.ignoreTLS !== false || overLoopback(site, eff)) return [];
  const req = site.options.get('requireTLS');
  if (!req && site.openEnded) return [];
  // Anchored at what decides the port: an option a known service overrides is not it (the service is).
  const anchor = deciding(site, eff, 'port') ?? deciding(site, eff, 'secure') ?? site.options.get('service') ?? site.options.get('host');
  let edit: TextEdit | undefined;
  if (req?.code && req.resolved.literal && !req.fromUrl) edit = { range: req.code.valueRange, newText: 'true' };
  else if (!req && anchor?.code && !anchor.fromUrl && !insertsIntoDamage(site, anchor, rc)) edit = insertAfter(rc, anchor, 'requireTLS: true');
  return [
    makeFinding('nodemailer.starttls-not-required', {
      severity: 'info',
      title: `Port ${eff.port} without requireTLS: if STARTTLS is stripped, nodemailer sends in clear text without a word.`,
      detail:
        'nodemailer upgrades with STARTTLS only when the server advertises it. An attacker (or a broken middlebox) that removes STARTTLS from the ' +
        'EHLO reply makes it continue in plain text, credentials included. requireTLS: true turns that into an error instead.',
      fix: 'Add requireTLS: true to the transport options.',
      evidence: evidence(site, ['port', 'secure', 'service'], eff),
      ...at(req ?? anchor, rc, site),
      related: related([req, deciding(site, eff, 'port')]),
      ...(edit ? { edits: [edit], editTitle: 'Add requireTLS: true' } : {}),
    }),
  ];
}

/**
 * The transport stays on this machine: its host (written, from .env, or a known service's, such as MailDev's) is
 * loopback, or it names none in options seen whole, so nodemailer connects to localhost. Nothing crosses a network
 * there: the rules about what an eavesdropper or a man in the middle on the path could do have nothing to say.
 */
function overLoopback(site: TransportSite, eff: Effective): boolean {
  if (eff.host !== undefined) return isLoopbackHost(eff.host);
  const named = ['host', 'service', 'url'].some((k) => site.options.has(k));
  return !named && !site.openEnded && !site.unreadableUrl;
}

function serviceOverridden(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  const svc = eff.service;
  if (!svc) return [];
  const out: Finding[] = [];
  const check = (key: 'host' | 'port' | 'secure', theirs: string | number | boolean | undefined) => {
    const mine = site.options.get(key);
    if (!mine?.resolved.known || mine.fromUrl || theirs === undefined) return;
    const v = mine.resolved.value;
    const same = key === 'host' ? String(v).toLowerCase() === String(theirs).toLowerCase() : key === 'port' ? Number(v) === theirs : Boolean(v) === theirs;
    if (same) return;
    const removable = mine.code && !mine.fromUrl;
    out.push(
      makeFinding('nodemailer.service-overridden', {
        severity: 'warning',
        title: `${key} is ignored: service '${svc.name}' sets ${key} to ${String(theirs)}.`,
        detail:
          `nodemailer applies the well-known settings of a service on top of your options, so ${key}: ${shown(mine)} never takes effect; ` +
          `the transport connects to ${svc.host}:${svc.port ?? (svc.secure ? 465 : 587)}${svc.secure ? ' with implicit TLS' : ' with STARTTLS'}.`,
        fix: `Use either service or explicit host/port/secure, not both. To keep your own ${key}, remove service${ownHostFix(site, key, svc.host)}${ownPairFix(site, key)}; otherwise remove ${key}.`,
        evidence: [`service: ${svc.name}`, `${key}: ${shown(mine)}`],
        ...at(mine, rc),
        related: related([mine, site.options.get('service')]),
        ...(removable && mine.code ? { edits: removeAll(mine, rc), editTitle: `Remove the ignored ${key}` } : {}),
      }),
    );
  };
  check('host', svc.host);
  check('port', svc.port);
  check('secure', svc.secure);
  return out;
}

/**
 * Without a host of its own, a transport whose service is removed connects to localhost (nodemailer's default): keeping
 * the file's port or secure then also needs the service's host.
 */
function ownHostFix(site: TransportSite, key: 'host' | 'port' | 'secure', host: string | undefined): string {
  return key === 'host' || site.options.get('host') || !host ? '' : `, set host: '${host}'`;
}

/**
 * What else "remove service" needs when the file's own port and secure disagree (secure: true on 587, secure: false on
 * 465): the service hid the mismatch, and removing it alone would leave a transport that cannot connect.
 */
function ownPairFix(site: TransportSite, key: 'host' | 'port' | 'secure'): string {
  if (key === 'host') return '';
  const port = site.options.get('port');
  const secure = site.options.get('secure');
  if (!port?.resolved.known || !secure?.resolved.known) return '';
  const p = Number(port.resolved.value);
  const implicit = Boolean(secure.resolved.value);
  if (implicit && (p === 25 || p === 587 || p === 2525)) {
    return key === 'port' ? ` and set secure: false (port ${p} upgrades with STARTTLS)` : ' and use port 465 (secure: true is implicit TLS)';
  }
  if (!implicit && p === 465) {
    return key === 'port' ? ' and set secure: true (port 465 starts with TLS)' : ' and use port 587 (secure: false upgrades with STARTTLS)';
  }
  return '';
}

function unknownService(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  if (eff.unknownService === undefined) return [];
  const s = site.options.get('service');
  const hasHost = site.options.has('host');
  const name = s ? shown(s) : JSON.stringify(eff.unknownService);
  return [
    makeFinding('nodemailer.unknown-service', {
      severity: hasHost ? 'info' : 'error',
      title: `nodemailer does not know the service ${name} and silently ignores it.`,
      detail: hasHost
        ? 'The host, port and secure options decide the connection; the service name has no effect.'
        : 'With no host either, nodemailer connects to localhost:587, so the mail never reaches the provider ("connect ECONNREFUSED 127.0.0.1:587").',
      fix: "Use one of nodemailer's service names (e.g. 'gmail', 'Outlook365', 'SendGrid', 'SES'), or set host, port and secure explicitly.",
      evidence: [`service: ${name}`],
      ...at(s, rc, site),
      related: related([s]),
    }),
  ];
}

function obsoleteOption(site: TransportSite, _eff: Effective, rc: TransportRuleContext): Finding[] {
  const old = site.options.get('secureConnection');
  if (!old?.code) return [];
  const hasSecure = site.options.has('secure');
  const edits: TextEdit[] = hasSecure
    ? removeAll(old, rc)
    : [
        ...definitions(old)
          .slice(1)
          .map((c) => removalEdit(rc.text, rc.index, c.start, c.end)),
        { range: old.code.keyRange, newText: 'secure' },
      ];
  return [
    makeFinding('nodemailer.obsolete-option', {
      severity: 'warning',
      title: 'secureConnection is ignored by nodemailer: the option is called secure.',
      detail: 'secureConnection belonged to nodemailer 0.x. Today it has no effect, so the transport uses the port default instead of what it says.',
      fix: hasSecure ? 'Remove secureConnection (secure is already set).' : 'Rename secureConnection to secure.',
      evidence: [`secureConnection: ${shown(old)}`],
      ...at(old, rc),
      edits,
      editTitle: hasSecure ? 'Remove secureConnection' : 'Rename to secure',
    }),
  ];
}

/** What each name option is for, and what a bad one breaks. */
const NAME_OPTIONS = [
  {
    label: 'host',
    detail: 'nodemailer hands it to DNS as it is: the connection fails ("getaddrinfo ENOTFOUND") or goes to a host nobody meant.',
    fix: 'Write the server name alone (smtp.example.com) or an IP address; the port goes in port, and a URL in url.',
  },
  {
    label: 'name (the EHLO name)',
    detail:
      'nodemailer sends it in EHLO/HELO: servers answer "501 Invalid domain name" or count it against the mail as spam, and a line break in it would split the command.',
    fix: "Set name to this machine's fully-qualified host name, or remove it (nodemailer then uses the machine's own name).",
  },
  {
    label: 'tls.servername',
    detail: 'Node sends it as SNI and checks the certificate against it: the handshake or the certificate check fails.',
    fix: "Set tls.servername to the name on the server's certificate, or remove it (the host is used).",
  },
];

/** A host, EHLO name or TLS servername that is no host name: nodemailer would fail with it, and no probe uses it. */
function invalidNames(site: TransportSite, eff: Effective, rc: TransportRuleContext): Finding[] {
  const sites = [eff.service ? undefined : site.options.get('host'), site.options.get('name'), site.tls.get('servername')];
  const out: Finding[] = [];
  sites.forEach((opt, i) => {
    if (!opt?.resolved.known || typeof opt.resolved.value !== 'string' || opt.resolved.value === '') return;
    // A URL's host is taken from after its user info, so it can be quoted; a secret-named variable cannot.
    const hidden = !opt.fromUrl && opt.resolved.env.some((e) => !isShowableKey(e.key));
    const reason = hostProblem(opt.resolved.value, hidden);
    if (reason === undefined) return;
    const o = NAME_OPTIONS[i];
    const value = hidden ? '(hidden)' : `"${printable(hideHostUserinfo(opt.resolved.value))}"`;
    const from = opt.fromUrl ? ' (from the connection URL)' : opt.resolved.env.length ? ` (from ${opt.resolved.env.map((e) => e.key).join(', ')})` : '';
    out.push(
      makeFinding('nodemailer.invalid-host', {
        severity: 'error',
        title: `${o.label} ${value}${from} is not a valid host name: ${reason}.`,
        detail: `${o.detail} Mail TLS Doctor does not probe a name like this.`,
        fix: o.fix,
        evidence: [`${o.label}: ${value}${from}`],
        ...at(opt, rc),
        related: related([opt]),
      }),
    );
  });
  return out;
}

// ---- helpers ----

function at(site: OptionSite | undefined, rc: TransportRuleContext, fallback?: TransportSite): Pick<Finding, 'file' | 'range'> {
  if (site?.code) return { file: rc.file, range: site.code.valueRange };
  return { file: rc.file, range: fallback?.argRange ?? fallback?.callRange };
}

function related(sites: Array<OptionSite | undefined>): RelatedLocation[] | undefined {
  const out: RelatedLocation[] = [];
  const seen = new Set<string>();
  for (const s of sites) {
    if (!s) continue;
    for (const e of s.resolved.env) {
      const k = `${e.file}:${e.range.start.line}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(envLocation(e, s.key));
    }
  }
  return out.length ? out : undefined;
}

function envLocation(e: EnvOrigin, option: string): RelatedLocation {
  return { file: e.file, range: e.range, message: `${e.key} sets ${option} here` };
}

/** Evidence lines for the options that matter; secrets and URLs are never quoted. */
/**
 * The options behind a finding, as nodemailer sees them: a known `service` overrides the host, port and secure it
 * defines (smtp-transport: shared.assign(options, urlData, wellKnown(service)), the last one wins), so such an option
 * of the user's is shown as ignored and the service with what it sets; never as if it decided.
 */
function evidence(site: TransportSite, keys: string[], eff?: Effective): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const s = site.options.get(k);
    if (!s) continue;
    const from = s.fromUrl ? ' (from the connection URL)' : s.resolved.env.length ? ` (from ${s.resolved.env.map((e) => e.key).join(', ')})` : '';
    const svc = eff?.service;
    const theirs = svc ? serviceSets(svc, k) : undefined;
    if (k === 'service' && svc)
      out.push(`service: ${shown(s)}${from} (sets ${['host', 'port', 'secure'].flatMap((x) => serviceSets(svc, x) ?? []).join(', ')})`);
    else if (theirs !== undefined) out.push(`${k}: ${shown(s)}${from} (ignored: service '${svc!.name}' sets ${theirs})`);
    else out.push(`${k}: ${shown(s)}${from}`);
  }
  return out;
}

/** `port: 587` when the well-known service sets this option, else undefined (it leaves the user's value in force). */
function serviceSets(svc: WellKnownService, key: string): string | undefined {
  if (key === 'host') return `host: ${JSON.stringify(svc.host)}`;
  if (key === 'port' && svc.port !== undefined) return `port: ${svc.port}`;
  if (key === 'secure' && svc.secure !== undefined) return `secure: ${svc.secure}`;
  return undefined;
}

/** The option as written, when it decides (no known service overrides it). */
function deciding(site: TransportSite, eff: Effective, key: 'host' | 'port' | 'secure'): OptionSite | undefined {
  return eff.service && serviceSets(eff.service, key) !== undefined ? undefined : site.options.get(key);
}

function show(key: string, v: unknown): string {
  if (key === 'auth' || key === 'url') return '(set)';
  // A host value never shows user info (`bob:pw@smtp.example.com`), whatever it holds.
  if (key === 'host' && typeof v === 'string') v = hideHostUserinfo(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v);
  return String(v);
}

/** An option's value for display: hidden when any environment variable feeding it has a secret-looking name. */
function shown(s: OptionSite): string {
  if (!s.resolved.known) return '(unknown)';
  if (s.resolved.env.some((e) => !isShowableKey(e.key))) return '(hidden)';
  return show(s.key, s.resolved.value);
}

/** Removes an option and every earlier definition it overrides, so none of them takes its place. */
function removeAll(site: OptionSite, rc: TransportRuleContext): TextEdit[] {
  return definitions(site).map((c) => removalEdit(rc.text, rc.index, c.start, c.end));
}

/** A new string literal in the quote style of the one it replaces. */
function quoteLike(text: string, site: OptionSite, value: string): string {
  const q = site.code ? text[site.code.valueStart] : "'";
  const quote = q === '"' || q === '`' ? q : "'";
  return `${quote}${value.replace(/\\/g, '\\\\').split(quote).join(`\\${quote}`)}${quote}`;
}

/**
 * Code added into an object the parser had to repair lands next to the damage and may not parse (a file that
 * ends at `host: process.`): only an object read without repair, from the anchor to its closing brace, gets one.
 */
function insertsIntoDamage(site: TransportSite, anchor: OptionSite, rc: TransportRuleContext): boolean {
  // An option set by a statement (`opts.port = 587;`) has no object around it to add a property to.
  if (!anchor.code || anchor.code.statement) return true;
  const start = Math.min(site.objectStart ?? anchor.code.start, anchor.code.start);
  const end = Math.max(site.objectEnd ?? anchor.code.end, anchor.code.end);
  return end > rc.text.length || rc.isDamaged(start, end);
}

/** Adds `prop` on its own line after `anchor`, in the anchor's indentation. */
function insertAfter(rc: TransportRuleContext, anchor: OptionSite, prop: string): TextEdit | undefined {
  if (!anchor.code) return undefined;
  let pos = anchor.code.end;
  let i = pos;
  while (i < rc.text.length && (rc.text[i] === ' ' || rc.text[i] === '\t')) i++;
  const hasComma = rc.text[i] === ',';
  const indent = rc.index.indentAt(anchor.code.start);
  const startLine = rc.index.position(anchor.code.start).line;
  const sameLineObject =
    startLine === rc.index.position(anchor.code.end).line && !/^[ \t]*$/.test(rc.text.slice(rc.index.starts[startLine], anchor.code.start));
  const eol = eolOf(rc.text);
  if (hasComma) {
    pos = i + 1;
    const newText = sameLineObject ? ` ${prop},` : `${eol}${indent}${prop},`;
    return { range: rc.index.range(pos, pos), newText };
  }
  return { range: rc.index.range(pos, pos), newText: sameLineObject ? `, ${prop}` : `,${eol}${indent}${prop}` };
}
