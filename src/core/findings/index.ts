/**
 * Reading the finding registry (./registry.ts): specs, docs locations, and the one way to build a finding.
 */
import type { Finding, Range, Severity, TextEdit } from '../finding';
import { plainConstructor } from '../plain';
import { FAMILIES, FINDINGS, type ExplainId, type Family, type FindingId, type FindingSpec, type MaillogId, type RegisteredId } from './registry';

export { FAMILIES, FINDINGS };
export type { ExplainId, Family, FindingId, FindingSpec, MaillogId, RegisteredId };

const registered = FINDINGS as Readonly<Record<string, FindingSpec>>;

/** The mail-log id for an explain entry: `explain.cert-expired` -> `maillog.cert-expired`. */
export function maillogId(id: ExplainId): MaillogId {
  return `maillog.${id.slice('explain.'.length)}` as MaillogId;
}

function explainIdOf(id: string): ExplainId | undefined {
  if (!id.startsWith('maillog.')) return undefined;
  const explain = `explain.${id.slice('maillog.'.length)}`;
  return Object.hasOwn(registered, explain) ? (explain as ExplainId) : undefined;
}

export function isFindingId(id: string): id is FindingId {
  return Object.hasOwn(registered, id) || explainIdOf(id) !== undefined;
}

/** Every id, the derived `maillog.*` ones included, in registry order. */
export function allFindingIds(): FindingId[] {
  const ids = Object.keys(FINDINGS) as RegisteredId[];
  const explain = ids.filter((id): id is ExplainId => id.startsWith('explain.'));
  return [...ids, ...explain.map(maillogId)];
}

export function familyOf(id: FindingId): Family {
  return id.slice(0, id.indexOf('.')) as Family;
}

/** The registry entry of an id (for `maillog.*`, its explain entry's). */
export function findingSpec(id: FindingId): FindingSpec {
  return registered[explainIdOf(id) ?? id];
}

/** Where an id is explained: its family's docs page and the id whose table row names it. */
export function findingDocs(id: FindingId): { page: string; anchor: string } {
  const spec = findingSpec(id);
  const explain = explainIdOf(id);
  return { page: FAMILIES[familyOf(id)].page, anchor: spec.docsAs ?? explain ?? id };
}

/** The family's docs page for any string that looks like an id (an override key, a stale id): undefined if none. */
export function docsPageForFamily(family: string): string | undefined {
  return Object.hasOwn(FAMILIES, family) ? FAMILIES[family as Family].page : undefined;
}

export type FindingParts = Omit<Finding, 'id' | 'severity' | 'title'> & { severity?: Severity; title?: string };

/**
 * Builds a finding: the severity and title default to the registry's; `detail` and `fix` are always the caller's.
 * Optional fields left undefined are dropped, so the result serialises the same as a hand-written literal.
 */
export function makeFinding(id: FindingId, parts: FindingParts): Finding {
  const spec = findingSpec(id);
  const out: Finding = { id, severity: parts.severity ?? spec.severity, title: parts.title ?? spec.title, detail: parts.detail, fix: parts.fix };
  // The own keys in order, like Object.entries, without an array per key (a big file lints to thousands of findings).
  for (const k in parts) {
    if (!Object.prototype.hasOwnProperty.call(parts, k)) continue;
    const v = (parts as Record<string, unknown>)[k];
    if (v !== undefined && !(k in out)) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * makeFinding for a located finding that has every part (the Postfix rules' many-of-a-kind case): the same object
 * as `makeFinding(id, { severity, title, detail, fix, range, evidence, edits, editTitle, file })` with all of them
 * given and the arrays non-empty, made in one allocation (no parts object, no property store grown field by field:
 * a big file lints to thousands of these).
 */
export function makeLocatedFinding(
  id: FindingId,
  severity: Severity,
  title: string,
  detail: string,
  fix: string,
  range: Range,
  evidence: string[],
  edits: TextEdit[],
  editTitle: string,
  file: string,
): Finding {
  return new LocatedFinding(id, severity, title, detail, fix, range, evidence, edits, editTitle, file);
}

/** makeLocatedFinding's object: a constructor, not a literal (src/core/plain.ts), fields in makeFinding's order. */
const LocatedFinding = plainConstructor(function (
  this: Finding,
  id: FindingId,
  severity: Severity,
  title: string,
  detail: string,
  fix: string,
  range: Range,
  evidence: string[],
  edits: TextEdit[],
  editTitle: string,
  file: string,
) {
  this.id = id;
  this.severity = severity;
  this.title = title;
  this.detail = detail;
  this.fix = fix;
  this.range = range;
  this.evidence = evidence;
  this.edits = edits;
  this.editTitle = editTitle;
  this.file = file;
});
