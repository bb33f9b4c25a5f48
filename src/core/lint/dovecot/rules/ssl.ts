/**
 * TLS switched off, and passwords accepted without it. `ssl = no` turns TLS off for IMAP, POP3 and their
 * implicit-TLS ports; `disable_plaintext_auth = no` (2.3) / `auth_allow_cleartext = yes` (2.4) let a client log in
 * with a cleartext mechanism (LOGIN, AUTH PLAIN, USER/PASS) on a connection that is not encrypted. Dovecot counts a
 * connection from the server's own address (localhost) or from login_trusted_networks as secured either
 * way (doc.dovecot.org "SSL configuration", "Secured connections").
 */
import { globalValue, overriddenLater, replaceValue, report, lineEvidence, type DovecotContext } from '../context';
import { forLocalClientsOnly, isServerScoped } from '../parser';
import { isOpaque } from '../template';
import { bool, inVersion, listensOnLoopbackOnly, protocolOf, servesMailboxes } from './words';

export const CERT_23 = 'ssl_cert = </etc/letsencrypt/live/NAME/fullchain.pem and ssl_key = </etc/letsencrypt/live/NAME/privkey.pem';
export const CERT_24 = 'ssl_server_cert_file = /etc/letsencrypt/live/NAME/fullchain.pem and ssl_server_key_file = /etc/letsencrypt/live/NAME/privkey.pem';

export function checkSslDisabled(ctx: DovecotContext): void {
  if (!servesMailboxes(ctx)) return;
  const loopback = listensOnLoopbackOnly(ctx);
  const hasCert = ctx.all.some((s) => s.name === 'ssl_cert' || s.name === 'ssl_server_cert_file');
  for (const s of ctx.conf.settings) {
    if (s.name !== 'ssl' || s.value.trim().toLowerCase() !== 'no' || !isServerScoped(s) || forLocalClientsOnly(s)) continue;
    const proto = protocolOf(s);
    if (proto !== undefined && !/^(imap|pop3)$/.test(proto)) continue;
    report(ctx, 'dovecot.ssl-disabled', {
      severity: loopback ? 'info' : 'error',
      title: proto ? `ssl = no turns TLS off for ${proto.toUpperCase()}.` : 'ssl = no turns TLS off for IMAP and POP3.',
      detail:
        'With TLS off Dovecot offers no STARTTLS and its implicit-TLS ports (993, 995) do not work: every login and ' +
        'every message crosses the network readable by anyone on the path. Mail clients set to require TLS (the ' +
        'default of Thunderbird, Outlook and phones) cannot connect at all.' +
        (loopback ? ' Here `listen` names only loopback addresses, so only local clients (a webmail on this host) connect.' : ''),
      fix:
        `Set ssl = yes (or required) and name the certificate: ${inVersion(ctx, CERT_23, CERT_24)}; then \`doveadm reload\`.` +
        (hasCert ? '' : ' Set the certificate first: with TLS on and no certificate every TLS connection fails.'),
      range: s.valueRange,
      evidence: [lineEvidence(ctx, s)],
      // Only with a certificate configured: TLS on without one fails every handshake (dovecot.ssl-without-cert).
      edits: hasCert && s.valueLiteral ? [replaceValue(s, 'yes')] : undefined,
      editTitle: 'Set ssl = yes',
    });
  }
}

export function checkCleartextAuth(ctx: DovecotContext): void {
  const ssl = (globalValue(ctx, 'ssl') ?? 'yes').trim().toLowerCase();
  // ssl = required already refuses any login before TLS (also non-cleartext mechanisms); a templated ssl
  // (`ssl = {{ dovecot_ssl }}`) may render as required.
  if (ssl === 'required' || isOpaque(ssl) || !servesMailboxes(ctx)) return;
  const v = ctx.version.version;
  for (const s of ctx.conf.settings) {
    // `remote 127.0.0.1 { disable_plaintext_auth = no }` (mailcow): only local clients, whose traffic crosses no network.
    if (!isServerScoped(s) || forLocalClientsOnly(s)) continue;
    const b = bool(s.value);
    const v23 = s.name === 'disable_plaintext_auth' && b === false && v !== '2.4';
    const v24 = s.name === 'auth_allow_cleartext' && b === true && v !== '2.3';
    // Dovecot keeps the last of a setting: an earlier one (the same line twice in a file, or set again in a later
    // conf.d file) is not what it does. Asked of these few settings only: it walks the whole configuration.
    if ((!v23 && !v24) || overriddenLater(ctx, s)) continue;
    const safe = v23 ? 'yes' : 'no';
    report(ctx, 'dovecot.cleartext-auth', {
      severity: 'warning',
      title: `${s.name} = ${s.value.trim()}: passwords are accepted in the clear on connections without TLS.`,
      detail:
        'A client may log in with a cleartext mechanism (IMAP LOGIN, AUTH PLAIN, POP3 USER/PASS) before or without ' +
        'STARTTLS, so the password crosses the network readable by anyone on the path; an attacker who strips STARTTLS ' +
        "from the server's greeting gets it even from clients that would have used TLS. Dovecot treats connections from " +
        "the server's own address (localhost) and from login_trusted_networks as secured either way, so local webmail keeps working with the safe setting." +
        (ssl === 'no' ? ' TLS is off here too (ssl = no), so every login is in the clear.' : ''),
      fix: `Set ${s.name} = ${safe} (Dovecot's default)${ssl === 'no' ? ' and turn TLS on (ssl = yes)' : ''}, or ssl = required to refuse any login before TLS; then \`doveadm reload\`.`,
      range: s.valueRange,
      evidence: [lineEvidence(ctx, s), `ssl = ${ssl}${globalValue(ctx, 'ssl') === undefined ? ' (default)' : ''}`],
      edits: s.valueLiteral ? [replaceValue(s, safe)] : undefined,
      editTitle: `Set ${s.name} = ${safe}`,
    });
  }
}
