import { postfixMainLinter, postfixMasterLinter, postfixPolicyMapLinter } from './postfix';
import { dovecotLinter } from './dovecot';
import { dotenvLinter } from './dotenv';
import { maillogLinter } from './maillog';
import { nodemailerLinter } from './nodemailer';
import { tlsrptLinter } from '../tlsrpt/linter';
import type { Finding } from '../finding';
import { makeFinding } from '../findings';
import { lineLabelLength, maskExcerpt, mayMask } from '../secrets';
import type { DiscoveredDomain, Linter, LintHost, LintResult } from './types';

/** Every supported config format; each lint module adds itself here. */
export const LINTERS: Linter[] = [
  postfixMainLinter,
  postfixMasterLinter,
  postfixPolicyMapLinter,
  dovecotLinter,
  nodemailerLinter,
  dotenvLinter,
  maillogLinter,
  tlsrptLinter,
];

export function lintersFor(path: string, text?: string): Linter[] {
  return LINTERS.filter((l) => safeMatch(l, path, text));
}

/** Lints one file with every linter that applies. A linter that throws becomes a finding, never a crash. */
export function lintText(path: string, text: string, host: LintHost): LintResult & { domains: DiscoveredDomain[] } {
  const out: LintResult & { domains: DiscoveredDomain[] } = { findings: [], endpoints: [], domains: [] };
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    host = { ...host, byteOrderMark: true };
  }
  const masked = new MaskMemo();
  for (const linter of lintersFor(path, text)) {
    try {
      const r = linter.lint(path, text, host);
      // The guard behind every linter's own care: evidence quotes config and log lines, and goes everywhere
      // (Problems, the tree, the report, the CLI, JSON), so it passes the one masking rule here.
      const found = r.findings;
      // The first linter's list is mapped at its size (a push per finding grows the array again and again).
      if (out.findings.length === 0) out.findings = found.map((f) => maskEvidence(f, masked));
      else for (let i = 0; i < found.length; i++) out.findings.push(maskEvidence(found[i], masked));
      out.endpoints.push(...r.endpoints);
      out.domains.push(...(r.domains ?? []));
    } catch (err) {
      out.findings.push(
        makeFinding('lint.internal-error', {
          severity: 'warning',
          title: `The ${linter.format} lint could not finish on this file.`,
          detail: `This is a bug in Mail TLS Doctor, not in your file: ${err instanceof Error ? err.message : String(err)}`,
          fix: 'Report it with the file (remove secrets first).',
          file: path,
        }),
      );
    }
  }
  return out;
}

/**
 * maskExcerpt's answers for the last few evidence lines of each length. Many findings of one kind share a line
 * (the duplicate-parameter rule quotes the assignment in effect in each of its findings): it is masked once.
 * maskExcerpt depends on the text alone, so a remembered answer is the one it would give. A line numbered
 * `line N: rest` that maskExcerpt kept as it is tells that every `line M: rest` is kept (see lineLabelLength):
 * each overridden copy of a setting is quoted with its own line number, and only the first is masked in full.
 */
class MaskMemo {
  private readonly given: Array<string | undefined> = new Array<string | undefined>(64).fill(undefined);
  private readonly answer: string[] = new Array<string>(64).fill('');
  /** For the rest after a `line N: ` label: whether maskExcerpt kept the line as it is. */
  private readonly keptRests = new Map<string, boolean>();

  mask(e: string): string {
    const slot = e.length & 63;
    if (this.given[slot] === e) return this.answer[slot];
    const m = this.masked(e);
    this.given[slot] = e;
    this.answer[slot] = m;
    return m;
  }

  private masked(e: string): string {
    if (!mayMask(e)) return e;
    const label = lineLabelLength(e);
    if (label === 0) return maskExcerpt(e);
    const rest = e.slice(label);
    const kept = this.keptRests.get(rest);
    if (kept === true) return e;
    const m = maskExcerpt(e);
    if (kept === undefined) this.keptRests.set(rest, m === e);
    return m;
  }
}

function maskEvidence(f: Finding, memo: MaskMemo): Finding {
  const given = f.evidence;
  if (!given?.length) return f;
  // Most evidence was masked where it was written: a copy only where this pass hid more.
  let evidence: string[] | undefined;
  for (let i = 0; i < given.length; i++) {
    const e = given[i];
    const m = memo.mask(e);
    if (m !== e && !evidence) evidence = given.slice(0, i);
    evidence?.push(m);
  }
  return evidence ? { ...f, evidence } : f;
}

function safeMatch(l: Linter, path: string, text?: string): boolean {
  try {
    return l.matches(path, text);
  } catch {
    return false;
  }
}

export type { Linter, LintHost, LintResult, DiscoveredEndpoint, DiscoveredDomain } from './types';
