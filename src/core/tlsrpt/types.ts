/** A TLS-RPT report (RFC 8460) as read: lenient about the shape, exact about the counts it states. */

/** The three policy types of RFC 8460 section 4.3; anything else is kept as written and reported. */
export type PolicyType = 'sts' | 'tlsa' | 'no-policy-found';

export interface TlsRptFailure {
  /** Lower-cased result type, e.g. `certificate-expired`; unknown types are kept as written (lower-cased). */
  resultType: string;
  /** `failed-session-count` exactly as the report states it. */
  sessions: number;
  sendingIp?: string;
  receivingMx?: string;
  receivingIp?: string;
  receivingHelo?: string;
  reasonCode?: string;
  additionalInfo?: string;
}

export interface TlsRptPolicy {
  /** Lower-cased policy type as written (`sts`, `tlsa`, `no-policy-found` or something unknown). */
  type: string;
  /** Missing in some real reports (then undefined, and a finding says so). */
  domain?: string;
  /** Policy lines with trailing CR removed; Microsoft's TLSA JSON-array-in-a-string is unpacked. */
  policyStrings: string[];
  mxHosts: string[];
  /** The STS mode (`enforce`, `testing`, `none`) when the policy lines say it. */
  stsMode?: string;
  successful: number;
  failed: number;
  failures: TlsRptFailure[];
}

export interface TlsRptReport {
  organization?: string;
  contact?: string;
  reportId?: string;
  /** ISO 8601 UTC (`2024-09-03T00:00:00Z`) when the date parsed, else the text as written. */
  start?: string;
  end?: string;
  policies: TlsRptPolicy[];
}

export type ProblemKind =
  'not-json' | 'not-tlsrpt' | 'too-large' | 'bad-count' | 'bad-date' | 'missing-field' | 'unknown-policy-type' | 'unknown-result-type' | 'truncated';

/** Something the reader had to repair or could not read; becomes a finding. */
export interface ParseProblem {
  kind: ProblemKind;
  message: string;
}

export interface ParseOutcome {
  /** Undefined when the text is not a TLS-RPT report at all. */
  report?: TlsRptReport;
  problems: ParseProblem[];
}
