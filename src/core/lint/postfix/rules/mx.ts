import type { ParameterScope } from '../scope';

const LOCAL = /^(localhost|localhost\.[^\s]*|127\.0\.0\.1|\[127\.0\.0\.1\]|\[::1\])$/i;

/**
 * Whether this server accepts mail for any domain (mydestination beyond localhost, virtual or relay domains):
 * only then is its port 25 a publicly referenced MX in RFC 3207's sense. A relay that receives mail for no domain
 * (mydestination = localhost, mail only from its own networks) may require TLS from its known clients.
 * Unknown values count as "yes", so a rule about MX hosts stays on when in doubt.
 */
export function acceptsMailForDomains(scope: ParameterScope): boolean {
  const names = ['mydestination', 'virtual_mailbox_domains', 'virtual_alias_domains'];
  if (!names.every((n) => scope.resolved(n).complete)) return true;
  // relay_domains defaults to $mydestination (compatibility_level < 2) or nothing: either way it adds no domain
  // unless the file sets it.
  const relay = scope.definedAt('relay_domains') ? scope.resolved('relay_domains') : { value: '', complete: true };
  if (!relay.complete) return true;
  const words = [...names.map((n) => scope.value(n)), relay.value]
    .join(' ')
    .split(/[\s,]+/)
    .filter((w) => w !== '');
  return words.some((w) => !LOCAL.test(w));
}
