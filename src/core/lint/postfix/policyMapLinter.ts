/**
 * The `postfix-policy-map` linter: Postfix TLS policy table source files (`smtp_tls_policy_maps`).
 *
 * Which files: only the conventional names (`tls_policy` as in postconf(5) and TLS_README, and its usual
 * variants), and only when the text reads as a policy table (at least one entry whose first value word is a TLS
 * security level; a `name = value` file such as `mysql_tls_policy.cf` never is). A map with another name is not
 * claimed: the editor's scan glob and the CLI walk come from `files.names`, so any name added there is scanned in
 * every workspace.
 *
 * Context: the main.cf that references the file (`smtp_tls_policy_maps = hash:/etc/postfix/tls_policy`), looked
 * for beside the file and at the workspace's `etc/postfix/main.cf` and `main.cf`, and matched by path the way the
 * certificate checks find files (as written, under the workspace mirror, beside main.cf for /etc/postfix/...).
 * Rules that depend on main.cf (DNSSEC for dane entries, a CA for verify/secure entries, the Postfix version from
 * compatibility_level) run only when that main.cf is found.
 */
import * as nodePath from 'node:path';
import type { Finding } from '../../finding';
import { parseMailDomain } from '../../domain/name';
import type { DiscoveredDomain, Linter, LintHost, LintResult } from '../types';
import type { RuleContext } from './context';
import { parseMainCf } from './mainParser';
import { parsePolicyMap, policyKeyKind, PolicyMap } from './policyMapParser';
import { candidates } from './rules/certs';
import { checkPolicyMap, isPolicyLevel, respelledLevel } from './rules/policyMap';
import { ParameterScope } from './scope';
import type { Setting } from './mainParser';

export const POLICY_MAP_NAMES = [
  'tls_policy',
  'tls_policy_map',
  'tls_policy_maps',
  'tls_policies',
  'tls-policy',
  'tls-policy-map',
  'tls-policy-maps',
  'tls-policies',
  'smtp_tls_policy',
  'smtp_tls_policy_map',
  'smtp_tls_policy_maps',
] as const;

/** Table types whose source is a `key value` file that postmap compiles (or that Postfix reads as is). */
const FILE_TABLE = /^(?:proxy:)?(hash|btree|lmdb|cdb|dbm|sdbm|texthash):(.+)$/i;

export function isPolicyMapName(path: string): boolean {
  const base = nodePath.basename(path).toLowerCase();
  return (POLICY_MAP_NAMES as readonly string[]).includes(base);
}

/**
 * The text reads as a TLS policy table: some entry starts its value with a security level (or a misspelling of one
 * that only case, `-` or `_` tell apart, so a one-entry table with `dane_only` still gets its error), or it has no
 * lines at all.
 */
export function looksLikePolicyMap(text: string): boolean {
  const map = parsePolicyMap(text);
  if (map.entries.length === 0) return map.problems.length === 0;
  if (map.entries.some((e) => e.key.includes('=') || e.level?.text.startsWith('='))) return false;
  return map.entries.some((e) => e.level !== undefined && (isPolicyLevel(e.level.text) || respelledLevel(e.level.text) !== undefined));
}

export const postfixPolicyMapLinter: Linter = {
  format: 'postfix-policy-map',
  files: {
    label: 'Postfix TLS policy tables (tls_policy)',
    names: [...POLICY_MAP_NAMES],
    activation: ['onLanguage:postfix', 'workspaceContains:**/main.cf'],
    oversize: 'skip',
  },
  matches: (path, text) => isPolicyMapName(path) && (text === undefined || looksLikePolicyMap(text)),
  lint: lintPolicyMap,
};

/** The main.cf that uses this file as (one of) its smtp_tls_policy_maps. */
export interface ReferencingMainCf {
  path: string;
  scope: ParameterScope;
  /** The smtp_tls_policy_maps assignment. */
  setting: Setting;
  /** The table as written there (`hash:/etc/postfix/tls_policy`). */
  table: string;
}

export function findReferencingMainCf(mapPath: string, host: LintHost): ReferencingMainCf | undefined {
  const dir = nodePath.dirname(mapPath);
  const root = host.workspaceRoot;
  const places = [nodePath.join(dir, 'main.cf')];
  if (root) places.push(nodePath.join(root, 'etc', 'postfix', 'main.cf'), nodePath.join(root, 'main.cf'));
  const target = nodePath.resolve(mapPath);
  for (const place of [...new Set(places)]) {
    let text: string | undefined;
    try {
      text = host.readFile(place);
    } catch {
      text = undefined;
    }
    if (text === undefined) continue;
    const scope = new ParameterScope(parseMainCf(text).settings);
    const setting = scope.setting('smtp_tls_policy_maps');
    const value = scope.resolved('smtp_tls_policy_maps');
    if (!setting || !value.complete) continue;
    for (const m of value.value.matchAll(/[^\s,]+/g)) {
      const t = FILE_TABLE.exec(m[0]);
      if (!t) continue;
      const named = candidates(t[2], place, root).map((c) => nodePath.resolve(c));
      if (named.includes(target)) return { path: place, scope, setting, table: m[0] };
    }
  }
  return undefined;
}

export function lintPolicyMap(path: string, text: string, host: LintHost): LintResult {
  const findings: Finding[] = [];
  const map = parsePolicyMap(text);
  const main = findReferencingMainCf(path, host);
  const ctx: RuleContext = { file: path, doc: map.doc, scope: main?.scope ?? new ParameterScope([]), host, findings };
  checkPolicyMap(ctx, map, main);
  return { findings, endpoints: [], domains: policyDomains(path, map) };
}

/** The recipient domains with an entry of their own (`example.com level`); not `.parent` or `[next-hop]:port` keys. */
export function policyDomains(path: string, map: PolicyMap): DiscoveredDomain[] {
  const out: DiscoveredDomain[] = [];
  for (const e of map.entries) {
    if (policyKeyKind(e.key) !== 'domain') continue;
    const parsed = parseMailDomain(e.key);
    if ('error' in parsed) continue;
    const level = e.level && isPolicyLevel(e.level.text) ? ` (${e.level.text.toLowerCase()})` : '';
    out.push({ domain: parsed.domain, file: path, range: e.keyRange, source: `smtp_tls_policy_maps entry${level}` });
  }
  return out;
}
