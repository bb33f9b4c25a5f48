import { parseMailDomain } from '../../../domain/name';
import { isPlaceholderWord } from '../../templates';
import type { DiscoveredDomain } from '../../types';
import type { RuleContext } from '../context';
import { parseDestinations } from '../destinations';

/**
 * The mail domains main.cf's relayhost names: every destination without [brackets] whose host is a name, because
 * Postfix looks up its MX records and delivers to them as to any mail domain (the domain check can then say what
 * that delivery meets). Only port 25 (or none): the check probes MX hosts there. Bracketed destinations and addresses are hosts, offered as endpoints by checkRelay.
 */
export function relayDomains(ctx: RuleContext): DiscoveredDomain[] {
  const relay = ctx.scope.setting('relayhost');
  if (!relay) return [];
  const value = ctx.scope.resolved('relayhost');
  if (!value.complete) return [];
  const literal = value.value === relay.value;
  const out: DiscoveredDomain[] = [];
  for (const d of parseDestinations(value.value)) {
    // MX hosts take mail on port 25; the domain check looks at that delivery, not at MX hosts on another port.
    if (d.bracketed || isPlaceholderWord(d.host) || (d.portText !== undefined && d.port !== 25)) continue;
    const parsed = parseMailDomain(d.host);
    if ('error' in parsed) continue;
    out.push({
      domain: parsed.domain,
      file: ctx.file,
      range: literal ? relay.valueSubRange(d.hostStart, d.hostEnd) : relay.valueRange,
      source: 'relayhost in main.cf without brackets: Postfix delivers to its MX hosts',
    });
  }
  return out;
}
