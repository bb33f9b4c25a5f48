import { printable } from '../../../endpoint';
import { removeSetting, report, RuleContext, shown } from '../context';
import type { Setting } from '../mainParser';
import { isKnownParameter, PARAMS_VERSION, suggestParameter } from '../params';

/** Unknown names get a "did you mean" only while the suggestion search stays cheap (a file of 10,000 typos). */
const MAX_SUGGESTIONS = 200;

/**
 * A name Postfix does not know has no effect. Names used as `$name` elsewhere are the admin's own variables
 * (Postfix allows them), so they never count.
 */
export function checkUnknownNames(ctx: RuleContext, settings: readonly Setting[], referenced: ReadonlySet<string>): void {
  let budget = MAX_SUGGESTIONS;
  for (const s of settings) {
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
export function checkDuplicates(ctx: RuleContext, settings: readonly Setting[]): void {
  const last = new Map<string, Setting>();
  for (const s of settings) last.set(s.name, s);
  for (const s of settings) {
    const winner = last.get(s.name)!;
    if (winner === s) continue;
    const remove = removeSetting(ctx, s);
    report(ctx, 'postfix.duplicate-parameter', {
      severity: 'warning',
      title: `${printable(s.name)} is set again on line ${winner.nameRange.start.line + 1}; this earlier value is ignored.`,
      detail:
        'Postfix keeps the last assignment of a parameter ("overriding earlier entry"), so this line has no ' +
        'effect. Edits made here will silently do nothing.',
      fix: 'Remove this line, or merge the two values into the later one.',
      range: s.nameRange,
      evidence: [`line ${s.nameRange.start.line + 1}: ${shown(s)}`, `line ${winner.nameRange.start.line + 1}: ${shown(winner)} (in effect)`],
      edits: remove ? [remove] : undefined,
      editTitle: `Remove the overridden ${printable(s.name)}`,
    });
  }
}

/** Every `$name`, `${name...}` and `$(name)` used in values. Linear scan. */
export function referencedNames(values: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const re = /\$(?:\{|\()?([A-Za-z0-9_]+)/g;
  for (const v of values) {
    if (!v.includes('$')) continue;
    for (const m of v.matchAll(re)) out.add(m[1]);
  }
  return out;
}
