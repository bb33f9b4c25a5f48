import { printable } from '../../endpoint';
import type { Finding, Position, Range, Severity, TextEdit } from '../../finding';
import { makeFinding, type FindingId } from '../../findings';
import { textEdit } from '../../plain';
import { hideUserinfo, isSecretName } from '../../secrets';
import type { LintHost } from '../types';
import type { TextDoc } from './logicalLines';
import type { Setting } from './mainParser';
import type { ParameterScope } from './scope';

/** What a master.cf service is for, as far as TLS rules care. */
export type ServiceRole = 'mx' | 'submission' | 'smtps' | 'client' | 'other';

export interface ServiceInfo {
  name: string;
  nameRange: Range;
  role: ServiceRole;
  port?: number;
  lastLine: number;
  /** The entry has a syntax error: no line is added to it (it would land after the damage and not take effect). */
  damaged?: boolean;
}

/**
 * Everything a rule needs: the file, its scope of parameters and the way to write a fix in this file's syntax
 * (a `name = value` line in main.cf, an `-o name=value` continuation line in master.cf).
 */
export interface RuleContext {
  file: string;
  doc: TextDoc;
  scope: ParameterScope;
  host: LintHost;
  service?: ServiceInfo;
  findings: Finding[];
  /** Shared by every context of one file: how named local files (certificates, keys, CA files) are handled. */
  files?: FileChecks;
}

/**
 * Local files are judged only where a finding about them can be true: the live config of this machine, or a
 * workspace that mirrors the server's files (another file the config names was found there). Elsewhere the
 * files that could not be read are only counted, for one summary.
 */
export interface FileChecks {
  reportMissing: boolean;
  skipped: Array<{ path: string; setting: Setting }>;
}

export function where(ctx: RuleContext): string {
  return ctx.service ? `the ${ctx.service.name} service in master.cf` : 'main.cf';
}

/** Edits that make `name` equal `value` in this context's file. */
export function setParameter(ctx: RuleContext, name: string, value: string, after?: Setting): TextEdit[] {
  const own = ctx.scope.setting(name);
  if (own) return [{ range: own.valueRange, newText: value }];
  if (ctx.service?.damaged) return [];
  return [addParameter(ctx, name, value, after)];
}

/** The quick fix of many rules: set `name = value` where it is written (or add it after `after`), with its title. */
export function setParameterFix(ctx: RuleContext, name: string, value: string, after?: Setting): { edits: TextEdit[]; editTitle: string } {
  return { edits: setParameter(ctx, name, value, after), editTitle: `Set ${name} = ${value}` };
}

export function addParameter(ctx: RuleContext, name: string, value: string, after?: Setting): TextEdit {
  if (ctx.service) {
    const ins = ctx.doc.insertLineAfter(ctx.service.lastLine, `  -o ${name}=${value}`);
    return { range: ins.range, newText: ins.newText };
  }
  const line = after && after.lastLine >= 0 ? after.lastLine : ctx.doc.lineCount - 1;
  const ins = ctx.doc.insertLineAfter(line, `${name} = ${value}`);
  return { range: ins.range, newText: ins.newText };
}

/**
 * Removes a main.cf entry (all its lines); undefined for master.cf overrides, which share a line. `nextLineStart`:
 * a position object for the start of the line after the entry, if the caller has one (see TextDoc.deleteLines).
 */
export function removeSetting(ctx: RuleContext, s: Setting, nextLineStart?: Position): TextEdit | undefined {
  if (ctx.service || s.firstLine < 0) return undefined;
  // The name starts the entry's first line: its range's start is the edit's (one position object, not two).
  return textEdit(ctx.doc.deleteLines(s.firstLine, s.lastLine, s.nameRange.start, nextLineStart), '');
}

/** A Postfix rule's finding before its file is known: explicit severity and title, always a range. */
export interface FindingInput {
  severity: Severity;
  title: string;
  detail: string;
  fix: string;
  range: Range;
  evidence?: string[];
  edits?: TextEdit[];
  editTitle?: string;
}

/** Adds a finding in this context's file, through `makeFinding()`; empty `edits` (with their title) and `evidence` are left out. */
export function report(ctx: RuleContext, id: FindingId, f: FindingInput): void {
  const noEdits = !f.edits || f.edits.length === 0;
  const noEvidence = !f.evidence || f.evidence.length === 0;
  if (!noEdits && !noEvidence) {
    // Nothing to leave out: no copy of the input first (a big file has thousands of findings); file goes last.
    const out = makeFinding(id, f);
    out.file = ctx.file;
    ctx.findings.push(out);
    return;
  }
  // Fields set to undefined keep their place in the input's order and are dropped by makeFinding (no key is
  // deleted afterwards: that would put every finding in V8's slow dictionary mode, and a big file has thousands).
  ctx.findings.push(
    makeFinding(id, {
      ...f,
      evidence: noEvidence ? undefined : f.evidence,
      edits: noEdits ? undefined : f.edits,
      editTitle: noEdits ? undefined : f.editTitle,
      file: ctx.file,
    }),
  );
}

/** `name = value` for evidence, with anything that can hold a secret cut out (`static:user:pass`, `inline:{}`). */
export function shown(s: Setting | undefined, name?: string, value?: string): string {
  const n = s?.name ?? name ?? '';
  const v = s?.value ?? value ?? '';
  // Control characters in a value (a NUL, an escape sequence) are shown escaped, never written to a terminal.
  return printable(`${n} = ${redact(n, v)}`, 400);
}

export function redact(name: string, value: string): string {
  // A file's path is not a secret (showing it is the point of a missing-file finding); its contents would be.
  if (isSecretName(name) && !/_file$/.test(name)) return '(hidden)';
  const flat = hideUserinfo(value.replace(/\s+/g, ' '));
  // Everything after an in-line map type is hidden: `inline:{ user = pass }` spans spaces.
  const cut = flat.replace(/\b(static|inline|randmap|pipemap|unionmap):.*$/i, '$1:(hidden)');
  return cut.length > 160 ? `${cut.slice(0, 160)}...` : cut;
}
