import { printable } from '../../../endpoint';
import type { TextEdit } from '../../../finding';
import { removeSetting, report, RuleContext, shown } from '../context';
import type { Setting } from '../mainParser';
import { PARAMS_VERSION } from '../params';
import { groupMembers, LEVELS_23, levelGroupOf, TABLE, type LevelGroup } from '../obsoleteParams';
import { gradeSide, judgeGrade } from './cipherGrade';

const yesNo = (v: string): boolean | undefined => (v.toLowerCase() === 'yes' ? true : v.toLowerCase() === 'no' ? false : undefined);

/** The level the legacy switches give in this scope, or undefined when a value is not yes/no (Postfix stops there). */
export function legacyLevel(ctx: RuleContext, g: LevelGroup): string | undefined {
  const use = yesNo(ctx.scope.value(g.use) || 'no');
  const enforce = yesNo(ctx.scope.value(g.enforce) || 'no');
  const peer = g.peername ? yesNo(ctx.scope.value(g.peername) || 'yes') : false;
  if (use === undefined || enforce === undefined || peer === undefined) return undefined;
  if (enforce) return g.peername ? (peer ? 'verify' : 'encrypt') : 'encrypt';
  return use ? 'may' : 'none';
}

/** Removes a master.cf `-o name=value` that sits alone on its continuation line (the usual layout). */
function removeOverrideLine(ctx: RuleContext, s: Setting): TextEdit | undefined {
  const line = s.nameRange.start.line;
  if (s.valueRange.end.line !== line) return undefined;
  const text = ctx.doc.lines[line] ?? '';
  const before = text.slice(0, s.nameRange.start.character);
  const after = text.slice(s.valueRange.end.character);
  if (!/^[ \t]+-o[ \t]*$/.test(before) || after.trim() !== '') return undefined;
  return { range: ctx.doc.deleteLines(line, line), newText: '' };
}

function removeOwn(ctx: RuleContext, s: Setting): TextEdit | undefined {
  return ctx.service ? removeOverrideLine(ctx, s) : removeSetting(ctx, s);
}

export interface DeprecatedOptions {
  /** main.cf only: the level groups that a master.cf service sets with legacy -o switches and no own level. */
  masterLegacyGroups?: ReadonlySet<string>;
}

interface GroupFix {
  edits?: TextEdit[];
  editTitle?: string;
  level?: string;
  /** The successor is set (non-empty) in this scope: the switches are ignored. */
  ignored: boolean;
  blocker?: string;
}

/** One edit for the whole group: the effective level written once, every legacy switch of this file removed. */
function groupFix(ctx: RuleContext, g: LevelGroup, opts: DeprecatedOptions): GroupFix {
  const successorValue = ctx.scope.value(g.level);
  const ignored = successorValue !== '';
  const level = ignored ? successorValue : legacyLevel(ctx, g);
  const own = groupMembers(g)
    .map((n) => ctx.scope.setting(n))
    .filter((x): x is Setting => x !== undefined)
    .sort((a, b) => a.nameRange.start.line - b.nameRange.start.line || a.nameRange.start.character - b.nameRange.start.character);
  if (level === undefined) return { ignored, blocker: 'a switch has a value other than yes or no (Postfix stops with "bad boolean configuration")' };
  if (!ctx.service && opts.masterLegacyGroups?.has(g.level)) {
    return {
      ignored,
      level,
      blocker: `a master.cf service sets ${groupMembers(g).join('/')} with -o and no own ${g.level}: converting main.cf first would change that service's level, so convert the master.cf service first`,
    };
  }
  const edits: TextEdit[] = [];
  const ownLevel = ctx.scope.setting(g.level);
  let first = true;
  for (const s of own) {
    if (!ignored && first && !ownLevel) {
      edits.push({ range: { start: s.nameRange.start, end: s.valueRange.end }, newText: ctx.service ? `${g.level}=${level}` : `${g.level} = ${level}` });
      first = false;
      continue;
    }
    const rm = removeOwn(ctx, s);
    if (!rm) return { ignored, level, blocker: 'a switch shares its line with other options' };
    edits.push(rm);
  }
  if (!ignored && ownLevel)
    edits.push({
      range: { start: ownLevel.nameRange.start, end: ownLevel.valueRange.end },
      newText: ctx.service ? `${g.level}=${level}` : `${g.level} = ${level}`,
    });
  const names = own.map((s) => s.name).join(' and ');
  return {
    ignored,
    level,
    edits,
    editTitle: ignored ? `Remove ${names} (ignored: ${g.level} = ${level})` : `Replace ${names} with ${g.level} = ${level}`,
  };
}

export function checkDeprecated(ctx: RuleContext, s: Setting, opts: DeprecatedOptions = {}): void {
  const succ = TABLE[s.name];
  if (!succ) return;
  const value = ctx.scope.value(s.name);
  const group = levelGroupOf(s.name);
  if (group) {
    const fix = groupFix(ctx, group, opts);
    // The other switches of the group that are really set (here or inherited): a default is nothing to remove.
    const others = groupMembers(group).filter((n) => n !== s.name && ctx.scope.definedAt(n) !== undefined && ctx.scope.value(n) !== '');
    report(ctx, 'postfix.deprecated-parameter', {
      severity: 'warning',
      // When the successor is set, its value is not what this switch meant ("smtpd_use_tls = yes" is may, whatever level the
      // file sets): the title says the switch is ignored, not that its successor has that value.
      title: fix.ignored
        ? `${s.name} is obsolete and ignored here: ${group.level} = ${fix.level} decides.`
        : `${s.name} is obsolete: ${fix.level !== undefined ? `its successor is ${group.level} = ${fix.level}` : `its successor is ${group.level}`}.`,
      detail: (
        `${s.name} is obsolete: ${LEVELS_23} (postconf(5), TLS_README). ` +
        (fix.ignored
          ? `${group.level} = ${fix.level} is in effect here and takes precedence, so this switch is ignored and only misleads readers. `
          : `${others.length ? `Together with ${others.join(', ')} it` : 'It'} gives the level "${fix.level ?? '?'}": a non-empty ${group.level} ` +
            `wins, else ${group.enforce} = yes means ${group.peername ? 'verify (encrypt with ' + group.peername + ' = no)' : 'encrypt'}, else ${group.use} = yes means may, else none. ` +
            'The switches are converted together: converting them one at a time would leave two level lines, the last of which wins. ') +
        (fix.blocker ? `No edit is offered: ${fix.blocker}.` : '')
      ).trimEnd(),
      fix: fix.ignored
        ? `Remove ${[s.name, ...others].join(', ')}; ${group.level} already decides. Then run \`postfix reload\`.`
        : `Remove ${[s.name, ...others].join(', ')} and set ${group.level} = ${fix.level ?? '(the level you want)'}, then run \`postfix reload\`.`,
      range: s.nameRange,
      evidence: [shown(s), ...others.map((n) => shown(undefined, n, ctx.scope.value(n))), `parameter list: Postfix ${PARAMS_VERSION}`],
      edits: fix.blocker ? undefined : fix.edits,
      editTitle: fix.editTitle,
    });
    return;
  }
  const successorSet = succ.name !== '(none)' && ctx.scope.setting(succ.name) !== undefined;
  let edits: TextEdit[] | undefined;
  let editTitle: string | undefined;
  const remove = removeSetting(ctx, s);
  if (remove && (value === '' || successorSet || succ.removable)) {
    edits = [remove];
    editTitle = `Remove ${s.name}`;
  }
  const successorText = succ.name === '(none)' ? 'nothing replaces it' : `its successor is ${succ.name}`;
  report(ctx, 'postfix.deprecated-parameter', {
    severity: 'warning',
    title: `${s.name} is obsolete: ${successorText}.`,
    detail:
      `${s.name} is obsolete: ${succ.why}.` +
      (successorSet ? ` ${succ.name} is also set here and takes precedence, so this line only misleads readers.` : '') +
      ' Newer Postfix releases warn about or drop obsolete parameters, and a reader of this file is misled about what is in effect.',
    fix:
      succ.name === '(none)'
        ? `Remove ${s.name}.`
        : `Remove ${s.name}${successorSet ? '' : `; configure ${succ.name} instead if you need the behaviour`}, then run \`postfix reload\`.`,
    range: s.nameRange,
    evidence: [shown(s), `parameter list: Postfix ${PARAMS_VERSION}`],
    edits,
    editTitle,
  });
}

const GRADE_PARAM = /^(smtpd|smtp|lmtp|tlsproxy|tlsproxy_client|postscreen)_tls_(mandatory_)?ciphers$/;

export function checkCipherGrade(ctx: RuleContext, s: Setting): void {
  if (!GRADE_PARAM.test(s.name)) return;
  // A value decided elsewhere ($name not set here, a template) is not judged.
  const r = ctx.scope.resolved(s.name);
  if (!r.complete) return;
  const v = r.value.trim().toLowerCase();
  const j = judgeGrade(v, s.name.includes('_mandatory_'), gradeSide(s.name), ctx.scope.definedAt('tls_null_cipherlist') !== undefined);
  if (!j) return;
  report(ctx, j.id, {
    severity: j.severity,
    title:
      j.grade === 'null'
        ? `${s.name} = null allows no encrypting cipher at all.`
        : j.grade === 'invalid'
          ? `${s.name} = ${printable(v, 40)} is not a cipher grade: Postfix makes no TLS connection with it.`
          : `${s.name} = ${v} asks for an obsolete cipher grade.`,
    detail: j.detail,
    fix: `Set ${s.name} = medium (or remove the line to get the default), then run \`postfix reload\`.`,
    range: s.valueRange,
    evidence: [shown(s)],
    edits: [{ range: s.valueRange, newText: 'medium' }],
    editTitle: `Set ${s.name} = medium`,
  });
}
