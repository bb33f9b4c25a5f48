/**
 * Human-readable rendering of probe results for the CLI (and any plain-text consumer). Every text that came from
 * the server or the certificate (and every other string not written here) goes through the terminal escaper `t`
 * before any colour is added: a banner or a subject cannot move the cursor, set the title or reorder the line.
 */
import { endpointLabel } from '../endpoint';
import { termSafe as t } from '../escape';
import type { Finding } from '../finding';
import { compareSeverity } from '../finding';
import { formatLine } from './transcript';
import { TLS_VERSIONS, type ProbeResult } from './types';
import { versionLabel, versionState } from './versionDecision';

export interface Painter {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function formatResult(r: ProbeResult, p: Painter, verbose: boolean): string {
  const out: string[] = [];
  const at = r.address && r.address !== r.endpoint.host ? ` at ${r.address}` : '';
  const name = r.endpoint.servername && r.endpoint.servername !== r.endpoint.host ? `, name ${r.endpoint.servername}` : '';
  // An endpoint refused as invalid still carries the name it was given, control characters and all.
  out.push(p.bold(t(`${endpointLabel(r.endpoint)}${at}${name}`, 300)) + p.dim(`  (from ${t(r.probedFrom)}, ${r.durationMs} ms)`));
  if (r.tls) out.push(`  TLS       ${t(r.tls.version)} ${t(r.tls.cipher)}`);
  const states = TLS_VERSIONS.map((v) => ({ v, state: versionState(r, v), reason: r.versionReasons?.[v] }));
  if (states.some((s) => s.state !== 'not tested')) {
    const word = { accepted: 'yes', refused: 'no', 'not decided': p.yellow('not decided'), 'not tested': p.dim('not tested') };
    out.push(`  Versions  ${states.map((s) => `${versionLabel(s.v)} ${word[s.state]}`).join(', ')}`);
    // Why a version is not decided is what the reader needs to judge it (a reset, a timeout...); --verbose says why for every version.
    for (const s of states) {
      if (s.reason && (verbose || s.state === 'not decided')) out.push(`            ${versionLabel(s.v)}: ${t(s.reason, 300)}`);
    }
  }
  if (r.certificates.length) {
    const leaf = r.certificates[0];
    out.push(
      `  Chain     ${r.certificates.length} sent, ${r.trusted ? p.green('trusted') : p.red('not trusted')}; leaf ${t(leaf.subject)}, valid until ${t(leaf.notAfter.slice(0, 10))}`,
    );
    if (verbose)
      for (const [i, c] of r.certificates.entries())
        out.push(p.dim(`            ${i}: ${t(c.subject)}  <- ${t(c.issuer)}  (${t(c.keyType)} ${c.keyBits}, ${t(c.signatureAlgorithm)})`));
  }
  const findings = [...r.findings].sort((a, b) => compareSeverity(a.severity, b.severity));
  const shown = verbose ? findings : findings.filter((f) => f.severity !== 'info');
  if (findings.every((f) => f.severity === 'info')) out.push(`  ${p.green('OK')}: no errors or warnings`);
  for (const f of shown) out.push(...formatFinding(f, p, verbose));
  const hidden = findings.length - shown.length;
  if (hidden > 0)
    out.push(
      p.dim(
        `  (${hidden} info finding${hidden === 1 ? '' : 's'}: ${findings
          .filter((f) => f.severity === 'info')
          .map((f) => t(f.id))
          .join(', ')}; --verbose shows them)`,
      ),
    );
  if (verbose && r.transcript.length) {
    out.push(p.dim('  Transcript:'));
    for (const l of r.transcript) out.push(p.dim(`    ${String(l.at).padStart(5)} ms  ${t(formatLine(l))}`));
  }
  return out.join('\n') + '\n';
}

export function formatFinding(f: Finding, p: Painter, verbose: boolean): string[] {
  const tag = f.severity === 'error' ? p.red('error  ') : f.severity === 'warning' ? p.yellow('warning') : p.cyan('info   ');
  const lines = [`  ${tag} ${t(f.title)} ${p.dim(`[${t(f.id)}]`)}`];
  if (verbose) lines.push(...wrap(t(f.detail), '          '));
  lines.push(...wrap(`Fix: ${t(f.fix)}`, '          '));
  if (f.evidence?.length) {
    const ev = verbose ? f.evidence : f.evidence.slice(0, 3);
    for (const e of ev) lines.push(p.dim(`          > ${t(e)}`));
  }
  return lines;
}

/** Words of `text` in lines of at most `width` columns, each starting with `indent`. */
export function wrap(text: string, indent: string, width = 110): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur.length + w.length + 1 > width - indent.length && cur) {
      lines.push(indent + cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(indent + cur);
  return lines;
}
