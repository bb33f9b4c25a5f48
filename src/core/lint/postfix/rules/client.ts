import { isIP } from 'node:net';
import { endpointLabel, makeEndpoint, printable, validateHostname } from '../../../endpoint';
import { isPlaceholderWord } from '../../templates';
import type { Range } from '../../../finding';
import type { DiscoveredEndpoint } from '../../types';
import type { Setting } from '../mainParser';
import { hideUserinfo } from '../../../secrets';
import { redact, report, RuleContext, setParameter, setParameterFix, shown } from '../context';
import { Destination, parseDestinations } from '../destinations';
import { systemCaBundle } from '../caBundle';
import type { ParameterScope } from '../scope';

const AT_LEAST_ENCRYPT = new Set(['encrypt', 'dane-only', 'fingerprint', 'verify', 'secure']);

/** The SMTP client's effective level, including what the obsolete use_tls/enforce_tls switches imply. */
export function clientLevel(scope: ParameterScope): string {
  const level = scope.value('smtp_tls_security_level').toLowerCase();
  if (level) return level;
  if (scope.flag('smtp_enforce_tls')) return scope.value('smtp_tls_enforce_peername').toLowerCase() === 'no' ? 'encrypt' : 'verify';
  return scope.flag('smtp_use_tls') ? 'may' : 'none';
}

/** relayhost, wrapper mode and client security-level rules of main.cf; returns the relays as endpoints. */
export function checkRelay(ctx: RuleContext): DiscoveredEndpoint[] {
  const endpoints: DiscoveredEndpoint[] = [];
  const relay = ctx.scope.setting('relayhost');
  const value = ctx.scope.resolved('relayhost');
  const wrapper = ctx.scope.flag('smtp_tls_wrappermode');
  const wrapperSetting = ctx.scope.setting('smtp_tls_wrappermode');
  const literal = relay !== undefined && value.value === relay.value;
  // An installer placeholder (`relayhost = PH_RELAYHOST`) is a value still to be filled in, not a host.
  const dests = value.complete ? parseDestinations(value.value).filter((d) => !isPlaceholderWord(d.host)) : [];
  const rangeOf = (d: Destination, s: number, e: number): Range | undefined => (relay && literal ? relay.valueSubRange(s, e) : relay?.valueRange);

  for (const d of dests) {
    const whole = rangeOf(d, d.start, d.end);
    if (!usable(d)) {
      if (relay && whole) reportInvalid(ctx, relay, value.value, d, whole);
      continue;
    }
    const port = d.port ?? 25;
    const ep = makeEndpoint(d.host, port, wrapper ? { protocol: 'smtp', mode: 'implicit' } : { protocol: 'smtp' });
    if (relay && whole) endpoints.push({ endpoint: ep, file: ctx.file, range: whole, source: 'relayhost in main.cf' });
    if (!relay || !whole) continue;
    const portRange = d.portStart !== undefined ? (rangeOf(d, d.portStart, d.end) ?? whole) : whole;

    if (port === 465 && !wrapper) {
      const level = clientLevel(ctx.scope);
      const edits = [...setParameter(ctx, 'smtp_tls_wrappermode', 'yes', relay)];
      if (!AT_LEAST_ENCRYPT.has(level)) edits.push(...setParameter(ctx, 'smtp_tls_security_level', 'encrypt', relay));
      report(ctx, 'postfix.relayhost-needs-wrappermode', {
        severity: 'error',
        title: `relayhost uses port ${d.portText === '465' ? '465' : `465 (${d.portText})`} but smtp_tls_wrappermode is not yes.`,
        detail:
          'Port 465 (submissions) speaks TLS from the first byte. Without wrapper mode Postfix connects in ' +
          'plain text and waits for the 220 greeting, while the server waits for a TLS ClientHello: every delivery ' +
          'ends in "lost connection while receiving the initial server greeting" or a timeout, and mail stays queued.',
        fix:
          'Either add smtp_tls_wrappermode = yes and smtp_tls_security_level = encrypt (Postfix 3.0 or later), ' +
          'or switch the relay to port 587 ([host]:587), which uses STARTTLS. Then run `postfix reload`.',
        range: portRange,
        evidence: [shown(relay), wrapperSetting ? shown(wrapperSetting) : 'smtp_tls_wrappermode = no (default)'],
        edits,
        editTitle: 'Turn on smtp_tls_wrappermode (and the encrypt level)',
      });
    }
    if (wrapper && (port === 25 || port === 587)) {
      reportWrapperOnStarttls(ctx, wrapperSetting?.valueRange ?? portRange, `relayhost ${endpointLabel(ep).replace(/ \(.*\)$/, '')}`, shown(relay));
    }
    if (!d.bracketed && isIP(d.host) !== 0) {
      // IPv4: smtp_domain_addr() asks for MX records, dns_lookup() answers "not found" for a numeric name without a
      // query, and smtp_host_addr() then uses the address itself (smtp_addr.c): it works, brackets only say so.
      // IPv6: without brackets the colons of the address cannot be told from the :port separator.
      const v4 = isIP(d.host) === 4;
      report(ctx, 'postfix.relayhost-invalid', {
        severity: v4 ? 'info' : 'error',
        title: v4
          ? `relayhost ${printable(d.host)} is an IP address without [brackets]; it works, but [${printable(d.host)}] says what is meant.`
          : `relayhost ${printable(d.host)} is an IPv6 address without [brackets]: Postfix cannot read it.`,
        detail: v4
          ? 'Without brackets Postfix first treats the value as a mail domain and asks for its MX records; a numeric name ' +
            'is answered "not found" at once ("invalid host or domain name", dns_lookup.c), and Postfix then connects to ' +
            'the address itself (smtp_addr.c). postconf(5) documents the bracketed form ([hostaddress]) for addresses.'
          : 'postconf(5) documents addresses only as [hostaddress] or [hostaddress]:port; without brackets the colons ' +
            'of an IPv6 address cannot be told apart from the :port separator, so the destination is not the address meant.',
        fix: `Write relayhost = [${d.host}]${d.portText !== undefined ? `:${d.portText}` : ''} and run \`postfix reload\`.`,
        range: rangeOf(d, d.hostStart, d.hostEnd) ?? whole,
        evidence: [shown(relay)],
        edits: literal ? [{ range: rangeOf(d, d.hostStart, d.hostEnd) ?? whole, newText: `[${d.host}]` }] : undefined,
        editTitle: `Write [${d.host}]`,
      });
    } else if (!d.bracketed) {
      // Valid Postfix (relaying to a domain's MX hosts). Only with a submission port is the MX lookup almost surely
      // unintended (MX hosts take mail on 25); the edit changes routing (MX hosts -> the name's own address), so it
      // is offered only then.
      const submissionPort = port === 587 || port === 465;
      report(ctx, 'postfix.relayhost-mx-lookup', {
        severity: submissionPort ? 'warning' : 'info',
        title: `relayhost ${printable(d.host)} has no brackets, so Postfix looks up its MX records.`,
        detail:
          'Without [brackets] Postfix treats the name as a mail domain: it delivers to the hosts in its MX ' +
          'records (falling back to its address only when there are none) and, at the verify level, checks the ' +
          "certificate against those MX names. For a provider's submission host (smtp.gmail.com, " +
          'email-smtp.*.amazonaws.com, smtp.sendgrid.net) you want a direct connection' +
          (submissionPort
            ? `, the more so on port ${d.portText}: MX hosts take mail on port 25.`
            : "; for a relay domain whose MX hosts you mean to use it is right as it is (brackets would send the mail to the name's own address instead)."),
        fix: `For a provider's submission host write relayhost = [${d.host}]${d.portText !== undefined ? `:${d.portText}` : ''} and run \`postfix reload\`${submissionPort ? '' : '; for a relay domain leave it'}.`,
        range: rangeOf(d, d.hostStart, d.hostEnd) ?? whole,
        evidence: [shown(relay)],
        edits: literal && submissionPort ? [{ range: rangeOf(d, d.hostStart, d.hostEnd) ?? whole, newText: `[${d.host}]` }] : undefined,
        editTitle: `Write [${d.host}] (connect to it directly, no MX lookup)`,
      });
    }
  }
  if (wrapper && dests.length === 0 && value.complete && wrapperSetting) {
    reportWrapperOnStarttls(ctx, wrapperSetting.valueRange, 'direct delivery to MX hosts on port 25', shown(wrapperSetting));
  }
  checkDestinationSyntax(ctx, 'smtp_fallback_relay');
  checkClientLevel(ctx, relay !== undefined && dests.length > 0);
  return endpoints;
}

const usable = (d: Destination) => d.garbage === undefined && validateHostname(d.host).ok && !(d.portText !== undefined && d.port === undefined);

function reportInvalid(ctx: RuleContext, relay: Setting, value: string, d: Destination, range: Range): void {
  const hostCheck = validateHostname(d.host);
  const name = relay.name;
  const quoted = printable(redact(name, value.slice(d.start, d.end)));
  // Garbage after "]" is judged first: Postfix's host_port() stops there before it looks at the host.
  const detail = d.garbage
    ? `After "]" Postfix accepts only ":port"; here "${printable(redact(name, d.garbage.text))}" follows. Its SMTP client parses the ` +
      `destination with host_port(), which answers "garbage after "]"", and the delivery agent stops with "fatal: garbage after "]" in ` +
      'server description" (smtp_connect.c) on every delivery attempt: the transport is throttled and mail stays in the queue. ' +
      'It is not an endpoint either: the text after "]" is neither a port nor part of the host name.' +
      (/^\(.*:\/\//.test(d.garbage.text) ? ' It looks like a Markdown link ("[text](address)") pasted from a web page or a chat.' : '')
    : !hostCheck.ok
      ? `The host part is not a valid host name: ${hideUserinfo(hostCheck.reason)}. Mail to the relay is deferred.`
      : `"${printable((d.portText ?? '').replace(/^.*@/, '(hidden)@'))}" is neither a port number nor a known service name (smtp, submission, submissions).`;
  report(ctx, 'postfix.relayhost-invalid', {
    severity: 'error',
    title: d.garbage
      ? // Only the part up to "]" in the title: the rest is quoted in the detail (and in Markdown escaped), so a one-line listing never prints a pasted address.
        `${name} "${printable(redact(name, value.slice(d.start, d.garbage.start)))}"${ctx.service ? ` (in the ${ctx.service.name} service)` : ''} is malformed: text follows "]" that is not ":port".`
      : `${name} "${quoted}"${ctx.service ? ` (in the ${ctx.service.name} service)` : ''} is not a destination Postfix can use.`,
    detail,
    fix: d.garbage
      ? `Delete the text after "]" (keep [host] or [host]:port), then run \`postfix reload\`.`
      : ctx.service
        ? `Write it as -o ${name}=[host.example.com]:587 (STARTTLS) or [host.example.com]:465 with -o smtp_tls_wrappermode=yes.`
        : `Write it as [host.example.com]:587 (STARTTLS) or [host.example.com]:465 with smtp_tls_wrappermode = yes.`,
    range,
    evidence: [shown(relay)],
  });
}

/**
 * master.cf: a service's own `-o relayhost=...` is checked like main.cf's. Only its syntax: which relay a service
 * really uses also depends on transport maps, so the relays themselves are not offered as endpoints here.
 */
export function checkRelayOverride(ctx: RuleContext): void {
  checkDestinationSyntax(ctx, 'relayhost');
  checkDestinationSyntax(ctx, 'smtp_fallback_relay');
}

/**
 * The syntax of a next-hop list the SMTP client parses with smtp_parse_destination() (relayhost in a service,
 * smtp_fallback_relay anywhere): every destination Postfix would stop on is reported.
 */
export function checkDestinationSyntax(ctx: RuleContext, name: 'relayhost' | 'smtp_fallback_relay'): void {
  const setting = ctx.scope.setting(name);
  if (!setting) return;
  const value = ctx.scope.resolved(name);
  if (!value.complete) return;
  const literal = value.value === setting.value;
  for (const d of parseDestinations(value.value)) {
    if (isPlaceholderWord(d.host)) continue;
    if (!usable(d)) reportInvalid(ctx, setting, value.value, d, literal ? setting.valueSubRange(d.start, d.end) : setting.valueRange);
  }
}

function reportWrapperOnStarttls(ctx: RuleContext, range: Range, target: string, evidence: string): void {
  const w = ctx.scope.setting('smtp_tls_wrappermode');
  report(ctx, 'postfix.wrappermode-on-starttls-port', {
    severity: 'error',
    title: `smtp_tls_wrappermode = yes, but ${target} uses STARTTLS.`,
    detail:
      'Wrapper mode starts TLS immediately, but servers on ports 25 and 587 greet in plain text and expect ' +
      'STARTTLS: the handshake fails ("wrong version number" on the OpenSSL side, or a timeout), and mail stays queued.',
    fix: 'Remove smtp_tls_wrappermode (or set it to no) for STARTTLS relays; keep it only for relays on port 465.',
    range,
    evidence: [evidence, ...(w ? [shown(w)] : [])],
    edits: w ? [{ range: w.valueRange, newText: 'no' }] : undefined,
    editTitle: 'Set smtp_tls_wrappermode = no',
  });
}

/** Rules on the client's security level, valid in main.cf and in an SMTP client service's overrides. */
export function checkClientLevel(ctx: RuleContext, relaying: boolean): void {
  const scope = ctx.scope;
  const level = clientLevel(scope);
  const levelSetting = scope.setting('smtp_tls_security_level');
  const wrapperOwn = scope.setting('smtp_tls_wrappermode');
  const wrapper = scope.flag('smtp_tls_wrappermode');
  if (wrapper && !AT_LEAST_ENCRYPT.has(level) && (wrapperOwn || levelSetting)) {
    const anchor = levelSetting ?? wrapperOwn!;
    report(ctx, 'postfix.wrappermode-needs-encrypt', {
      severity: 'error',
      title: `smtp_tls_wrappermode = yes needs smtp_tls_security_level = encrypt or stronger (it is "${level || 'none'}").`,
      detail:
        'postconf(5): wrapper mode "requires smtp_tls_security_level = encrypt or stronger". At a lower ' +
        'level the SMTP client logs: smtp_tls_wrappermode requires "smtp_tls_security_level = encrypt" (or ' +
        'stronger), and skips the server (smtp_connect.c): it skips every address of every destination this ' +
        'applies to, so nothing is delivered and mail stays in the queue.',
      fix: 'Set smtp_tls_security_level = encrypt (or verify with a CA file), then run `postfix reload`.',
      range: levelSetting ? levelSetting.valueRange : anchor.valueRange,
      evidence: [shown(wrapperOwn, 'smtp_tls_wrappermode', 'yes'), shown(levelSetting, 'smtp_tls_security_level', level)],
      ...setParameterFix(ctx, 'smtp_tls_security_level', 'encrypt', wrapperOwn ?? levelSetting),
    });
  }

  const sasl = scope.setting('smtp_sasl_auth_enable');
  if (scope.flag('smtp_sasl_auth_enable') && (relaying || ctx.service) && (level === 'none' || level === 'may' || level === 'dane') && !wrapper) {
    const noPlain = /\bnoplaintext\b/i.test(scope.value('smtp_sasl_security_options'));
    const policy = scope.value('smtp_tls_policy_maps') !== '';
    let severity: 'error' | 'warning' | 'info' = level === 'none' ? 'error' : 'warning';
    if (noPlain || policy) severity = severity === 'error' ? 'warning' : 'info';
    const anchor = levelSetting ?? sasl ?? scope.setting('relayhost');
    if (anchor) {
      report(ctx, 'postfix.relay-credentials-in-clear', {
        severity,
        title:
          level === 'none'
            ? 'SMTP AUTH to the relay is on, but TLS is off (smtp_tls_security_level is none or unset).'
            : `SMTP AUTH to the relay is on with opportunistic TLS (smtp_tls_security_level = ${level}).`,
        detail:
          (level === 'none'
            ? 'The relay password crosses the network without encryption.'
            : 'If STARTTLS is missing or stripped by an attacker on the path, Postfix logs in without TLS and sends ' +
              'the password in the clear; many providers (Gmail, Microsoft 365) refuse AUTH before STARTTLS anyway.') +
          (noPlain
            ? ' smtp_sasl_security_options contains noplaintext, which keeps PLAIN/LOGIN off unencrypted sessions, but it also blocks them over TLS unless smtp_sasl_tls_security_options says otherwise.'
            : '') +
          (policy ? ' smtp_tls_policy_maps is set and may raise the level for the relay; check its entry.' : ''),
        fix: 'Set smtp_tls_security_level = encrypt (or verify with smtp_tls_CAfile) so the session is encrypted ' + 'before AUTH, then run `postfix reload`.',
        range: anchor === levelSetting || anchor === sasl ? anchor.valueRange : anchor.nameRange,
        evidence: [shown(sasl, 'smtp_sasl_auth_enable', 'yes'), shown(levelSetting, 'smtp_tls_security_level', level || '(unset)')],
        ...setParameterFix(ctx, 'smtp_tls_security_level', 'encrypt', sasl ?? anchor),
      });
    }
  }

  if ((level === 'verify' || level === 'secure') && levelSetting) {
    // smtp_tls_trust_anchor_file replaces CAfile/CApath as the trust for verify/secure (postconf(5)).
    const ca = scope.value('smtp_tls_CAfile') !== '' || scope.value('smtp_tls_CApath') !== '' || scope.value('smtp_tls_trust_anchor_file') !== '';
    // tls_append_default_CA adds the system CAs only to a CAfile/CApath that is set (tls_certkey.c,
    // tls_set_ca_certificate_info), so alone it trusts nothing.
    if (!ca) {
      const bundle = systemCaBundle(scope);
      report(ctx, 'postfix.verify-without-ca', {
        severity: 'error',
        title: `smtp_tls_security_level = ${level}, but no smtp_tls_CAfile or smtp_tls_CApath is set.`,
        detail:
          'With neither smtp_tls_CAfile nor smtp_tls_CApath Postfix loads no CA at all (tls_append_default_CA only adds ' +
          "OpenSSL's default CAs to a CAfile or CApath that is set, in every Postfix version), so no server certificate " +
          'can be trusted: every delivery fails with "Server certificate not trusted" and mail stays queued.',
        fix:
          'Point smtp_tls_CAfile at the system bundle (Debian/Ubuntu: /etc/ssl/certs/ca-certificates.crt; ' +
          'RHEL/Fedora: /etc/pki/tls/certs/ca-bundle.crt) or set smtp_tls_CApath = /etc/ssl/certs, then `postfix reload`.',
        range: levelSetting.valueRange,
        evidence: [shown(levelSetting)],
        edits: [...setParameter(ctx, 'smtp_tls_CAfile', bundle.path, levelSetting)],
        editTitle: `Add smtp_tls_CAfile = ${bundle.path} (${bundle.platform} path)`,
      });
    }
  }
}
