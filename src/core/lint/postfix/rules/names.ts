import { printable } from '../../../endpoint';
import { makeLocatedFinding } from '../../../findings';
import { pair, single } from '../../../plain';
import { removeSetting, report, RuleContext, shown } from '../context';
import type { Setting } from '../mainParser';
import { isKnownParameter, knownNameAt, PARAMS_VERSION, suggestParameter } from '../params';
import type { ParameterScope } from '../scope';

/** Unknown names get a "did you mean" only while the suggestion search stays cheap (a file of 10,000 typos). */
const MAX_SUGGESTIONS = 200;

/**
 * A name Postfix does not know has no effect. Names used as `$name` elsewhere are the admin's own variables
 * (Postfix allows them), so they never count.
 */
export function checkUnknownNames(ctx: RuleContext, settings: readonly Setting[], referenced: ReadonlySet<string>): void {
  let budget = MAX_SUGGESTIONS;
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    if (isKnownParameter(s.name) || referenced.has(s.name)) continue;
    const guess = budget-- > 0 ? suggestParameter(s.name) : undefined;
    if (!guess) continue;
    // Renaming onto a name this file already sets would make two assignments, the later one winning: no edit then.
    const taken = ctx.scope.setting(guess);
    report(ctx, 'postfix.unknown-parameter', {
      severity: 'warning',
      title: `Unknown parameter ${printable(s.name)}: did you mean ${guess}?`,
      detail:
        `Postfix ${PARAMS_VERSION} has no parameter called ${printable(s.name)}, so this line has no effect ` +
        `(postconf reports it as "unused parameter") and ${guess} keeps its ${ctx.scope.raw(guess) ? 'default' : 'current'} value. ` +
        'If your Postfix is newer than the parameter list, check `postconf -d` there.',
      fix: taken
        ? `${guess} is already set on line ${taken.nameRange.start.line + 1}: merge the two into that line and remove this one, then run \`postfix reload\`.`
        : `Rename it to ${guess}, then run \`postfix reload\`.`,
      range: s.nameRange,
      evidence: [`${printable(s.name)} (closest known name: ${guess})`],
      edits: taken ? undefined : [{ range: s.nameRange, newText: guess }],
      editTitle: `Rename to ${guess}`,
    });
  }
}

/** A parameter set twice: the last one wins, and the earlier one misleads whoever reads the file. */
export function checkDuplicates(ctx: RuleContext, settings: readonly Setting[], scopeOfAll?: ParameterScope): void {
  // `scopeOfAll`, when given, was built from exactly these settings: its own setting of a name is the last one.
  let last: { get(name: string): Setting | undefined } | undefined = scopeOfAll && { get: (name) => scopeOfAll.setting(name) };
  if (!last) {
    const byName = new Map<string, Setting>();
    for (let i = 0; i < settings.length; i++) byName.set(settings[i].name, settings[i]);
    last = byName;
  }
  // A name set many times has one winner: what every overridden copy says about it is made once, and each
  // distinct value of the name is shown once.
  const winners = new Map<Setting, Winner>();
  for (let i = 0; i < settings.length; i++) {
    const s = settings[i];
    const winner = last.get(s.name)!;
    if (winner === s) continue;
    let w = winners.get(winner);
    if (!w) {
      const line = winner.nameRange.start.line + 1;
      const name = printable(s.name);
      const shownValues = new Map<string, string>();
      w = {
        title: `${name} is set again on line ${line}; this earlier value is ignored.`,
        editTitle: `Remove the overridden ${name}`,
        evidence: `line ${line}${shownOnce(shownValues, winner)} (in effect)`,
        shownValues,
      };
      winners.set(winner, w);
    }
    // The next line's setting, when it is reported too, starts where this removal ends: one position for both.
    const next = settings[i + 1];
    const nextStart = next !== undefined && next.firstLine === s.lastLine + 1 && last.get(next.name) !== next ? next.nameRange.start : undefined;
    const remove = removeSetting(ctx, s, nextStart);
    // pair() and single(), not literals: V8 can pretenure a literal's allocation site (src/core/plain.ts).
    const evidence = pair(lineEvidence(s.nameRange.start.line + 1, shownOnce(w.shownValues, s)), w.evidence);
    if (remove) {
      // Every part given: built in one step (what report() would build, field for field, in the same order).
      ctx.findings.push(
        makeLocatedFinding(
          'postfix.duplicate-parameter',
          'warning',
          w.title,
          DUPLICATE_DETAIL,
          DUPLICATE_FIX,
          s.nameRange,
          evidence,
          single(remove),
          w.editTitle,
          ctx.file,
        ),
      );
      continue;
    }
    report(ctx, 'postfix.duplicate-parameter', {
      severity: 'warning',
      title: w.title,
      detail: DUPLICATE_DETAIL,
      fix: DUPLICATE_FIX,
      range: s.nameRange,
      evidence,
      edits: undefined,
      editTitle: w.editTitle,
    });
  }
}

const DUPLICATE_DETAIL =
  'Postfix keeps the last assignment of a parameter ("overriding earlier entry"), so this line has no ' + 'effect. Edits made here will silently do nothing.';
const DUPLICATE_FIX = 'Remove this line, or merge the two values into the later one.';

interface Winner {
  title: string;
  editTitle: string;
  evidence: string;
  /** `: ` and shown() of each value of this name (the name is the same for all), to follow `line N`. */
  shownValues: Map<string, string>;
}

const LINE_EVIDENCE: [string, number, string] = ['line ', 0, ''];

/**
 * `line N` and the rest, as one flat string. A template literal makes `line N`, then a cons string of it and the
 * rest, which the lint-wide evidence guard flattens into a third: two strings per finding more, and a big file
 * has thousands. Array join writes the result at once (the array is this module's, reused; nothing in between
 * can reenter).
 */
function lineEvidence(line: number, rest: string): string {
  LINE_EVIDENCE[1] = line;
  LINE_EVIDENCE[2] = rest;
  return LINE_EVIDENCE.join('');
}

/** `: name = value` as evidence shows it, made once per value (with its `: `, so a line's evidence is one join). */
function shownOnce(byValue: Map<string, string>, s: Setting): string {
  let v = byValue.get(s.value);
  if (v === undefined) byValue.set(s.value, (v = `: ${shown(s)}`));
  return v;
}

/**
 * Every `$name`, `${name...}` and `$(name)` used in the settings' values, then in `values` (what
 * /\$(?:\{|\()?([A-Za-z0-9_]+)/g finds, without a match array per name). Linear scan; the settings are read
 * where they are (no array of their values first: a big file has thousands).
 */
export function referencedNames(settings: ReadonlyArray<{ readonly value: string }>, values: readonly string[] = []): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < settings.length; i++) addReferences(out, settings[i].value);
  for (let i = 0; i < values.length; i++) addReferences(out, values[i]);
  return out;
}

function addReferences(out: Set<string>, v: string): void {
  for (let at = v.indexOf('$'); at >= 0; at = v.indexOf('$', at + 1)) {
    let start = at + 1;
    const open = v.charCodeAt(start);
    if (open === 123 /* { */ || open === 40 /* ( */) start++;
    let end = start;
    while (end < v.length && isNameCode(v.charCodeAt(end))) end++;
    // A reference to a known parameter (nearly all) adds the table's string: no slice per reference.
    if (end > start) out.add(knownNameAt(v, start, end) ?? v.slice(start, end));
  }
}

/** [A-Za-z0-9_] */
function isNameCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}
