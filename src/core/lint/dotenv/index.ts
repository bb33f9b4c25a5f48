/**
 * The `.env` linter: contradictions a file states on its own (`SMTP_SECURE=true` with `SMTP_PORT=587`), and
 * switches that turn off certificate checks for the whole process. Only host, port and TLS switch values are
 * ever quoted; everything else in a `.env` is treated as a secret.
 */
import { printable } from '../../endpoint';
import type { Finding, RelatedLocation } from '../../finding';
import { hideHostUserinfo } from '../../secrets';
import { hostProblem, isMailUrl, urlHost } from '../hosts';
import type { Linter, LintResult } from '../types';
import { eolOf } from '../lines';
import { hasTemplateMarkup } from '../templates';
import { isEnvFileName } from './envFiles';
import { isShowableKey, parseDotenv, type EnvEntry } from './parse';
import { makeFinding } from '../../findings';

/** 26 is a common alternative submission port (hosting providers), STARTTLS like 587. */
const STARTTLS_PORTS = new Set([25, 26, 587, 2525]);
const SECURE_SUFFIX = /^(.*?)(SECURE|USE_SSL|SSL)$/i;
const PORT_SUFFIX = /^(.*?)PORT$/i;
const TRUE = /^(true|1|yes|on)$/i;
const FALSE = /^(false|0|no|off)$/i;

export const dotenvLinter: Linter = {
  format: 'dotenv',
  files: { label: '.env files', names: ['.env', '.env.*'], activation: ['onLanguage:dotenv', 'workspaceContains:**/.env'], oversize: 'skip' },
  matches: (path: string) => isEnvFileName(path),
  lint: (path: string, text: string): LintResult => ({ findings: lintDotenv(path, typeof text === 'string' ? text : ''), endpoints: [] }),
};

export function lintDotenv(path: string, text: string): Finding[] {
  const entries = parseDotenv(text);
  const byKey = new Map<string, EnvEntry>();
  for (const e of entries) byKey.set(e.key, e);
  const findings: Finding[] = [];
  for (const secure of byKey.values()) {
    const m = SECURE_SUFFIX.exec(secure.key);
    if (!m) continue;
    const port = portFor(m[1], byKey);
    if (!port) continue;
    const portNumber = Number(port.value);
    // With its STARTTLS switch on as well, the pair is one problem, reported once on that switch (below): STARTTLS on
    // port 465, or Django's/Flask-Mail's two switches both on. Other apps' pairs (n8n) leave secure to this loop.
    const starttls = starttlsSwitchOf(m[1], byKey);
    if (starttls && TRUE.test(starttls.value) && (!TRUE.test(secure.value) || exclusiveSwitches(starttls.key, secure.key))) continue;
    if (TRUE.test(secure.value) && STARTTLS_PORTS.has(portNumber)) findings.push(secureOnStarttls(path, secure, port, portNumber));
    if (FALSE.test(secure.value) && portNumber === 465) findings.push(plaintextOnImplicit(path, secure, port));
  }
  for (const starttls of byKey.values()) {
    const m = STARTTLS_KEY.exec(starttls.key);
    if (!m || !TRUE.test(starttls.value)) continue;
    const f = starttlsConflict(path, m[1], starttls, byKey, eolOf(text));
    if (f) findings.push(f);
  }
  for (const e of byKey.values()) {
    const f = invalidHost(path, e);
    if (f) findings.push(f);
  }
  const nodeTls = byKey.get('NODE_TLS_REJECT_UNAUTHORIZED');
  if (nodeTls && nodeTls.value.trim() === '0') findings.push(processWideNoVerify(path, nodeTls));
  return findings.sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0));
}

/**
 * A switch for STARTTLS (upgrade a plain connection): Django's `EMAIL_USE_TLS`, Flask-Mail's `MAIL_USE_TLS`,
 * `SMTP_STARTTLS`. Its implicit-TLS sibling is `X_USE_SSL` (or `X_SSL`): the two are different ways to start TLS.
 */
const STARTTLS_KEY = /^(.+?)_(USE_TLS|USE_STARTTLS|STARTTLS)$/i;

/**
 * Switches that cannot both be on: Django's and Flask-Mail's `X_USE_TLS` (STARTTLS) and `X_USE_SSL` (implicit TLS).
 * Elsewhere a STARTTLS switch can mean "STARTTLS when SSL is off": n8n's documented defaults are N8N_SMTP_PORT=465,
 * N8N_SMTP_SSL=true and N8N_SMTP_STARTTLS=true, a transport that works.
 */
function exclusiveSwitches(starttlsKey: string, sslKey: string): boolean {
  return /_USE_TLS$/i.test(starttlsKey) && /_USE_SSL$/i.test(sslKey);
}

/** The STARTTLS switch beside an implicit-TLS one (`EMAIL_USE_SSL` -> `EMAIL_USE_TLS`), from its prefix. */
function starttlsSwitchOf(securePrefix: string, byKey: Map<string, EnvEntry>): EnvEntry | undefined {
  const base = securePrefix.replace(/_?USE_?$/i, '').replace(/_$/, '');
  return base ? (byKey.get(`${base}_USE_TLS`) ?? byKey.get(`${base}_STARTTLS`) ?? byKey.get(`${base}_USE_STARTTLS`)) : undefined;
}

/** The value that says the opposite, in the file's own style: True -> False, 1 -> 0, yes -> no, on -> off. */
function opposite(value: string): string {
  const v = value.trim();
  const pairs: Array<[string, string]> = [
    ['true', 'false'],
    ['1', '0'],
    ['yes', 'no'],
    ['on', 'off'],
  ];
  for (const [t, f] of pairs) {
    for (const [from, to] of [
      [t, f],
      [f, t],
    ]) {
      if (v.toLowerCase() !== from) continue;
      if (v === v.toUpperCase() && v !== v.toLowerCase()) return to.toUpperCase();
      return v[0] === v[0].toUpperCase() && v[0] !== v[0].toLowerCase() ? to[0].toUpperCase() + to.slice(1) : to;
    }
  }
  return v;
}

/**
 * A STARTTLS switch that is on, where the same file also says implicit TLS: port 465, or the `X_USE_SSL` switch on
 * too. Django refuses the second pair outright; with the first, the client waits in plain text for a greeting
 * that port 465 sends only after a TLS handshake.
 */
function starttlsConflict(path: string, base: string, starttls: EnvEntry, byKey: Map<string, EnvEntry>, eol: string): Finding | undefined {
  const ssl = byKey.get(`${base}_USE_SSL`) ?? byKey.get(`${base}_SSL`) ?? byKey.get(`${base}_SECURE`);
  const port = portFor(`${base}_`, byKey);
  const portNumber = port ? Number(port.value) : undefined;
  const sslName = ssl?.key ?? `${base}_USE_SSL`;
  if (ssl && TRUE.test(ssl.value)) {
    // Both on is a conflict only where the two switches exclude each other; with implicit TLS on, STARTTLS is moot.
    if (!exclusiveSwitches(starttls.key, ssl.key)) return undefined;
    // Keep the switch that fits the port; with no port (or another one) the fix says how to choose.
    const edits =
      portNumber === 465
        ? [{ range: starttls.valueRange, newText: opposite(starttls.value) }]
        : portNumber !== undefined && STARTTLS_PORTS.has(portNumber)
          ? [{ range: ssl.valueRange, newText: opposite(ssl.value) }]
          : undefined;
    return makeFinding('dotenv.starttls-and-implicit-tls', {
      severity: 'error',
      title: `${starttls.key}=${starttls.value} and ${ssl.key}=${ssl.value}: STARTTLS and implicit TLS at once.`,
      detail:
        'The two switches choose two different ways to start TLS, and a client can use only one. Django refuses the pair ' +
        '("EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive, so only set one of those settings to True.") when it sends; ' +
        'Flask-Mail connects with implicit TLS and then sends STARTTLS inside it, which the server refuses. ' +
        'This holds when the settings turn the strings into booleans, as they usually do.',
      fix:
        `Turn one off: port 465 takes ${ssl.key} (implicit TLS, ${starttls.key} off); ports 587 and 25 take ${starttls.key} ` + `(STARTTLS, ${ssl.key} off).`,
      evidence: [`${starttls.key}=${starttls.value}`, `${ssl.key}=${ssl.value}`, ...(port ? [`${port.key}=${portNumber}`] : [])],
      file: path,
      range: starttls.valueRange,
      related: [pointer(path, ssl, `${ssl.key} turns on implicit TLS here`), ...(port ? [pointer(path, port, `${port.key} sets the port here`)] : [])],
      ...(edits
        ? {
            edits,
            editTitle:
              portNumber === 465
                ? `Set ${starttls.key}=${opposite(starttls.value)} (implicit TLS on port 465)`
                : `Set ${ssl.key}=${opposite(ssl.value)} (STARTTLS on port ${portNumber})`,
          }
        : {}),
    });
  }
  if (!port || portNumber !== 465) return undefined;
  // The fix keeps the port the file names (usually the provider's "SSL port 465") and switches to implicit TLS.
  const sslOn = starttls.value.trim();
  const lineEnd = { line: starttls.line, character: starttls.lineEnd };
  const edits = ssl
    ? [
        { range: starttls.valueRange, newText: opposite(starttls.value) },
        { range: ssl.valueRange, newText: sslOn },
      ]
    : /_USE_TLS$/i.test(starttls.key)
      ? [
          { range: starttls.valueRange, newText: opposite(starttls.value) },
          // After the whole line, not the value: inside `EMAIL_USE_TLS="True"` the new line would land within the quotes.
          { range: { start: lineEnd, end: lineEnd }, newText: `${eol}${sslName}=${sslOn}` },
        ]
      : undefined;
  return makeFinding('dotenv.starttls-on-implicit-port', {
    severity: 'error',
    title: `${starttls.key}=${starttls.value} with ${port.key}=465: STARTTLS on the implicit-TLS port.`,
    detail:
      'Port 465 expects TLS from the first byte (RFC 8314) and sends nothing before the handshake. A client set to upgrade with ' +
      'STARTTLS (Django and Flask-Mail `*_USE_TLS`, Python smtplib `starttls()`) connects in plain text and waits for a greeting ' +
      'that never comes: the send hangs until its timeout (Python: "SMTPServerDisconnected" or "timed out").',
    fix:
      ssl || /_USE_TLS$/i.test(starttls.key)
        ? `For port 465 use implicit TLS: ${starttls.key}=${opposite(starttls.value)} and ${sslName}=${sslOn}. Or keep STARTTLS and set ${port.key}=587.`
        : `For port 465 turn STARTTLS off and implicit TLS (SMTPS) on in the client, or keep STARTTLS and set ${port.key}=587.`,
    evidence: [`${starttls.key}=${starttls.value}`, `${port.key}=465`, ...(ssl ? [`${ssl.key}=${ssl.value}`] : [])],
    file: path,
    range: starttls.valueRange,
    related: [pointer(path, port, `${port.key} sets the port here`)],
    ...(edits ? { edits, editTitle: `Use implicit TLS on port 465 (${sslName}=${sslOn}, ${starttls.key}=${opposite(starttls.value)})` } : {}),
  });
}

/** `SMTP_SECURE` pairs with `SMTP_PORT`; `MAIL_USE_SSL` with `MAIL_PORT`. */
function portFor(prefix: string, byKey: Map<string, EnvEntry>): EnvEntry | undefined {
  const trimmed = prefix.replace(/_?USE_?$/i, '');
  for (const candidate of [`${prefix}PORT`, `${trimmed}PORT`, `${trimmed}_PORT`]) {
    const e = byKey.get(candidate);
    if (e && PORT_SUFFIX.test(e.key) && /^\d{1,5}$/.test(e.value.trim())) return e;
  }
  return undefined;
}

function secureOnStarttls(path: string, secure: EnvEntry, port: EnvEntry, n: number): Finding {
  return makeFinding('dotenv.secure-on-starttls-port', {
    severity: 'error',
    title: `${secure.key}=${secure.value} with ${port.key}=${n}: implicit TLS on a port that starts in plain text.`,
    detail:
      `Port ${n} speaks plain SMTP and upgrades with STARTTLS. A client told to be "secure" (nodemailer's secure: true, SMTPS) starts TLS at once ` +
      'and fails with "wrong version number" before the server can answer.',
    fix:
      `Set ${secure.key}=false (the client then upgrades with STARTTLS; with nodemailer also set requireTLS), or set ${port.key}=465. ` +
      `Check how the code reads it: "false" only works if the code converts the string (\`secure: process.env.${secure.key} === 'true'\`); ` +
      `passed as it is (\`secure: process.env.${secure.key}\`), nodemailer takes the non-empty string "false" for true.`,
    evidence: [`${secure.key}=${secure.value}`, `${port.key}=${n}`],
    file: path,
    range: secure.valueRange,
    related: [pointer(path, port, `${port.key} sets the port here`)],
    edits: [{ range: secure.valueRange, newText: 'false' }],
    editTitle: `Set ${secure.key}=false (STARTTLS on port ${n})`,
  });
}

function plaintextOnImplicit(path: string, secure: EnvEntry, port: EnvEntry): Finding {
  return makeFinding('dotenv.plaintext-on-implicit-port', {
    severity: 'error',
    title: `${secure.key}=${secure.value} with ${port.key}=465: plain text on the implicit-TLS port.`,
    detail:
      'Port 465 expects TLS from the first byte and stays silent; a client that waits for a plain greeting times out ' +
      '(nodemailer: "Greeting never received"). That is what happens when the code converts the string ' +
      `(\`secure: process.env.${secure.key} === 'true'\`); passed as it is (\`secure: process.env.${secure.key}\`), ` +
      `nodemailer takes the non-empty string "${secure.value}" for true, and the file only says the opposite of what runs.`,
    fix: `Set ${secure.key}=true for port 465, or set ${port.key}=587 and keep STARTTLS.`,
    evidence: [`${secure.key}=${secure.value}`, `${port.key}=465`],
    file: path,
    range: secure.valueRange,
    related: [pointer(path, port, `${port.key} sets the port here`)],
    edits: [{ range: secure.valueRange, newText: 'true' }],
    editTitle: `Set ${secure.key}=true (implicit TLS on port 465)`,
  });
}

function processWideNoVerify(path: string, e: EnvEntry): Finding {
  return makeFinding('dotenv.tls-verification-disabled', {
    severity: 'warning',
    title: 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate checks for every TLS connection of the process.',
    detail:
      'Not just mail: every HTTPS call and database connection in the process accepts any certificate, so a man in the middle can read ' +
      'credentials. It usually hides "self signed certificate in certificate chain" or a server missing its intermediate certificate.',
    fix: 'Remove it and trust the right CA instead (NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or tls.ca in the transport), or fix the server chain.',
    evidence: ['NODE_TLS_REJECT_UNAUTHORIZED=0'],
    file: path,
    range: e.valueRange,
  });
}

/** Variables that name a mail server: `SMTP_HOST`, `MAIL_SERVER`, `IMAP_HOSTNAME`, `EMAIL_HOST`... */
const MAIL_HOST_KEY = /(^|_)(SMTP|MAIL|EMAIL|IMAP|POP3?|MX|RELAY|NODEMAILER)(_[A-Z0-9]+)*_?(HOST|HOSTNAME|SERVER)$/i;

/**
 * A mail host variable, or a mail URL in any variable, whose host is no host name. Only a host variable's value is
 * quoted; a URL's host is taken from after its user info, so the password never shows.
 */
function invalidHost(path: string, e: EnvEntry): Finding | undefined {
  const value = e.value;
  // Empty values are placeholders (.env.example), and `${X}` is expanded by dotenv-expand: neither is a name yet.
  if (value.trim() === '' || value.includes('$')) return undefined;
  // A template's value (`SMTP_HOST={{ smtp_host }}`, `<%= host %>`) is filled in when the file is rendered.
  if (hasTemplateMarkup(value)) return undefined;
  let host: string;
  let range = e.valueRange;
  const fromUrl = isMailUrl(value);
  if (fromUrl) {
    const u = urlHost(value);
    if (!u || u.host === '') return undefined;
    host = u.host;
    // The value's text in the file is the value itself unless escapes were decoded; then the whole value it is.
    const r = e.valueRange;
    if (r.start.line === r.end.line && r.end.character - r.start.character === value.length) {
      range = { start: { line: r.start.line, character: r.start.character + u.start }, end: { line: r.start.line, character: r.start.character + u.end } };
    }
  } else if (e.key.length <= 100 && MAIL_HOST_KEY.test(e.key)) {
    // The cap keeps the key pattern linear on absurd names; no real variable name is that long.
    host = value;
  } else {
    return undefined;
  }
  const hidden = !fromUrl && !isShowableKey(e.key);
  const reason = hostProblem(host, hidden);
  if (reason === undefined) return undefined;
  const shownHost = hidden ? '(hidden)' : `"${printable(hideHostUserinfo(host))}"`;
  return makeFinding('dotenv.invalid-host', {
    severity: 'error',
    title: fromUrl
      ? `The mail server in ${e.key} (${shownHost}) is not a valid host name: ${reason}.`
      : `${e.key}=${shownHost} is not a valid host name: ${reason}.`,
    detail:
      'A client that reads this variable (nodemailer, an SMTP or IMAP library) hands the name to DNS as it is: the connection fails ' +
      '("getaddrinfo ENOTFOUND") or goes to a host nobody meant. Mail TLS Doctor does not probe a name like this.',
    fix: fromUrl
      ? `Write ${e.key} as ${value.slice(0, value.indexOf('://')).toLowerCase()}://host:port with the server name alone as host (a user and password go before the @, percent-encoded).`
      : `Set ${e.key} to the server name alone (smtp.example.com) or an IP address; the port goes in its own variable.`,
    evidence: [fromUrl ? `${e.key}: host ${shownHost} (the rest of the URL is not shown)` : `${e.key}=${shownHost}`],
    file: path,
    range,
  });
}

function pointer(path: string, e: EnvEntry, message: string): RelatedLocation {
  return { file: path, range: e.valueRange, message };
}
