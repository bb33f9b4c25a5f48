/**
 * The findings of a DNS lookup that got no usable answer, shared by the domain check and the probe's `--resolver`
 * (the probe bundle carries no DNS client: this imports none). A resolver that failed (no reply, refused, REFUSED,
 * garbage) says nothing about the name; a SERVFAIL that stays with checking disabled is the zone's name servers
 * (or the path to them) failing; a SERVFAIL whose data comes with checking disabled is DNSSEC validation failing.
 */
import { printable } from '../endpoint';
import type { Finding } from '../finding';
import { makeFinding } from '../findings';
import { digCommand, formatServer, type DnsServer } from './server';

const p = (s: string, max = 120) => printable(s, max);

/**
 * A lookup without a usable answer, as a probe's resolver reports it (`LookupStatus` of resolver.ts): one query of
 * a record `type`, or (no `type`) the lookup of a host's addresses as a whole, where no one query is known to have
 * failed: the system resolver (getaddrinfo asks for A and AAAA, through /etc/hosts and whatever nsswitch says) or
 * the whole lookup running out of time.
 */
export type FailedLookup =
  { type: string; status: 'servfail' | 'bogus' | 'timeout' | 'error'; detail: string } | { type?: undefined; status: 'timeout' | 'error'; detail: string };

/** What was being looked up, and so what the failure leaves unchecked and who else it touches. */
export type LookupSubject = 'domain' | 'host';

const WORDS: Record<LookupSubject, { notChecked: string; others: string }> = {
  domain: { notChecked: 'the domain was not checked', others: "this is not the domain's fault, and senders using other resolvers may deliver normally" },
  host: { notChecked: 'the host was not checked', others: "this is not the host's fault, and clients using other resolvers may connect normally" },
};

/**
 * The resolver gave no usable answer (`server`: the one asked, none for the system's; `named`: the user named it,
 * then the suggested `dig` asks it too). `type`: the record type of the query that failed; undefined for the lookup
 * of the name's addresses as a whole (see FailedLookup), which is named as such, not as one query it may not be.
 */
export function resolverFailed(
  name: string,
  type: string | undefined,
  detail: string,
  server: DnsServer | undefined,
  named: boolean,
  subject: LookupSubject,
): Finding {
  const dig = (args: string) => `\`${digCommand(args, named ? server : undefined)}\``;
  const at = server ? formatServer(server) : undefined;
  const w = WORDS[subject];
  const asked = type ? `the ${type} query for ${p(name)}` : `the lookup of the addresses of ${p(name)}`;
  return makeFinding('dns.unresolved', {
    severity: 'error',
    title: `${at ? `The resolver ${p(at, 60)}` : 'The system resolver'} gave no usable answer to ${asked} (${p(detail, 100)}): ${w.notChecked}.`,
    detail: `The resolver itself failed (no reply in time, connection refused, REFUSED or a malformed answer), so nothing is known about the ${subject}: ${w.others}.`,
    fix: `Check that the resolver runs and answers this machine (${type ? dig(`${type} ${p(name)}`) : `${dig(`A ${p(name)}`)}, ${dig(`AAAA ${p(name)}`)}`}), or name one that does with \`--resolver IP[:PORT]\` (in the editor: \`mailTlsDoctor.dns.resolver\`).`,
    evidence: [`${type ?? 'addresses of'} ${p(name)}: ${p(detail, 160)}`, ...(at ? [`resolver: ${p(at, 60)}`] : [])],
  });
}

/**
 * SERVFAIL, also with checking disabled: the resolver cannot get an answer from the zone's name servers.
 * `consequence`: what it means for mail (the title's end); `before`: the detail's first sentence.
 */
export function lookupServfail(name: string, type: string, detail: string, dig: (args: string) => string, consequence: string, before: string): Finding {
  return makeFinding('dns.unresolved', {
    severity: 'error',
    title: `The ${type} lookup of ${p(name)} failed (${p(detail, 100)}): ${consequence}.`,
    detail: `${before} A SERVFAIL that stays with checking disabled means the resolver cannot get an answer from the domain's name servers (down, lame delegation, or unreachable from the resolver).`,
    fix: `Ask again (\`${dig(`${type} ${p(name)}`)}\`) and follow the delegation (\`dig +trace ${type} ${p(name)}\`) to see which name server fails; check that the resolver used can reach them.`,
    evidence: [`${type} ${p(name)}: ${p(detail, 160)}`],
  });
}

/**
 * DNSSEC validation fails (SERVFAIL; the data only with checking disabled). `server`: the resolver the user named,
 * for the suggested `dig` (none: the system's). `consequence`: what it means (the title's end).
 */
export function bogusRecords(name: string, type: string, detail: string, server: DnsServer | undefined, consequence: string): Finding {
  return makeFinding('dns.bogus', {
    severity: 'error',
    title: `DNSSEC validation fails for the ${type} records of ${p(name)}: ${consequence}.`,
    detail:
      'The resolver answers SERVFAIL, and hands the data out only with checking disabled: the signatures or the chain of trust (DS at the parent) do not validate. A validating resolver (every DANE sender, and many others) treats the records as unusable, so the mail stays queued.',
    fix: `Re-sign the zone (expired RRSIGs are the usual cause: check the signer is running), and make the DS at the parent match the zone's key (\`keymgr ZONE ds\`, \`${digCommand('+cd DNSKEY ZONE', server)}\`); \`${digCommand(`+cd +dnssec ${type} ${p(name)}`, server)}\` shows the records and their signatures, \`delv\` or https://dnsviz.net which link breaks.`,
    evidence: [`${type} ${p(name)}: ${p(detail, 200)}`],
  });
}
