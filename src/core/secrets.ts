/**
 * The one rule for what counts as a secret, shared by every linter and the error explainer: which setting names
 * hold credentials, and how credentials written inside other values (a host, a URL, a log line) are cut out.
 * Every pattern is bounded so that hostile input stays linear.
 */

/**
 * Names of settings, variables, JSON keys and headers that hold a credential: passwords, tokens, secrets, keys,
 * `auth`/`Authorization`. Matched anywhere in the name (`mysecret_token`, `SMTP_PASS`, `smtp_sasl_password_maps`),
 * but `auth` only as the whole name and `key` only as the last word, so `smtp_sasl_auth_enable`,
 * `smtp_send_dummy_mail_auth` (Postfix switches) or `keySelector` stay showable.
 */
const SECRET_NAME = /passw|pass(?![a-z])|pwd|secret|token|api[_-]?key|private[_-]?key|credential|^auth$|authorization$|(?:^|[^a-z])key$/i;

/** A word every name SECRET_NAME matches contains: a quick test for text that cannot hold a secret name. */
const SECRET_WORD = /pass|pwd|secret|token|key|credential|auth/i;

export function isSecretName(name: string): boolean {
  // The cap keeps the test cheap on absurd names; no real setting name is that long.
  return SECRET_NAME.test(name.slice(0, 200));
}

/**
 * Credentials written where a host belongs (`relayhost = [user:pass@smtp.example.com]:587`, a URL's userinfo):
 * everything before a token's last `@` is hidden when it holds a `:`. A plain address (`postmaster@example.com`)
 * stays as it is.
 */
export function hideUserinfo(value: string): string {
  // Only a token with an `@` can hold user info; most values have none (a lint builds thousands of excerpts).
  if (!value.includes('@')) return value;
  return value.replace(/[^\s,]+/g, (tok) => {
    const at = tok.lastIndexOf('@');
    if (at < 0) return tok;
    const scheme = tok.indexOf('//');
    const start = Math.max(tok.lastIndexOf('[', at) + 1, scheme >= 0 && scheme < at ? scheme + 2 : 0);
    return tok.slice(start, at).includes(':') ? `${tok.slice(0, start)}(hidden)${tok.slice(at)}` : tok;
  });
}

/**
 * A single host value (`bob:hunter2@smtp.example.com`): everything before its last `@` is user info, whatever it
 * holds (a password may contain spaces, `:` or `@`), so all of it is hidden.
 */
export function hideHostUserinfo(host: string): string {
  const at = host.lastIndexOf('@');
  return at < 0 ? host : `(hidden)${host.slice(at)}`;
}

// `name = value`, `name: value`, `"name": value` in free text. The name is a run of name characters, so a
// secret word inside it (`mysecret_token`) is found; the value is taken by valueEnd, never by the regex.
const NAMED = /([A-Za-z][\w.-]{0,63})(["']?[ \t]{0,8}[=:][ \t]{0,8})/g;
// An Authorization header's scheme word comes before the credential; the whole rest of the line is hidden.
const AUTH_HEADER = /(?:^|[^a-z])authorization$/i;
// OpenSSL's error strings are `error:CODE:LIBRARY:FUNCTION:REASON`; a function named after a key
// (`X509_check_private_key:key values mismatch`, `SSL_CTX_use_PrivateKey_file:...`) is followed, with no space, by a
// reason, no secret.
const OPENSSL_FUNCTION_FIELD = /error:[0-9A-Fa-f]{1,16}:[^:\n]{0,80}:$/;

/** Masks the value of every secret-named `name=value` / `name: value` / `"name": "value"` in a line of text. */
export function maskNamedValues(line: string): string {
  let out = '';
  let last = 0;
  NAMED.lastIndex = 0;
  for (let m = NAMED.exec(line); m; m = NAMED.exec(line)) {
    if (!isSecretName(m[1]) || (m[2] === ':' && OPENSSL_FUNCTION_FIELD.test(line.slice(Math.max(0, m.index - 110), m.index)))) continue;
    const start = m.index + m[0].length;
    const end = AUTH_HEADER.test(m[1]) ? line.length : valueEnd(line, start);
    if (end === start) continue;
    out += `${line.slice(last, start)}(hidden)`;
    last = end;
    NAMED.lastIndex = end;
  }
  return out + line.slice(last);
}

/** Where a value that starts at `start` ends: a quoted string (with its quotes), or a run without white space. */
function valueEnd(line: string, start: number): number {
  const q = line[start];
  if (q === '"' || q === "'" || q === '`') {
    const close = line.indexOf(q, start + 1);
    return close < 0 ? line.length : close + 1;
  }
  let end = start;
  while (end < line.length && !/\s/.test(line[end])) end++;
  return end;
}

// A config line that starts with a secret-named setting, with or without its `=` (`smtp_sasl_password_maps
// static:bob:pw`, a Postfix line that lacks the `=`; `-o smtp_sasl_password_maps=...` is matched by NAMED).
const LEADING_SECRET_NAME = /^(\s{0,64}[-+]?[A-Za-z][\w.-]{0,127})(\s{0,64}[=:]\s{0,64}|\s{1,64})(?=\S)/;

/** SECRET_WORD, an in-line map type with its colon (what the `static:`... pass below needs), or a 535 reply. */
const MASK_TRIGGER = /pass|pwd|secret|token|key|credential|auth|(?:static|inline|randmap|pipemap|unionmap):|535[ -]5\.7\.|(?:said|login): 535\b/i;

// maskExcerpt's patterns, made once: a regular expression literal in a function body is a new object at each call,
// and the lint masks a line per finding. The global ones are used by `replace` only, which starts at index 0 and
// leaves lastIndex at 0; the others ignore lastIndex.
const SIGN_PREFIX = /^[-+]/;
const FILE_NAME = /_file$/;
const URL_USERINFO = /(\/\/)[^/\s:@]{0,256}:\S{0,256}@/g;
const INLINE_MAP = /\b(static|inline|randmap|pipemap|unionmap):(?:\{[^}]{0,2000}\}?|\S{1,256})/gi;
const AUTH_ARGUMENT = /\b(AUTH (?:PLAIN|LOGIN)\s+)\S+/gi;
/**
 * The text of a refused login's reply (535, with its enhanced code or as "said: 535" / "Invalid login: 535"), to the end
 * of the line or of the parenthesis Postfix puts it in: servers echo what they could not use, a user name or the
 * client's base64 line, which may be the password.
 */
const AUTH_FAILURE = /535[ -]5\.7\.|(?:said|login): 535\b/i;
const AUTH_FAILURE_REPLY = /\b(535(?:[ -]5\.7\.\d{1,3})?)[ -][^)\n]{0,2000}/g;

/**
 * The one masking rule for an excerpt of a config or log line shown anywhere (evidence, titles, the report, the
 * CLI): the value of a leading secret-named setting (even without its `=`), every secret-named `name=value`,
 * credentials in a URL or `user:pass@host`, Postfix in-line maps that hold credentials, SMTP AUTH arguments, and the
 * text of a 535 (refused login) reply.
 */
export function maskExcerpt(line: string): string {
  // Nothing below changes a line without a secret word, an `@` or an in-line map type: one test for most lines.
  if (!mayMask(line)) return line;
  let s = line;
  // Every secret name holds one of these words, so a line without any has no secret-named value to mask.
  const named = SECRET_WORD.test(line);
  const lead = named ? LEADING_SECRET_NAME.exec(s) : null;
  const leadName = lead?.[1].trim().replace(SIGN_PREFIX, '');
  // A file's path is not a secret (showing it is the point of a missing-file finding); its contents would be.
  if (lead && leadName && isSecretName(leadName) && !FILE_NAME.test(leadName)) s = `${lead[1]}${lead[2]}(hidden)`;
  // Up to the last `@` of the URL: real passwords hold `@` and `/` unencoded. Bounded, so it stays linear.
  // Credentials before a host (in a URL or `user:pass@host`) need an `@`, which masking never adds.
  if (line.includes('@')) s = s.replace(URL_USERINFO, '$1(hidden)@');
  if (named) s = maskNamedValues(s);
  // A Postfix in-line map holds the credentials themselves (`static:user:pass`, `inline:{ user = pass }`).
  s = hideUserinfo(s).replace(INLINE_MAP, '$1:(hidden)');
  if (AUTH_FAILURE.test(s)) s = s.replace(AUTH_FAILURE_REPLY, '$1 (reply text hidden)');
  // "AUTH" holds "auth", a secret word: a line without one has no SMTP AUTH argument (masking adds only "(hidden)").
  return named ? s.replace(AUTH_ARGUMENT, '$1(hidden)') : s;
}

/** False when maskExcerpt returns the line as it is, by its first test (no secret word, `@` or in-line map type). */
export function mayMask(line: string): boolean {
  return MASK_TRIGGER.test(line) || line.includes('@');
}

/**
 * The length of a leading `line N: ` label (N digits, as evidence numbers the lines it quotes), 0 when there is none.
 * The label never changes maskExcerpt's answer on the rest: no pattern above matches in it or across its final
 * space (`line` is no secret word, map type or AUTH; LEADING_SECRET_NAME takes `line`, which is no secret name), so
 * `line N: rest` is kept as it is for every N or for none. MaskMemo (src/core/lint/index.ts) asks maskExcerpt once
 * per rest for the lines a rule numbers; test/unit/core/secretsExcerpts.test.ts checks the property on random rests.
 */
export function lineLabelLength(line: string): number {
  if (!line.startsWith('line ')) return 0;
  let i = 5;
  while (i < line.length && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  return i > 5 && line.charCodeAt(i) === 58 /* : */ && line.charCodeAt(i + 1) === 32 ? i + 2 : 0;
}
