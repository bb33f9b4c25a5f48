/** Small text helpers shared by the certificate findings: dates, durations and evidence lines. */
import { plural } from '../wording';
import type { CertificateInfo } from './types';

export { plural };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2 h 13 min", "3 days 4 h", "under a minute": precise enough to spot a clock that is off by an hour. */
export function formatDuration(ms: number): string {
  // Round to the minute before splitting, so 1 h 59 min 40 s reads "2 h 0 min", never "1 h 60 min".
  const abs = Math.round(Math.abs(ms) / MINUTE) * MINUTE;
  if (abs < MINUTE) return 'under a minute';
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${hours} h` : plural(days, 'day');
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/**
 * How long until (or since) a certificate's end: the one wording of "expires in ..." for the probe, the lint and
 * the editor. From a week on, whole days rounded to the nearest (4.6 days is never "4 days": \`openssl x509
 * -checkend\` counts seconds, and a day either way matters little that far out); under a week, days and hours
 * ("4 days 23 h"); under a day, hours and minutes (formatDuration). `short`: "d" for days (the status bar).
 */
export function timeLeft(ms: number, short = false): string {
  const abs = Math.abs(ms);
  const text = abs >= 7 * DAY ? plural(Math.round(abs / DAY), 'day') : formatDuration(abs);
  return short ? text.replace(/ days?\b/, ' d') : text;
}

/** Whether a certificate ending at `notAfter` is within the expiry warning of `days` days at `now` (or past it). */
export function expiresWithin(notAfter: string, now: Date, days: number): boolean {
  return Date.parse(notAfter) - now.getTime() <= days * DAY;
}

/** "2026-12-05 08:00 UTC" from an ISO time (as the certificate's validity is kept); anything else as it is. */
export function dayTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export function day(iso: string): string {
  return iso.replace(/T.*$/, '');
}

export function certEvidence(info: CertificateInfo, label: string): string[] {
  const lines = [
    `${label} subject: ${info.subject}`,
    `${label} issuer: ${info.issuer}`,
    `${label} valid: ${info.notBefore} to ${info.notAfter}`,
    `${label} SHA-256: ${info.fingerprint256}`,
  ];
  if (info.sans.length > 0) lines.push(`${label} names: ${info.sans.slice(0, 20).join(', ')}${info.sans.length > 20 ? ', ...' : ''}`);
  return lines;
}

/** "server certificate" for the leaf, else "intermediate CA certificate" / "root CA certificate". */
export function roleOf(depth: number, info: CertificateInfo): string {
  if (depth === 0) return 'server certificate';
  return info.selfSigned ? 'root CA certificate' : 'intermediate CA certificate';
}

export const CHAIN_FIX_POSTFIX =
  'Postfix (3.4 or later): `smtpd_tls_chain_files = /etc/letsencrypt/live/NAME/privkey.pem, /etc/letsencrypt/live/NAME/fullchain.pem` ' +
  '(older: `smtpd_tls_cert_file = .../fullchain.pem` and `smtpd_tls_key_file = .../privkey.pem`), then `postfix reload`.';
export const CHAIN_FIX_DOVECOT =
  'Dovecot 2.3: `ssl_cert = </etc/letsencrypt/live/NAME/fullchain.pem` and `ssl_key = </etc/letsencrypt/live/NAME/privkey.pem` (the `<` is required; ' +
  'Dovecot 2.4: `ssl_server_cert_file = /etc/letsencrypt/live/NAME/fullchain.pem` and `ssl_server_key_file = /etc/letsencrypt/live/NAME/privkey.pem`), then `doveadm reload`.';
export const CHAIN_FIX_CAT =
  'Without certbot, build the file yourself, server certificate first: `cat leaf.pem intermediate.pem > fullchain.pem` (not the root).';
