/**
 * The sender domains a nodemailer file names: the domain part of `auth.user` (when the login is an address, as
 * with most providers) and of `from` (createTransport's message defaults, `sendMail({ from })`), literal or
 * resolved through `.env`. They are the user's own domains, so the domain check takes them only when the user asks
 * (`sender: true`; the editor's setting `mailTlsDoctor.domains.includeSenderDomains`). Only the domain is kept:
 * never the local part, never the password (which is not even read).
 */
import { parseMailDomain } from '../../domain/name';
import type { Range } from '../../finding';
import type { DiscoveredDomain } from '../types';
import type { OptionSite, TransportSite } from './transports';

/** The domain of a mail address as nodemailer takes `from`: `user@example.com` or `"Name" <user@example.com>`. */
export function addressDomain(value: string): string | undefined {
  if (value.length > 1000) return undefined;
  const angle = /<([^<>]*)>\s*$/.exec(value);
  const address = (angle ? angle[1] : value).trim();
  const at = address.lastIndexOf('@');
  if (at <= 0 || /\s/.test(address)) return undefined;
  const d = parseMailDomain(address.slice(at + 1));
  return 'error' in d ? undefined : d.domain;
}

export function senderDomains(path: string, sites: TransportSite[], sendMailFrom: OptionSite[]): DiscoveredDomain[] {
  const out: DiscoveredDomain[] = [];
  const add = (o: OptionSite | undefined, what: string, site?: TransportSite, inModule = false) => {
    if (!o || !o.resolved.known || typeof o.resolved.value !== 'string') return;
    const domain = addressDomain(o.resolved.value);
    if (!domain) return;
    // Options written in another module stay on this file's createTransport argument, as their findings do.
    const range: Range | undefined = inModule && site ? site.argRange : (o.code?.valueRange ?? site?.argRange);
    if (!range) return;
    const env = o.resolved.env.map((e) => e.key);
    const from = env.length ? `, from .env ${[...new Set(env)].join(', ')}` : o.fromUrl ? ' in the URL' : '';
    out.push({ domain, file: path, range, source: `nodemailer ${what}${from}: a sender domain`, sender: true });
  };
  for (const site of sites) {
    add(site.authUser, 'auth.user', site, site.module !== undefined);
    add(site.defaultFrom, 'from of the transport defaults', site);
  }
  for (const o of sendMailFrom) add(o, 'from of sendMail');
  return out;
}
