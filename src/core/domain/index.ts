/**
 * The domain check: what a sending MTA sees when it delivers to DOMAIN. MX walk (null and implicit MX,
 * unresolvable and aliased targets), a STARTTLS probe of every MX address on port 25 with the MX name as SNI and
 * reference name (the existing probe engine), DANE TLSA matching when the TLSA answer is DNSSEC-validated,
 * MTA-STS (TXT, policy fetch, MX patterns and certificates) and TLS-RPT, and the verdict of three kinds of sender.
 * Every DNS query goes to the run's one resolver; nothing here asks the system for a name.
 */
import { isIP } from 'node:net';
import type { Endpoint } from '../endpoint';
import { printable } from '../endpoint';
import type { Finding } from '../finding';
import { probeEndpoint } from '../probe';
import type { ProbeOptions, ProbeResult } from '../probe/types';
import { readCaFiles } from '../probe/validate';
import type { DomainResolver, Lookup } from '../dns/resolver';
import type { DnsServer } from '../dns/server';
import { isUsable, matchTlsa, tlsaText, type TlsaRecord } from './dane';
import { domainFindings as F } from './findings';
import { checkStsTxt, fetchPolicy, mxMatches, parsePolicy, txtString, type FetchOutcome } from './mtasts';
import { senderViews } from './senders';
import { checkTlsRpt } from './tlsrpt';
import type { DaneAddress, DaneHost, DaneReport, DomainReport, MtaStsReport, MxHost, MxReport, TlsRptReport } from './types';

export type * from './types';
export { domainFindings } from './findings';

export interface CheckOptions {
  resolver: DomainResolver;
  caFiles?: string[];
  /** Per probe step, per DNS query and for the policy fetch; default 10000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The port MX hosts are probed on; default 25 (labs use another). */
  smtpPort?: number;
  /** The port of the MTA-STS policy host; default 443. */
  httpsPort?: number;
  /** MX hosts not to contact (the editor's ignored hosts): looked up, never probed; they count as not reachable. */
  skipMx?: (name: string) => boolean;
  /** Passed to every probe (limiter, version scan, EHLO name, clock...). */
  probeOptions?: Omit<ProbeOptions, 'signal' | 'timeoutMs' | 'resolve'>;
  now?: Date;
}

const DELIVERY_FAILURE = /^(tcp|greeting|endpoint|dns|probe|protocol)\./;

export async function checkDomain(domainInput: string, o: CheckOptions): Promise<DomainReport> {
  const domain = domainInput.toLowerCase().replace(/\.$/, '');
  const r = o.resolver;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const findings: Finding[] = [];
  const trusted = r.choice.trusted;
  if (!trusted) findings.push(F.resolverNotValidating(r.label, 'untrusted'));

  // MX walk, with TXT lookups for MTA-STS and TLS-RPT in parallel.
  const [mxLookup, stsTxt, rptTxt] = await Promise.all([
    r.lookup(domain, 'MX'),
    r.lookup(`_mta-sts.${domain}`, 'TXT'),
    r.lookup(`_smtp._tls.${domain}`, 'TXT'),
  ]);
  // The policy fetch does not depend on the MX hosts: it runs while they are resolved and probed.
  const policyFetch = fetchStsPolicy(domain, stsTxt, r, { extraCaPems: readExtraCas(o.caFiles), timeoutMs, o });
  policyFetch.catch(() => undefined); // an abort rejects it too; it is awaited (and rethrown) below
  const mx = await walkMx(domain, mxLookup, r, findings);

  // Probes and TLSA lookups of every MX, in parallel.
  const probes = mx.hosts.filter((h) => !o.skipMx?.(h.name)).flatMap((h) => h.addresses.map((address) => ({ host: h, address })));
  const [results, tlsa] = await Promise.all([
    Promise.all(probes.map(({ host, address }) => probeMx(host.name, address, o, timeoutMs))),
    Promise.all(mx.hosts.map((h) => lookupTlsa(h, r))),
  ]);
  const resultFor = (host: string, address: string) => results[probes.findIndex((p) => p.host.name === host && p.address === address)];

  const dane = judgeDane(mx.hosts, tlsa, resultFor, trusted, findings, digAt(r), o.now);
  const mtaSts = judgeMtaSts(domain, await policyFetch, mx, resultFor, findings);
  const tlsRpt = judgeTlsRpt(domain, rptTxt, { dane: dane.published, sts: mtaSts.status !== 'absent' }, findings, digAt(r));
  // A TXT lookup without a usable answer is a finding of its own, unless the MX lookup failed too (its finding
  // already says the resolver or the domain's name servers fail, and senders defer or it was not checked).
  if (mx.status !== 'failed') {
    const named = r.choice.source === 'option';
    if (failedTxt(stsTxt)) findings.push(F.mtastsTxtLookupFailed(domain, stsTxt, r.choice.server, named));
    if (failedTxt(rptTxt)) findings.push(F.tlsrptTxtLookupFailed(domain, rptTxt, r.choice.server, named, dane.published || mtaSts.status !== 'absent'));
  }

  // A trusted resolver that returned signed data and never set AD does not validate (or the chain is broken).
  if (trusted && !r.lookups.some((l) => l.secure) && r.lookups.some((l) => l.signed && l.status !== 'bogus')) {
    findings.push(F.resolverNotValidating(r.label, 'no-ad'));
  }
  const dnssec = {
    resolver: r.label,
    trusted,
    mx:
      mxLookup.status === 'bogus'
        ? 'bogus'
        : !trusted || !['ok', 'nodata', 'nxdomain'].includes(mxLookup.status)
          ? 'unknown'
          : mxLookup.secure
            ? 'secure'
            : 'insecure',
  } as const;
  const shown = results.map((res, i) => withSenderContext(domain, probes[i].host.name, res, dane, mtaSts));
  const report: DomainReport = { domain, mx, dnssec, dane, mtaSts, tlsRpt, senders: [], results: shown, findings };
  report.senders = senderViews(report);
  return report;
}

/**
 * A certificate error at an MX that neither MTA-STS in enforce mode nor usable DANE records cover stays an error,
 * as in `probe` (and so sets the exit code, which follows severities in every command): senders that verify defer.
 * Its detail says, in the domain's terms, that opportunistic senders still deliver (the sender view shows it), so
 * the error and the "delivered" verdicts do not read as a contradiction.
 */
function withSenderContext(domain: string, mx: string, res: ProbeResult, dane: DaneReport, mtaSts: MtaStsReport): ProbeResult {
  if (!res.tls || res.trusted) return res;
  const enforced = mtaSts.status === 'ok' && mtaSts.policy?.mode === 'enforce' && !!mtaSts.mxMatches?.[mx];
  const d = dane.hosts.find((x) => x.mx === mx);
  if (enforced || d?.applies || d?.unusableOnly) return res;
  const context = F.mxCertOpportunistic(domain, mx);
  const findings = res.findings.map((f) => (f.id.startsWith('cert.') && f.severity === 'error' ? { ...f, detail: `${f.detail} ${context}` } : f));
  return { ...res, findings };
}

/** A TXT lookup with no usable answer and no other finding (bogus data is dns.bogus; NXDOMAIN and NODATA are absence). */
function failedTxt(l: Lookup): boolean {
  return l.status === 'servfail' || l.status === 'timeout' || l.status === 'error';
}

/** The resolver a suggested `dig` asks: the one the user named, else none (plain `dig`, the system's). */
function digAt(r: DomainResolver): DnsServer | undefined {
  return r.choice.source === 'option' ? r.choice.server : undefined;
}

async function walkMx(domain: string, l: Lookup, r: DomainResolver, findings: Finding[]): Promise<MxReport> {
  if (l.status === 'bogus') {
    findings.push(F.bogus(domain, 'MX', l.detail, digAt(r)));
    return { status: 'bogus', secure: false, hosts: [] };
  }
  if (l.status !== 'ok' && l.status !== 'nodata') {
    findings.push(F.lookupFailed(domain, 'MX', l, r.choice.server, r.choice.source === 'option'));
    return { status: l.status === 'nxdomain' ? 'nxdomain' : 'failed', secure: l.status === 'nxdomain' && l.secure, hosts: [] };
  }
  const records = l.records
    .map((x) => x.data as { preference: number; exchange: string })
    .map((d) => ({ preference: d.preference, name: String(d.exchange).toLowerCase().replace(/\.$/, '') }))
    .sort((a, b) => a.preference - b.preference || a.name.localeCompare(b.name));
  if (records.length === 1 && records[0].name === '' && records[0].preference === 0) {
    findings.push(F.mxNull(domain));
    return { status: 'null', secure: l.secure, hosts: [] };
  }
  const implicit = records.length === 0;
  const names = implicit ? [{ preference: 0, name: domain }] : records.filter((x) => x.name !== '');
  const hosts: MxHost[] = await Promise.all(
    names.map(async ({ preference, name }) => {
      // An address where a name belongs (RFC 1035 3.3.9): no lookup; senders do not deliver to it (mxLiteral).
      if (!implicit && isIP(name.replace(/^\[(.*)\]$/, '$1'))) {
        return { name, preference, cnames: [], addresses: [], addressStatus: 'error', addressesSecure: false, literal: true };
      }
      // The TLSA question at the MX name does not wait for the addresses (the resolver keeps the answer).
      r.lookup(`_25._tcp.${name}`, 'TLSA').catch(() => undefined);
      const { addresses, a, aaaa } = await r.addresses(name);
      const bogus = [a, aaaa].find((x) => x.status === 'bogus');
      if (bogus) findings.push(F.bogus(name, bogus.type, bogus.detail, digAt(r)));
      const cnames = a.cnames.length ? a.cnames : aaaa.cnames;
      const statuses = [a.status, aaaa.status];
      const addressStatus = statuses.includes('ok') ? 'ok' : bogus ? 'bogus' : (statuses.find((s) => s !== 'nodata') ?? 'nodata');
      const secureOf = (x: Lookup) => x.secure && (x.status === 'ok' || x.status === 'nodata' || x.status === 'nxdomain');
      return { name, preference, cnames, addresses: [...new Set(addresses)], addressStatus, addressesSecure: secureOf(a) && secureOf(aaaa) };
    }),
  );
  if (implicit) findings.push(F.mxImplicit(domain, hosts[0].addresses));
  for (const h of hosts) if (h.cnames.length && !implicit) findings.push(F.mxCname(h.name, h.cnames));
  const unresolved = hosts.filter((h) => h.addresses.length === 0 && h.addressStatus !== 'bogus');
  const all = hosts.every((h) => h.addresses.length === 0);
  for (const h of unresolved) {
    if (h.literal) findings.push(F.mxLiteral(domain, h.preference, h.name, all));
    else findings.push(F.mxUnresolved(h.name, h.addressStatus === 'nodata' ? 'no A or AAAA record' : h.addressStatus, all));
  }
  return { status: implicit ? 'implicit' : 'ok', secure: l.secure, hosts };
}

function probeMx(mx: string, address: string, o: CheckOptions, timeoutMs: number): Promise<ProbeResult> {
  const endpoint: Endpoint = { host: address, port: o.smtpPort ?? 25, protocol: 'smtp', mode: 'starttls', servername: mx, caFiles: o.caFiles };
  return probeEndpoint(endpoint, { ...o.probeOptions, signal: o.signal, timeoutMs, now: o.now ?? o.probeOptions?.now }).then((rs) => rs[0]);
}

interface TlsaLookup {
  lookup: Lookup;
  name: string;
}

/** RFC 7672 2.2.3: after a secure CNAME, the TLSA records of the target name first, then of the MX name. */
async function lookupTlsa(h: MxHost, r: DomainResolver): Promise<TlsaLookup | undefined> {
  if (h.addresses.length === 0) return undefined;
  const names = h.cnames.length && h.addressesSecure ? [h.cnames[h.cnames.length - 1], h.name] : [h.name];
  let first: TlsaLookup | undefined;
  for (const n of names) {
    const name = `_25._tcp.${n}`;
    const lookup = await r.lookup(name, 'TLSA');
    first ??= { lookup, name };
    if (lookup.status !== 'nodata' && lookup.status !== 'nxdomain') return { lookup, name };
  }
  return first;
}

function judgeDane(
  hosts: MxHost[],
  tlsa: (TlsaLookup | undefined)[],
  resultFor: (host: string, address: string) => ProbeResult,
  trusted: boolean,
  findings: Finding[],
  digServer: DnsServer | undefined,
  now?: Date,
): DaneReport {
  const out: DaneHost[] = [];
  hosts.forEach((h, i) => {
    const t = tlsa[i];
    if (!t) return;
    const l = t.lookup;
    if (l.status === 'bogus') findings.push(F.bogus(t.name, 'TLSA', l.detail, digServer));
    const records: TlsaRecord[] = l.records.map((x) => {
      const d = x.data as { usage: number; selector: number; matchingType: number; certificate: Buffer };
      return { usage: d.usage, selector: d.selector, matchingType: d.matchingType, data: Buffer.from(d.certificate).toString('hex') };
    });
    if (records.length === 0 && l.status !== 'bogus') return;
    const usable = records.filter(isUsable);
    const secure = l.secure && h.addressesSecure;
    const host: DaneHost = {
      mx: h.name,
      tlsaName: t.name,
      status: l.status,
      secure,
      records: records.map(tlsaText),
      usable: usable.map(tlsaText),
      applies: secure && usable.length > 0,
      unusableOnly: secure && records.length > 0 && usable.length === 0,
      addresses: [],
    };
    out.push(host);
    if (l.status === 'bogus') return;
    if (trusted && !secure) findings.push(F.tlsaUnsigned(h.name, t.name));
    const unusable = records.filter((x) => !isUsable(x));
    if (unusable.length) findings.push(F.usageUnsuitable(h.name, unusable.map(tlsaText)));
    if (!secure) return;
    if (usable.length === 1) findings.push(F.rolloverSingle(h.name, tlsaText(usable[0])));
    const names = [h.name, ...(h.cnames.length ? [h.cnames[h.cnames.length - 1]] : [])];
    for (const address of h.addresses) {
      const res = resultFor(h.name, address);
      const a: DaneAddress = { address, verdict: 'not-probed', matches: [], problems: [] };
      host.addresses.push(a);
      if (!res || res.findings.some((f) => DELIVERY_FAILURE.test(f.id))) continue;
      if (!res.tls) {
        a.verdict = 'no-tls';
        const why = res.findings.find((f) => /^(starttls|tls)\./.test(f.id));
        findings.push(F.starttlsMissing(h.name, address, why ? `${why.title} [${why.id}]` : 'no TLS handshake succeeded.'));
        continue;
      }
      if (!host.applies) continue;
      const v = matchTlsa(
        usable,
        res.certificates.map((c) => c.pem),
        names,
        now,
      );
      a.matches = v.matches;
      a.problems = v.problems;
      a.verdict = v.ok ? 'match' : 'mismatch';
      if (!v.ok) findings.push(F.tlsaMismatch(h.name, address, usable.map(tlsaText), [...res.certificates.map((c) => c.subject), ...v.problems]));
    }
  });
  return { published: out.some((x) => x.records.length > 0), hosts: out };
}

interface FetchCtx {
  extraCaPems: string[];
  timeoutMs: number;
  o: CheckOptions;
}

function readExtraCas(caFiles: string[] | undefined): string[] {
  const ca = readCaFiles(caFiles);
  return 'pems' in ca ? ca.pems : [];
}

interface PolicyFetched {
  report: MtaStsReport;
  findings: Finding[];
  body?: string;
}

/** The TXT verdict and the policy fetch, with their findings; the MX judgement comes later (judgeMtaSts). */
async function fetchStsPolicy(domain: string, txt: Lookup, r: DomainResolver, ctx: FetchCtx): Promise<PolicyFetched> {
  const findings: Finding[] = [];
  if (txt.status === 'bogus') {
    findings.push(F.bogus(`_mta-sts.${domain}`, 'TXT', txt.detail, digAt(r)));
    return { report: { status: 'lookup-failed', txt: [] }, findings };
  }
  if (txt.status !== 'ok' && txt.status !== 'nodata' && txt.status !== 'nxdomain') return { report: { status: 'lookup-failed', txt: [] }, findings };
  const texts = txt.records.map((x) => txtString(x.data));
  const v = checkStsTxt(texts);
  if (v.ok === 'absent') return { report: { status: 'absent', txt: texts }, findings };
  if (v.ok === false) {
    findings.push(F.mtastsTxtInvalid(domain, v.reason, v.records));
    return { report: { status: 'invalid-txt', txt: texts }, findings };
  }
  const policyHost = `mta-sts.${domain}`;
  const url = `https://${policyHost}/.well-known/mta-sts.txt`;
  const report: MtaStsReport = { status: 'fetch-failed', txt: texts, id: v.id, url };
  const { addresses, a, aaaa } = await r.addresses(policyHost);
  if (addresses.length === 0) {
    const bogus = [a, aaaa].find((x) => x.status === 'bogus');
    findings.push(bogus ? F.bogus(policyHost, bogus.type, bogus.detail, digAt(r)) : F.policyFetchFailed(url, `${policyHost} has no address (${a.detail})`));
    return { report, findings };
  }
  let outcome: FetchOutcome | undefined;
  for (const address of addresses) {
    outcome = await fetchPolicy({
      address,
      port: ctx.o.httpsPort,
      host: policyHost,
      extraCaPems: ctx.extraCaPems,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.o.signal,
    });
    if (outcome.kind !== 'failed') break; // a connection failure tries the next address; an answer is the answer
  }
  switch (outcome!.kind) {
    case 'redirect':
      findings.push(F.policyRedirect(url, outcome!.status, outcome!.location));
      return { report, findings };
    case 'content-type':
      findings.push(F.policyContentType(url, outcome!.contentType));
      return { report, findings };
    case 'cert':
      findings.push(F.policyCertInvalid(url, outcome!.reason));
      return { report, findings };
    case 'failed':
      findings.push(F.policyFetchFailed(url, outcome!.reason));
      return { report, findings };
  }
  return { report, findings, body: outcome!.body };
}

function judgeMtaSts(
  domain: string,
  fetched: PolicyFetched,
  mx: MxReport,
  resultFor: (host: string, address: string) => ProbeResult,
  findings: Finding[],
): MtaStsReport {
  findings.push(...fetched.findings);
  const base = fetched.report;
  if (fetched.body === undefined) return base;
  const url = base.url!;
  const parsed = parsePolicy(fetched.body);
  if ('problems' in parsed) {
    findings.push(F.policyInvalid(url, parsed.problems));
    return { ...base, status: 'invalid-policy' };
  }
  const policy = parsed.policy;
  if (policy.mode === 'testing') findings.push(F.mtastsTesting(domain));
  // mode none (the way to retire a policy: RFC 8461, "Removing MTA-STS") wants a short max_age.
  if (policy.maxAge < 86400 && policy.mode !== 'none') findings.push(F.maxAgeShort(domain, policy.maxAge, policy.mode));
  const matches: Record<string, string | null> = {};
  if (policy.mode !== 'none') {
    for (const h of mx.hosts) {
      const pat = policy.mx.find((x) => mxMatches(x, h.name)) ?? null;
      matches[h.name] = pat;
      if (!pat) {
        findings.push(F.mxMismatch(h.name, policy.mx, policy.mode));
        continue;
      }
      for (const address of h.addresses) {
        const res = resultFor(h.name, address);
        if (!res || res.findings.some((f) => DELIVERY_FAILURE.test(f.id))) continue;
        if (!res.tls) findings.push(F.mxCertInvalid(h.name, address, 'offers no working STARTTLS', policy.mode));
        else if (!res.trusted) {
          const why = res.findings.filter((f) => f.id.startsWith('cert.') && f.severity === 'error').map((f) => f.id);
          findings.push(
            F.mxCertInvalid(
              h.name,
              address,
              `presents a certificate that does not verify for ${printable(h.name)}${why.length ? ` (${why.join(', ')})` : ''}`,
              policy.mode,
            ),
          );
        }
      }
    }
  }
  return { ...base, status: 'ok', policy, mxMatches: matches };
}

/** `on`: what senders would report failures of (neither: no TLS-RPT record is needed). */
function judgeTlsRpt(domain: string, l: Lookup, on: { dane: boolean; sts: boolean }, findings: Finding[], digServer: DnsServer | undefined): TlsRptReport {
  if (l.status === 'bogus') {
    findings.push(F.bogus(`_smtp._tls.${domain}`, 'TXT', l.detail, digServer));
    return { status: 'lookup-failed', rua: [] };
  }
  if (l.status !== 'ok' && l.status !== 'nodata' && l.status !== 'nxdomain') return { status: 'lookup-failed', rua: [] };
  const v = checkTlsRpt(l.records.map((x) => txtString(x.data)));
  if (v.ok === 'absent') {
    if (on.dane || on.sts) findings.push(F.tlsrptMissing(domain, on));
    return { status: 'absent', rua: [] };
  }
  if (v.ok === false) {
    findings.push(F.tlsrptInvalid(domain, v.reason, v.records));
    return { status: 'invalid', rua: [] };
  }
  return { status: 'ok', record: v.record, rua: v.rua };
}
