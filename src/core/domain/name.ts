import { validateHostname } from '../endpoint';

/**
 * A mail domain as the domain check takes it: a DNS name of at least two labels (no address, no port), lower case,
 * without the trailing dot. The reason is plain text that names what is wrong (it may quote the input's label).
 */
export function parseMailDomain(input: string): { domain: string } | { error: string } {
  const d = input.trim().replace(/\.$/, '');
  if (d.length === 0) return { error: 'the domain is empty' };
  const check = validateHostname(d);
  if (!check.ok) return { error: check.reason.replace(/^the host name/, 'the domain') };
  if (check.kind !== 'name') return { error: 'an address is not a mail domain (give the domain whose MX records to check)' };
  if (!d.includes('.')) return { error: 'a mail domain has at least two labels (like example.com)' };
  return { domain: d.toLowerCase() };
}
