/**
 * Findings from the per-delivery analysis: one per destination whose deliveries failed because of TLS, saying
 * whether the fault is persistent (and since when) or intermittent (with the success rate), counted in deliveries
 * and messages rather than log lines; and one for the inbound (smtpd) side.
 */
import { printable } from '../../endpoint';
import { CATALOG } from '../../explain/catalog';
import type { Finding } from '../../finding';
import type { DestinationStats, InboundStats, MailLogAnalysis } from './deliveries';
import { makeFinding } from '../../findings';

const MAX_DESTINATION_FINDINGS = 50;

export function causeTitle(id: string): string {
  return CATALOG.find((e) => e.id === id)?.title.replace(/\.$/, '') ?? id;
}

function topCause(s: DestinationStats): string | undefined {
  return Object.entries(s.causes).sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function deliveryFindings(file: string, a: MailLogAnalysis): Finding[] {
  const out: Finding[] = [];
  for (const s of a.destinations.filter((d) => d.tlsFailures > 0).slice(0, MAX_DESTINATION_FINDINGS)) {
    const first = s.firstTlsFailure!;
    const last = s.lastTlsFailure!;
    const dest = printable(s.destination, 120);
    const cause = topCause(s);
    const entry = cause ? CATALOG.find((e) => e.id === cause) : undefined;
    const rate = Math.round((s.successRateSinceFirstFailure ?? 0) * 100);
    const counts = `${s.tlsFailures} of ${s.attempts} delivery attempt${s.attempts === 1 ? '' : 's'} failed on TLS; ${s.delivered} of ${s.messages} message${s.messages === 1 ? '' : 's'} delivered`;
    const since = first.stamp ? ` since ${printable(first.stamp, 40)}` : ` since line ${first.range.start.line + 1}`;
    const persistent = s.pattern === 'persistent';
    // One failed attempt, the last in the log: no attempt after it to say whether the fault stays.
    const once = persistent && s.attemptsSinceFirstFailure === 1;
    out.push(
      makeFinding(persistent ? 'maillog.destination-persistent' : 'maillog.destination-intermittent', {
        severity: persistent ? 'error' : 'warning',
        title: once
          ? `Mail to ${dest} failed on TLS at its last delivery attempt in this log${first.stamp ? `, ${printable(first.stamp, 40)}` : ''} (${counts}).`
          : persistent
            ? `Mail to ${dest} fails on TLS every time${since} (${counts}).`
            : `Mail to ${dest} fails on TLS intermittently: ${rate}% of attempts succeeded${since} (${counts}).`,
        detail:
          `${once ? 'The log ends before the next attempt, so one failure cannot tell a lasting fault from a passing one; a configuration or certificate fault stays until it is fixed.' : persistent ? 'No attempt succeeded after the first TLS failure: this is a configuration or certificate fault, not a glitch.' : 'Some attempts succeed: one of several MX hosts or addresses is broken, or the fault comes and goes (overload, a middlebox, a renewal that was reloaded later).'} ` +
          `Main cause: ${entry ? entry.title.replace(/\.$/, '') : 'see the failure lines'}` +
          `${
            Object.keys(s.causes).length > 1
              ? ` (also: ${Object.keys(s.causes)
                  .filter((c) => c !== cause)
                  .map(causeTitle)
                  .slice(0, 2)
                  .join('; ')})`
              : ''
          }. ` +
          `${s.stuck} message${s.stuck === 1 ? '' : 's'} with a TLS failure ${s.stuck === 1 ? 'was' : 'were'} not delivered in this log. Relays: ${
            s.relays
              .slice(0, 5)
              .map((r) => printable(r, 100))
              .join(', ') || 'none named'
          }. ` +
          `Last TLS failure ${last.stamp ? `at ${printable(last.stamp, 40)}` : ''} on line ${last.range.start.line + 1}.`,
        fix: `${entry?.postfix?.fix ?? entry?.fix ?? 'Probe the relay and read the failure lines.'}${persistent ? '' : ' Probe each MX of the destination: an intermittent fault usually sits on one of them.'}`,
        evidence: first.text === last.text ? [first.text] : [first.text, last.text],
        file,
        range: first.range,
        ...(first.range.start.line === last.range.start.line
          ? {}
          : { related: [{ file, range: last.range, message: 'Last TLS failure for this destination' }] }),
      }),
    );
  }
  const inbound = inboundFinding(file, a.inbound);
  if (inbound) out.push(inbound);
  return out;
}

function inboundFinding(file: string, i: InboundStats): Finding | undefined {
  if (i.failures === 0 && i.legacySessions === 0) return undefined;
  const top = i.clients
    .filter((c) => c.failures > 0)
    .slice(0, 3)
    .map((c) => `${printable(c.client, 80)} (${c.failures})`);
  const causes = Object.entries(i.failuresByCause)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([id, n]) => `${causeTitle(id)} (${n} line${n === 1 ? '' : 's'})`);
  const failingClients = i.clients.filter((c) => c.failures > 0).length;
  return makeFinding('maillog.inbound-tls', {
    severity: i.failures > 0 && i.failures >= i.sessions ? 'warning' : 'info',
    title: `Inbound (smtpd): ${i.failures} TLS handshake${i.failures === 1 ? '' : 's'} failed from ${failingClients} client${failingClients === 1 ? '' : 's'}, ${i.sessions} TLS session${i.sessions === 1 ? '' : 's'} established${i.legacySessions ? ` (${i.legacySessions} with TLS 1.0/1.1)` : ''}.`,
    detail:
      'These are clients connecting to this server, kept apart from outbound deliveries. A few failing clients with many attempts are usually ' +
      `scanners; failures from real senders point at this server's certificate, protocols or ciphers.${top.length ? ` Most failures: ${top.join(', ')}.` : ''}${causes.length ? ` Reasons logged: ${causes.join('; ')}.` : ''}`,
    fix:
      'Probe this server as senders see it (mail-tls-doctor probe YOUR-MX:25); serve the full chain; keep smtpd_tls_security_level = may and ' +
      '"medium" ciphers on port 25. Legacy TLS 1.0/1.1 sessions come from old senders: refuse them only on submission ports.',
    file,
    ...(i.firstFailure ? { range: i.firstFailure.range, evidence: [i.firstFailure.text] } : {}),
  });
}
