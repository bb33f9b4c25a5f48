/** The domain check's report shapes (also the `check --json` output, one entry of `domains`). */
import type { Finding } from '../finding';
import type { ProbeResult } from '../probe/types';
import type { LookupStatus } from '../dns/resolver';
import type { DaneMatch } from './dane';
import type { StsPolicy } from './mtasts';

export interface MxHost {
  name: string;
  preference: number;
  /** Targets when the name is an alias (CNAME chain, in order). */
  cnames: string[];
  addresses: string[];
  addressStatus: LookupStatus;
  /** The A and AAAA answers were DNSSEC-validated. */
  addressesSecure: boolean;
  /** The MX record names an IP address instead of a host name: not looked up, senders do not deliver to it. */
  literal?: true;
}

export interface MxReport {
  /** `nxdomain`: the domain does not exist; `failed`: no usable answer (SERVFAIL, or the resolver failed). */
  status: 'ok' | 'null' | 'implicit' | 'bogus' | 'nxdomain' | 'failed';
  /** The MX answer was DNSSEC-validated. */
  secure: boolean;
  hosts: MxHost[];
}

export interface DnssecReport {
  resolver: string;
  /** The resolver's AD bit is believed (given with --resolver, or the system's on loopback). */
  trusted: boolean;
  /** What the MX answer was: secure (AD), insecure (no AD), bogus, or unknown (resolver not trusted). */
  mx: 'secure' | 'insecure' | 'bogus' | 'unknown';
}

export interface DaneAddress {
  address: string;
  verdict: 'match' | 'mismatch' | 'no-tls' | 'not-probed';
  matches: DaneMatch[];
  problems: string[];
}

export interface DaneHost {
  mx: string;
  /** Where the TLSA records were found (or looked for first). */
  tlsaName: string;
  status: LookupStatus;
  secure: boolean;
  records: string[];
  usable: string[];
  /** DANE applies: secure addresses, secure TLSA answer, at least one usable record. */
  applies: boolean;
  /** TLSA records exist but none is usable: TLS is still mandatory, authentication is not. */
  unusableOnly: boolean;
  addresses: DaneAddress[];
}

export interface DaneReport {
  published: boolean;
  hosts: DaneHost[];
}

export interface MtaStsReport {
  status: 'absent' | 'invalid-txt' | 'fetch-failed' | 'invalid-policy' | 'ok' | 'lookup-failed';
  txt: string[];
  id?: string;
  url?: string;
  policy?: StsPolicy;
  /** MX host name -> matching pattern (undefined: none). */
  mxMatches?: Record<string, string | null>;
}

export interface TlsRptReport {
  status: 'absent' | 'invalid' | 'ok' | 'lookup-failed';
  record?: string;
  rua: string[];
}

export type SenderKind = 'opportunistic' | 'dane' | 'mta-sts';
export type SenderOutcome = 'verified-tls' | 'unverified-tls' | 'cleartext' | 'deferred' | 'rejected';

export interface SenderView {
  sender: SenderKind;
  outcome: SenderOutcome;
  /** The MX host the mail would go to, when delivered. */
  via?: string;
  reason: string;
  /** Finding ids behind the outcome. */
  findings: string[];
}

export interface DomainReport {
  domain: string;
  mx: MxReport;
  dnssec: DnssecReport;
  dane: DaneReport;
  mtaSts: MtaStsReport;
  tlsRpt: TlsRptReport;
  senders: SenderView[];
  results: ProbeResult[];
  findings: Finding[];
}
